/**
 * @module Verify an uploaded switchyard.json without zod: JSON, `{ hash, config }`, the IR's JSON Schema
 * (generated from the zod schema by @switchyard/ir), and a content hash equal to the one claimed.
 * zod would add ~450 KB to router.mjs; @cfworker/json-schema is already there for validators.
 */
import { Validator } from "@cfworker/json-schema";
import { CONFIG_JSON_SCHEMA, type Config, type Release, contentHash } from "@switchyard/ir";
import type { AdminDiagnostic } from "./types.ts";

export type VerifyResult = { ok: true; release: Release } | { ok: false; diagnostics: AdminDiagnostic[] };

/** cfworker keyword → a stable diagnostic code (zod's vocabulary where it has one). */
const CODES: Record<string, string> = {
  type: "invalid_type",
  const: "invalid_value",
  enum: "invalid_value",
  required: "missing_field",
  additionalProperties: "unrecognized_keys",
  pattern: "invalid_format",
  format: "invalid_format",
  minLength: "too_small",
  minimum: "too_small",
  exclusiveMinimum: "too_small",
  minItems: "too_small",
  maxLength: "too_big",
  maximum: "too_big",
  exclusiveMaximum: "too_big",
  maxItems: "too_big",
};

let validator: Validator | undefined;

/**
 * Check release text against the IR. `expectedHash` (from the URL) must equal the content hash.
 * Reports every schema problem (deepest first per location), each with a dotted path into the file.
 */
export function verifyReleaseText(text: string, expectedHash: string): VerifyResult {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    return fail("invalid_json", `not valid JSON: ${(error as Error).message}`);
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw) || !("config" in raw) || !("hash" in raw) || typeof raw.hash !== "string") {
    return fail("invalid_release", "a release is an object { hash, config }, as `switchyard build` writes to switchyard.json");
  }
  validator ??= new Validator(CONFIG_JSON_SCHEMA as ConstructorParameters<typeof Validator>[0], "2020-12", false);
  const result = validator.validate(raw.config);
  if (!result.valid) return { ok: false, diagnostics: leafErrors(result.errors) };
  const config = raw.config as Config;
  // zod refinement the JSON Schema cannot express.
  const both: AdminDiagnostic[] = [];
  for (const [id, route] of Object.entries(config.routes)) {
    if ((route.tier === undefined) === (route.model === undefined)) both.push({ code: "custom", message: "a route names exactly one of `tier` and `model`", path: `config.routes.${id}` });
  }
  if (both.length > 0) return { ok: false, diagnostics: both };
  const actual = contentHash(config);
  if (actual !== raw.hash) return fail("hash_mismatch", `hash ${String(raw.hash).slice(0, 80)} does not match the content (${actual})`, "hash");
  if (actual !== expectedHash) return fail("hash_mismatch", `the URL names release ${expectedHash}, the body is release ${actual}`, "hash");
  return { ok: true, release: { hash: actual, config } };
}

function fail(code: string, message: string, path?: string): VerifyResult {
  return { ok: false, diagnostics: [{ code, message, ...(path !== undefined ? { path } : {}) }] };
}

/** cfworker reports every level of a failure ("property routes does not match"…); keep the innermost, one per location. */
function leafErrors(errors: ReadonlyArray<{ instanceLocation: string; keyword: string; error: string }>): AdminDiagnostic[] {
  const locations = errors.map((e) => e.instanceLocation);
  const seen = new Set<string>();
  const out: AdminDiagnostic[] = [];
  for (const error of errors) {
    const at = error.instanceLocation;
    if (locations.some((other) => other.startsWith(`${at}/`))) continue;
    if (seen.has(at)) continue;
    seen.add(at);
    const segments = at.replace(/^#\/?/, "").split("/").filter((s) => s !== "").map((s) => decodeURIComponent(s.replaceAll("~1", "/").replaceAll("~0", "~")));
    const path = ["config", ...segments].join(".");
    // `additionalProperties: false` reports the extra key as failing the `false` schema; say what that means.
    if (error.keyword === "false") out.push({ code: "unrecognized_keys", message: `unknown key \`${segments[segments.length - 1] ?? ""}\``, path });
    else out.push({ code: CODES[error.keyword] ?? "invalid_config", message: error.error, path });
  }
  return out;
}

/**
 * @module Verify an uploaded switchyard.json without zod: JSON, `{ hash, config }`, the IR's JSON Schema
 * (generated from the zod schema by @switchyard/ir), and a content hash equal to the one claimed.
 * zod would add ~450 KB to router.mjs.
 */
import { type Config, type Release, configJsonSchema, configRuleProblems, contentHash } from "@switchyard/ir";
import { tooDeep } from "../protocol/json.ts";
import { type SchemaCheck, compileSchemaCheck } from "./schema-check.ts";
import type { AdminDiagnostic } from "./types.ts";

export type VerifyResult = { ok: true; release: Release } | { ok: false; diagnostics: AdminDiagnostic[] };

let checker: SchemaCheck | undefined;

/**
 * Check release text against the IR: its JSON Schema, then its rules (configRuleProblems). `expectedHash` (from
 * the URL) must equal the content hash. Reports every schema problem (deepest first per location), each with a dotted path into the file.
 */
export function verifyReleaseText(text: string, expectedHash: string): VerifyResult {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    return fail("invalid_json", `not valid JSON: ${(error as Error).message}`);
  }
  // The checks and the hash below recurse: a release nested deeper than any real one (a validator
  // schema is allowed 64 levels of its own) is refused before them, not with a stack overflow.
  const deep = tooDeep(raw, 128);
  if (deep !== undefined) return fail("invalid_release", `\`${deep}\` nests objects or arrays more than 128 levels deep`, deep);
  if (typeof raw !== "object" || raw === null || Array.isArray(raw) || !("config" in raw) || !("hash" in raw) || typeof raw.hash !== "string") {
    return fail("invalid_release", "a release is an object { hash, config }, as `switchyard build` writes to switchyard.json");
  }
  checker ??= compileSchemaCheck(configJsonSchema(), "config");
  const problems = checker.check(raw.config);
  if (problems.length > 0) return { ok: false, diagnostics: problems };
  const config = raw.config as Config;
  // What the schema cannot see: the IR's rules, the same the compiler and parseConfig run.
  const broken = configRuleProblems(config);
  if (broken.length > 0) return { ok: false, diagnostics: broken.map((p) => ({ code: p.code, message: p.message, path: `config.${p.path.join(".")}` })) };
  let actual: string;
  try {
    actual = contentHash(config);
  } catch (error) {
    // Canonical JSON has no form for what JSON.parse can still produce (1e999 is Infinity): the client's error, not a 500.
    return fail("invalid_release", `the config cannot be hashed: ${(error as Error).message}`, "config");
  }
  if (actual !== raw.hash) return fail("hash_mismatch", `hash ${String(raw.hash).slice(0, 80)} does not match the content (${actual})`, "hash");
  if (actual !== expectedHash) return fail("hash_mismatch", `the URL names release ${expectedHash}, the body is release ${actual}`, "hash");
  return { ok: true, release: { hash: actual, config } };
}

function fail(code: string, message: string, path?: string): VerifyResult {
  return { ok: false, diagnostics: [{ code, message, ...(path !== undefined ? { path } : {}) }] };
}

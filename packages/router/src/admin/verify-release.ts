/**
 * @module Verify an uploaded switchyard.json without zod: JSON, `{ hash, config }`, the IR's JSON Schema
 * (generated from the zod schema by @switchyard/ir), and a content hash equal to the one claimed.
 * zod would add ~450 KB to router.mjs.
 */
import { type Config, type Release, configJsonSchema, contentHash } from "@switchyard/ir";
import { tooDeep } from "../http/chat-body.ts";
import { type SchemaCheck, compileSchemaCheck } from "./schema-check.ts";
import type { AdminDiagnostic } from "./types.ts";

export type VerifyResult = { ok: true; release: Release } | { ok: false; diagnostics: AdminDiagnostic[] };

let checker: SchemaCheck | undefined;

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
  const broken = referenceProblems(config);
  if (broken.length > 0) return { ok: false, diagnostics: broken };
  const actual = contentHash(config);
  if (actual !== raw.hash) return fail("hash_mismatch", `hash ${String(raw.hash).slice(0, 80)} does not match the content (${actual})`, "hash");
  if (actual !== expectedHash) return fail("hash_mismatch", `the URL names release ${expectedHash}, the body is release ${actual}`, "hash");
  return { ok: true, release: { hash: actual, config } };
}

function fail(code: string, message: string, path?: string): VerifyResult {
  return { ok: false, diagnostics: [{ code, message, ...(path !== undefined ? { path } : {}) }] };
}

/**
 * What the schema cannot see and the compiler's semantic checks guarantee for a built release: each
 * route names exactly one of tier and model, and every name points at something declared. A
 * hand-made release breaking these would activate and then refuse its routes' traffic.
 */
export function referenceProblems(config: Config): AdminDiagnostic[] {
  const out: AdminDiagnostic[] = [];
  const missing = (path: string, what: string, name: string): void => void out.push({ code: "unknown_reference", message: `${what} "${name}" is not declared`, path: `config.${path}` });
  const target = (path: string, ref: { tier: string } | { model: string }): void => {
    if ("tier" in ref) {
      if (!(ref.tier in config.tiers)) missing(`${path}.tier`, "tier", ref.tier);
    } else if (!(ref.model in config.models)) missing(`${path}.model`, "model", ref.model);
  };
  for (const [id, model] of Object.entries(config.models)) if (!(model.provider in config.providers)) missing(`models.${id}.provider`, "provider", model.provider);
  for (const [id, tier] of Object.entries(config.tiers)) {
    tier.models.forEach((member, i) => {
      if (!(member.model in config.models)) missing(`tiers.${id}.models.${i}.model`, "model", member.model);
    });
  }
  for (const [id, route] of Object.entries(config.routes)) {
    if ((route.tier === undefined) === (route.model === undefined)) out.push({ code: "custom", message: "a route names exactly one of `tier` and `model`", path: `config.routes.${id}` });
    if (route.tier !== undefined && !(route.tier in config.tiers)) missing(`routes.${id}.tier`, "tier", route.tier);
    if (route.model !== undefined && !(route.model in config.models)) missing(`routes.${id}.model`, "model", route.model);
    route.fallback.forEach((step, i) => target(`routes.${id}.fallback.${i}`, step));
    if (route.longContext !== undefined) target(`routes.${id}.longContext.use`, route.longContext.use);
    if (route.canary !== undefined && !(route.canary.model in config.models)) missing(`routes.${id}.canary.model`, "model", route.canary.model);
  }
  for (const [id, team] of Object.entries(config.teams)) {
    team.routes.forEach((route, i) => {
      if (!(route in config.routes)) missing(`teams.${id}.routes.${i}`, "route", route);
    });
  }
  return out;
}

/** @module A release: a validated config and its content hash, as written to `switchyard.json`. */
import { type Config, ConfigSchema } from "./schema.ts";
import { canonicalJson, contentHash } from "./canonical.ts";
import { configRuleProblems } from "./rules.ts";

/** One problem found in a value that should be IR. `path` points into the IR. */
export interface IrIssue {
  code: string;
  path: (string | number)[];
  message: string;
}

export type ParseResult<T> = { success: true; data: T } | { success: false; issues: IrIssue[] };

/** The contents of `switchyard.json`. */
export interface Release {
  /** SHA-256 of the canonical JSON of `config`. */
  hash: string;
  config: Config;
}

/** Validate an unknown value as a compiled config: the schema, then the rules of rules.ts. Never throws. */
export function parseConfig(input: unknown): ParseResult<Config> {
  const result = ConfigSchema.safeParse(input);
  if (result.success) {
    const problems = configRuleProblems(result.data);
    return problems.length === 0 ? { success: true, data: result.data } : { success: false, issues: problems };
  }
  return {
    success: false,
    issues: result.error.issues.map((issue) => ({
      code: issue.code,
      path: issue.path.map((p) => (typeof p === "symbol" ? String(p) : p)),
      message: issue.message,
    })),
  };
}

/** Make a release from a validated config. */
export function createRelease(config: Config): Release {
  return { hash: contentHash(config), config };
}

/** The exact bytes of `switchyard.json` for a release (deterministic). */
export function serialiseRelease(release: Release): string {
  return `${canonicalJson({ hash: release.hash, config: release.config })}\n`;
}

/**
 * Read `switchyard.json` text: valid JSON, a valid config, and a hash that matches its content.
 * Never throws.
 */
export function parseRelease(text: string, expectedHash?: string): ParseResult<Release> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    return { success: false, issues: [{ code: "invalid_json", path: [], message: `not valid JSON: ${(error as Error).message.replace(/\s*\n\s*/g, " ")}` }] };
  }
  if (typeof raw !== "object" || raw === null || !("config" in raw) || !("hash" in raw) || typeof raw.hash !== "string") {
    return { success: false, issues: [{ code: "invalid_release", path: [], message: "a release is an object { hash, config }" }] };
  }
  const parsed = parseConfig(raw.config);
  if (!parsed.success) return { success: false, issues: parsed.issues.map((i) => ({ ...i, path: ["config", ...i.path] })) };
  const actual = contentHash(parsed.data);
  if (actual !== raw.hash) {
    return { success: false, issues: [{ code: "hash_mismatch", path: ["hash"], message: `hash ${raw.hash} does not match the content (${actual})` }] };
  }
  if (expectedHash !== undefined && expectedHash !== actual) {
    return { success: false, issues: [{ code: "hash_mismatch", path: ["hash"], message: `expected release ${expectedHash}, got ${actual}` }] };
  }
  return { success: true, data: { hash: actual, config: parsed.data } };
}

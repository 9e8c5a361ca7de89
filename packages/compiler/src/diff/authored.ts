/**
 * @module diff/authored — a change in the words of routes.ts: the leaf-by-leaf difference of two sides' configs
 * as their authors wrote them (the environment's overrides merged, before lowering), so a reviewer reads
 * `every: "2h"`, not `everyMs: 7200000`, and never a default nobody wrote. Values are rendered as TypeScript
 * source; secret references as `secret("NAME")`, literal header values redacted, key-shaped strings masked. Pure.
 */
import { canonicalJson } from "@switchyard/ir";
import { maskSecrets } from "../diagnostics/mask.ts";
import type { ChangeKind } from "./types.ts";

export interface AuthoredChange {
  /** The setting's path as routes.ts spells it: `routes.legal-review.canary.every`. */
  key: string;
  kind: ChangeKind;
  /** The value as TypeScript source (`"2h"`, `[5, 25, 100]`, `secret("KEY")`); absent where the side does not write it. */
  old?: string;
  new?: string;
}

type Rec = Record<string, unknown>;

function isRecord(value: unknown): value is Rec {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isSecret(value: unknown): value is { secret: string } {
  return isRecord(value) && Object.keys(value).length === 1 && typeof value.secret === "string";
}

/** The order a review reads a config in (the diff's sections); other top-level keys follow, sorted. */
const SECTION_ORDER = ["routes", "tiers", "models", "providers", "teams", "policies", "router", "telemetry"];

function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** A value as TypeScript source, the way routes.ts writes it. */
export function tsLiteral(value: unknown): string {
  if (value === undefined) return "undefined";
  if (value === null) return "null";
  if (typeof value === "string") return JSON.stringify(maskSecrets(value));
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (isSecret(value)) return `secret(${JSON.stringify(value.secret)})`;
  if (Array.isArray(value)) return `[${value.map(tsLiteral).join(", ")}]`;
  if (isRecord(value)) {
    const entries = Object.entries(value).map(([k, v]) => `${IDENTIFIER.test(k) ? k : JSON.stringify(k)}: ${tsLiteral(v)}`);
    return entries.length === 0 ? "{}" : `{ ${entries.join(", ")} }`;
  }
  return JSON.stringify(String(value));
}

/** Header values may be credentials: only their secret names are shown. */
function redactHeaders(path: readonly string[], value: unknown): unknown {
  if (path.at(-2) !== "headers" || value === undefined || isSecret(value)) return value;
  return "(literal value)";
}

function walk(path: string[], old: unknown, now: unknown, out: AuthoredChange[]): void {
  if (old !== undefined && now !== undefined && canonicalJson(old) === canonicalJson(now)) return;
  if (isRecord(old) && isRecord(now) && !isSecret(old) && !isSecret(now)) {
    const keys = [...new Set([...Object.keys(old), ...Object.keys(now)])];
    const ordered =
      path.length === 0
        ? [...SECTION_ORDER.filter((k) => keys.includes(k)), ...keys.filter((k) => !SECTION_ORDER.includes(k)).sort(byCodePoint)]
        : keys.sort(byCodePoint);
    for (const key of ordered) walk([...path, key], old[key], now[key], out);
    return;
  }
  const before = redactHeaders(path, old);
  const after = redactHeaders(path, now);
  const change: AuthoredChange = { key: path.join("."), kind: old === undefined ? "add" : now === undefined ? "delete" : "update" };
  if (before !== undefined) change.old = tsLiteral(before);
  if (after !== undefined) change.new = tsLiteral(after);
  // Two different literal header values both read "(literal value)": still a change, said as such.
  if (change.old === change.new && change.kind === "update") change.new = `${change.new ?? ""} (changed)`;
  out.push(change);
}

/**
 * The settings that differ between two authored configs, leaf by leaf (lists compared whole), in review order.
 *
 * @example diffAuthored({ routes: { x: { canary: { every: "1h" } } } }, { routes: { x: { canary: { every: "2h" } } } })
 * // [{ key: "routes.x.canary.every", kind: "update", old: '"1h"', new: '"2h"' }]
 */
export function diffAuthored(old: Rec, now: Rec): AuthoredChange[] {
  const out: AuthoredChange[] = [];
  walk([], old, now, out);
  return out;
}

/** @module Canonical JSON (stable key order, no insignificant whitespace) and the content hash over it. */
import { createHash } from "node:crypto";

/**
 * Serialise a JSON value with object keys sorted at every depth, so equal values give equal bytes.
 * `undefined` object members are dropped (as JSON.stringify does); non-finite numbers are rejected
 * because they have no JSON form and would silently become `null`.
 *
 * @example canonicalJson({ b: 1, a: [2, { d: 3, c: 4 }] }) // '{"a":[2,{"c":4,"d":3}],"b":1}'
 */
export function canonicalJson(value: unknown): string {
  return serialise(value, "$");
}

function serialise(value: unknown, path: string): string {
  if (value === null) return "null";
  switch (typeof value) {
    case "string":
      return JSON.stringify(value);
    case "boolean":
      return value ? "true" : "false";
    case "number":
      if (!Number.isFinite(value)) throw new TypeError(`${path}: ${value} has no JSON representation`);
      return JSON.stringify(value);
    case "object": {
      if (Array.isArray(value)) return `[${value.map((item, i) => serialise(item ?? null, `${path}[${i}]`)).join(",")}]`;
      const keys = Object.keys(value).sort();
      const members: string[] = [];
      for (const key of keys) {
        const member = (value as Record<string, unknown>)[key];
        if (member === undefined) continue;
        members.push(`${JSON.stringify(key)}:${serialise(member, `${path}.${key}`)}`);
      }
      return `{${members.join(",")}}`;
    }
    case "bigint":
    case "function":
    case "symbol":
    case "undefined":
    default: // for TypeScript, which does not see that typeof has no ninth answer
      throw new TypeError(`${path}: a ${typeof value} has no JSON representation`);
  }
}

/** SHA-256 of the canonical JSON, hex encoded. The identity of a release. */
export function contentHash(value: unknown): string {
  return createHash("sha256").update(canonicalJson(value)).digest("hex");
}

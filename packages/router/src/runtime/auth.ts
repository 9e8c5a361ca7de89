/** @module Team keys: hashed once at activation, compared by hash in constant time. Keys are never logged. */
import * as crypto from "node:crypto";
import { createHash, timingSafeEqual } from "node:crypto";
import type { Config } from "@switchyard/ir";

export interface KeyEntry {
  team: string;
  hash: Buffer;
}

/** The team keys of a release, read from the env vars the config names and hashed (sha256). */
export interface KeyTable {
  /** True when the config declares no teams: every caller is let in (no key needed). */
  open: boolean;
  entries: KeyEntry[];
  /** Env vars named for team keys that are unset or empty (reported at start, never the values). */
  missing: string[];
}

// One-shot `crypto.hash` (Node >= 20.12) costs about half of createHash().update().digest(), and
// every authenticated request hashes its key. Read off the namespace so older runtimes fall back.
const oneShot = (crypto as { hash?: (algorithm: string, data: string, encoding: "buffer") => Buffer }).hash;

export function sha256(value: string): Buffer {
  return oneShot !== undefined ? oneShot("sha256", value, "buffer") : createHash("sha256").update(value).digest();
}

/** Build the key table for a config from an environment. */
export function buildKeyTable(config: Config, env: Readonly<Record<string, string | undefined>>): KeyTable {
  const entries: KeyEntry[] = [];
  const missing: string[] = [];
  const teams = Object.entries(config.teams);
  for (const [team, def] of teams) {
    for (const ref of def.keys) {
      const value = env[ref.secret];
      if (value === undefined || value === "") missing.push(ref.secret);
      else entries.push({ team, hash: sha256(value) });
    }
  }
  return { open: teams.length === 0, entries, missing };
}

/**
 * The team a presented key belongs to, or undefined. Compares the key's sha256 against every entry
 * with `timingSafeEqual` and no early exit, so timing reveals neither key nor position. A key that
 * matched before is answered from a per-table map of verified keys (a hit tells the caller only that
 * the key is valid, which the answer tells anyway; unknown keys always take the constant-time scan).
 */
export function teamForKey(table: KeyTable, key: string): string | undefined {
  // Keys already verified against this table skip the sha256 and the scan. Only hits are kept, so the
  // cache holds at most the table's own keys (callers cannot grow it), and it dies with the table.
  let known = verified.get(table);
  const cached = known?.get(key);
  if (cached !== undefined) return cached;
  const team = scanForKey(table, key);
  if (team !== undefined) {
    if (known === undefined) {
      known = new Map();
      verified.set(table, known);
    }
    if (known.size < table.entries.length) known.set(key, team);
  }
  return team;
}

const verified = new WeakMap<KeyTable, Map<string, string>>();

function scanForKey(table: KeyTable, key: string): string | undefined {
  const hash = sha256(key);
  let team: string | undefined;
  for (const entry of table.entries) {
    if (timingSafeEqual(entry.hash, hash) && team === undefined) team = entry.team;
  }
  return team;
}

/** The bearer token of an Authorization header, or undefined when absent or not a bearer token. */
export function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const m = /^\s*Bearer\s+(\S+)\s*$/i.exec(header);
  return m?.[1];
}

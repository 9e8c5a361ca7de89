/**
 * @module diagnostics/mask — key-shaped strings masked before any diagnostic text leaves the compiler
 * (messages, hints, code frames, notes), so a key pasted into routes.ts never lands in a CI log.
 */
import type { Diagnostic } from "./types.ts";

/**
 * Vendor prefixes kept visible, longest first so `sk-proj-` wins over `sk-` (they say which provider's
 * console to rotate the key in, and reveal nothing of the random part).
 */
const KEY_PREFIXES = [
  "github_pat_",
  "sk-proj-",
  "sk-ant-",
  "sk-live-",
  "sk-test-",
  "sk_live_",
  "sk_test_",
  "rk_live_",
  "xoxb-",
  "xoxp-",
  "glpat-",
  "ghp_",
  "gho_",
  "ghs_",
  "gsk_",
  "AKIA",
  "AIza",
  "sk-",
  "hf_",
  "r8_",
];

/**
 * A key-shaped run of characters: a vendor prefix and 8+ key characters after it, or (no prefix) a
 * `-`/`_`-separated piece of 20+ letters and digits holding both (hex digests, base64url tokens).
 * Words, paths, UPPER_SNAKE names and model ids (`claude-3-5-sonnet-20241022`: short pieces) do not.
 */
const KEY_RUN = /[A-Za-z0-9_-]{8,}/g;
const PREFIXED = new RegExp(`^(?:${KEY_PREFIXES.map((p) => p.replace(/[-_]/g, "\\$&")).join("|")})[A-Za-z0-9_-]{8,}$`);

/** The characters kept at the end of a long key, as providers' consoles show them (`sk-…abcd`). */
const TAIL = 4;

/**
 * Mask one key: its vendor prefix stays, every other character becomes `*` (so the length, and the
 * columns of a code frame, are kept), and for keys with 24+ random characters the last 4 stay too.
 * No run of more than 8 consecutive characters of the key survives.
 *
 * @example maskKey("sk-proj-abcdefghijklmnopqrstuvwxyz0123456789") // "sk-proj-********************************6789"
 */
export function maskKey(key: string): string {
  const prefix = KEY_PREFIXES.find((p) => key.startsWith(p) && key.length > p.length) ?? "";
  const rest = key.length - prefix.length;
  const tail = rest >= 24 ? TAIL : 0;
  return `${prefix}${"*".repeat(rest - tail)}${key.slice(key.length - tail)}`;
}

/** Whether a run of key characters looks like a credential rather than a word or a name. */
export function isKeyShaped(run: string): boolean {
  if (PREFIXED.test(run)) return true;
  return run.split(/[-_]/).some((piece) => piece.length >= 20 && /[0-9]/.test(piece) && /[A-Za-z]/.test(piece));
}

/**
 * Every key-shaped run in `text` masked with maskKey(); everything else unchanged (same length, so
 * carets under a masked source line still point at the same columns). The one masking function of
 * the toolchain: diagnostics, code frames and every output format go through it.
 *
 * @example maskSecrets('apiKey: secret("sk-proj-abcdefghijklmnopqrstuvwxyz0123456789")') // 'apiKey: secret("sk-proj-****…6789")'
 */
export function maskSecrets(text: string): string {
  return text.replace(KEY_RUN, (run) => (isKeyShaped(run) ? maskKey(run) : run));
}

/**
 * Mask the insides of the string literals between two columns of a source line (1-based, end
 * exclusive), whatever their shape: where a diagnostic says "a secret value is written here"
 * (SY0701–SY0703), the value is masked even when it does not look like a key.
 */
export function maskLiterals(line: string, fromColumn: number, toColumn: number): string {
  const from = Math.max(0, fromColumn - 1);
  const to = Math.min(line.length, Math.max(from, toColumn - 1));
  const span = line.slice(from, to).replace(/(["'`])((?:\\.|(?!\1)[^\\])*)\1/g, (_m, quote: string, inner: string) => `${quote}${maskKey(inner)}${quote}`);
  return line.slice(0, from) + span + line.slice(to);
}

/** Codes whose range covers a secret written as a value (the literal in the range is masked in code frames). */
export const SECRET_VALUE_CODES: ReadonlySet<string> = new Set(["SY0701", "SY0702", "SY0703"]);

/** A diagnostic with its message and hint masked (the location is kept). */
export function maskDiagnostic<D extends Diagnostic>(diagnostic: D): D {
  const message = maskSecrets(diagnostic.message);
  const hint = diagnostic.hint === undefined ? undefined : maskSecrets(diagnostic.hint);
  const related = diagnostic.related?.map((note) => ({
    ...note,
    message: maskSecrets(note.message),
    ...(note.hint === undefined ? {} : { hint: maskSecrets(note.hint) }),
  }));
  const relatedChanged = related !== undefined && JSON.stringify(related) !== JSON.stringify(diagnostic.related);
  if (message === diagnostic.message && hint === diagnostic.hint && !relatedChanged) return diagnostic;
  return { ...diagnostic, message, ...(hint !== undefined ? { hint } : {}), ...(related !== undefined ? { related } : {}) };
}

/** True when a diagnostic (or a note folded into it) says a secret value is written in its range. */
export function coversSecretValue(diagnostic: Diagnostic): boolean {
  return SECRET_VALUE_CODES.has(diagnostic.code) || (diagnostic.related ?? []).some((note) => SECRET_VALUE_CODES.has(note.code));
}

/** @module Reading an upstream chat completion's JSON without building it: checked whole, `usage` parsed alone, the rest on demand. */
import type { ChatCompletion, Usage } from "../http/chat-body.ts";
import { UpstreamError } from "./types.ts";

/**
 * Why not `JSON.parse`: on the hot path nothing but `usage` and the `choices` check needs the answer
 * as objects (the client gets the upstream's bytes), and building them is most of a parse's cost and
 * garbage. `scanCompletion` checks the whole text against JSON's grammar (what `JSON.parse` accepts),
 * notes where the top-level `choices` and `usage` values are, and builds nothing; the completion
 * object is parsed only when asked for (validators, payload logging). Whatever the scan cannot
 * answer for certain (a top-level key written with escapes, very deep nesting, a top level that is
 * not an object) goes to the full parse, so the result is always the full parse's.
 */

/** Scan verdicts. */
const INVALID = -1;
const UNSURE = 0;
const OK = 1;

/** Deeper than this, the scan hands over to `JSON.parse` (which has no such limit). */
const MAX_DEPTH = 256;

const QUOTE = 34;
const BACKSLASH = 92;
const COMMA = 44;
const COLON = 58;
const LBRACE = 123;
const RBRACE = 125;
const LBRACKET = 91;
const RBRACKET = 93;
const MINUS = 45;
const PLUS = 43;
const DOT = 46;
const ZERO = 48;
const NINE = 57;

/** Which top-level key's value is being read. */
const OTHER_KEY = 0;
const CHOICES_KEY = 1;
const USAGE_KEY = 2;

/** Where the last scan found things (module state: the scan is synchronous and allocates nothing). */
const found = { choicesIsArray: false, usageStart: -1, usageEnd: -1 };
/** Open containers of the scan: 1 object, 2 array. */
const open = new Uint8Array(MAX_DEPTH + 1);

function skipSpace(text: string, i: number): number {
  for (;;) {
    const c = text.charCodeAt(i);
    if (c !== 32 && c !== 10 && c !== 13 && c !== 9) return i;
    i++;
  }
}

/** The index after the string opening at `i` (a quote), or -1 when it is not a valid JSON string. */
function skipString(text: string, i: number): number {
  i++;
  for (;;) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) return i + 1;
    // Also the end of the text (NaN).
    if (!(c >= 32)) return -1;
    if (c === BACKSLASH) {
      const e = text.charCodeAt(i + 1);
      if (e === 117) {
        // \uXXXX
        for (let k = i + 2; k < i + 6; k++) {
          const h = text.charCodeAt(k);
          if (!((h >= ZERO && h <= NINE) || (h >= 65 && h <= 70) || (h >= 97 && h <= 102))) return -1;
        }
        i += 6;
        continue;
      }
      if (e !== QUOTE && e !== BACKSLASH && e !== 47 && e !== 98 && e !== 102 && e !== 110 && e !== 114 && e !== 116) return -1;
      i += 2;
      continue;
    }
    i++;
  }
}

function skipDigits(text: string, i: number): number {
  for (;;) {
    const c = text.charCodeAt(i);
    if (c < ZERO || c > NINE) return i;
    i++;
  }
}

/** The index after the number starting at `i`, or -1 when it is not a valid JSON number. */
function skipNumber(text: string, i: number): number {
  if (text.charCodeAt(i) === MINUS) i++;
  const first = text.charCodeAt(i);
  if (first === ZERO) i++;
  else if (first > ZERO && first <= NINE) i = skipDigits(text, i + 1);
  else return -1;
  if (text.charCodeAt(i) === DOT) {
    const after = skipDigits(text, i + 1);
    if (after === i + 1) return -1;
    i = after;
  }
  const e = text.charCodeAt(i);
  if (e === 101 || e === 69) {
    i++;
    const sign = text.charCodeAt(i);
    if (sign === PLUS || sign === MINUS) i++;
    const after = skipDigits(text, i);
    if (after === i) return -1;
    i = after;
  }
  return i;
}

/** Which top-level key the string at `start..end` (quotes included) is; -1 when escaped (the scan is unsure). */
function topKey(text: string, start: number, end: number): number {
  const length = end - start - 2;
  if (length === 7 && text.startsWith("choices", start + 1)) return CHOICES_KEY;
  if (length === 5 && text.startsWith("usage", start + 1)) return USAGE_KEY;
  for (let k = start + 1; k < end - 1; k++) if (text.charCodeAt(k) === BACKSLASH) return -1;
  return OTHER_KEY;
}

/**
 * Check `text` against JSON's grammar in one pass and, when it is an object, note where its
 * (last, as `JSON.parse` keeps the last) `choices` and `usage` values are (`found`).
 * INVALID: `JSON.parse` would throw; UNSURE: ask `JSON.parse`; OK: valid, `found` is exact.
 */
export function scanCompletion(text: string): number {
  found.choicesIsArray = false;
  found.usageStart = -1;
  found.usageEnd = -1;
  const n = text.length;
  let i = skipSpace(text, 0);
  if (text.charCodeAt(i) !== LBRACE) return UNSURE;
  let depth = 0;
  /** The top-level key whose value is being read, and where that value starts. */
  let key = OTHER_KEY;
  let valueStart = 0;
  let c = 0;
  for (;;) {
    // A value starts at i (after its leading space).
    if (depth === 1) valueStart = i;
    c = text.charCodeAt(i);
    if (c === LBRACE || c === LBRACKET) {
      if (depth === MAX_DEPTH) return UNSURE;
      i = skipSpace(text, i + 1);
      const close = text.charCodeAt(i);
      if (c === LBRACE ? close === RBRACE : close === RBRACKET) {
        i++; // empty: a complete value
      } else {
        open[++depth] = c === LBRACE ? 1 : 2;
        if (c === LBRACE) {
          if (close !== QUOTE) return INVALID;
          const end = skipString(text, i);
          if (end === -1) return INVALID;
          if (depth === 1) {
            key = topKey(text, i, end);
            if (key === -1) return UNSURE;
          }
          i = skipSpace(text, end);
          if (text.charCodeAt(i) !== COLON) return INVALID;
          i = skipSpace(text, i + 1);
        }
        continue;
      }
    } else if (c === QUOTE) {
      i = skipString(text, i);
      if (i === -1) return INVALID;
    } else if (c === 116) {
      if (!text.startsWith("true", i)) return INVALID;
      i += 4;
    } else if (c === 102) {
      if (!text.startsWith("false", i)) return INVALID;
      i += 5;
    } else if (c === 110) {
      if (!text.startsWith("null", i)) return INVALID;
      i += 4;
    } else {
      i = skipNumber(text, i);
      if (i === -1) return INVALID;
    }
    // A value ended at i: close what it ends, then expect the next one.
    for (;;) {
      if (depth === 1) {
        if (key === CHOICES_KEY) found.choicesIsArray = text.charCodeAt(valueStart) === LBRACKET;
        else if (key === USAGE_KEY) {
          found.usageStart = valueStart;
          found.usageEnd = i;
        }
      } else if (depth === 0) {
        return skipSpace(text, i) === n ? OK : INVALID;
      }
      i = skipSpace(text, i);
      c = text.charCodeAt(i);
      if (c === COMMA) {
        i = skipSpace(text, i + 1);
        if (open[depth] === 1) {
          if (text.charCodeAt(i) !== QUOTE) return INVALID;
          const end = skipString(text, i);
          if (end === -1) return INVALID;
          if (depth === 1) {
            key = topKey(text, i, end);
            if (key === -1) return UNSURE;
          }
          i = skipSpace(text, end);
          if (text.charCodeAt(i) !== COLON) return INVALID;
          i = skipSpace(text, i + 1);
        }
        break;
      }
      if (c !== (open[depth] === 1 ? RBRACE : RBRACKET)) return INVALID;
      i++;
      depth--;
    }
  }
}

/** A completion read from upstream text: `usage` now, the object itself when first asked for. */
class ScannedCompletion {
  readonly text: string;
  readonly usage: Usage | undefined;
  #completion: ChatCompletion | undefined;

  constructor(text: string, usage: Usage | undefined) {
    this.text = text;
    this.usage = usage;
  }

  get completion(): ChatCompletion {
    // The scan proved the text valid JSON, so this cannot throw.
    return (this.#completion ??= JSON.parse(this.text) as ChatCompletion);
  }
}

/** What an adapter returns for a non-streaming answer (`CompletionResult`'s shape). */
export interface ReadCompletion {
  text: string;
  completion: ChatCompletion;
  usage: Usage | undefined;
}

/**
 * Read an OpenAI-shaped completion from the upstream's text: the same `usage` and the same verdicts as
 * `JSON.parse` (invalid JSON, or no `choices` array → `invalid_response`), without building the
 * completion unless `completion` is read.
 */
export function readCompletion(text: string, provider: string): ReadCompletion {
  const verdict = scanCompletion(text);
  if (verdict === OK) {
    if (!found.choicesIsArray) throw noChoices(provider);
    const { usageStart, usageEnd } = found;
    // `null` usage reads as absent, as `completion.usage ?? undefined` would.
    const usage = usageStart === -1 || text.startsWith("null", usageStart) ? undefined : (JSON.parse(text.slice(usageStart, usageEnd)) as Usage);
    return new ScannedCompletion(text, usage);
  }
  if (verdict === INVALID) throw notJson(provider);
  return parseCompletion(text, provider);
}

/** The full parse: what `readCompletion` must always agree with (and its fallback). */
export function parseCompletion(text: string, provider: string): ReadCompletion {
  let completion: ChatCompletion;
  try {
    completion = JSON.parse(text) as ChatCompletion;
  } catch {
    throw notJson(provider);
  }
  if (typeof completion !== "object" || completion === null || !Array.isArray(completion.choices)) throw noChoices(provider);
  return { text, completion, usage: completion.usage ?? undefined };
}

function notJson(provider: string): UpstreamError {
  return new UpstreamError("invalid_response", `${provider}'s response is not valid JSON`);
}

function noChoices(provider: string): UpstreamError {
  return new UpstreamError("invalid_response", `${provider}'s response has no \`choices\``);
}

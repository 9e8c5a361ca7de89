/**
 * @module The upstream body of a non-streaming OpenAI-compatible call: the client's body with `model`
 * set to the model's name and without `stream`/`stream_options`. Made by splicing the model into the
 * client's own text where that is safe, else by one JSON.stringify of the parsed body.
 */
import type { ChatBody } from "../../protocol/chat.ts";

const QUOTE = 34;
const BACKSLASH = 92;
const COLON = 58;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;

/** JSON whitespace: space, tab, line feed, carriage return. */
function isSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9;
}

/** The index of the quote that closes the JSON string opening at `open` (-1 if none). */
function stringEnd(text: string, open: number): number {
  let i = text.indexOf('"', open + 1);
  while (i !== -1) {
    let slashes = 0;
    for (let j = i - 1; text.charCodeAt(j) === BACKSLASH; j--) slashes++;
    if ((slashes & 1) === 0) return i;
    i = text.indexOf('"', i + 1);
  }
  return -1;
}

/** Whether the key between the quotes at `open` and `close` is exactly `name` (no escapes). */
function keyIs(text: string, open: number, close: number, name: string): boolean {
  return close - open - 1 === name.length && text.startsWith(name, open + 1);
}

/**
 * The client's request text with its top-level `model` value replaced by `quotedModel` (a JSON string
 * literal), or undefined when a splice would not give the body JSON.stringify would: when `model` is
 * missing, not a string or given twice, when a top-level key contains an escape (it might spell
 * `model`), or when `stream` or `stream_options` is present (the upstream body leaves them out).
 *
 * `text` must be valid JSON (the router parsed it already): it is scanned, not validated. Strings are
 * skipped with indexOf, so the scan costs per JSON token, not per character of the prompts.
 *
 * @example spliceModel('{"model":"chat","messages":[]}', '"gpt-4o-mini"') // → '{"model":"gpt-4o-mini","messages":[]}'
 */
export function spliceModel(text: string, quotedModel: string): string | undefined {
  let depth = 0;
  let valueStart = -1;
  let valueEnd = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      const close = stringEnd(text, i);
      if (close === -1) return undefined;
      if (depth === 1) {
        let k = close + 1;
        while (isSpace(text.charCodeAt(k))) k++;
        if (text.charCodeAt(k) === COLON) {
          // A top-level key.
          for (let j = i + 1; j < close; j++) if (text.charCodeAt(j) === BACKSLASH) return undefined;
          if (keyIs(text, i, close, "stream") || keyIs(text, i, close, "stream_options")) return undefined;
          if (keyIs(text, i, close, "model")) {
            if (valueStart !== -1) return undefined;
            k++;
            while (isSpace(text.charCodeAt(k))) k++;
            if (text.charCodeAt(k) !== QUOTE) return undefined;
            const valueClose = stringEnd(text, k);
            if (valueClose === -1) return undefined;
            valueStart = k;
            valueEnd = valueClose + 1;
            i = valueClose;
            continue;
          }
        }
      }
      i = close;
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
    else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) depth--;
  }
  if (valueStart === -1) return undefined;
  return text.slice(0, valueStart) + quotedModel + text.slice(valueEnd);
}

/**
 * The upstream body of a non-streaming call. With the client's `text` (what `body` was parsed from)
 * the model is spliced in (spliceModel); otherwise, or where a splice is unsafe, it is the text of
 * `JSON.stringify({ ...body, model, stream: undefined, stream_options: undefined })` (key order
 * included), made without copying the body: the fields are swapped in for the one synchronous
 * stringify and put back.
 */
export function completionBody(body: ChatBody, model: string, text?: string): string {
  if (text !== undefined) {
    const spliced = spliceModel(text, JSON.stringify(model));
    if (spliced !== undefined) return spliced;
  }
  const route = body.model;
  const { stream, stream_options } = body;
  body.model = model;
  if (stream !== undefined) body.stream = undefined;
  if (stream_options !== undefined) body.stream_options = undefined;
  try {
    return JSON.stringify(body);
  } finally {
    body.model = route;
    if (stream !== undefined) body.stream = stream;
    if (stream_options !== undefined) body.stream_options = stream_options;
  }
}

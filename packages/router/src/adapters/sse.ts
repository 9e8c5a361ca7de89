/** @module A minimal Server-Sent Events parser over a byte stream (what OpenAI and Anthropic stream). */
import { UpstreamError } from "./types.ts";

export interface SseEvent {
  event: string | undefined;
  data: string;
}

/** Default longest SSE line, and longest event (its data lines together), in characters: 1 MiB. */
export const DEFAULT_MAX_SSE_LINE_BYTES = 1 << 20;

/**
 * Parse SSE frames from an async byte stream. Handles `\n`, `\r\n` and `\r` line ends, multi-line
 * `data:` fields and comments; yields one event per blank-line-terminated frame. Incremental: each
 * character is searched once (a line split across chunks is kept in parts and joined once its end
 * arrives), so the work is linear whatever the chunking; `stats.scanned` counts the characters the
 * line-end searches examined. A line, or an event's data, over `maxLine` characters throws an
 * UpstreamError (invalid_response); leaving the loop ends the body's iteration, which drops the
 * connection, so an upstream that never sends a newline cannot grow the router's memory.
 * Truncation is the adapter's to judge (OpenAI ends with `[DONE]`, Anthropic with `message_stop`).
 *
 * @example for await (const e of parseSse(response.body)) if (e.data !== "[DONE]") JSON.parse(e.data);
 */
export async function* parseSse(body: AsyncIterable<Uint8Array>, maxLine = DEFAULT_MAX_SSE_LINE_BYTES, stats?: { scanned: number }): AsyncGenerator<SseEvent> {
  const decoder = new TextDecoder();
  const tooLong = (): UpstreamError => new UpstreamError("invalid_response", `the upstream sent an SSE line or event longer than ${maxLine} bytes`);
  /** The start of a line whose end has not arrived, and its length. */
  let parts: string[] = [];
  let pending = 0;
  /** The last line ended with `\r`: a `\n` starting the next chunk belongs to it. */
  let afterCr = false;
  let event: string | undefined;
  let data: string[] = [];
  let size = 0;
  const out: SseEvent[] = [];

  const line = (text: string): void => {
    if (text === "") {
      if (data.length > 0) out.push({ event, data: data.join("\n") });
      event = undefined;
      data = [];
      size = 0;
      return;
    }
    if (text.charCodeAt(0) === 58) return; // ":" comment
    const colon = text.indexOf(":");
    const field = colon === -1 ? text : text.slice(0, colon);
    let value = colon === -1 ? "" : text.slice(colon + 1);
    if (value.charCodeAt(0) === 32) value = value.slice(1);
    if (field === "data") {
      size += value.length + 1;
      if (size > maxLine) throw tooLong();
      data.push(value);
    } else if (field === "event") event = value;
  };

  const find = (text: string, what: string, from: number): number => {
    const at = text.indexOf(what, from);
    if (stats !== undefined) stats.scanned += (at === -1 ? text.length : at + 1) - from;
    return at;
  };

  const feed = (text: string): void => {
    let i = afterCr && text.charCodeAt(0) === 10 ? 1 : 0;
    afterCr = false;
    // The next \n and \r at or after i (-1: none left in this chunk), searched again only once passed.
    let nl = -2;
    let cr = -2;
    while (i < text.length) {
      if (nl !== -1 && nl < i) nl = find(text, "\n", i);
      if (cr !== -1 && cr < i) cr = find(text, "\r", i);
      const end = nl === -1 ? cr : cr === -1 ? nl : Math.min(nl, cr);
      if (end === -1) {
        pending += text.length - i;
        if (pending > maxLine) throw tooLong();
        parts.push(text.slice(i));
        return;
      }
      let current = text.slice(i, end);
      if (pending + current.length > maxLine) throw tooLong();
      if (parts.length > 0) {
        parts.push(current);
        current = parts.join("");
        parts = [];
        pending = 0;
      }
      i = end + 1;
      if (end === cr) {
        // \r\n is one line end; a \r ending the chunk may be followed by the next chunk's \n.
        if (i === text.length) afterCr = true;
        else if (text.charCodeAt(i) === 10) i++;
      }
      line(current);
    }
  };

  for await (const bytes of body) {
    feed(decoder.decode(bytes, { stream: true }));
    for (let k = 0; k < out.length; k++) yield out[k] as SseEvent;
    out.length = 0;
  }
  feed(decoder.decode());
  // A last frame without its blank line: a complete `data:` line still counts, as most clients accept.
  const last = parts.join("").trim();
  if (last.startsWith("data:")) data.push(last.slice(5).trimStart());
  if (data.length > 0) out.push({ event, data: data.join("\n") });
  yield* out;
}

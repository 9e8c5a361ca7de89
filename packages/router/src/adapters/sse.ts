/** @module A minimal Server-Sent Events parser over a byte stream (what OpenAI and Anthropic stream). */
import { UpstreamError } from "./types.ts";

export interface SseEvent {
  event: string | undefined;
  data: string;
}

/** Default longest SSE line, and longest event (its data lines together), in characters: 1 MiB. */
export const DEFAULT_MAX_SSE_LINE_BYTES = 1 << 20;

/**
 * An incremental SSE parser: each character is scanned once (a line split across chunks is kept as
 * parts and joined once, when its end arrives), so the work is linear in the stream whatever the
 * chunking. A line, or an event's data, longer than `maxLine` characters throws an UpstreamError
 * (invalid_response): an upstream that never sends a newline cannot grow the router's memory.
 */
export class SseParser {
  /** Characters examined by line-end searches (tests check this is linear in the input). */
  scanned = 0;
  #parts: string[] = [];
  #pending = 0;
  /** The last line ended with `\r`: a `\n` starting the next chunk belongs to it. */
  #afterCr = false;
  #event: string | undefined;
  #data: string[] = [];
  #dataLength = 0;

  constructor(readonly maxLine: number = DEFAULT_MAX_SSE_LINE_BYTES) {}

  /** Parse decoded `text`, appending each event it completes to `out`. */
  feed(text: string, out: SseEvent[]): void {
    let i = 0;
    if (this.#afterCr && text.charCodeAt(0) === 10) i = 1;
    this.#afterCr = false;
    // Positions of the next \n and \r at or after i (-1: none left in this chunk), searched again only once passed.
    let nl = -2;
    let cr = -2;
    while (i < text.length) {
      if (nl !== -1 && nl < i) nl = this.#find(text, "\n", i);
      if (cr !== -1 && cr < i) cr = this.#find(text, "\r", i);
      const end = nl === -1 ? cr : cr === -1 ? nl : Math.min(nl, cr);
      if (end === -1) {
        this.#pending += text.length - i;
        if (this.#pending > this.maxLine) throw tooLong(this.maxLine);
        this.#parts.push(i === 0 ? text : text.slice(i));
        return;
      }
      let line = text.slice(i, end);
      if (this.#parts.length > 0) {
        if (this.#pending + line.length > this.maxLine) throw tooLong(this.maxLine);
        this.#parts.push(line);
        line = this.#parts.join("");
        this.#parts = [];
        this.#pending = 0;
      } else if (line.length > this.maxLine) throw tooLong(this.maxLine);
      i = end + 1;
      if (end === cr) {
        // \r\n is one line end; a \r ending the chunk may be followed by the next chunk's \n.
        if (i === text.length) this.#afterCr = true;
        else if (text.charCodeAt(i) === 10) i++;
      }
      this.#line(line, out);
    }
  }

  /** The stream ended: a last frame without its blank line still counts when it has a `data:` line (most clients accept it). */
  end(out: SseEvent[]): void {
    const line = this.#parts.join("").trim();
    this.#parts = [];
    if (line.startsWith("data:")) this.#data.push(line.slice(5).trimStart());
    if (this.#data.length > 0) out.push({ event: this.#event, data: this.#data.join("\n") });
    this.#data = [];
  }

  #find(text: string, what: string, from: number): number {
    const at = text.indexOf(what, from);
    this.scanned += (at === -1 ? text.length : at + 1) - from;
    return at;
  }

  #line(line: string, out: SseEvent[]): void {
    if (line === "") {
      if (this.#data.length > 0) out.push({ event: this.#event, data: this.#data.join("\n") });
      this.#event = undefined;
      this.#data = [];
      this.#dataLength = 0;
      return;
    }
    if (line.charCodeAt(0) === 58) return; // ":" comment
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.charCodeAt(0) === 32) value = value.slice(1);
    if (field === "data") {
      this.#dataLength += value.length + 1;
      if (this.#dataLength > this.maxLine) throw tooLong(this.maxLine);
      this.#data.push(value);
    } else if (field === "event") this.#event = value;
  }
}

function tooLong(max: number): UpstreamError {
  return new UpstreamError("invalid_response", `the upstream sent an SSE line or event longer than ${max} bytes`);
}

/**
 * Parse SSE frames from an async byte stream. Handles `\n`, `\r\n` and `\r` line ends, multi-line
 * `data:` fields and comments; yields one event per blank-line-terminated frame. A line or event over
 * `maxLine` characters throws (leaving the loop ends the body's iteration, which drops the connection).
 * Truncation is the adapter's to judge (OpenAI ends with `[DONE]`, Anthropic with `message_stop`).
 *
 * @example for await (const e of parseSse(response.body)) if (e.data !== "[DONE]") JSON.parse(e.data);
 */
export async function* parseSse(body: AsyncIterable<Uint8Array>, maxLine?: number): AsyncGenerator<SseEvent> {
  const decoder = new TextDecoder();
  const parser = new SseParser(maxLine);
  const out: SseEvent[] = [];
  for await (const bytes of body) {
    parser.feed(decoder.decode(bytes, { stream: true }), out);
    for (let k = 0; k < out.length; k++) yield out[k] as SseEvent;
    out.length = 0;
  }
  parser.feed(decoder.decode(), out);
  parser.end(out);
  yield* out;
}

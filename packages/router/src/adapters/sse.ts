/** @module A minimal Server-Sent Events parser over a byte stream (what OpenAI and Anthropic stream). */
import { UpstreamError } from "./types.ts";

export interface SseEvent {
  event: string | undefined;
  data: string;
}

/** Default longest SSE line, and longest event (its data lines together), in characters: 1 MiB. */
export const DEFAULT_MAX_SSE_LINE_BYTES = 1 << 20;

const STREAM = { stream: true } as const;

/**
 * An incremental SSE parser: `feed` it the body's bytes as they come, and it appends each event a
 * blank line completed to the caller's list. Synchronous, so an adapter reading a stream awaits only
 * its body (no async layer per event: on a long stream each costs a promise and a microtask turn per
 * chunk). Handles `\n`, `\r\n` and `\r` line ends, multi-line `data:` fields and comments. Each
 * character is searched once (a line split across chunks is kept in parts and joined once its end
 * arrives), so the work is linear whatever the chunking; `stats.scanned` counts the characters the
 * line-end searches examined. A line, or an event's data, over `maxLine` characters throws an
 * UpstreamError (invalid_response).
 */
export class SseParser {
  readonly #maxLine: number;
  readonly #stats: { scanned: number } | undefined;
  #decoder: InstanceType<typeof TextDecoder> | undefined;
  /** The last bytes fed ended inside (or possibly inside) a UTF-8 sequence: the decoder holds its start. */
  #partial = false;
  /** The start of a line whose end has not arrived, and its length. */
  #parts: string[] = [];
  #pending = 0;
  /** The last line ended with `\r`: a `\n` starting the next chunk belongs to it. */
  #afterCr = false;
  #event: string | undefined = undefined;
  /** The event's data: its first line, then the joined lines (most events have one). */
  #data: string | undefined = undefined;
  #size = 0;

  constructor(maxLine = DEFAULT_MAX_SSE_LINE_BYTES, stats?: { scanned: number }) {
    this.#maxLine = maxLine;
    this.#stats = stats;
  }

  /** Parse the next bytes of the body; the events they complete are pushed onto `out`. */
  feed(bytes: Uint8Array, out: SseEvent[]): void {
    this.#text(this.#decode(bytes), out);
  }

  /** The body ended: a last frame without its blank line still counts when it has a complete `data:` line, as most clients accept. */
  finish(out: SseEvent[]): void {
    if (this.#decoder !== undefined) this.#text(this.#decoder.decode(), out);
    const last = this.#parts.join("").trim();
    this.#parts = [];
    if (last.startsWith("data:")) this.#addData(last.slice(5).trimStart());
    if (this.#data !== undefined) out.push({ event: this.#event, data: this.#data });
    this.#event = undefined;
    this.#data = undefined;
  }

  /**
   * Bytes to text. An SSE body is ASCII framing around UTF-8 JSON and its chunks end at a line end: bytes
   * that end in ASCII, after bytes that did too, are whole characters and decode directly. A character
   * split between two chunks (and the first chunk, whose BOM a decoder drops) goes through TextDecoder.
   */
  #decode(bytes: Uint8Array): string {
    const n = bytes.length;
    if (n > 0 && !this.#partial && this.#decoder !== undefined && (bytes[n - 1] as number) < 0x80) {
      return Buffer.isBuffer(bytes) ? bytes.toString("utf8") : Buffer.from(bytes.buffer, bytes.byteOffset, n).toString("utf8");
    }
    this.#decoder ??= new TextDecoder();
    this.#partial = n > 0 && (bytes[n - 1] as number) >= 0x80;
    return this.#decoder.decode(bytes, STREAM);
  }

  #tooLong(): UpstreamError {
    return new UpstreamError("invalid_response", `the upstream sent an SSE line or event longer than ${this.#maxLine} bytes`);
  }

  #find(text: string, what: string, from: number): number {
    const at = text.indexOf(what, from);
    if (this.#stats !== undefined) this.#stats.scanned += (at === -1 ? text.length : at + 1) - from;
    return at;
  }

  #text(text: string, out: SseEvent[]): void {
    let i = this.#afterCr && text.charCodeAt(0) === 10 ? 1 : 0;
    this.#afterCr = false;
    // The next \n and \r at or after i (-1: none left in this chunk), searched again only once passed.
    let nl = -2;
    let cr = -2;
    while (i < text.length) {
      if (nl !== -1 && nl < i) nl = this.#find(text, "\n", i);
      if (cr !== -1 && cr < i) cr = this.#find(text, "\r", i);
      const end = nl === -1 ? cr : cr === -1 ? nl : Math.min(nl, cr);
      if (end === -1) {
        this.#pending += text.length - i;
        if (this.#pending > this.#maxLine) throw this.#tooLong();
        this.#parts.push(text.slice(i));
        return;
      }
      if (this.#pending + end - i > this.#maxLine) throw this.#tooLong();
      if (this.#parts.length > 0) {
        this.#parts.push(text.slice(i, end));
        const line = this.#parts.join("");
        this.#parts = [];
        this.#pending = 0;
        this.#line(line, 0, line.length, out);
      } else this.#line(text, i, end, out);
      i = end + 1;
      if (end === cr) {
        // \r\n is one line end; a \r ending the chunk may be followed by the next chunk's \n.
        if (i === text.length) this.#afterCr = true;
        else if (text.charCodeAt(i) === 10) i++;
      }
    }
  }

  /** One line, `text` from `start` to `end` (read in place: only a field's value is sliced out). */
  #line(text: string, start: number, end: number, out: SseEvent[]): void {
    if (start === end) {
      if (this.#data !== undefined) out.push({ event: this.#event, data: this.#data });
      this.#event = undefined;
      this.#data = undefined;
      this.#size = 0;
      return;
    }
    // Only `data` and `event` matter (`id`, `retry`, comments and unknown fields are ignored): the field is
    // recognised by its name and the colon (or the line end) after it, with no search along the line.
    let field: "data" | "event" | undefined;
    let colon: number;
    if (text.startsWith("data", start) && (start + 4 === end || text.charCodeAt(start + 4) === 58)) {
      field = "data";
      colon = start + 4;
    } else if (text.startsWith("event", start) && (start + 5 === end || text.charCodeAt(start + 5) === 58)) {
      field = "event";
      colon = start + 5;
    } else return;
    let from = colon + 1;
    if (from < end && text.charCodeAt(from) === 32) from++;
    const value = from >= end ? "" : text.slice(from, end);
    if (field === "data") this.#addData(value);
    else this.#event = value;
  }

  #addData(value: string): void {
    this.#size += value.length + 1;
    if (this.#size > this.#maxLine) throw this.#tooLong();
    this.#data = this.#data === undefined ? value : `${this.#data}\n${value}`;
  }
}

/**
 * Parse SSE frames from an async byte stream (SseParser over a body), one event per
 * blank-line-terminated frame. Leaving the loop, or a line over `maxLine`, ends the body's iteration,
 * which drops the connection, so an upstream that never sends a newline cannot grow the router's
 * memory. Truncation is the adapter's to judge (OpenAI ends with `[DONE]`, Anthropic with `message_stop`).
 *
 * @example for await (const e of parseSse(response.body)) if (e.data !== "[DONE]") JSON.parse(e.data);
 */
export async function* parseSse(body: AsyncIterable<Uint8Array>, maxLine = DEFAULT_MAX_SSE_LINE_BYTES, stats?: { scanned: number }): AsyncGenerator<SseEvent> {
  const parser = new SseParser(maxLine, stats);
  const out: SseEvent[] = [];
  for await (const bytes of body) {
    parser.feed(bytes, out);
    for (let k = 0; k < out.length; k++) yield out[k] as SseEvent;
    out.length = 0;
  }
  parser.finish(out);
  yield* out;
}

/**
 * @module A decoder for the AWS event-stream framing (`application/vnd.amazon.eventstream`) that Bedrock's
 * ConverseStream answers in: binary messages of a prelude (total length, headers length, prelude CRC32), typed
 * headers, a payload and a message CRC32. Pure and synchronous over the bytes it is fed, like SseParser.
 */
import { crc32 } from "node:zlib";

/** A header value: strings (type 7), booleans (0, 1), integers (2–5, a long as a number), bytes (6), timestamps (8, ms), UUIDs (9, hex). */
export type EventStreamHeaderValue = string | number | boolean | Uint8Array;

export interface EventStreamMessage {
  headers: Record<string, EventStreamHeaderValue>;
  payload: Uint8Array;
}

/** A frame that cannot be read: wrong lengths, a CRC mismatch, an unknown header type, the body ending mid-frame. */
export class EventStreamError extends Error {
  override readonly name = "EventStreamError";
  /** The body ended inside a frame (the stream was cut), rather than a frame being malformed. */
  readonly truncated: boolean;

  constructor(message: string, truncated = false) {
    super(message);
    this.truncated = truncated;
  }
}

const PRELUDE = 12;
const TRAILER = 4;
/** The smallest frame: a prelude and a message CRC, no headers, no payload. */
const MIN_FRAME = PRELUDE + TRAILER;

/**
 * Incremental decoder: `feed` it the body's bytes as they come, and it appends each message they complete to `out`;
 * `finish` when the body ends (bytes left over are a truncated frame). A frame longer than `maxMessageBytes`, or whose
 * CRCs do not match, throws an EventStreamError before anything of it is returned.
 */
export class EventStreamDecoder {
  readonly #maxMessageBytes: number;
  #chunks: Buffer[] = [];
  #buffered = 0;

  constructor(maxMessageBytes: number) {
    this.#maxMessageBytes = maxMessageBytes;
  }

  feed(bytes: Uint8Array, out: EventStreamMessage[]): void {
    if (bytes.byteLength === 0) return;
    this.#chunks.push(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    this.#buffered += bytes.byteLength;
    if (this.#buffered < PRELUDE) return;
    // One buffer holding everything not yet decoded; frames are read from it in place.
    let buffer = this.#chunks.length === 1 ? (this.#chunks[0] as Buffer) : Buffer.concat(this.#chunks, this.#buffered);
    let offset = 0;
    while (buffer.length - offset >= PRELUDE) {
      const total = buffer.readUInt32BE(offset);
      const headersLength = buffer.readUInt32BE(offset + 4);
      if (crc32(buffer.subarray(offset, offset + 8)) !== buffer.readUInt32BE(offset + 8)) throw new EventStreamError("an event-stream prelude fails its CRC32");
      if (total < MIN_FRAME || headersLength > total - MIN_FRAME)
        throw new EventStreamError(`an event-stream frame declares impossible lengths (${total}, ${headersLength})`);
      if (total > this.#maxMessageBytes) throw new EventStreamError(`an event-stream frame of ${total} bytes is larger than ${this.#maxMessageBytes} bytes`);
      if (buffer.length - offset < total) break;
      out.push(decodeFrame(buffer.subarray(offset, offset + total), headersLength));
      offset += total;
    }
    buffer = buffer.subarray(offset);
    this.#chunks = buffer.length === 0 ? [] : [buffer];
    this.#buffered = buffer.length;
  }

  /** The body ended: bytes of an unfinished frame mean it was cut short. */
  finish(): void {
    if (this.#buffered > 0) throw new EventStreamError(`the event stream ended inside a frame (${this.#buffered} bytes left over)`, true);
  }
}

function decodeFrame(frame: Buffer, headersLength: number): EventStreamMessage {
  const end = frame.length - TRAILER;
  if (crc32(frame.subarray(0, end)) !== frame.readUInt32BE(end)) throw new EventStreamError("an event-stream message fails its CRC32");
  return { headers: decodeHeaders(frame.subarray(PRELUDE, PRELUDE + headersLength)), payload: frame.subarray(PRELUDE + headersLength, end) };
}

function decodeHeaders(bytes: Buffer): Record<string, EventStreamHeaderValue> {
  const headers: Record<string, EventStreamHeaderValue> = {};
  let at = 0;
  const need = (n: number): void => {
    if (at + n > bytes.length) throw new EventStreamError("an event-stream header runs past the headers' length");
  };
  while (at < bytes.length) {
    need(1);
    const nameLength = bytes.readUInt8(at);
    need(1 + nameLength + 1);
    const name = bytes.toString("utf8", at + 1, at + 1 + nameLength);
    at += 1 + nameLength;
    const type = bytes.readUInt8(at);
    at += 1;
    let value: EventStreamHeaderValue;
    switch (type) {
      case 0:
      case 1:
        value = type === 0;
        break;
      case 2:
        need(1);
        value = bytes.readInt8(at);
        at += 1;
        break;
      case 3:
        need(2);
        value = bytes.readInt16BE(at);
        at += 2;
        break;
      case 4:
        need(4);
        value = bytes.readInt32BE(at);
        at += 4;
        break;
      case 5:
      case 8:
        need(8);
        value = Number(bytes.readBigInt64BE(at));
        at += 8;
        break;
      case 6:
      case 7: {
        need(2);
        const length = bytes.readUInt16BE(at);
        need(2 + length);
        const raw = bytes.subarray(at + 2, at + 2 + length);
        value = type === 7 ? raw.toString("utf8") : Uint8Array.from(raw);
        at += 2 + length;
        break;
      }
      case 9:
        need(16);
        value = bytes.toString("hex", at, at + 16);
        at += 16;
        break;
      default:
        throw new EventStreamError(`an event-stream header \`${name}\` has unknown type ${type}`);
    }
    headers[name] = value;
  }
  return headers;
}

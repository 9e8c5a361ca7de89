/** Conformance: frames encoded by AWS's own codec (@smithy/eventstream-codec) decode to the same messages with ours. */
import { EventStreamCodec, Int64, type Message } from "@smithy/eventstream-codec";
import { fromUtf8, toUtf8 } from "@smithy/util-utf8";
import { describe, expect, it } from "vitest";
import { EventStreamDecoder, EventStreamError, type EventStreamMessage } from "./eventstream.ts";

const codec = new EventStreamCodec(toUtf8, fromUtf8);

function event(type: string, payload: unknown): Message {
  return {
    headers: {
      ":event-type": { type: "string", value: type },
      ":content-type": { type: "string", value: "application/json" },
      ":message-type": { type: "string", value: "event" },
    },
    body: fromUtf8(JSON.stringify(payload)),
  };
}

function decodeAll(bytes: Uint8Array[], max = 1 << 20): EventStreamMessage[] {
  const decoder = new EventStreamDecoder(max);
  const out: EventStreamMessage[] = [];
  for (const b of bytes) decoder.feed(b, out);
  decoder.finish();
  return out;
}

const json = (m: EventStreamMessage | undefined): unknown => JSON.parse(toUtf8(m?.payload ?? new Uint8Array()));

describe("event-stream decoder against @smithy/eventstream-codec", () => {
  const frames = [
    event("messageStart", { role: "assistant", p: "abcdefgh" }),
    event("contentBlockDelta", { contentBlockIndex: 0, delta: { text: "Héllo ✓" }, p: "ab" }),
    event("messageStop", { stopReason: "end_turn", p: "abcdefghijklmnop" }),
  ];
  const encoded = frames.map((f) => codec.encode(f));
  const whole = Buffer.concat(encoded);

  it("decodes a whole body of several frames: headers and JSON payloads", () => {
    const out = decodeAll([whole]);
    expect(out.map((m) => m.headers[":event-type"])).toEqual(["messageStart", "contentBlockDelta", "messageStop"]);
    expect(out[1]?.headers[":message-type"]).toBe("event");
    expect(json(out[1])).toEqual({ contentBlockIndex: 0, delta: { text: "Héllo ✓" }, p: "ab" });
  });

  it("decodes the same messages however the body is split: every split point, and one byte at a time", () => {
    const expected = decodeAll([whole]).map((m) => [m.headers, json(m)]);
    for (let cut = 1; cut < whole.length; cut++) {
      const out = decodeAll([whole.subarray(0, cut), whole.subarray(cut)]);
      expect(out.map((m) => [m.headers, json(m)])).toEqual(expected);
    }
    const bytes = [...whole].map((b) => Uint8Array.of(b));
    expect(decodeAll(bytes).map((m) => [m.headers, json(m)])).toEqual(expected);
  });

  it("reads every header type the codec writes", () => {
    const frame = codec.encode({
      headers: {
        yes: { type: "boolean", value: true },
        no: { type: "boolean", value: false },
        b: { type: "byte", value: -7 },
        s: { type: "short", value: 1234 },
        i: { type: "integer", value: -123456 },
        l: { type: "long", value: Int64.fromNumber(9_007_199_254_740) },
        bin: { type: "binary", value: Uint8Array.of(1, 2, 3) },
        str: { type: "string", value: "héllo" },
        t: { type: "timestamp", value: new Date(1_700_000_000_123) },
        u: { type: "uuid", value: "0123abcd-4567-89ef-0123-456789abcdef" },
      },
      body: new Uint8Array(),
    });
    const [m] = decodeAll([frame]);
    expect(m?.headers).toEqual({
      yes: true,
      no: false,
      b: -7,
      s: 1234,
      i: -123456,
      l: 9_007_199_254_740,
      bin: Uint8Array.of(1, 2, 3),
      str: "héllo",
      t: 1_700_000_000_123,
      u: "0123abcd456789ef0123456789abcdef",
    });
    expect(m?.payload.length).toBe(0);
  });

  it("reads an exception event (`:message-type: exception`, `:exception-type`) like any other message", () => {
    const frame = codec.encode({
      headers: {
        ":message-type": { type: "string", value: "exception" },
        ":exception-type": { type: "string", value: "throttlingException" },
        ":content-type": { type: "string", value: "application/json" },
      },
      body: fromUtf8(JSON.stringify({ message: "Too many tokens, please wait before trying again." })),
    });
    const [m] = decodeAll([encoded[0] as Uint8Array, frame]).slice(1);
    expect(m?.headers[":message-type"]).toBe("exception");
    expect(m?.headers[":exception-type"]).toBe("throttlingException");
    expect(json(m)).toEqual({ message: "Too many tokens, please wait before trying again." });
  });

  it("refuses a bad message CRC, a bad prelude CRC, a truncated body and an oversized frame", () => {
    const bad = Buffer.from(encoded[1] as Uint8Array);
    bad.writeUInt8(bad.readUInt8(bad.length - 10) ^ 0xff, bad.length - 10); // a payload byte: the message CRC no longer matches
    expect(() => decodeAll([encoded[0] as Uint8Array, bad])).toThrow(/message fails its CRC32/);
    const badPrelude = Buffer.from(encoded[0] as Uint8Array);
    badPrelude.writeUInt8(badPrelude.readUInt8(3) ^ 0x01, 3);
    expect(() => decodeAll([badPrelude])).toThrow(EventStreamError);
    expect(() => decodeAll([whole.subarray(0, whole.length - 3)])).toThrow(/ended inside a frame/);
    expect(() => decodeAll([whole], 20)).toThrow(/larger than 20 bytes/);
  });

  it("a frame is returned only once its CRC checked: nothing of a corrupt frame comes out", () => {
    const bad = Buffer.from(encoded[2] as Uint8Array);
    bad.writeUInt8(bad.readUInt8(bad.length - 1) ^ 0xff, bad.length - 1);
    const decoder = new EventStreamDecoder(1 << 20);
    const out: EventStreamMessage[] = [];
    decoder.feed(Buffer.concat([encoded[0] as Uint8Array, encoded[1] as Uint8Array]), out);
    expect(out).toHaveLength(2);
    expect(() => decoder.feed(bad, out)).toThrow(EventStreamError);
    expect(out).toHaveLength(2);
  });
});

import { describe, expect, it } from "vitest";
import { type SseEvent, SseParser, parseSse } from "./sse.ts";
import { UpstreamError } from "./types.ts";

async function* bytes(...parts: string[]): AsyncGenerator<Uint8Array> {
  for (const p of parts) yield new TextEncoder().encode(p);
}

async function collect(...parts: string[]) {
  const out = [];
  for await (const e of parseSse(bytes(...parts))) out.push(e);
  return out;
}

describe("parseSse", () => {
  it("parses events split across chunks, with event names, comments and CRLF", async () => {
    const events = await collect(": hi\r\nevent: message_start\r\nda", 'ta: {"a":1}\r\n\r\ndata: x\n', "data: y\n\n", "data: [DONE]\n\n");
    expect(events).toEqual([
      { event: "message_start", data: '{"a":1}' },
      { event: undefined, data: "x\ny" },
      { event: undefined, data: "[DONE]" },
    ]);
  });

  it("handles a multi-byte character split between chunks", async () => {
    const enc = new TextEncoder().encode("data: é\n\n");
    async function* split() {
      yield enc.slice(0, 7);
      yield enc.slice(7);
    }
    const out = [];
    for await (const e of parseSse(split())) out.push(e.data);
    expect(out).toEqual(["é"]);
  });

  it("yields a last data line without its blank line", async () => {
    expect(await collect("data: last")).toEqual([{ event: undefined, data: "last" }]);
  });
});

describe("SseParser", () => {
  const feedAll = (parser: SseParser, chunks: string[]) => {
    const out: SseEvent[] = [];
    for (const c of chunks) parser.feed(c, out);
    parser.end(out);
    return out;
  };

  it("gives the same events for every split of the input, CR, LF and CRLF alike", () => {
    const text = 'event: a\r\ndata: 1\r\n\r\ndata: x\rdata: y\r\rdata: é\n\n: c\ndata: last';
    const whole = feedAll(new SseParser(), [text]);
    expect(whole).toEqual([
      { event: "a", data: "1" },
      { event: undefined, data: "x\ny" },
      { event: undefined, data: "é" },
      { event: undefined, data: "last" },
    ]);
    for (let a = 1; a < text.length; a++) {
      for (const b of [a + 1, a + 3]) {
        if (b >= text.length) continue;
        expect(feedAll(new SseParser(), [text.slice(0, a), text.slice(a, b), text.slice(b)])).toEqual(whole);
      }
    }
  });

  it("scans each character once: an endless line in small chunks costs linear work", () => {
    const parser = new SseParser(Number.MAX_SAFE_INTEGER);
    const out: SseEvent[] = [];
    const chunk = "a".repeat(1_000);
    for (let i = 0; i < 2_000; i++) parser.feed(i === 0 ? `data: ${chunk}` : chunk, out);
    parser.feed("\n\n", out);
    // Two searches (\n and \r) over 2 MB, plus the two line ends: not 2,000 rescans of a growing buffer.
    expect(parser.scanned).toBeLessThanOrEqual(2 * (2_000_006 + 2));
    expect(out).toHaveLength(1);
    expect(out[0]?.data.length).toBe(2_000_000);
  });

  it("throws an invalid_response UpstreamError past the line cap, and past the event cap", () => {
    const out: SseEvent[] = [];
    const parser = new SseParser(1_000);
    parser.feed("data: ", out);
    expect(() => {
      for (let i = 0; i < 100; i++) parser.feed("x".repeat(100), out);
    }).toThrow(UpstreamError);
    const event = new SseParser(1_000);
    expect(() => {
      for (let i = 0; i < 100; i++) event.feed(`data: ${"y".repeat(90)}\n`, out);
    }).toThrow(/longer than 1000 bytes/);
    expect(out).toEqual([]);
  });

  it("parseSse stops reading its source at the cap (the caller's body iteration is ended)", async () => {
    let pulled = 0;
    let returned = false;
    const source: AsyncIterable<Uint8Array> = {
      [Symbol.asyncIterator]: () => ({
        next: async () => {
          pulled++;
          return { value: new TextEncoder().encode(pulled === 1 ? "data: " : "z".repeat(1_024)), done: false };
        },
        return: async () => {
          returned = true;
          return { value: undefined, done: true };
        },
      }),
    };
    await expect(async () => {
      for await (const _ of parseSse(source, 64 * 1024)) void _;
    }).rejects.toThrow(/longer than 65536 bytes/);
    expect(pulled).toBeLessThan(70);
    expect(returned).toBe(true);
  });
});

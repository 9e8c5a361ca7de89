import { describe, expect, it } from "vitest";
import { type SseEvent, parseSse } from "./sse.ts";
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

describe("parseSse on hostile or oddly split input", () => {
  const parse = async (chunks: string[], maxLine?: number, stats?: { scanned: number }) => {
    const out: SseEvent[] = [];
    for await (const e of parseSse(bytes(...chunks), maxLine, stats)) out.push(e);
    return out;
  };

  it("gives the same events for every split of the input, CR, LF and CRLF alike", async () => {
    const text = "event: a\r\ndata: 1\r\n\r\ndata: x\rdata: y\r\rdata: é\n\n: c\ndata: last";
    const whole = await parse([text]);
    expect(whole).toEqual([
      { event: "a", data: "1" },
      { event: undefined, data: "x\ny" },
      { event: undefined, data: "é" },
      { event: undefined, data: "last" },
    ]);
    for (let a = 1; a < text.length; a++) {
      for (const b of [a + 1, a + 3]) {
        if (b >= text.length) continue;
        expect(await parse([text.slice(0, a), text.slice(a, b), text.slice(b)])).toEqual(whole);
      }
    }
  });

  it("scans each character once: an endless line in small chunks costs linear work", async () => {
    const stats = { scanned: 0 };
    const chunk = "a".repeat(1_000);
    const chunks = ["data: ", ...Array.from({ length: 2_000 }, () => chunk), "\n\n"];
    const out = await parse(chunks, Number.MAX_SAFE_INTEGER, stats);
    // Two searches (\n and \r) over the 2 MB, plus the line ends: not 2,000 rescans of a growing buffer.
    expect(stats.scanned).toBeGreaterThanOrEqual(2_000_006);
    expect(stats.scanned).toBeLessThanOrEqual(2 * (2_000_006 + 2));
    expect(out).toHaveLength(1);
    expect(out[0]?.data.length).toBe(2_000_000);
  });

  it("throws an invalid_response UpstreamError past the line cap, and past the event cap", async () => {
    await expect(parse(["data: ", ...Array.from({ length: 100 }, () => "x".repeat(100))], 1_000)).rejects.toThrow(UpstreamError);
    await expect(parse(["data: " + "x".repeat(2_000) + "\n\n"], 1_000)).rejects.toThrow(/longer than 1000 bytes/);
    await expect(
      parse(
        Array.from({ length: 100 }, () => `data: ${"y".repeat(90)}\n`),
        1_000,
      ),
    ).rejects.toMatchObject({ errorClass: "invalid_response" });
  });

  it("stops reading its source at the cap (the caller's body iteration is ended)", async () => {
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

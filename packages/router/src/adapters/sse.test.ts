import { describe, expect, it } from "vitest";
import { parseSse } from "./sse.ts";

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

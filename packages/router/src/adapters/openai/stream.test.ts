import { describe, expect, it } from "vitest";
import type { Provider } from "@switchyard/ir";
import { createOpenAiAdapter } from "./index.ts";
import type { AdapterCall, BufferedStreamIterator, StreamEvent, Transport } from "../types.ts";

const chunk = (content: string): string =>
  `data: ${JSON.stringify({ id: "c", object: "chat.completion.chunk", created: 1, model: "m", choices: [{ index: 0, delta: { content }, finish_reason: null }] })}\n\n`;

/** A transport whose streamed body yields `parts` (as bytes) and notes whether its reader ended the iteration early. */
function transportOf(parts: (string | Uint8Array)[]): { transport: Transport; returned: () => boolean } {
  let returned = false;
  const body: AsyncIterable<Uint8Array> = {
    [Symbol.asyncIterator]: () => {
      let i = 0;
      return {
        next: async () => (i < parts.length ? { value: toBytes(parts[i++]!), done: false } : { value: undefined, done: true }),
        return: async () => {
          returned = true;
          return { value: undefined, done: true };
        },
      };
    },
  };
  const transport: Transport = {
    post: async () => ({ status: 200, headers: {}, body, text: async () => "", dump: () => undefined }),
    close: async () => undefined,
  };
  return { transport, returned: () => returned };
}

const toBytes = (part: string | Uint8Array): Uint8Array => (typeof part === "string" ? Buffer.from(part) : part);

const call = (): AdapterCall =>
  ({
    body: { model: "m", messages: [{ role: "user", content: "hi" }], stream: true },
    modelId: "m",
    model: { provider: "p", name: "m" },
    route: "r",
    requestId: "q",
    attempt: 1,
    signal: new AbortController().signal,
  }) as unknown as AdapterCall;

/** The openai adapter's stream over a body of `parts`. */
async function streamOf(parts: (string | Uint8Array)[]): Promise<{ iterator: BufferedStreamIterator; returned: () => boolean }> {
  const { transport, returned } = transportOf(parts);
  const adapter = createOpenAiAdapter({
    providerId: "up",
    provider: { kind: "openai", baseUrl: "http://127.0.0.1:9/v1" } as Provider,
    apiKey: "k",
    headers: {},
    transport,
  });
  return { iterator: (await adapter.stream(call()))[Symbol.asyncIterator]() as BufferedStreamIterator, returned };
}

async function read(parts: (string | Uint8Array)[]): Promise<{ contents: string[]; error: unknown; returned: boolean; after: IteratorResult<StreamEvent> }> {
  const { iterator, returned } = await streamOf(parts);
  const contents: string[] = [];
  let error: unknown;
  try {
    for (;;) {
      const next = await iterator.next();
      if (next.done === true) break;
      contents.push(String(next.value.chunk.choices[0]?.delta.content));
    }
  } catch (thrown) {
    error = thrown;
  }
  return { contents, error, returned: returned(), after: await iterator.next() };
}

describe("an OpenAI stream read as chunks", () => {
  it("yields every chunk however the bytes are split, each with its upstream text, and reads past [DONE] to the body's end", async () => {
    const text = `${chunk("a")}${chunk("é")}${chunk("c")}data: [DONE]\n\n`;
    const bytes = Buffer.from(text);
    for (const at of [1, 20, bytes.indexOf(Buffer.from("é")) + 1, bytes.length - 3]) {
      const got = await read([bytes.subarray(0, at), bytes.subarray(at), ": trailing comment\n\n"]);
      expect(got).toMatchObject({ contents: ["a", "é", "c"], error: undefined, returned: false, after: { done: true } });
    }
  });

  it("fails a chunk that is not JSON, or a body that ends before [DONE], and drops the connection on a failure mid-body", async () => {
    const garbage = await read([chunk("a"), "data: {not json\n\n", chunk("b"), "data: [DONE]\n\n"]);
    expect(garbage.contents).toEqual(["a"]);
    expect(garbage.error).toMatchObject({ errorClass: "invalid_response" });
    expect(garbage.returned).toBe(true);
    expect(garbage.after.done).toBe(true);

    const cut = await read([chunk("a"), chunk("b")]);
    expect(cut.contents).toEqual(["a", "b"]);
    expect(cut.error).toMatchObject({ errorClass: "stream_interrupted" });
    expect(cut.after.done).toBe(true);

    const reported = await read([chunk("a"), `data: ${JSON.stringify({ error: { message: "overloaded" } })}\n\n`]);
    expect(reported.error).toMatchObject({ errorClass: "5xx", message: "up reported an error mid-stream: overloaded" });
    expect(reported.returned).toBe(true);
  });

  it("hands over the chunks one body read carried without reading further (takeReady), leaving [DONE] and a bad chunk to next()", async () => {
    const { iterator } = await streamOf([`${chunk("a")}${chunk("b")}${chunk("c")}`, `${chunk("d")}data: {not json\n\n${chunk("e")}`, "data: [DONE]\n\n"]);
    const content = (e: StreamEvent | undefined) => e?.chunk.choices[0]?.delta.content;
    expect(iterator.takeReady()).toBeUndefined(); // nothing read yet
    expect(content((await iterator.next()).value as StreamEvent)).toBe("a");
    expect([content(iterator.takeReady()), content(iterator.takeReady()), iterator.takeReady()]).toEqual(["b", "c", undefined]);
    expect(content((await iterator.next()).value as StreamEvent)).toBe("d");
    expect(iterator.takeReady()).toBeUndefined(); // the bad chunk stays for next(), which fails the stream
    await expect(iterator.next()).rejects.toMatchObject({ errorClass: "invalid_response" });
    expect(iterator.takeReady()).toBeUndefined();
    expect((await iterator.next()).done).toBe(true);
  });
});

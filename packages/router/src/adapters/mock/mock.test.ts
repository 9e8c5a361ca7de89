import { describe, expect, it } from "vitest";
import type { Model, Provider } from "@switchyard/ir";
import { nodeHttpTransport } from "../transport/node-http.ts";
import type { AdapterCall, StreamEvent } from "../types.ts";
import { mockCoin } from "./answer.ts";
import { createMockAdapter } from "./index.ts";

const model: Model = { provider: "m", name: "mock-1", context: 1000, price: { input: 0, output: 0 }, lifecycle: "ga", capabilities: [] };
const provider = (mock: Provider["mock"]): Provider => ({ kind: "mock", headers: {}, selfHosted: false, mock });
const adapter = (mock: Provider["mock"]) =>
  createMockAdapter({ providerId: "m", provider: provider(mock), apiKey: undefined, headers: {}, transport: nodeHttpTransport() });
const call = (over: Partial<AdapterCall> = {}): AdapterCall => ({
  body: { model: "r", messages: [{ role: "user", content: "ping" }] },
  modelId: "mm",
  model,
  route: "r",
  requestId: "req-1",
  attempt: 1,
  signal: new AbortController().signal,
  ...over,
});

describe("mock adapter", () => {
  it("answers deterministic text derived from the prompt, with usage", async () => {
    const r = await adapter({ ttftMs: 0, interChunkMs: 0, failRate: 0, failStatus: 503, reply: "{model}/{route}: {prompt}" }).complete(call());
    expect(r.completion.choices[0]?.message.content).toBe("mm/r: ping");
    expect(r.usage?.completion_tokens).toBeGreaterThan(0);
  });

  it("fails deterministically per request id and attempt at about failRate", async () => {
    const a = adapter({ ttftMs: 0, interChunkMs: 0, failRate: 0.3, failStatus: 429, reply: "x" });
    let failures = 0;
    for (let i = 0; i < 1000; i++) {
      const outcome = await a.complete(call({ requestId: `r-${i}` })).then(
        () => "ok",
        (e: { status?: number }) => e.status,
      );
      expect(outcome).toBe(mockCoin(`r-${i}:1:mm`) < 0.3 ? 429 : "ok");
      if (outcome !== "ok") failures++;
    }
    expect(failures).toBeGreaterThan(240);
    expect(failures).toBeLessThan(360);
  });

  it("streams the reply in pieces ending with a usage chunk, honouring ttft", async () => {
    const started = performance.now();
    const events: StreamEvent[] = [];
    for await (const e of await adapter({ ttftMs: 50, interChunkMs: 1, failRate: 0, failStatus: 503, reply: "one two three" }).stream(call())) events.push(e);
    expect(performance.now() - started).toBeGreaterThanOrEqual(45);
    expect(events.map((e) => e.chunk.choices[0]?.delta.content ?? null).join("|")).toBe("|one |two |three||");
    expect(events.at(-1)?.chunk.usage?.total_tokens).toBeGreaterThan(0);
  });

  it("answers JSON for a JSON response_format and a tool call for a forced tool", async () => {
    const a = adapter(undefined);
    const json = await a.complete(call({ body: { model: "r", messages: [{ role: "user", content: "x" }], response_format: { type: "json_object" } } }));
    expect(() => JSON.parse(json.completion.choices[0]?.message.content ?? "")).not.toThrow();
    const tool = await a.complete(
      call({
        body: { model: "r", messages: [{ role: "user", content: "x" }], tools: [{ type: "function", function: { name: "f" } }], tool_choice: "required" },
      }),
    );
    expect(tool.completion.choices[0]?.message.tool_calls?.[0]?.function.name).toBe("f");
  });
});

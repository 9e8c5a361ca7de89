import { describe, expect, it } from "vitest";
import { createAnthropicAdapter } from "./index.ts";

describe("an answer too deep to read", () => {
  it("is the upstream's invalid_response, not a connection failure", async () => {
    const text = JSON.stringify({
      id: "m",
      type: "message",
      role: "assistant",
      model: "c",
      content: [{ type: "tool_use", id: "t", name: "f", input: "@" }],
      stop_reason: "tool_use",
      usage: { input_tokens: 1, output_tokens: 1 },
    });
    const deepText = text.replace('"@"', '{"a":'.repeat(100_000) + "{}" + "}".repeat(100_000));
    const adapter = createAnthropicAdapter({
      providerId: "a",
      provider: { kind: "anthropic" } as never,
      apiKey: undefined,
      headers: {},
      transport: {
        post: async () => ({ status: 200, headers: {}, body: (async function* () {})(), text: async () => deepText, dump: () => undefined }),
        close: async () => undefined,
      },
    });
    const call = {
      body: { model: "r", messages: [{ role: "user" as const, content: "hi" }] },
      modelId: "c",
      model: { provider: "a", name: "c" } as never,
      route: "r",
      requestId: "x",
      attempt: 1,
      signal: new AbortController().signal,
    };
    await expect(adapter.complete(call)).rejects.toMatchObject({
      errorClass: "invalid_response",
      message: "the upstream's answer is nested too deeply to read",
    });
  });
});

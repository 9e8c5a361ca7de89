/** @module Tests of chatRequestFeatures() and canaryStickyKey(). */
import { describe, expect, it } from "vitest";
import { acmeConfig, makeConfig } from "./testing.ts";
import { canaryStickyKey, chatRequestFeatures } from "./request.ts";

describe("chatRequestFeatures", () => {
  it("derives prompt tokens, max tokens and needed capabilities", () => {
    expect(chatRequestFeatures({ messages: [{ role: "user", content: "hi" }], max_tokens: 100 })).toEqual({
      promptTokens: 8,
      maxOutputTokens: 100,
      requires: [],
    });
    const f = chatRequestFeatures({
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "what is this" },
            { type: "image_url", image_url: { url: "https://x/y.png" } },
          ],
        },
      ],
      tools: [{ type: "function", function: { name: "f", parameters: {} } }],
      response_format: { type: "json_object" },
      max_completion_tokens: 50,
      max_tokens: 999,
      stream: true,
    });
    expect(f.requires).toEqual(["tools", "vision", "json"]);
    expect(f.maxOutputTokens).toBe(50);
    expect(f.promptTokens).toBeGreaterThan(765);
  });

  it("ignores junk", () => {
    expect(chatRequestFeatures(null)).toEqual({ promptTokens: 0, maxOutputTokens: undefined, requires: [] });
    expect(chatRequestFeatures({ messages: [], max_tokens: -3, tools: [] }).maxOutputTokens).toBeUndefined();
  });
});

describe("canaryStickyKey", () => {
  const withHeader = makeConfig({
    providers: { p: { kind: "mock" } },
    models: {
      a: { provider: "p", name: "a", context: 1_000, price: { input: 0, output: 0 } },
      b: { provider: "p", name: "b", context: 1_000, price: { input: 0, output: 0 } },
    },
    routes: { r: { model: "a", canary: { model: "b", steps: [10], everyMs: 1_000, stickyBy: { header: "X-Tenant" } } } },
  });

  it("uses the user field by default, a configured header otherwise, nothing without a canary", () => {
    const acme = acmeConfig();
    expect(canaryStickyKey(acme.routes["legal-review"]!, { user: "alice", headers: {} })).toBe("alice");
    expect(canaryStickyKey(acme.routes["legal-review"]!, { user: "", headers: {} })).toBeUndefined();
    expect(canaryStickyKey(acme.routes["support-faq"]!, { user: "alice", headers: {} })).toBeUndefined();
    expect(canaryStickyKey(withHeader.routes["r"]!, { user: "alice", headers: { "x-tenant": "t1" } })).toBe("t1");
    expect(canaryStickyKey(withHeader.routes["r"]!, { user: "alice", headers: { "x-tenant": ["t2", "t3"] } })).toBe("t2");
  });
});

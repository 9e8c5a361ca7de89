/**
 * @module `when` rules over real HTTP (issue 24): a rule matched by a tag, metadata, tools, images or the complexity
 * of the body picks its target; no rule keeps the primary; the fallback chain after a rule's target is the route's own;
 * traces record the rule, the complexity score and the capabilities the request needed.
 */
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningRouter, TraceRecord } from "@switchyard/router";
import { releaseOf } from "../helpers/release.ts";
import { startTestRouter } from "../helpers/router.ts";

const hi = [{ role: "user" as const, content: "What are your opening hours?" }];
/** Long, code-bearing, multi-turn: scores high (≥ 40) under the default thresholds. */
const hard = [
  { role: "user" as const, content: `Refactor this:\n\`\`\`ts\n${"const x = compute(a, b);\n".repeat(200)}\`\`\`` },
  { role: "assistant" as const, content: "Which parts?" },
  { role: "user" as const, content: `All of it, and this too:\n\`\`\`ts\n${"export function f() { return g(); }\n".repeat(100)}\`\`\`` },
];
const tool = { type: "function" as const, function: { name: "lookup", parameters: { type: "object", properties: {} } } };

describe("when rules", () => {
  let router: RunningRouter;
  const traces: TraceRecord[] = [];

  beforeAll(async () => {
    router = await startTestRouter(
      releaseOf({
        providers: {
          cheap: { kind: "mock", mock: { reply: "cheap" } },
          big: { kind: "mock", mock: { reply: "big" } },
          down: { kind: "mock", mock: { failRate: 1, failStatus: 503 } },
          backup: { kind: "mock", mock: { reply: "backup" } },
        },
        models: {
          mini: { provider: "cheap", name: "mini-1", context: 128_000, price: { input: 0.1, output: 0.4 } },
          frontier: { provider: "big", name: "big-1", context: 200_000, price: { input: 3, output: 15 } },
          vision: { provider: "big", name: "vision-1", context: 200_000, price: { input: 3, output: 15 }, capabilities: ["tools", "vision"] },
          broken: { provider: "down", name: "broken-1", context: 128_000, price: { input: 1, output: 1 } },
          spare: { provider: "backup", name: "spare-1", context: 200_000, price: { input: 1, output: 1 }, capabilities: ["tools", "vision"] },
          // Declared without tools: left out of a request that sends tools.
          terse: { provider: "cheap", name: "terse-1", context: 128_000, price: { input: 0.1, output: 0.4 }, capabilities: ["json"] },
          terse2: { provider: "big", name: "terse-2", context: 128_000, price: { input: 0.1, output: 0.4 }, capabilities: ["json"] },
        },
        tiers: { fast: { models: [{ model: "mini", weight: 1 }] } },
        routes: {
          support: {
            tier: "fast",
            fallback: [{ model: "spare" }],
            when: [
              { if: { tag: "risk:high" }, use: { model: "frontier" } },
              { if: { metadata: { tenant: "outage" } }, use: { model: "broken" } },
              { if: { images: true }, use: { model: "vision" } },
              { if: { tools: true }, use: { model: "spare" } },
              { if: { complexity: "high" }, use: { model: "frontier" } },
            ],
          },
          // No rules: what decide() leaves out for a capability is traced.
          narrow: { model: "terse", fallback: [{ model: "spare" }] },
          plain: { model: "terse", fallback: [{ model: "terse2" }] },
        },
      }),
      { telemetry: { sinks: [{ write: (r) => void traces.push(r), close: async () => undefined }] } },
    );
  });

  afterAll(async () => {
    await router?.close();
  });

  const client = (headers: Record<string, string> = {}) => new OpenAI({ baseURL: `${router.url}/v1`, apiKey: "none", maxRetries: 0, defaultHeaders: headers });
  const traceOf = (id: string | null) => traces.find((t) => t.requestId === id);

  it("no rule holds: the primary answers, and the trace names no rule", async () => {
    const { data, response } = await client().chat.completions.create({ model: "support", messages: hi }).withResponse();
    expect(response.headers.get("x-switchyard-model")).toBe("mini");
    expect(data.choices[0]?.message.content).toBe("cheap");
    const trace = traceOf(response.headers.get("x-switchyard-request-id"));
    expect(trace?.rule).toBeUndefined();
    expect(trace?.complexity).toBeLessThan(15);
  });

  it("a tag in x-switchyard-tags picks its rule's target", async () => {
    const { response } = await client({ "x-switchyard-tags": "risk:high, feature:refunds" })
      .chat.completions.create({ model: "support", messages: hi })
      .withResponse();
    expect(response.headers.get("x-switchyard-model")).toBe("frontier");
    expect(traceOf(response.headers.get("x-switchyard-request-id"))).toMatchObject({ rule: 1, tags: { risk: "high" } });
  });

  it("another tag value does not match", async () => {
    const { response } = await client({ "x-switchyard-tags": "risk:low" }).chat.completions.create({ model: "support", messages: hi }).withResponse();
    expect(response.headers.get("x-switchyard-model")).toBe("mini");
  });

  it("the rule's target fails: the route's own fallback chain answers, unchanged", async () => {
    const { data, response } = await client()
      .chat.completions.create({ model: "support", messages: hi, metadata: { tenant: "outage" }, store: false })
      .withResponse();
    expect(response.headers.get("x-switchyard-model")).toBe("spare");
    expect(data.choices[0]?.message.content).toBe("backup");
    const trace = traceOf(response.headers.get("x-switchyard-request-id"));
    expect(trace).toMatchObject({ rule: 2, fallback: true, model: "spare" });
    expect(trace?.candidates.map((c) => c.model)).toEqual(["broken", "spare"]);
  });

  it("the models decide() left out are in the trace, also when it refuses the request (no_candidates)", async () => {
    const tools = await client()
      .chat.completions.create({ model: "narrow", messages: hi, tools: [tool] })
      .withResponse();
    expect(tools.response.headers.get("x-switchyard-model")).toBe("spare");
    const answered = traceOf(tools.response.headers.get("x-switchyard-request-id"));
    expect(answered?.excluded).toEqual([{ model: "terse", step: 0, code: "capability", reason: "lacks capability tools" }]);

    const refused = (await client()
      .chat.completions.create({ model: "plain", messages: hi, tools: [tool] })
      .catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
    expect(refused).toBeInstanceOf(OpenAI.APIError);
    expect(refused.code).toBe("no_candidates");
    const trace = traces.find((t) => t.route === "plain" && t.errorCode === "no_candidates");
    expect(trace?.excluded?.map((e) => [e.model, e.step, e.code])).toEqual([
      ["terse", 0, "capability"],
      ["terse2", 1, "capability"],
    ]);
    // A plan with nothing left out says nothing.
    const plainAnswer = await client().chat.completions.create({ model: "plain", messages: hi }).withResponse();
    expect(traceOf(plainAnswer.response.headers.get("x-switchyard-request-id"))).not.toHaveProperty("excluded");
  });

  it("image parts pick the images rule, declared tools the tools rule", async () => {
    const image = await client()
      .chat.completions.create({
        model: "support",
        messages: [
          {
            role: "user",
            content: [
              { type: "text", text: "What is this?" },
              { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=" } },
            ],
          },
        ],
      })
      .withResponse();
    expect(image.response.headers.get("x-switchyard-model")).toBe("vision");
    expect(traceOf(image.response.headers.get("x-switchyard-request-id"))).toMatchObject({ rule: 3, requires: ["vision"] });

    const tools = await client()
      .chat.completions.create({ model: "support", messages: hi, tools: [tool] })
      .withResponse();
    expect(tools.response.headers.get("x-switchyard-model")).toBe("spare");
    expect(traceOf(tools.response.headers.get("x-switchyard-request-id"))).toMatchObject({ rule: 4, requires: ["tools"] });
  });

  it("a long, code-bearing, multi-turn request is complexity high", async () => {
    const { response } = await client().chat.completions.create({ model: "support", messages: hard }).withResponse();
    expect(response.headers.get("x-switchyard-model")).toBe("frontier");
    const trace = traceOf(response.headers.get("x-switchyard-request-id"));
    expect(trace?.rule).toBe(5);
    expect(trace?.complexity).toBeGreaterThanOrEqual(40);
  });

  it("rules apply to the Responses API too (the same decide())", async () => {
    const response = await fetch(`${router.url}/v1/responses`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-switchyard-tags": "risk:high" },
      body: JSON.stringify({ model: "support", input: "hello" }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("x-switchyard-model")).toBe("frontier");
  });
});

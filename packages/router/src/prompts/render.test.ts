/** Rendering a named prompt into each dialect's body: placement, defaults, params, canary draw and the 400s. */
import { describe, expect, it } from "vitest";
import { type Config, type ConfigInput, parseConfig } from "@switchyard/ir";
import { RouterError } from "../errors.ts";
import { createPromptRenderer } from "./chunk.ts";
import { promptTable, renderVersion } from "./render.ts";

const { applyPrompt } = createPromptRenderer({ RouterError });

function configOf(prompts: ConfigInput["prompts"]): Config {
  const parsed = parseConfig({
    irVersion: 1,
    environment: "test",
    providers: { p: { kind: "mock" } },
    models: { m: { provider: "p", name: "m", context: 8000, price: { input: 1, output: 1 } } },
    routes: { support: { model: "m" }, other: { model: "m" } },
    prompts,
  });
  if (!parsed.success) throw new Error(JSON.stringify(parsed.issues));
  return parsed.data;
}

const config = configOf({
  answer: {
    route: "support",
    messages: [
      { role: "system", content: "You support {{product}}." },
      { role: "user", content: "{{question}}" },
    ],
    variables: { product: {}, question: { maxLength: 20 } },
    params: { temperature: 0.2, topP: 0.9, maxTokens: 300 },
  },
  greet: { messages: [{ role: "user", content: "Hello {{name}}, {{tone}}!" }], variables: { name: {}, tone: { default: "warmly" } } },
  canaried: {
    route: "support",
    messages: [{ role: "user", content: "A: {{q}}" }],
    variables: { q: {} },
    canary: { messages: [{ role: "user", content: "B: {{q}}" }], steps: [30, 100], everyMs: 1000 },
  },
});

const none = (): number => 0;
const apply = (dialect: string, body: unknown, headers: Record<string, string> = {}, percent = none, rng = () => 0.5) =>
  applyPrompt(config, dialect, body, headers, percent, rng);

function refusal(run: () => unknown): { message: string; param: string | undefined; status: number } {
  try {
    run();
  } catch (error) {
    if (error instanceof RouterError) return { message: error.message, param: error.param, status: error.status };
    throw error;
  }
  throw new Error("expected a RouterError");
}

describe("applyPrompt", () => {
  it("leaves a request without a prompt alone", () => {
    expect(apply("chat", { model: "support", messages: [] })).toBeUndefined();
  });

  it("renders into Chat Completions: messages first, the prompt's route and sampling params as defaults", () => {
    const out = apply("chat", {
      prompt: { id: "answer", variables: { product: "Acme", question: "Where?" } },
      messages: [{ role: "user", content: "more" }],
      temperature: 1,
    });
    expect(out?.body).toEqual({
      model: "support",
      messages: [
        { role: "system", content: "You support Acme." },
        { role: "user", content: "Where?" },
        { role: "user", content: "more" },
      ],
      temperature: 1,
      top_p: 0.9,
      max_tokens: 300,
    });
    expect(out?.use).toEqual({ id: "answer", version: promptTable(config).get("answer")?.baseline.version });
    expect(out?.use.version).toMatch(/^[0-9a-f]{12}$/);
  });

  it("renders into Responses input (a string input becomes a user item after the prompt's)", () => {
    const out = apply("responses", { model: "other", prompt: { id: "answer", variables: { product: "Acme", question: "Q" } }, input: "more" });
    expect(out?.body).toEqual({
      model: "other",
      input: [
        { role: "system", content: "You support Acme." },
        { role: "user", content: "Q" },
        { role: "user", content: "more" },
      ],
      temperature: 0.2,
      top_p: 0.9,
      max_output_tokens: 300,
    });
  });

  it("renders into Messages: system text before the client's system, turns before its messages", () => {
    const out = apply(
      "messages",
      { model: "support", max_tokens: 50, system: "Be kind.", messages: [{ role: "user", content: "more" }] },
      { "x-switchyard-prompt": JSON.stringify({ id: "answer", variables: { product: "Acme", question: "Q" } }) },
    );
    expect(out?.body).toMatchObject({
      system: "You support Acme.\n\nBe kind.",
      messages: [
        { role: "user", content: "Q" },
        { role: "user", content: "more" },
      ],
      max_tokens: 50,
    });
  });

  it("takes a bare prompt id in the header, with defaults", () => {
    expect(() => apply("chat", { model: "support" }, { "x-switchyard-prompt": "greet" })).toThrow(/needs variable "name"/);
    const out = apply("chat", { model: "support", prompt: { id: "greet", variables: { name: "Ada" } } });
    expect(out?.body["messages"]).toEqual([{ role: "user", content: "Hello Ada, warmly!" }]);
  });

  it("puts values in once: a value holding {{…}} is not expanded", () => {
    const out = apply("chat", { model: "support", prompt: { id: "greet", variables: { name: "{{tone}}", tone: "x" } } });
    expect(out?.body["messages"]).toEqual([{ role: "user", content: "Hello {{tone}}, x!" }]);
  });

  it("refuses with 400s that name the prompt or variable", () => {
    expect(refusal(() => apply("chat", { model: "support", prompt: { id: "nope" } }))).toEqual({
      status: 400,
      param: "prompt.id",
      message: 'prompt "nope" is not declared in this release (it declares answer, greet, canaried)',
    });
    expect(refusal(() => apply("chat", { prompt: { id: "answer", variables: { product: "Acme" } } }))).toEqual({
      status: 400,
      param: "prompt.variables.question",
      message: 'prompt "answer" needs variable "question" (it takes product, question)',
    });
    expect(refusal(() => apply("chat", { prompt: { id: "answer", variables: { product: "Acme", question: "?", qestion: "?" } } }))).toMatchObject({
      param: "prompt.variables.qestion",
      message: 'prompt "answer" has no variable "qestion" (it takes product, question)',
    });
    expect(refusal(() => apply("chat", { prompt: { id: "answer", variables: { product: 1, question: "?" } } })).message).toBe(
      'variable "product" of prompt "answer" must be a string, got a number',
    );
    expect(refusal(() => apply("chat", { prompt: { id: "answer", variables: { product: "A", question: "x".repeat(21) } } })).message).toBe(
      'variable "question" of prompt "answer" is 21 characters; at most 20',
    );
    expect(refusal(() => apply("chat", { prompt: { id: "greet", variables: { name: "A" } } }))).toMatchObject({ param: "model" });
    expect(refusal(() => apply("chat", { prompt: { id: "greet" } }, { "x-switchyard-prompt": "greet" })).param).toBe("prompt");
    expect(refusal(() => apply("chat", {}, { "x-switchyard-prompt": "{oops" })).param).toBe("x-switchyard-prompt");
    expect(refusal(() => apply("chat", { prompt: "greet" })).message).toBe("`prompt` must be an object { id, variables }, got a string");
  });

  it("draws a prompt canary by the caller's sticky bucket, the same side every time", () => {
    const table = promptTable(config).get("canaried");
    const arms = new Map<string, string | undefined>();
    for (let i = 0; i < 200; i++) {
      const user = `user-${i}`;
      const out = apply("chat", { user, prompt: { id: "canaried", variables: { q: "x" } } }, {}, () => 30);
      const again = apply("chat", { user, prompt: { id: "canaried", variables: { q: "x" } } }, {}, () => 30);
      expect(again?.use).toEqual(out?.use);
      arms.set(user, out?.use.arm);
      const content = (out?.body["messages"] as { content: string }[])[0]?.content;
      expect(content).toBe(out?.use.arm === "canary" ? "B: x" : "A: x");
      expect(out?.use.version).toBe(out?.use.arm === "canary" ? table?.canary?.version : table?.baseline.version);
    }
    const canary = [...arms.values()].filter((a) => a === "canary").length;
    expect(canary).toBeGreaterThan(30);
    expect(canary).toBeLessThan(90);
    // At 0 % every caller gets the baseline, still marked as its arm.
    expect(apply("chat", { user: "u", prompt: { id: "canaried", variables: { q: "x" } } })?.use.arm).toBe("baseline");
  });

  it("renders versions by concatenation", () => {
    const version = promptTable(config).get("greet")?.baseline;
    if (version === undefined) throw new Error("greet");
    expect(renderVersion(version, { name: "A", tone: "b" })).toEqual([{ role: "user", content: "Hello A, b!" }]);
  });
});

/** @module Type tests of prompts as code: variables inferred from the template literal (or declared) are checked at the helper's call site. */
import { describe, expectTypeOf, it } from "vitest";
import { defineConfig, promptHeader, promptRequest, type PromptVariables, type TemplateVariables } from "./index.ts";

const config = defineConfig({
  providers: { mock: { kind: "mock" } },
  models: { m: { provider: "mock", name: "m", context: 8_000, price: { input: 1, output: 1 } } },
  routes: { support: { model: "m" }, other: { model: "m" } },
  prompts: {
    "support-answer": {
      route: "support",
      messages: [
        { role: "system", content: "You answer for {{product}}." },
        { role: "user", content: "{{question}}" },
      ],
    },
    greeting: {
      variables: { name: { description: "who" }, tone: { default: "warm" } },
      messages: [{ role: "user", content: "Greet {{name}} in a {{tone}} tone." }],
    },
    canaried: {
      route: "support",
      messages: [{ role: "user", content: "{{question}}" }],
      canary: { messages: [{ role: "user", content: "{{question}} ({{product}})" }], steps: [10, 100], every: "1h" },
    },
  },
});

describe("promptRequest", () => {
  it("infers a template's variables", () => {
    expectTypeOf<TemplateVariables<"Hi {{name}}, about {{topic}}.">>().toEqualTypeOf<"name" | "topic">();
    expectTypeOf<TemplateVariables<"no placeholders">>().toEqualTypeOf<never>();
    const request = promptRequest(config, "support-answer", { product: "Acme", question: "Where is my order?" });
    expectTypeOf(request.prompt.id).toEqualTypeOf<"support-answer">();
  });

  it("rejects a missing, misspelt or unknown variable, and an unknown prompt", () => {
    // @ts-expect-error — `question` is missing
    promptRequest(config, "support-answer", { product: "Acme" });
    // @ts-expect-error — `questoin` is misspelt
    promptRequest(config, "support-answer", { product: "Acme", questoin: "?" });
    // @ts-expect-error — prompt "support-anwser" is not declared
    promptRequest(config, "support-anwser", {});
    // @ts-expect-error — a variable's value is a string
    promptRequest(config, "support-answer", { product: "Acme", question: 42 });
  });

  it("takes declared variables, defaults optional, and requires a route when the prompt names none", () => {
    promptRequest(config, "greeting", { name: "Ada" }, { route: "other" });
    promptRequest(config, "greeting", { name: "Ada", tone: "dry" }, { route: "other" });
    // @ts-expect-error — greeting names no route: the call must
    promptRequest(config, "greeting", { name: "Ada" });
    // @ts-expect-error — route "othr" is not declared
    promptRequest(config, "greeting", { name: "Ada" }, { route: "othr" });
    expectTypeOf<PromptVariables<NonNullable<typeof config.prompts>["greeting"]>>().toEqualTypeOf<{ name: string } & { tone?: string }>();
  });

  it("asks for the variables of both versions of a canaried prompt", () => {
    promptRequest(config, "canaried", { question: "?", product: "Acme" });
    // @ts-expect-error — the canary's `product` is missing
    promptRequest(config, "canaried", { question: "?" });
  });

  it("promptHeader checks the same way", () => {
    expectTypeOf(promptHeader(config, "support-answer", { product: "Acme", question: "?" })).toEqualTypeOf<Record<"x-switchyard-prompt", string>>();
    // @ts-expect-error — `question` is missing
    promptHeader(config, "support-answer", { product: "Acme" });
  });
});

describe("defineConfig", () => {
  it("types a prompt's route against the routes", () => {
    defineConfig({
      providers: { mock: { kind: "mock" } },
      models: { m: { provider: "mock", name: "m", context: 8_000, price: { input: 1, output: 1 } } },
      routes: { support: { model: "m" } },
      // @ts-expect-error — route "suport" is not declared
      prompts: { p: { route: "suport", messages: [{ role: "user", content: "hi" }] } },
    });
  });
});

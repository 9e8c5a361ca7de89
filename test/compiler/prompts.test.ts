/** @module prompts.test — `prompts` in routes.ts: lowered to the IR (variables inferred), checked (placeholders, routes), covered by the release hash, and seen by policies at their line. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compile } from "@switchyard/compiler";
import { createRelease } from "@switchyard/ir";
import { validateConfigValue } from "../../packages/compiler/src/validate/validate.ts";
import { repoRoot } from "./helpers.ts";

const base = {
  providers: { openai: { kind: "openai", apiKey: { secret: "OPENAI_API_KEY" } } },
  models: { mini: { provider: "openai", name: "gpt-4o-mini", context: 128_000, price: { input: 0.15, output: 0.6 } } },
  routes: { support: { model: "mini" } },
  prompts: {
    answer: {
      route: "support",
      messages: [
        { role: "system", content: "You support {{product}}." },
        { role: "user", content: "{{question}}" },
      ],
      params: { temperature: 0.2 },
      canary: { messages: [{ role: "user", content: "{{question}} ({{product}})" }], steps: [10, 100], every: "1h", guard: { maxP95: "2s" } },
    },
  },
};

const copy = (): Record<string, any> => structuredClone(base) as Record<string, any>;

describe("prompts in routes.ts", () => {
  it("lower to the IR with the variables their templates use and the canary's durations in ms", () => {
    const { findings, config } = validateConfigValue({ value: base });
    expect(findings).toEqual([]);
    expect(config?.prompts?.answer).toMatchObject({
      route: "support",
      variables: { product: {}, question: {} },
      params: { temperature: 0.2 },
      canary: { steps: [10, 100], everyMs: 3_600_000, guard: { maxP95Ms: 2000, minRequests: 20 }, stickyBy: "user" },
    });
  });

  it("are covered by the release hash: a changed word is a new release", () => {
    const before = validateConfigValue({ value: base }).config;
    const value = copy();
    value.prompts.answer.messages[0].content = "You support {{product}} politely.";
    const after = validateConfigValue({ value }).config;
    if (before === undefined || after === undefined) throw new Error("did not compile");
    expect(createRelease(after).hash).not.toBe(createRelease(before).hash);
    const { prompts: _prompts, ...without } = copy();
    const none = validateConfigValue({ value: without }).config;
    expect(none && "prompts" in none).toBe(false); // releases without prompts keep their hash
  });

  it("refuse a malformed placeholder, an undeclared one, and an unknown route, each at its path", () => {
    const value = copy();
    value.prompts.answer.messages[1].content = "{{question-text}}";
    value.prompts.declared = { variables: { name: {} }, messages: [{ role: "user", content: "Hi {{name}} from {{team}}" }] };
    value.prompts.lost = { route: "suport", messages: [{ role: "user", content: "x" }] };
    const { findings } = validateConfigValue({ value });
    expect(findings.map((f) => `${f.code} ${f.path.join(".")}: ${f.message}`)).toEqual([
      "SY0901 prompts.answer.messages: prompts.answer.messages: placeholder {{question-text}} is not a variable name (letters, digits and '_'); no caller could provide it",
      "SY0901 prompts.declared.messages: prompts.declared.messages: {{team}} is not one of the prompt's declared variables",
      'SY0204 prompts.lost.route: prompts.lost.route: route "suport" is not declared',
    ]);
    expect(findings[0]?.hint).toContain("docs/prompts.md");
  });

  it("refuse a misspelt property of a prompt", () => {
    const value = copy();
    value.prompts.answer.mesages = value.prompts.answer.messages;
    const { findings } = validateConfigValue({ value });
    expect(findings.map((f) => `${f.code} ${f.path.join(".")}`)).toEqual(["SY0101 prompts.answer.mesages"]);
    expect(JSON.stringify(findings[0])).toContain("messages");
  });

  it("examples/prompts compiles, and its prompts reach the release", async () => {
    const result = await compile({ file: join(repoRoot, "examples", "prompts", "routes.ts") });
    expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(Object.keys(result.release?.config.prompts ?? {})).toEqual(["support-answer", "ticket-summary"]);
  });

  it("docs/prompts.md shows examples/prompts/routes.ts as it is (so its example is the one the router tests run)", () => {
    const docs = readFileSync(join(repoRoot, "docs", "prompts.md"), "utf8");
    const marker = docs.indexOf("<!-- example: prompts-routes");
    const start = docs.indexOf("```ts\n", marker);
    const end = docs.indexOf("\n```", start + 6);
    expect(marker).toBeGreaterThan(0);
    expect(docs.slice(start + 6, end + 1)).toBe(readFileSync(join(repoRoot, "examples", "prompts", "routes.ts"), "utf8"));
  });
});

/** @module How prompt changes read in a diff: the changed words in context, the new version, a canary's arrival. */
import { describe, expect, it } from "vitest";
import { type Config, type ConfigInput, parseConfig, promptVersion } from "@switchyard/ir";
import { diffConfigs } from "./diff-configs.ts";
import { wordDiff } from "./prompts.ts";

function configOf(prompts: ConfigInput["prompts"]): Config {
  const parsed = parseConfig({
    irVersion: 1,
    environment: "prod",
    providers: { p: { kind: "mock" } },
    models: { m: { provider: "p", name: "m", context: 8000, price: { input: 1, output: 1 } } },
    routes: { support: { model: "m" } },
    ...(prompts === undefined ? {} : { prompts }),
  });
  if (!parsed.success) throw new Error(JSON.stringify(parsed.issues));
  return parsed.data;
}

const system = "You are the support assistant for {{product}}. Answer in two sentences at most, and never promise refunds.";
const before = configOf({
  answer: {
    route: "support",
    messages: [
      { role: "system", content: system },
      { role: "user", content: "{{question}}" },
    ],
    variables: { product: {}, question: {} },
  },
});

describe("prompt changes in a diff", () => {
  it("show the changed words in their context, and the version the traces will record", () => {
    const changedText = system.replace("two sentences", "three short sentences");
    const after = configOf({
      answer: {
        route: "support",
        messages: [
          { role: "system", content: changedText },
          { role: "user", content: "{{question}}" },
        ],
        variables: { product: {}, question: {} },
        params: { temperature: 0.2 },
      },
    });
    const diff = diffConfigs(before, after);
    expect(diff.changes.map((c) => c.summary)).toEqual([
      "prompt answer: message 1 (system): …support assistant for {{product}}. Answer in [-two-]{+three short+} sentences at most, and never promise…",
      `prompt answer: version ${promptVersion([
        { role: "system", content: system },
        { role: "user", content: "{{question}}" },
      ])} → ${promptVersion([
        { role: "system", content: changedText },
        { role: "user", content: "{{question}}" },
      ])}`,
      "prompt answer: sampling params none → temperature 0.2",
    ]);
    expect(diff.sections.map((s) => s.section)).toEqual(["prompts"]);
  });

  it("show a prompt added and a canary added", () => {
    const added = diffConfigs(configOf(undefined), before);
    expect(added.changes.map((c) => c.summary)).toEqual(["prompt answer: added (2 message(s), route support)"]);
    const canaried = configOf({
      answer: {
        route: "support",
        messages: [
          { role: "system", content: system },
          { role: "user", content: "{{question}}" },
        ],
        variables: { product: {}, question: {} },
        canary: { messages: [{ role: "user", content: "{{question}} ({{product}})" }], steps: [10, 100], everyMs: 3_600_000 },
      },
    });
    expect(diffConfigs(before, canaried).changes.map((c) => c.summary)).toEqual(["prompt answer: canary added ([10 %, 100 %])"]);
  });

  it("word diffs stay on one line and mark additions and removals", () => {
    expect(wordDiff("a b c", "a b c d")).toBe("a b c{+ d+}");
    expect(wordDiff("line one\nline two", "line one\nline 2")).toBe("line one⏎line [-two-]{+2+}");
  });
});

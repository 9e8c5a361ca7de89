/** @module Tests for baseline/prompt-variables: a canary's new variables and unused declarations. */
import { fixture } from "../testing/fixture.ts";
import { testPolicy } from "../testing/policy-tester.ts";
import policy from "./prompt-variables.ts";

const base = { route: "chat", messages: [{ role: "user" as const, content: "Answer {{question}}" }], variables: { question: {} } };
const canary = (content: string) => ({
  messages: [{ role: "user" as const, content }],
  steps: [10, 100],
  everyMs: 60_000,
  guard: { minRequests: 20 },
  stickyBy: "user" as const,
});

testPolicy({
  policy,
  valid: [
    { name: "no prompts", config: fixture() },
    {
      name: "a canary with the same variables, or a new one with a default",
      config: fixture((d) => {
        d.prompts = {
          same: { ...base, canary: canary("Reply to {{question}} briefly") },
          defaulted: { ...base, variables: { question: {}, tone: { default: "warm" } }, canary: canary("Reply to {{question}}, {{tone}}") },
        };
      }),
    },
  ],
  invalid: [
    {
      name: "a canary that needs a variable callers of the current version do not send",
      config: fixture((d) => {
        d.prompts = { answer: { ...base, variables: { question: {}, tone: {}, locale: {} }, canary: canary("{{question}} {{tone}} {{locale}}") } };
      }),
      errors: [
        {
          messageId: "canary-only",
          node: { kind: "prompt", id: "answer", path: ["canary", "messages"] },
          message:
            "prompt answer: its canary needs tone and locale, which the current version does not use and no default covers; callers of the current version do not send them, so every request drawn to the canary would be refused. Give them a default, or ship the variable in the current version first",
        },
      ],
    },
    {
      name: "a declared variable no version uses",
      config: fixture((d) => {
        d.prompts = { answer: { ...base, variables: { question: {}, extra: { description: "unused" } } } };
      }),
      errors: [
        {
          messageId: "unused",
          node: { kind: "prompt", id: "answer", path: ["variables", "extra"] },
          message: "prompt answer: variable extra is declared but used by no version's messages; callers would send it for nothing: remove it or use it",
        },
      ],
    },
  ],
});

/**
 * @module Prompt rendering on the hot path, per request, beside decide() in the same process and run (so the ratio holds
 * on a loaded machine): `node --import tsx test/bench/src/micro/prompt-render.ts [budgetMs]`. Cases: a request that
 * names no prompt (the cost every request pays), a typical prompt (system + user message, 2 variables) rendered into
 * Chat Completions, Responses and Messages bodies, a long one (4 messages, 8 variables, ~6 KB of text), and decide() on
 * the typical 10-model route of decide-worker.ts. Prints a table of median ns per call over timed batches.
 */
import { type Config, parseConfig } from "@switchyard/ir";
import { RouterError } from "../../../../packages/router/src/errors.ts";
import { namesPrompt } from "../../../../packages/router/src/prompts/load.ts";
import { createPromptRenderer } from "../../../../packages/router/src/prompts/chunk.ts";
import { decide, mulberry32 } from "@switchyard/router/core";
import { createMemoryStateStores } from "@switchyard/router";
import { decideConfig } from "./decide-worker.ts";

const budgetMs = Number(process.argv[2] ?? "1500");

function promptConfig(): Config {
  const long = Array.from({ length: 8 }, (_, i) => `Section ${i}: {{v${i}}}. ${"Keep the answer grounded in the policy text above. ".repeat(14)}`).join("\n");
  const parsed = parseConfig({
    irVersion: 1,
    environment: "bench",
    providers: { p: { kind: "mock" } },
    models: { m: { provider: "p", name: "m", context: 128_000, price: { input: 1, output: 1 } } },
    routes: { support: { model: "m" } },
    prompts: {
      typical: {
        route: "support",
        messages: [
          { role: "system", content: "You are the support assistant for {{product}}. Answer in two sentences at most and never promise refunds." },
          { role: "user", content: "{{question}}" },
        ],
        variables: { product: {}, question: {} },
        params: { temperature: 0.2, maxTokens: 300 },
      },
      long: {
        route: "support",
        messages: [
          { role: "system", content: long },
          { role: "user", content: "Earlier: {{v0}}" },
          { role: "assistant", content: "Noted {{v1}}." },
          { role: "user", content: "Now: {{v2}}" },
        ],
        variables: Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`v${i}`, {}])),
      },
    },
  });
  if (!parsed.success) throw new Error(JSON.stringify(parsed.issues));
  return parsed.data;
}

function time(name: string, run: () => unknown): { name: string; ns: number; range: [number, number] } {
  let sink = 0;
  const warm = performance.now() + budgetMs / 6;
  while (performance.now() < warm) for (let i = 0; i < 200; i++) sink += run() === undefined ? 0 : 1;
  const batches: number[] = [];
  const until = performance.now() + budgetMs;
  while (performance.now() < until || batches.length < 5) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < 500; i++) sink += run() === undefined ? 0 : 1;
    batches.push(Number(process.hrtime.bigint() - t0) / 500);
  }
  if (sink === -1) process.stdout.write("");
  batches.sort((a, b) => a - b);
  return { name, ns: batches[Math.floor(batches.length / 2)] as number, range: [batches[0] as number, batches[batches.length - 1] as number] };
}

const { applyPrompt } = createPromptRenderer({ RouterError });
const config = promptConfig();
const none = (): number => 0;
const headers = {};
const variables = { product: "Acme Router", question: "How do I rotate the key my team uses for the support route?" };
const longVariables = Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`v${i}`, `value number ${i} with a few words`]));
// The header as a client sends it: text the router parses (JSON.parse is part of the measured cost).
const promptHeaders = { "x-switchyard-prompt": JSON.stringify({ id: "typical", variables }) };
const chatBody = { model: "support", messages: [{ role: "user", content: "hi" }] };
const decideCfg = decideConfig(10);
const state = createMemoryStateStores().view(1_764_000_000_000);
const options = { rng: mulberry32(42), now: 1_764_000_000_000 };
const request = { route: "typical", team: "bench", promptTokens: 200, maxOutputTokens: 256, region: undefined, stickyKey: undefined, requires: [] };

// Interleaved rounds: each case runs once per round, so a burst of load from other processes falls on all of them.
const rounds = 3;
const results = new Map<string, number[]>();
for (let r = 0; r < rounds; r++) {
  for (const [name, run] of [
    ["no prompt named (every request: namesPrompt)", () => namesPrompt(chatBody, headers)],
    ["typical prompt → Chat Completions", () => applyPrompt(config, "chat", { prompt: { id: "typical", variables }, messages: [] }, headers, none)],
    ["typical prompt → Responses", () => applyPrompt(config, "responses", { prompt: { id: "typical", variables } }, headers, none)],
    ["typical prompt → Messages, x-switchyard-prompt header", () => applyPrompt(config, "messages", { max_tokens: 100, messages: [] }, promptHeaders, none)],
    [
      "typical prompt → Messages, body",
      () => applyPrompt(config, "messages", { max_tokens: 100, messages: [], prompt: { id: "typical", variables } }, headers, none),
    ],
    [
      "long prompt (4 messages, 8 variables, ~6 KB) → Chat",
      () => applyPrompt(config, "chat", { prompt: { id: "long", variables: longVariables } }, headers, none),
    ],
    ["decide(), typical route (reference)", () => decide(decideCfg, request, state, options)],
  ] as const) {
    const { ns } = time(name, run);
    results.set(name, [...(results.get(name) ?? []), ns]);
  }
}
const reference = Math.min(...(results.get("decide(), typical route (reference)") ?? [1]));
process.stdout.write("| case | ns per call (best of 3 rounds' medians) | rounds | × decide() |\n|---|---|---|---|\n");
for (const [name, values] of results) {
  const best = Math.min(...values);
  process.stdout.write(`| ${name} | ${best.toFixed(0)} | ${values.map((v) => v.toFixed(0)).join(", ")} | ${(best / reference).toFixed(2)} |\n`);
}

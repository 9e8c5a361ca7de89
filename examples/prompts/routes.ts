/**
 * @module prompts — prompts as code: named templates in routes.ts, versioned with the release, rendered by the router
 * before routing. Applications send `{ model, prompt: { id, variables } }` (or the `x-switchyard-prompt` header) through
 * Chat Completions, Responses or Messages; `promptRequest(config, id, variables)` types the variables at the call site.
 * Runs on the embedded mock providers (no keys, no network). See docs/prompts.md.
 *
 *   npx -y pnpm@10 switchyard check examples/prompts
 *   npx -y pnpm@10 switchyard build examples/prompts --out dist
 *   SWITCHYARD_DEMO_KEY=demo node dist/default/router.mjs
 */
import { defineConfig, secret } from "@switchyard/sdk";

export default defineConfig({
  providers: {
    mockA: { kind: "mock", region: "eu", mock: { reply: 'answered "{prompt}"' } },
    mockB: { kind: "mock", region: "eu", mock: { reply: 'answered "{prompt}"' } },
  },
  models: {
    small: { provider: "mockA", name: "mock-small", context: 128_000, price: { input: 0.15, output: 0.6 }, owner: "platform" },
    "small-b": { provider: "mockB", name: "mock-small", context: 128_000, price: { input: 0.15, output: 0.6 }, owner: "platform" },
  },
  routes: {
    // logPayloads: traces carry the rendered messages (docs/prompts.md shows them; keep it off where prompts hold personal data).
    support: { model: "small", fallback: ["small-b"], owner: "support", description: "Customer support answers", logPayloads: true },
  },
  prompts: {
    // Variables are inferred from the literal: {{product}} and {{question}}; both are required at the call site.
    "support-answer": {
      route: "support",
      owner: "support",
      description: "Answer a customer's question about one product",
      messages: [
        { role: "system", content: "You are the support assistant for {{product}}. Answer in two sentences at most." },
        { role: "user", content: "{{question}}" },
      ],
      params: { temperature: 0.2, maxTokens: 300 },
    },
    // Declared variables: descriptions, a default (so `tone` is optional) and a length limit.
    "ticket-summary": {
      route: "support",
      variables: {
        ticket: { description: "The ticket's text", maxLength: 20_000 },
        tone: { description: "How the summary reads", default: "neutral" },
      },
      messages: [{ role: "user", content: "Summarise this support ticket in a {{tone}} tone:\n\n{{ticket}}" }],
      // A new wording for 10 % of callers (sticky by `user`), then 50 %, then all, one step an hour while the guard holds.
      canary: {
        messages: [{ role: "user", content: "Summarise this ticket in three bullet points, {{tone}} tone:\n\n{{ticket}}" }],
        steps: [10, 50, 100],
        every: "1h",
        guard: { maxErrorRate: 0.05, maxP95Ratio: 1.5, minRequests: 20 },
      },
    },
  },
  teams: {
    app: { keys: [secret("SWITCHYARD_DEMO_KEY")], routes: ["support"], owner: "support" },
  },
});

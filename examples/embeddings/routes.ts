/**
 * @module embeddings — chat and embeddings side by side: a chat route, and an embedding route (`kind: "embedding"`)
 * served on `POST /v1/embeddings`, falling back to a second provider's model of the same `dimensions`. Runs on the
 * embedded mock providers (no keys, no network); point the providers at OpenAI or Azure OpenAI for real vectors.
 *
 *   npx -y pnpm@10 switchyard check examples/embeddings
 *   npx -y pnpm@10 switchyard build examples/embeddings --out dist
 *   SWITCHYARD_DEMO_KEY=demo node dist/default/router.mjs
 */
import { defineConfig, secret } from "@switchyard/sdk";

export default defineConfig({
  providers: {
    // The primary fails 30 % of calls (injected): the embedding route falls back to the backup.
    primary: { kind: "mock", region: "us", mock: { ttft: "20ms", failRate: 0.3 } },
    backup: { kind: "mock", region: "eu" },
  },
  models: {
    "chat-model": { provider: "backup", name: "mock-chat-1", context: 128_000, price: { input: 0.15, output: 0.6 }, owner: "platform" },
    "embed-primary": {
      kind: "embedding",
      provider: "primary",
      name: "mock-embed-1",
      dimensions: 256,
      context: 8191,
      price: { input: 0.02 },
      owner: "platform",
    },
    "embed-backup": {
      kind: "embedding",
      provider: "backup",
      name: "mock-embed-1",
      dimensions: 256,
      context: 8191,
      price: { input: 0.02 },
      owner: "platform",
    },
  },
  routes: {
    chat: { model: "chat-model", description: "General chat" },
    search: {
      kind: "embedding",
      model: "embed-primary",
      // Same model name on the backup provider: the same vectors, so one index serves both.
      fallback: ["embed-backup"],
      timeout: { total: "5s" },
      description: "Document and query embeddings for search",
    },
  },
  teams: {
    demo: { keys: [secret("SWITCHYARD_DEMO_KEY")], routes: ["chat", "search"], budget: { usd: 10, per: "day" }, limits: { rpm: 600 } },
  },
});

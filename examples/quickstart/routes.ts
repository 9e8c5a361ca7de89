/**
 * @module quickstart — the smallest useful Switchyard config. Runs entirely on the embedded mock
 * providers: no API keys, no network. `primary` fails 30 % of calls so the fallback is visible.
 *
 *   npx -y pnpm@10 switchyard check examples/quickstart/routes.ts
 *   npx -y pnpm@10 switchyard build examples/quickstart/routes.ts --out dist
 *   SWITCHYARD_DEMO_KEY=demo node dist/default/router.mjs
 */
import { defineConfig, secret } from "@switchyard/sdk";

export default defineConfig({
  providers: {
    primary: { kind: "mock", region: "us", mock: { ttft: "40ms", interChunk: "10ms", failRate: 0.3, reply: "primary ({model}) answered route {route}" } },
    backup: { kind: "mock", region: "eu", mock: { ttft: "80ms", reply: "backup ({model}) answered route {route}" } },
  },
  models: {
    "mock-fast": { provider: "primary", name: "mock-fast-1", context: 32_000, price: { input: 0.1, output: 0.4 }, owner: "platform" },
    "mock-smart": { provider: "primary", name: "mock-smart-1", context: 128_000, price: { input: 1, output: 4 }, owner: "platform" },
    "mock-backup": { provider: "backup", name: "mock-backup-1", context: 128_000, price: { input: 0.5, output: 2 }, owner: "platform" },
  },
  tiers: {
    fast: { models: [{ model: "mock-fast", weight: 3 }, { model: "mock-smart", weight: 1 }], strategy: "weighted" },
  },
  routes: {
    chat: {
      tier: "fast",
      fallback: ["mock-backup"],
      retry: { attempts: 1 },
      timeout: { firstToken: "2s", total: "10s" },
      description: "General chat: the fast tier, falling back to the other provider",
    },
  },
  teams: {
    demo: { keys: [secret("SWITCHYARD_DEMO_KEY")], routes: ["chat"], budget: { usd: 10, per: "day" }, limits: { rpm: 600 } },
  },
});

/**
 * @module regions — region-aware placement: callers are served by the nearest eligible deployment, shift to the
 * next-nearest when a region's deployments fail or run over the route's p95 target, and never leave the route's
 * residency. Runs on the embedded mock providers (no keys, no network).
 *
 *   npx -y pnpm@10 switchyard explain examples/regions --route assistant --team berlin
 *   npx -y pnpm@10 switchyard explain examples/regions --route eu-records --team edge --region us-east
 *   npx -y pnpm@10 switchyard build examples/regions --out dist
 *   SWITCHYARD_EDGE_KEY=edge SWITCHYARD_BERLIN_KEY=berlin node dist/default/router.mjs
 *   curl -H 'authorization: Bearer edge' -H 'x-switchyard-region: ap-south' ... /v1/chat/completions
 */
import { defineConfig, secret } from "@switchyard/sdk";

const price = { input: 0.15, output: 0.6 };

export default defineConfig({
  providers: {
    fra: { kind: "mock", region: "eu-central", residency: "eu" },
    dub: { kind: "mock", region: "eu-west", residency: "eu" },
    iad: { kind: "mock", region: "us-east", residency: "us" },
    sfo: { kind: "mock", region: "us-west", residency: "us" },
  },
  models: {
    "chat-fra": { provider: "fra", name: "mock-chat", context: 128_000, price, owner: "platform" },
    "chat-dub": { provider: "dub", name: "mock-chat", context: 128_000, price, owner: "platform" },
    "chat-iad": { provider: "iad", name: "mock-chat", context: 128_000, price, owner: "platform" },
    "chat-sfo": { provider: "sfo", name: "mock-chat", context: 128_000, price, owner: "platform" },
  },
  tiers: {
    // One deployment per region; the weights only break ties between deployments equally near.
    global: { models: ["chat-fra", "chat-dub", "chat-iad", "chat-sfo"] },
  },
  // Caller region → the provider regions to prefer after its own, nearest first (typed: a region no provider
  // declares is a type error). Regions not listed come after, in the tier's strategy order.
  regions: {
    "eu-central": ["eu-west", "us-east"],
    "us-east": ["us-west", "eu-west"],
    // No deployment in Mumbai: its callers go to the nearest regions that have one.
    "ap-south": ["eu-west", "us-west"],
  },
  routes: {
    // A deployment whose p95 latency is over 1.5 s yields to the next-nearest one that is within it.
    assistant: { tier: "global", placement: { maxP95: "1.5s" }, description: "General assistant" },
    // Residency holds whatever the caller's region: a caller in us-east is served in the EU, nearest EU region first.
    "eu-records": { tier: "global", residency: "eu", description: "Questions about EU customer records" },
  },
  teams: {
    // Callers whose requests carry no region header are placed from their team's region.
    berlin: { keys: [secret("SWITCHYARD_BERLIN_KEY")], routes: ["assistant", "eu-records"], region: "eu-central", budget: { usd: 10, per: "day" } },
    // Traffic through the edge proxy, which sets x-switchyard-region (overwriting whatever a client sent).
    edge: { keys: [secret("SWITCHYARD_EDGE_KEY")], routes: ["assistant", "eu-records"], budget: { usd: 10, per: "day" } },
  },
  environments: {
    // Behind a CDN that names the region in its own header.
    cdn: { router: { regionHeader: "x-edge-region" } },
    // Frankfurt down (every call fails) and Frankfurt slow (~80 ms to answer, over a 50 ms target): for the tests.
    "fra-outage": { providers: { fra: { mock: { failRate: 1 } } } },
    "fra-slow": { providers: { fra: { mock: { ttft: "80ms" } } }, routes: { assistant: { placement: { maxP95: "50ms" } } } },
  },
});

/** @module regions.test-d — Type tests of region-aware placement: the proximity table, team regions and route placement. */
import { describe, it } from "vitest";
import { defineConfig, secret } from "./index.ts";

const providers = {
  openaiUs: { kind: "openai", apiKey: secret("OPENAI_API_KEY"), region: "us-east" },
  azureEu: { kind: "azure", baseUrl: "https://acme-eu.openai.azure.com", apiKey: secret("AZURE_EU_KEY"), region: "eu-west", residency: "eu" },
  bedrock: { kind: "bedrock", region: "eu-central-1" },
} as const;
const models = {
  us: { provider: "openaiUs", name: "gpt-4o-mini", context: 128_000, price: { input: 0.15, output: 0.6 } },
  eu: { provider: "azureEu", name: "gpt-4o-mini", context: 128_000, price: { input: 0.15, output: 0.6 } },
} as const;

describe("region-aware placement", () => {
  it("accepts a proximity table over declared provider regions, team regions and a p95 target", () => {
    defineConfig({
      providers,
      models,
      tiers: { fast: { models: ["us", "eu"] } },
      routes: { chat: { tier: "fast", placement: { maxP95: "4s" } } },
      regions: { "eu-central": ["eu-central-1", "eu-west", "us-east"], "ap-south": ["eu-west"] },
      teams: {
        fra: { keys: [secret("FRA_KEY")], routes: ["chat"], region: "eu-central" },
        nyc: { keys: [secret("NYC_KEY")], routes: ["chat"], region: "us-east" },
      },
      router: { regionHeader: "x-edge-region" },
    });
  });

  it("rejects a region no provider declares in the table, and a team region neither a provider region nor a table key", () => {
    defineConfig({
      providers,
      models,
      routes: { chat: { model: "eu" } },
      // @ts-expect-error — "eu-wset" is no provider's region
      regions: { "eu-central": ["eu-wset", "us-east"] },
    });
    defineConfig({
      providers,
      models,
      routes: { chat: { model: "eu" } },
      regions: { "eu-central": ["eu-west"] },
      teams: {
        // @ts-expect-error — "eu-centrl" is neither a provider region nor a `regions` key
        fra: { routes: ["chat"], region: "eu-centrl" },
      },
    });
  });

  it("rejects a misspelt placement property", () => {
    defineConfig({
      providers,
      models,
      // @ts-expect-error — `maxP59` is not a placement property
      routes: { chat: { model: "eu", placement: { maxP59: "4s" } } },
    });
  });
});

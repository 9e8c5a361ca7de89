/** @module Generate routes.ts files of a given size for the compile benchmark (200 models, N routes). */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export interface GeneratedConfig {
  file: string;
  routes: number;
  models: number;
  tiers: number;
  teams: number;
  bytes: number;
}

const pad = (n: number, width: number): string => String(n).padStart(width, "0");

/**
 * Source of a realistic routes.ts: 4 providers, `models` models, one tier per 5 models (weighted),
 * `routes` routes each on a tier with a two-step fallback (another tier, then a model), retries and
 * timeouts, every 10th with a long-context rule; 10 teams with keys, budgets and limits sharing the routes.
 */
export function routesSource(options: { routes: number; models: number }): { source: string; tiers: number; teams: number } {
  const { routes, models } = options;
  const tiers = Math.max(2, Math.floor(models / 5));
  const teams = 10;
  const lines: string[] = [];
  lines.push('import { defineConfig, secret } from "@switchyard/sdk";', "", "export default defineConfig({", "  providers: {");
  lines.push('    openai: { kind: "openai", apiKey: secret("OPENAI_API_KEY"), region: "us" },');
  lines.push(
    '    azureEu: { kind: "openai", baseUrl: "https://acme-eu.openai.azure.com/openai/v1", apiKey: secret("AZURE_EU_KEY"), region: "eu", residency: "eu" },',
  );
  lines.push('    anthropic: { kind: "anthropic", apiKey: secret("ANTHROPIC_API_KEY"), region: "us" },');
  lines.push('    local: { kind: "openai", baseUrl: "http://vllm.internal:8000/v1", selfHosted: true, region: "eu", residency: "eu" },');
  lines.push("  },", "  models: {");
  const providers = ["openai", "azureEu", "anthropic", "local"];
  for (let i = 0; i < models; i++) {
    lines.push(
      `    "m${pad(i, 3)}": { provider: "${providers[i % 4]}", name: "model-${i}", context: ${32_000 * (1 + (i % 4))}, price: { input: ${(0.1 * (1 + (i % 9))).toFixed(2)}, output: ${(0.4 * (1 + (i % 9))).toFixed(2)} }, owner: "platform" },`,
    );
  }
  lines.push("  },", "  tiers: {");
  for (let t = 0; t < tiers; t++) {
    const members = [0, 1, 2, 3, 4].map((k) => `{ model: "m${pad((t * 5 + k) % models, 3)}", weight: ${10 + k * 5} }`).join(", ");
    lines.push(`    "t${pad(t, 2)}": { models: [${members}], strategy: "weighted" },`);
  }
  lines.push("  },", "  routes: {");
  for (let r = 0; r < routes; r++) {
    const tier = `t${pad(r % tiers, 2)}`;
    const next = `t${pad((r + 1) % tiers, 2)}`;
    const model = `m${pad((r * 7 + 3) % models, 3)}`;
    const longContext = r % 10 === 0 ? `, longContext: { over: 16_000, use: "${next}" }` : "";
    lines.push(
      `    "r${pad(r, 4)}": { tier: "${tier}", optimize: "${["cost", "latency", "quality"][r % 3]}", fallback: ["${next}", "${model}"], retry: { attempts: 2, on: ["429", "5xx"] }, timeout: { firstToken: "3s", total: "30s" }${longContext}, owner: "team-${r % teams}" },`,
    );
  }
  lines.push("  },", "  teams: {");
  for (let t = 0; t < teams; t++) {
    const own: string[] = [];
    for (let r = t; r < routes; r += teams) own.push(`"r${pad(r, 4)}"`);
    lines.push(
      `    "team-${t}": { keys: [secret("TEAM_${t}_KEY")], routes: [${own.join(", ")}], budget: { usd: ${1000 * (t + 1)}, per: "month" }, limits: { rpm: 600, tpm: 1_000_000 } },`,
    );
  }
  lines.push(
    "  },",
    "  environments: {",
    '    prod: { production: true, policies: ["baseline", "eu-residency", "prod-safety", "cost-guard"] },',
    "  },",
    "});",
    "",
  );
  return { source: lines.join("\n"), tiers, teams };
}

/** Write `routes-<n>.ts` into `dir` (which must sit where `@switchyard/sdk` resolves). */
export function writeRoutes(dir: string, options: { routes: number; models: number }): GeneratedConfig {
  mkdirSync(dir, { recursive: true });
  const { source, tiers, teams } = routesSource(options);
  const file = join(dir, `routes-${options.routes}.ts`);
  writeFileSync(file, source);
  return { file, routes: options.routes, models: options.models, tiers, teams, bytes: Buffer.byteLength(source) };
}

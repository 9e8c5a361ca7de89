import { describe, expect, it } from "vitest";
import type { Config } from "@switchyard/ir";
import { diffConfigs } from "./diff-configs.ts";
import { acmeIr } from "./fixtures.test-helper.ts";

/** The changes (key, kind, summary) between acme and acme with `edit` applied. */
function changesAfter(edit: (config: Config) => void): [string, string, string][] {
  const after = acmeIr();
  edit(after);
  return diffConfigs(acmeIr(), after).changes.map((c) => [c.key, c.kind, c.summary]);
}

describe("diffConfigs", () => {
  it("finds no changes between equal configs", () => {
    const diff = diffConfigs(acmeIr(), acmeIr());
    expect(diff).toEqual({
      hasChanges: false,
      environment: { old: "default", new: "default" },
      sections: [],
      changes: [],
      counts: { added: 0, removed: 0, changed: 0 },
    });
  });

  it("ignores key order inside objects", () => {
    const after = acmeIr();
    const { tier, ...rest } = after.routes["support-faq"]!;
    after.routes["support-faq"] = { ...rest, tier };
    expect(diffConfigs(acmeIr(), after).hasChanges).toBe(false);
  });

  it("a fallback step appended", () => {
    expect(
      changesAfter((c) => {
        c.routes["support-faq"]!.fallback = [{ tier: "frontier" }, { model: "llama-local" }, { model: "gpt-mini-eu" }];
      }),
    ).toEqual([["routes.support-faq.fallback", "update", "route support-faq: fallback [frontier, llama-local] → [frontier, llama-local, gpt-mini-eu]"]]);
  });

  it("a fallback chain set where there was none keeps the brief's phrasing", () => {
    const before = acmeIr();
    before.routes["support-faq"]!.fallback = [{ tier: "frontier" }];
    const after = acmeIr();
    after.routes["support-faq"]!.fallback = [{ tier: "frontier" }, { model: "llama-local" }];
    expect(diffConfigs(before, after).changes.map((c) => c.summary)).toEqual(["route support-faq: fallback [frontier] → [frontier, llama-local]"]);
  });

  it("when rules: added, changed, removed and reordered, in routes.ts words", () => {
    const rules = [
      { if: { tag: "risk:high" }, use: { tier: "frontier" } },
      { if: { tokens: { over: 8000 } }, use: { model: "llama-local" } },
    ];
    expect(
      changesAfter((c) => {
        c.routes["support-faq"]!.when = rules;
        c.routes["support-faq"]!.complexity = { medium: 20, high: 45 };
      }),
    ).toEqual([
      ["routes.support-faq.when.0", "add", "route support-faq: rule 1 added: if tag risk:high → tier frontier"],
      ["routes.support-faq.when.1", "add", "route support-faq: rule 2 added: if tokens over 8000 → model llama-local"],
      ["routes.support-faq.complexity", "add", "route support-faq: complexity thresholds default → medium ≥ 20, high ≥ 45"],
    ]);
    const before = acmeIr();
    before.routes["support-faq"]!.when = rules;
    const changed = acmeIr();
    changed.routes["support-faq"]!.when = [{ if: { tag: "risk:high", any: [{ tools: true }, { complexity: "high" }] }, use: { model: "claude" } }];
    expect(diffConfigs(before, changed).changes.map((c) => c.summary)).toEqual([
      "route support-faq: rule 1 if tag risk:high → tier frontier → if tag risk:high and any of (with tools | complexity high) → model claude",
      "route support-faq: rule 2 removed (was if tokens over 8000 → model llama-local)",
    ]);
    const reordered = acmeIr();
    reordered.routes["support-faq"]!.when = [rules[1]!, rules[0]!];
    expect(diffConfigs(before, reordered).changes.map((c) => [c.key, c.summary])).toEqual([
      [
        "routes.support-faq.when",
        "route support-faq: when rules reordered (first match wins): 1. if tag risk:high → tier frontier; 2. if tokens over 8000 → model llama-local → 1. if tokens over 8000 → model llama-local; 2. if tag risk:high → tier frontier",
      ],
    ]);
  });

  it("canary first step raised", () => {
    expect(
      changesAfter((c) => {
        c.routes["legal-review"]!.canary!.steps = [25, 50, 100];
      }),
    ).toEqual([["routes.legal-review.canary.steps", "update", "route legal-review: canary claude-next 5 % → 25 % (steps 5/25/100 % → 25/50/100 %)"]]);
  });

  it("canary later step changed, interval and guard", () => {
    expect(
      changesAfter((c) => {
        const canary = c.routes["legal-review"]!.canary!;
        canary.steps = [5, 50, 100];
        canary.everyMs = 1_800_000;
        canary.guard.maxErrorRate = 0.05;
      }),
    ).toEqual([
      ["routes.legal-review.canary.steps", "update", "route legal-review: canary claude-next steps 5/25/100 % → 5/50/100 %"],
      ["routes.legal-review.canary.everyMs", "update", "route legal-review: canary step interval 1h → 30m"],
      ["routes.legal-review.canary.guard.maxErrorRate", "update", "route legal-review: canary max error rate 2 % → 5 %"],
    ]);
  });

  it("a JSON schema validator whose schema changed", () => {
    const before = acmeIr();
    before.routes["legal-review"]!.validate = [{ kind: "json-schema", schema: { type: "object" } }];
    const after = acmeIr();
    after.routes["legal-review"]!.validate = [{ kind: "json-schema", schema: { type: "array" } }];
    expect(diffConfigs(before, after).changes.map((c) => c.summary)).toEqual(["route legal-review: validators [json-schema]: schema changed"]);
  });

  it("canary added and removed", () => {
    expect(
      changesAfter((c) => {
        delete c.routes["legal-review"]!.canary;
        c.routes["support-faq"]!.canary = { model: "gpt-mini-eu", steps: [10, 100], everyMs: 600_000, guard: { minRequests: 20 }, stickyBy: "user" };
      }),
    ).toEqual([
      ["routes.legal-review.canary", "delete", "route legal-review: canary claude-next removed"],
      ["routes.support-faq.canary", "add", "route support-faq: canary gpt-mini-eu added: 10 % → 100 % every 10m"],
    ]);
  });

  it("team budget raised and period changed", () => {
    expect(
      changesAfter((c) => {
        c.teams.support!.budget!.usd = 3000;
      }),
    ).toEqual([["teams.support.budget.usd", "update", "team support: budget $2,000 → $3,000/month"]]);
    expect(
      changesAfter((c) => {
        c.teams.legal!.budget!.per = "week";
        c.teams.legal!.budget!.mode = "soft";
      }),
    ).toEqual([
      ["teams.legal.budget.per", "update", "team legal: budget period month → week"],
      ["teams.legal.budget.mode", "update", "team legal: budget mode hard → soft"],
    ]);
  });

  it("tier weights, a member added and the strategy", () => {
    expect(
      changesAfter((c) => {
        c.tiers.fast!.models = [
          { model: "gpt-mini", weight: 60 },
          { model: "gpt-mini-eu", weight: 30 },
          { model: "llama-local", weight: 10 },
        ];
        c.tiers.fast!.strategy = "weighted";
      }),
    ).toEqual([
      ["tiers.fast.models.gpt-mini", "update", "tier fast: gpt-mini weight 70 → 60"],
      ["tiers.fast.models.llama-local", "add", "tier fast: llama-local added (weight 10)"],
      ["tiers.fast.strategy", "update", "tier fast: strategy latency → weighted"],
    ]);
  });

  it("tier member removed and order changed", () => {
    expect(
      changesAfter((c) => {
        c.tiers.fast!.models = [{ model: "gpt-mini-eu", weight: 30 }];
      }),
    ).toEqual([["tiers.fast.models.gpt-mini", "delete", "tier fast: gpt-mini removed (was weight 70)"]]);
    expect(
      changesAfter((c) => {
        c.tiers.fast!.models.reverse();
      }),
    ).toEqual([["tiers.fast.models", "update", "tier fast: member order [gpt-mini, gpt-mini-eu] → [gpt-mini-eu, gpt-mini]"]]);
  });

  it("timeouts and retries", () => {
    expect(
      changesAfter((c) => {
        const route = c.routes["support-faq"]!;
        route.timeout = { firstTokenMs: 5_000 };
        route.retry.attempts = 3;
        route.retry.on = ["429", "5xx"];
        route.retry.backoffMs = 500;
        c.routes["legal-review"]!.timeout.totalMs = 60_000;
      }),
    ).toEqual([
      ["routes.legal-review.timeout.totalMs", "add", "route legal-review: total timeout unset → 1m"],
      ["routes.support-faq.retry.attempts", "update", "route support-faq: retry attempts 2 → 3"],
      ["routes.support-faq.retry.on", "update", "route support-faq: retry on [429, 5xx, timeout] → [429, 5xx]"],
      ["routes.support-faq.retry.backoffMs", "update", "route support-faq: retry backoff 200ms → 500ms"],
      ["routes.support-faq.timeout.firstTokenMs", "update", "route support-faq: first-token timeout 3s → 5s"],
      ["routes.support-faq.timeout.totalMs", "delete", "route support-faq: total timeout 20s → unset"],
    ]);
  });

  it("residency and data class of a route, residency of a provider", () => {
    expect(
      changesAfter((c) => {
        c.routes["support-faq"]!.residency = "eu";
        c.routes["support-faq"]!.dataClass = "restricted";
        c.providers.openai!.residency = "us";
        c.providers.openai!.region = "us-east";
      }),
    ).toEqual([
      ["routes.support-faq.dataClass", "update", "route support-faq: data class internal → restricted"],
      ["routes.support-faq.residency", "update", "route support-faq: residency any → eu"],
      ["providers.openai.region", "update", "provider openai: region us → us-east"],
      ["providers.openai.residency", "add", "provider openai: residency unset → us"],
    ]);
  });

  it("prices, context windows and lifecycle of a model", () => {
    expect(
      changesAfter((c) => {
        const claude = c.models.claude!;
        claude.price = { input: 2.5, output: 15 };
        claude.context = 1_000_000;
        c.models["claude-next"]!.lifecycle = "ga";
        c.models["gpt-mini"]!.sunset = "2027-01-31";
      }),
    ).toEqual([
      ["models.claude.context", "update", "model claude: context window 200,000 tokens → 1,000,000 tokens"],
      ["models.claude.price.input", "update", "model claude: input price $3/1M → $2.5/1M"],
      ["models.claude-next.lifecycle", "update", "model claude-next: lifecycle experimental → ga"],
      ["models.gpt-mini.sunset", "add", "model gpt-mini: sunset unset → 2027-01-31"],
    ]);
  });

  it("routes, models, tiers, providers and teams added and removed", () => {
    expect(
      changesAfter((c) => {
        c.routes.summarise = { ...c.routes["support-faq"]!, fallback: [], canary: undefined, longContext: undefined };
        delete c.routes["legal-review"];
        c.models.haiku = { provider: "anthropic", name: "claude-haiku", context: 200_000, price: { input: 1, output: 5 }, lifecycle: "ga", capabilities: [] };
        delete c.tiers.frontier;
        c.providers.groq = { kind: "openai", baseUrl: "https://api.groq.com/openai/v1", headers: {}, selfHosted: false, region: "us" };
        delete c.teams.legal;
      }),
    ).toEqual([
      ["routes.legal-review", "delete", "route legal-review: removed (was tier frontier, fallback [llama-local], canary claude-next [5 %, 25 %, 100 %])"],
      ["routes.summarise", "add", "route summarise: added (tier fast)"],
      ["tiers.frontier", "delete", "tier frontier: removed (was [claude 1])"],
      ["models.haiku", "add", "model haiku: added (anthropic/claude-haiku, 200,000 tokens, $1/$5 per 1M)"],
      ["providers.groq", "add", "provider groq: added (openai, region us)"],
      ["teams.legal", "delete", "team legal: removed (was routes [legal-review], budget $500/month (hard))"],
    ]);
  });

  it("team routes, keys (secret names only) and limits", () => {
    const changes = changesAfter((c) => {
      const team = c.teams.support!;
      team.routes = ["support-faq", "legal-review"];
      team.keys = [{ secret: "SUPPORT_KEY_2" }];
      team.limits = { rpm: 1200, tpm: 1_000_000 };
      c.teams.legal!.limits = { rpm: 60 };
    });
    expect(changes).toEqual([
      ["teams.legal.limits", "add", "team legal: limits none → 60 rpm"],
      ["teams.support.routes.legal-review", "add", "team support: route legal-review granted"],
      ["teams.support.keys.SUPPORT_KEY", "delete", "team support: key secret(SUPPORT_KEY) removed"],
      ["teams.support.keys.SUPPORT_KEY_2", "add", "team support: key secret(SUPPORT_KEY_2) added"],
      ["teams.support.limits.rpm", "update", "team support: rate limit 600 rpm → 1,200 rpm"],
    ]);
  });

  it("never shows a literal header value, only that it changed", () => {
    const before = acmeIr();
    before.providers.openai!.headers = { "x-org": "org-SECRET-1" };
    const after = acmeIr();
    after.providers.openai!.headers = { "x-org": "org-SECRET-2", "x-key": { secret: "ORG_KEY" } };
    const diff = diffConfigs(before, after);
    expect(JSON.stringify(diff)).not.toContain("SECRET-");
    expect(diff.changes.map((c) => [c.key, c.kind, c.summary])).toEqual([
      ["providers.openai.headers.x-key", "add", "provider openai: header x-key added"],
      ["providers.openai.headers.x-org", "update", "provider openai: header x-org value changed"],
    ]);
  });

  it("policy selections: packs, severities and options", () => {
    const before = acmeIr();
    before.policies = [
      { pack: "baseline", severities: {}, options: {} },
      { pack: "cost-guard", severities: {}, options: { ceilingUsd: 10 } },
    ];
    const after = acmeIr();
    after.policies = [
      { pack: "baseline", severities: { "baseline/owners-set": "off" }, options: {} },
      { pack: "cost-guard", severities: {}, options: { ceilingUsd: 20 } },
      { pack: "./policies/acme.ts", severities: {}, options: {} },
    ];
    expect(diffConfigs(before, after).changes.map((c) => [c.key, c.kind, c.summary])).toEqual([
      ["policies../policies/acme.ts", "add", "policy pack ./policies/acme.ts: added (default severities)"],
      ["policies.baseline.severities.baseline/owners-set", "add", "policy pack baseline: baseline/owners-set severity default → off"],
      ["policies.cost-guard.options.ceilingUsd", "update", "policy pack cost-guard: options.ceilingUsd 10 → 20"],
    ]);
  });

  it("router settings and environment", () => {
    const after = acmeIr();
    after.environment = "prod";
    after.router.maxBodyBytes = 8 * 1024 * 1024;
    expect(diffConfigs(acmeIr(), after).changes.map((c) => [c.key, c.kind, c.summary])).toEqual([
      ["router.maxBodyBytes", "update", "router: max body size 32 MiB → 8 MiB"],
      ["environment", "update", "environment: default → prod"],
    ]);
  });

  it("the state store: memory → redis, and a redis setting changed", () => {
    const redis = acmeIr();
    redis.state = { kind: "redis", url: { secret: "REDIS_URL" }, keyPrefix: "switchyard", onUnavailable: "serve-local" };
    expect(diffConfigs(acmeIr(), redis).changes.map((c) => [c.key, c.kind, c.summary])).toEqual([
      ["router.state", "add", "router: state memory → redis (url secret REDIS_URL, key prefix switchyard, serve-local)"],
    ]);
    const refuse = acmeIr();
    refuse.state = { kind: "redis", url: { secret: "REDIS_URL" }, keyPrefix: "switchyard", onUnavailable: "refuse" };
    expect(diffConfigs(redis, refuse).changes.map((c) => c.summary)).toEqual([
      "router: state redis (url secret REDIS_URL, key prefix switchyard, serve-local) → redis (url secret REDIS_URL, key prefix switchyard, refuse)",
    ]);
    // `{ kind: "memory" }` written out is the same as no state.
    const memory = acmeIr();
    memory.state = { kind: "memory" };
    expect(diffConfigs(acmeIr(), memory).hasChanges).toBe(false);
  });

  it("long-context rule and validators", () => {
    expect(
      changesAfter((c) => {
        c.routes["support-faq"]!.longContext = { over: 32_000, use: { model: "claude" } };
        c.routes["legal-review"]!.validate = [{ kind: "json" }, { kind: "regex", pattern: "^ok", flags: "i" }];
      }),
    ).toEqual([
      ["routes.legal-review.validate", "update", "route legal-review: validators [json] → [json, regex /^ok/i]"],
      ["routes.support-faq.longContext.over", "update", "route support-faq: long-context threshold 16,000 tokens → 32,000 tokens"],
      ["routes.support-faq.longContext.use", "update", "route support-faq: long-context target frontier → claude"],
    ]);
  });

  it("counts entities and orders sections routes, tiers, models, providers, teams", () => {
    const after = acmeIr();
    after.teams.support!.budget!.usd = 1;
    after.routes["support-faq"]!.optimize = "latency";
    after.models.extra = { ...after.models.claude! };
    const diff = diffConfigs(acmeIr(), after);
    expect(diff.sections.map((s) => s.section)).toEqual(["routes", "models", "teams"]);
    expect(diff.counts).toEqual({ added: 1, removed: 0, changed: 2 });
  });

  it("gives each change its path as segments, unambiguous when an id holds a dot", () => {
    const before = acmeIr();
    before.models["gpt-4.1"] = { ...before.models["gpt-mini"]!, name: "gpt-4.1" };
    const after = acmeIr();
    after.models["gpt-4.1"] = { ...before.models["gpt-4.1"]!, context: 1_000_000 };
    expect(diffConfigs(before, after).changes.map((c) => [c.key, c.path])).toEqual([["models.gpt-4.1.context", ["models", "gpt-4.1", "context"]]]);
  });

  it("is deterministic and symmetric in kinds", () => {
    const after = acmeIr();
    delete after.routes["legal-review"];
    after.tiers.fast!.models[0]!.weight = 10;
    const forward = diffConfigs(acmeIr(), after);
    const backward = diffConfigs(after, acmeIr());
    expect(diffConfigs(acmeIr(), after)).toEqual(forward);
    expect(backward.changes.map((c) => [c.key, c.kind])).toEqual([
      ["routes.legal-review", "add"],
      ["tiers.fast.models.gpt-mini", "update"],
    ]);
    expect(forward.changes.map((c) => [c.key, c.kind])).toEqual([
      ["routes.legal-review", "delete"],
      ["tiers.fast.models.gpt-mini", "update"],
    ]);
  });
});

/** @module validate.test — The validator and lowering take any value and return findings as data: never a throw. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { catalogue } from "../diagnostics/catalogue.ts";
import { parseDuration } from "./duration.ts";
import { validateConfigValue } from "./validate.ts";

const valid = {
  providers: { openai: { kind: "openai", apiKey: { secret: "OPENAI_API_KEY" } }, mock: { kind: "mock", mock: { ttft: "50ms", failRate: 0.2 } } },
  models: {
    mini: { provider: "openai", name: "gpt-4o-mini", context: 128_000, price: { input: 0.15, output: 0.6 } },
    fake: { provider: "mock", name: "fake", context: 32_000, price: { input: 0, output: 0 } },
    next: { provider: "openai", name: "gpt-next", context: 200_000, price: { input: 1, output: 2 } },
  },
  tiers: { fast: { models: ["mini", { model: "fake", weight: 3 }] } },
  routes: {
    chat: {
      tier: "fast",
      fallback: ["next"],
      timeout: { firstToken: "3s", total: 20_000 },
      retry: { attempts: 2, backoff: "100ms" },
      longContext: { over: 100_000, use: "next" },
      canary: { model: "next", steps: [5, 50, 100], every: "1h", guard: { maxP95: "2s" } },
    },
  },
  teams: { support: { keys: [{ secret: "SUPPORT_KEY" }], routes: ["chat"], budget: { usd: 100, alertAt: [0.5] } } },
  environments: { prod: { routes: { chat: { fallback: ["mini"] } }, policies: ["baseline", { pack: "./mine.ts", severities: { "x/y": "off" } }] } },
};

/** Replaces the value at a random path of `value` with `replacement`. */
function mutate(value: unknown, path: number[], replacement: unknown): unknown {
  if (path.length === 0 || value === null || typeof value !== "object") return replacement;
  const entries = Array.isArray(value) ? value.map((item, index) => [index, item] as const) : Object.entries(value);
  if (entries.length === 0) return replacement;
  const [head = 0, ...rest] = path;
  const [key, child] = entries[head % entries.length] ?? [0, undefined];
  if (Array.isArray(value)) {
    const copy: unknown[] = [...value];
    copy[Number(key)] = mutate(child, rest, replacement);
    return copy;
  }
  return { ...value, [key]: mutate(child, rest, replacement) };
}

describe("validateConfigValue", () => {
  it("lowers a valid config to the IR", () => {
    const result = validateConfigValue({ value: valid });
    expect(result.findings).toEqual([]);
    const config = result.config;
    expect(config?.tiers.fast?.models).toEqual([
      { model: "mini", weight: 1 },
      { model: "fake", weight: 3 },
    ]);
    expect(config?.routes.chat?.fallback).toEqual([{ model: "next" }]);
    expect(config?.routes.chat?.timeout).toEqual({ firstTokenMs: 3000, totalMs: 20_000 });
    expect(config?.routes.chat?.retry.backoffMs).toBe(100);
    expect(config?.routes.chat?.canary).toMatchObject({ everyMs: 3_600_000, guard: { maxP95Ms: 2000 } });
    expect(config?.providers.mock?.mock?.ttftMs).toBe(50);
    expect(config?.environment).toBe("default");
    expect(config?.policies).toEqual([]);
  });

  it("merges an environment: objects merge, arrays replace, policies become selections", () => {
    const config = validateConfigValue({ value: valid, env: "prod" }).config;
    expect(config?.environment).toBe("prod");
    expect(config?.routes.chat?.fallback).toEqual([{ model: "mini" }]);
    expect(config?.routes.chat?.tier).toBe("fast");
    expect(config?.policies).toEqual([
      { pack: "baseline", severities: {}, options: {} },
      { pack: "./mine.ts", severities: { "x/y": "off" }, options: {} },
    ]);
  });

  it("lowers the quality guards of a canary and rejects out-of-range values, naming the field", () => {
    const guard = { maxErrorRate: 0.02, maxP95Ratio: 1.5, maxValidationFailureRate: 0.05, maxCostRatio: 1.2, minScore: 0.7, minSamples: 30 };
    const withGuard = (g: Record<string, unknown>) => ({
      ...valid,
      routes: { chat: { ...valid.routes.chat, canary: { ...valid.routes.chat.canary, guard: g } } },
    });
    const result = validateConfigValue({ value: withGuard(guard) });
    expect(result.findings).toEqual([]);
    expect(result.config?.routes.chat?.canary?.guard).toEqual({ ...guard, minRequests: 20 });
    for (const [field, bad] of [
      ["minScore", 1.5],
      ["maxP95Ratio", 0],
      ["maxValidationFailureRate", -0.1],
      ["maxCostRatio", "2x"],
      ["minSamples", 0],
    ] as const) {
      const findings = validateConfigValue({ value: withGuard({ [field]: bad }) }).findings;
      expect(findings.map((f) => f.path.join("."))).toContain(`routes.chat.canary.guard.${field}`);
    }
  });

  it("parses durations", () => {
    expect(parseDuration("250ms")).toBe(250);
    expect(parseDuration("1.5s")).toBe(1500);
    expect(parseDuration("5m")).toBe(300_000);
    expect(parseDuration("1d")).toBe(86_400_000);
    expect(parseDuration(42)).toBe(42);
    for (const bad of ["3 s", "-1s", "0s", "s", "1w", 0, -5, Number.NaN, null, {}]) expect(parseDuration(bad)).toBeUndefined();
  });

  it("never throws on random values and only reports catalogued codes", () => {
    fc.assert(
      fc.property(fc.anything(), fc.option(fc.constantFrom("prod", "dev", "nope"), { nil: undefined }), (value, env) => {
        const result = validateConfigValue({ value, ...(env === undefined ? {} : { env }) });
        for (const finding of result.findings) {
          expect(finding.code in catalogue).toBe(true);
          expect(Array.isArray(finding.path)).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("never throws on mutations of a valid config, and a reported error means no IR", () => {
    const replacement = fc.oneof(
      fc.anything(),
      fc.string(),
      fc.integer({ min: -1000, max: 1000 }),
      fc.constant(undefined),
      fc.constant("mini"),
      fc.constant([]),
      fc.constant({}),
    );
    fc.assert(
      fc.property(fc.array(fc.nat(20), { minLength: 0, maxLength: 6 }), replacement, fc.boolean(), (path, value, prod) => {
        const mutated = mutate(valid, path, value);
        const result = validateConfigValue({ value: mutated, ...(prod ? { env: "prod" } : {}) });
        const errors = result.findings.filter((finding) => (finding.severity ?? catalogue[finding.code].severity) === "error");
        if (errors.length > 0) expect(result.config).toBeUndefined();
        else expect(result.config).toBeDefined();
      }),
      { numRuns: 500 },
    );
  });
});

describe("the IR's shared rules (the same the router runs on every upload)", () => {
  const base = {
    providers: { up: { kind: "openai", baseUrl: "https://llm.internal/v1", apiKey: { secret: "UP_KEY" } } },
    models: { m: { provider: "up", name: "gpt", context: 8_000, price: { input: 0, output: 0 } } },
    tiers: { fast: { models: [{ model: "m", weight: 1 }] } },
    routes: { chat: { tier: "fast" } },
  };
  const findings = (edit: (config: typeof base & Record<string, unknown>) => void) => {
    const config = structuredClone(base) as typeof base & Record<string, unknown>;
    edit(config);
    return validateConfigValue({ value: config }).findings.map((f) => ({ code: f.code, path: f.path.join(".") }));
  };

  it("accepts the base config", () => {
    expect(findings(() => undefined)).toEqual([]);
  });

  it.each([
    ["a metadata host", (c: typeof base) => void (c.providers.up.baseUrl = "http://169.254.169.254/v1"), { code: "SY0102", path: "providers.up.baseUrl" }],
    ["a link-local IPv6 host", (c: typeof base) => void (c.providers.up.baseUrl = "http://[fe80::1]/v1"), { code: "SY0102", path: "providers.up.baseUrl" }],
    [
      "a router setting sent upstream",
      (c: typeof base) => void (c.providers.up.apiKey = { secret: "SWITCHYARD_ADMIN_TOKEN" }),
      { code: "SY0102", path: "providers.up.apiKey" },
    ],
    ["a file: URL", (c: typeof base) => void (c.providers.up.baseUrl = "file:///etc/passwd"), { code: "SY0901", path: "providers.up.baseUrl" }],
    ["an absurd weight", (c: typeof base) => void (c.tiers.fast.models[0]!.weight = 1e308), { code: "SY0901", path: "tiers.fast.models.0.weight" }],
  ])("refuses %s", (_name, edit, expected) => {
    expect(findings(edit)).toContainEqual(expected);
  });
});

/** @module Telemetry config in routes.ts: per-environment sinks and alert webhook, lowered to the IR (durations to ms, defaults applied). */
import { describe, expect, it } from "vitest";
import { validateConfigValue } from "../../packages/compiler/src/validate/validate.ts";

const base = {
  providers: { mock: { kind: "mock" } },
  models: { fake: { provider: "mock", name: "fake", context: 32_000, price: { input: 1, output: 2 } } },
  routes: { chat: { model: "fake" } },
  telemetry: { jsonl: { path: "stdout" } },
  environments: {
    prod: {
      telemetry: {
        jsonl: { path: "/var/log/switchyard/traces.jsonl", maxBytes: 1_000_000 },
        otlp: { endpoint: "http://collector:4318/v1/traces", timeout: "2s", headers: { authorization: { secret: "OTLP_TOKEN" } } },
        alerts: { webhook: { url: "https://hooks.example.com/budget" } },
      },
    },
  },
};

describe("telemetry config", () => {
  it("an environment overrides the base sinks; durations lower to ms; defaults are applied", () => {
    const prod = validateConfigValue({ value: base, env: "prod" });
    expect(prod.findings).toEqual([]);
    expect(prod.config?.telemetry).toEqual({
      jsonl: { path: "/var/log/switchyard/traces.jsonl", maxBytes: 1_000_000, keep: 5 },
      otlp: {
        endpoint: "http://collector:4318/v1/traces",
        timeoutMs: 2000,
        headers: { authorization: { secret: "OTLP_TOKEN" } },
        serviceName: "switchyard-router",
        maxQueue: 2048,
      },
      alerts: { webhook: { url: "https://hooks.example.com/budget", headers: {} } },
    });
    const dev = validateConfigValue({ value: base, env: "dev" });
    expect(dev.config?.telemetry).toEqual({ jsonl: { path: "stdout", maxBytes: 64 * 1024 * 1024, keep: 5 } });
  });

  it("a config without telemetry has none (its release hash does not change)", () => {
    const { telemetry: _t, environments: _e, ...plain } = base;
    expect(validateConfigValue({ value: plain }).config?.telemetry).toBeUndefined();
  });

  it("a misspelt telemetry property or a bad endpoint is a finding, not a crash", () => {
    const result = validateConfigValue({ value: { ...base, telemetry: { otlp: { endpont: "x" } } } });
    expect(result.config).toBeUndefined();
    expect(result.findings.length).toBeGreaterThan(0);
    expect(result.findings.map((f) => f.path?.join("."))).toContain("telemetry.otlp.endpont");
  });
});

describe("telemetry in switchyard diff", () => {
  it("sink and webhook changes are listed under router settings, literal header values redacted", async () => {
    const { diffConfigs } = await import("@switchyard/compiler");
    const dev = validateConfigValue({ value: base, env: "dev" }).config;
    const prodValue = {
      ...base,
      environments: {
        prod: {
          telemetry: {
            ...base.environments.prod.telemetry,
            otlp: { ...base.environments.prod.telemetry.otlp, headers: { "x-api-key": "literal-secret-value" } },
          },
        },
      },
    };
    const prod = validateConfigValue({ value: prodValue, env: "prod" }).config;
    if (dev === undefined || prod === undefined) throw new Error("invalid fixture");
    const diff = diffConfigs(dev, prod);
    const summaries = diff.changes.map((c) => c.summary).join("\n");
    expect(summaries).toContain("telemetry.otlp.endpoint");
    expect(summaries).toContain("telemetry.jsonl.path");
    expect(summaries).toContain("telemetry.alerts.webhook.url");
    expect(summaries).toContain("header x-api-key added");
    expect(JSON.stringify(diff)).not.toContain("literal-secret-value");
    expect(diffConfigs(prod, prod).hasChanges).toBe(false);
  });
});

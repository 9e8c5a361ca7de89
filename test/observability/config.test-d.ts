/** @module Type tests of the DSL's telemetry section: sinks and the alert webhook per environment; misspellings rejected at the literal. */
import { describe, expectTypeOf, it } from "vitest";
import { type TelemetryDef, defineConfig, secret } from "@switchyard/sdk";

const base = {
  providers: { mock: { kind: "mock" } },
  models: { m: { provider: "mock", name: "m", context: 1000, price: { input: 0, output: 0 } } },
  routes: { chat: { model: "m" } },
} as const;

describe("telemetry in routes.ts", () => {
  it("accepts sinks and a webhook at the top level and per environment", () => {
    defineConfig({
      ...base,
      telemetry: { jsonl: { path: "stdout" } },
      environments: {
        prod: {
          telemetry: {
            jsonl: { path: "/var/log/traces.jsonl", maxBytes: 1_000_000, keep: 3 },
            otlp: { endpoint: "http://collector:4318/v1/traces", headers: { authorization: secret("OTLP_TOKEN") }, timeout: "2s", maxQueue: 100 },
            alerts: { webhook: { url: "https://hooks.example.com/x", headers: { authorization: secret("HOOK") } } },
          },
        },
      },
    });
    expectTypeOf<NonNullable<TelemetryDef["otlp"]>["endpoint"]>().toEqualTypeOf<string>();
  });

  it("rejects misspelt telemetry properties", () => {
    // @ts-expect-error — `endpont` is not a property of otlp (and `endpoint` is missing)
    defineConfig({ ...base, telemetry: { otlp: { endpont: "http://x" } } });
    // @ts-expect-error — `jsnl` is not a sink
    defineConfig({ ...base, telemetry: { jsnl: { path: "stdout" } } });
    // @ts-expect-error — a duration, not an arbitrary string
    defineConfig({ ...base, telemetry: { otlp: { endpoint: "http://x", timeout: "soon" } } });
  });
});

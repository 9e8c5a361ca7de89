/**
 * @module The request span's optional attributes over a real OTLP/HTTP export: how the plan was made (the `when` rule,
 * the complexity score, the models decide() left out) and attribution (end user, metadata, tags), present only when the
 * trace record has them.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TraceRecord } from "@switchyard/router";
import { otlpSink } from "@switchyard/router/otlp";
import { releaseOf } from "../helpers/release.ts";
import { type OtlpReceiver, startOtlpReceiver } from "./helpers.ts";

let receiver: OtlpReceiver;
beforeAll(async () => {
  receiver = await startOtlpReceiver();
});
afterAll(async () => {
  await receiver?.close();
});

const config = releaseOf({
  providers: { sim: { kind: "mock" } },
  models: { m: { provider: "sim", name: "mock-1", context: 8_000, price: { input: 1, output: 1 } } },
  routes: { chat: { model: "m" } },
}).config;

function record(requestId: string, over: Partial<TraceRecord> = {}): TraceRecord {
  return {
    v: 1,
    requestId,
    time: "2026-12-08T00:00:00.000Z",
    environment: "test",
    configVersion: "c".repeat(64),
    route: "chat",
    team: undefined,
    status: 200,
    outcome: "ok",
    errorCode: undefined,
    stream: false,
    candidates: [],
    attempts: [],
    model: "m",
    provider: "sim",
    inputTokens: 10,
    outputTokens: 2,
    costUsd: 0.000012,
    canary: false,
    fallback: true,
    retries: 0,
    validation: "none",
    latencyMs: 12,
    ttftMs: undefined,
    ...over,
  };
}

describe("OTLP request span attributes", () => {
  it("rule, complexity and the models left out (as `model: code`), and attribution, only when the record has them", async () => {
    const sink = otlpSink({
      otlp: { endpoint: receiver.endpoint, headers: {}, serviceName: "attrs", maxQueue: 16, timeoutMs: 5_000 },
      env: {},
      config: () => config,
    });
    sink.write(
      record("with", {
        user: "user-42",
        metadata: { ticket: "T-1" },
        tags: { feature: "search" },
        cachedInputTokens: 8,
        rule: 2,
        complexity: 57,
        excluded: [
          { model: "big", step: 0, code: "breaker-open", reason: "circuit breaker open" },
          { model: "eu", step: 1, code: "residency", reason: "residency us, request eu" },
        ],
      }),
    );
    sink.write(record("without"));
    await sink.close();
    const byId = new Map(receiver.spans.filter((s) => s.parentSpanId === undefined).map((s) => [s.attributes["switchyard.request_id"], s.attributes]));
    expect(byId.get("with")).toMatchObject({
      "switchyard.rule": 2,
      "switchyard.complexity": 57,
      "switchyard.excluded": ["big: breaker-open", "eu: residency"],
      "enduser.id": "user-42",
      "switchyard.metadata.ticket": "T-1",
      "switchyard.tag.feature": "search",
      "gen_ai.usage.cache_read.input_tokens": 8,
    });
    const without = byId.get("without") ?? {};
    for (const key of ["switchyard.rule", "switchyard.complexity", "switchyard.excluded", "enduser.id"]) expect(without).not.toHaveProperty(key);
  });
});

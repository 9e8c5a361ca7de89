/** @module traceJson() writes exactly what JSON.stringify writes for finishTrace()'s records (generated, odd strings and numbers included). */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { traceJson } from "./trace-json.ts";
import type { TraceAttempt, TraceCandidate, TraceExclusion, TraceRecord } from "./types.ts";

const text = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.string({ unit: "binary", maxLength: 12 }),
  fc.constantFrom("mini-a", 'a"b\\c', "line\nbreak", "\u2028", "\ud800", "é🙂"),
  fc.string({ minLength: 250, maxLength: 300 }),
);
const opt = <T>(a: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> => fc.option(a, { nil: undefined });
const number = fc.oneof(fc.integer(), fc.double(), fc.constantFrom(0, -0, 1e21, 5.4e-6, Number.NaN, Number.POSITIVE_INFINITY));

// Objects built field by field in finishTrace()'s order, as the sink receives them.
const candidate: fc.Arbitrary<TraceCandidate> = fc
  .tuple(text, text, number, fc.constantFrom("canary", "primary", "long-context", "fallback" as const), opt(text), text)
  .map(([model, provider, step, source, tier, reason]) => ({ model, provider, step, source, tier, reason }));
const attempt: fc.Arbitrary<TraceAttempt> = fc
  .tuple(
    text,
    text,
    opt(text),
    number,
    number,
    fc.constantFrom("ok", "error" as const),
    opt(fc.constantFrom("timeout", "5xx", "429")),
    opt(number),
    number,
    opt(number),
    fc.constantFrom("primary", "retry", "fallback" as const),
    opt(fc.constantFrom("timeout", "connection")),
  )
  .map(([model, provider, region, step, n, outcome, errorClass, status, latencyMs, ttftMs, reason, after]) => ({
    model,
    provider,
    region,
    step,
    attempt: n,
    outcome,
    errorClass: errorClass as TraceAttempt["errorClass"],
    status,
    latencyMs,
    ttftMs,
    reason,
    after: after as TraceAttempt["after"],
  }));
const exclusion: fc.Arbitrary<TraceExclusion> = fc
  .tuple(text, number, fc.constantFrom("breaker-open", "residency", "capability", "context-window" as const), text)
  .map(([model, step, code, reason]) => ({ model, step, code, reason }));
const record: fc.Arbitrary<TraceRecord> = fc
  .record({
    head: fc.tuple(
      text,
      text,
      text,
      text,
      opt(text),
      opt(text),
      number,
      fc.constantFrom("ok", "error" as const),
      opt(fc.constantFrom("rate_limited", "client_gone" as const)),
      fc.boolean(),
    ),
    candidates: fc.array(candidate, { maxLength: 4 }),
    attempts: fc.array(attempt, { maxLength: 3 }),
    tail: fc.tuple(
      opt(text),
      opt(text),
      number,
      number,
      number,
      fc.boolean(),
      fc.boolean(),
      number,
      fc.constantFrom("none", "passed", "failed" as const),
      number,
      opt(number),
    ),
    traceparent: opt(text),
    region: opt(text),
    cache: opt(
      fc.oneof(
        fc.record({ status: fc.constant("hit" as const), savedUsd: number }),
        fc.record({ status: fc.constant("miss" as const) }),
        fc.record({ status: fc.constant("bypass" as const), reason: fc.constantFrom("no-store", "no-cache", "sampled" as const) }),
      ),
    ),
    usage: fc.tuple(opt(number), opt(number), opt(number)),
    attribution: fc.tuple(opt(text), opt(fc.dictionary(text, text, { maxKeys: 3 })), opt(fc.dictionary(text, text, { maxKeys: 3 }))),
    routing: fc.tuple(
      opt(fc.integer({ min: 1, max: 32 })),
      opt(number),
      opt(fc.array(fc.constantFrom("tools", "vision", "json"), { minLength: 1, maxLength: 3 })),
      opt(fc.array(exclusion, { minLength: 1, maxLength: 3 })),
    ),
    payload: opt(fc.record({ messages: fc.jsonValue(), completion: opt(text) })),
  })
  .map(({ head, candidates, attempts, tail, traceparent, region, cache, usage, attribution, routing, payload }) => {
    const [requestId, time, environment, configVersion, route, team, status, outcome, errorCode, stream] = head;
    const [model, provider, inputTokens, outputTokens, costUsd, canary, fallback, retries, validation, latencyMs, ttftMs] = tail;
    const r: TraceRecord = {
      v: 1,
      requestId,
      time,
      environment,
      configVersion,
      route,
      team,
      status,
      outcome,
      errorCode,
      stream,
      candidates,
      attempts,
      model,
      provider,
      inputTokens,
      outputTokens,
      costUsd,
      canary,
      fallback,
      retries,
      validation,
      latencyMs,
      ttftMs,
    };
    if (traceparent !== undefined) r.traceparent = traceparent;
    if (region !== undefined) r.region = region;
    if (cache !== undefined) r.cache = cache;
    const [cachedInputTokens, cacheWriteTokens, reasoningTokens] = usage;
    if (cachedInputTokens !== undefined) r.cachedInputTokens = cachedInputTokens;
    if (cacheWriteTokens !== undefined) r.cacheWriteTokens = cacheWriteTokens;
    if (reasoningTokens !== undefined) r.reasoningTokens = reasoningTokens;
    const [user, metadata, tags] = attribution;
    if (user !== undefined) r.user = user;
    if (metadata !== undefined) r.metadata = metadata;
    if (tags !== undefined) r.tags = tags;
    const [rule, complexity, requires, excluded] = routing;
    if (rule !== undefined) r.rule = rule;
    if (complexity !== undefined) r.complexity = complexity;
    if (requires !== undefined) r.requires = requires;
    if (excluded !== undefined) r.excluded = excluded;
    if (payload !== undefined) r.payload = payload;
    return r;
  });

describe("traceJson()", () => {
  it("equals JSON.stringify(record) for finishTrace-shaped records", () => {
    fc.assert(
      fc.property(record, (r) => {
        expect(traceJson(r)).toBe(JSON.stringify(r));
      }),
      { numRuns: 2_000, seed: 20261127 },
    );
  });

  it("equals JSON.stringify on a real bench record, twice (the escape cache answers the second)", () => {
    const r: TraceRecord = {
      v: 1,
      requestId: "ab7b1b37-29yz",
      time: "2026-11-27T03:03:33.675Z",
      environment: "default",
      configVersion: "4e937a99".repeat(8),
      route: "chat",
      team: "bench",
      status: 200,
      outcome: "ok",
      errorCode: undefined,
      stream: false,
      candidates: [
        { model: "mini-a", provider: "primary", step: 0, source: "primary", tier: "fast", reason: "primary: tier fast (weighted)" },
        { model: "backup", provider: "secondary", step: 1, source: "fallback", tier: "safety", reason: "fallback step 1: tier safety (weighted)" },
      ],
      attempts: [
        {
          model: "mini-a",
          provider: "primary",
          region: "eu",
          step: 0,
          attempt: 1,
          outcome: "ok",
          errorClass: undefined,
          status: undefined,
          latencyMs: 18,
          ttftMs: 18,
          reason: "primary",
          after: undefined,
        },
      ],
      model: "mini-a",
      provider: "primary",
      inputTokens: 12,
      outputTokens: 6,
      costUsd: 0.0000054,
      canary: false,
      fallback: false,
      retries: 0,
      validation: "none",
      latencyMs: 18,
      ttftMs: 18,
    };
    expect(traceJson(r)).toBe(JSON.stringify(r));
    expect(traceJson(r)).toBe(JSON.stringify(r));
  });
});

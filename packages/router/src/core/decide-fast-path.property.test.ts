/** @module decide()'s fast path (whole weighted targets at once) plans exactly what the general path plans. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Capability } from "@switchyard/ir";
import { decide, routeTableFor } from "./decide.ts";
import { mulberry32 } from "./rng.ts";
import { makeConfig, fakeState } from "./testing.ts";
import type { BreakerView, Decision, RoutingState } from "./types.ts";

const MODELS = ["m0", "m1", "m2", "m3", "m4", "m5", "m6", "m7"];
const CAPS: Capability[] = ["tools", "vision", "json"];

const modelSpec = fc.record({
  context: fc.constantFrom(8_000, 32_000, 128_000),
  lifecycle: fc.constantFrom("ga", "ga", "ga", "deprecated", "preview"),
  capabilities: fc.subarray(CAPS),
  residency: fc.constantFrom("eu", "us"),
});
const tierSpec = fc.record({
  members: fc.uniqueArray(fc.record({ model: fc.constantFrom(...MODELS), weight: fc.integer({ min: 1, max: 5 }) }), {
    minLength: 1,
    maxLength: 6,
    selector: (m) => m.model,
  }),
  strategy: fc.constantFrom("weighted", "weighted", "weighted", "cost"),
});
const ref = fc.oneof(fc.record({ tier: fc.constantFrom("t0", "t1", "t2") }), fc.record({ model: fc.constantFrom(...MODELS) }));
const breaker: fc.Arbitrary<BreakerView> = fc.oneof(
  fc.constant<BreakerView>({ status: "closed", openedAt: undefined }),
  fc.record({ status: fc.constant("open" as const), openedAt: fc.integer({ min: 0, max: 1_000_000 }) }),
  fc.record({ status: fc.constant("closed" as const), openedAt: fc.constant(undefined), weight: fc.double({ min: 0.05, max: 1, noNaN: true }) }),
);
const scenario = fc.record({
  models: fc.array(modelSpec, { minLength: MODELS.length, maxLength: MODELS.length }),
  tiers: fc.array(tierSpec, { minLength: 3, maxLength: 3 }),
  primary: fc.constantFrom("t0", "t1", "t2"),
  fallback: fc.array(ref, { maxLength: 3 }),
  residency: fc.constantFrom("any", "any", "eu"),
  maxP95Ms: fc.option(fc.constant(1_000), { nil: undefined }),
  environment: fc.constantFrom("dev", "prod"),
  requests: fc.array(
    fc.record({
      promptTokens: fc.integer({ min: 0, max: 40_000 }),
      requires: fc.subarray(CAPS, { maxLength: 1 }),
      // Region-aware placement groups members nearest first; the fast path orders each group as the general path does.
      region: fc.constantFrom(undefined, undefined, "eu", "us", "ap"),
      latency: fc.dictionary(
        fc.constantFrom(...MODELS),
        fc.record({ ewmaMs: fc.constant(100), p95Ms: fc.integer({ min: 100, max: 4_000 }), samples: fc.nat(40) }),
        {
          maxKeys: 3,
        },
      ),
      breakers: fc.dictionary(fc.constantFrom(...MODELS), breaker, { maxKeys: 2 }),
      seed: fc.integer(),
    }),
    { minLength: 1, maxLength: 6 },
  ),
});

/** The plan without reasons (explanations word them differently; everything else must match). */
function shape(d: Decision): unknown {
  if (!d.ok) return d;
  return { ...d.plan, candidates: d.plan.candidates.map(({ reason: _reason, ...c }) => c) };
}

describe("decide() fast path", () => {
  it("gives the same plan, exclusions, warnings and random draws as the general path (explain), with and without breakersClosed()", () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const config = makeConfig({
          environment: s.environment,
          providers: {
            eu: { kind: "openai", baseUrl: "http://127.0.0.1:9/eu", residency: "eu", region: "eu" },
            us: { kind: "openai", baseUrl: "http://127.0.0.1:9/us", region: "us" },
          },
          models: Object.fromEntries(
            MODELS.map((id, i) => {
              const m = s.models[i] ?? { context: 128_000, lifecycle: "ga", capabilities: [], residency: "us" };
              return [
                id,
                {
                  provider: m.residency,
                  name: id,
                  context: m.context,
                  price: { input: 1 + i, output: 2 },
                  lifecycle: m.lifecycle as "ga",
                  capabilities: m.capabilities,
                },
              ];
            }),
          ),
          tiers: Object.fromEntries(s.tiers.map((t, i) => [`t${i}`, { models: t.members, strategy: t.strategy as "weighted" }])),
          routes: {
            r: {
              tier: s.primary,
              fallback: s.fallback,
              residency: s.residency as "any",
              ...(s.maxP95Ms === undefined ? {} : { placement: { maxP95Ms: s.maxP95Ms } }),
            },
          },
          regions: { ap: ["us"], eu: ["us"] },
        });
        for (const r of s.requests) {
          const request = {
            route: "r",
            team: undefined,
            promptTokens: r.promptTokens,
            maxOutputTokens: 1_000,
            region: r.region,
            stickyKey: undefined,
            requires: r.requires,
          };
          const plain = fakeState({ breakers: r.breakers, latency: r.latency });
          const allClosed = Object.values(r.breakers).every((b) => b.status === "closed" && (b.weight ?? 1) >= 1);
          const vouching: RoutingState = { ...plain, breakersClosed: () => allClosed };
          const general = decide(config, request, plain, { rng: mulberry32(r.seed), now: 2_000_000, explain: true });
          const fast = decide(config, request, plain, { rng: mulberry32(r.seed), now: 2_000_000 });
          const faster = decide(config, request, vouching, { rng: mulberry32(r.seed), now: 2_000_000 });
          expect(shape(fast)).toEqual(shape(general));
          expect(shape(faster)).toEqual(shape(general));
          // With every breaker plainly closed, candidates are the shared frozen ones; the plan array is the caller's.
          if (fast.ok && allClosed) {
            for (const c of fast.plan.candidates) if (c.probe !== true) expect(Object.isFrozen(c)).toBe(true);
            expect(Object.isFrozen(fast.plan.candidates)).toBe(false);
          }
        }
      }),
      { numRuns: 400, seed: 20261127 },
    );
  });

  it("takes the fast path on a wide weighted route (no per-member breaker reads when the state vouches)", () => {
    const models = Object.fromEntries(MODELS.map((id) => [id, { provider: "p", name: id, context: 128_000, price: { input: 1, output: 1 } }]));
    const config = makeConfig({
      providers: { p: { kind: "openai", baseUrl: "http://127.0.0.1:9/v1" } },
      models,
      tiers: {
        a: { models: MODELS.slice(0, 4).map((model, i) => ({ model, weight: i + 1 })) },
        b: { models: MODELS.slice(4).map((model) => ({ model, weight: 1 })) },
      },
      routes: { wide: { tier: "a", fallback: [{ tier: "b" }] } },
    });
    expect(routeTableFor(config).routes.get("wide")?.disjoint).toBe(true);
    let reads = 0;
    const state: RoutingState = { ...fakeState(), breaker: () => (reads++, { status: "closed", openedAt: undefined }), breakersClosed: () => true };
    const d = decide(
      config,
      { route: "wide", team: undefined, promptTokens: 10, maxOutputTokens: undefined, region: undefined, stickyKey: undefined, requires: [] },
      state,
      { rng: () => 0.99, now: 0 },
    );
    expect(reads).toBe(0);
    expect(d.ok && d.plan.candidates.map((c) => c.model)).toEqual(["m3", "m2", "m1", "m0", "m7", "m4", "m5", "m6"]);
  });
});

/**
 * @module placement.property.test — Region-aware placement never crosses residency or data class: over random configs
 * (providers in random regions and residencies, tiers, routes with fallbacks and p95 targets, proximity tables, team
 * regions), random caller regions and random breaker and latency states, decide() plans only deployments the route's
 * residency allows, and placement only reorders: the same models are planned and excluded as with no region at all.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Config } from "@switchyard/ir";
import { decide } from "./decide.ts";
import { mulberry32 } from "./rng.ts";
import { fakeState, makeConfig } from "./testing.ts";
import type { BreakerView, Decision, RoutingRequest } from "./types.ts";

const REGIONS = ["eu-central", "eu-west", "us-east", "us-west"] as const;
const CALLERS = [...REGIONS, "ap-south", "mars-1"] as const;

const provider = fc.record({
  region: fc.option(fc.constantFrom(...REGIONS), { nil: undefined }),
  residency: fc.option(fc.constantFrom("eu" as const, "us" as const, "any" as const), { nil: undefined }),
  selfHosted: fc.boolean(),
});
const breaker: fc.Arbitrary<BreakerView> = fc.oneof(
  fc.constant<BreakerView>({ status: "closed", openedAt: undefined }),
  fc.record({ status: fc.constant("open" as const), openedAt: fc.integer({ min: 0, max: 1_000_000 }) }),
  fc.record({ status: fc.constant("half-open" as const), openedAt: fc.integer({ min: 0, max: 1_000_000 }), probeAvailable: fc.boolean() }),
  fc.record({ status: fc.constant("closed" as const), openedAt: fc.constant(undefined), weight: fc.double({ min: 0.05, max: 1, noNaN: true }) }),
);
const latency = fc.record({
  ewmaMs: fc.integer({ min: 1, max: 10_000 }),
  p95Ms: fc.integer({ min: 1, max: 10_000 }),
  samples: fc.integer({ min: 0, max: 200 }),
});

const scenario = fc
  .record({
    providers: fc.array(provider, { minLength: 1, maxLength: 6 }),
    models: fc.array(fc.record({ provider: fc.nat(), context: fc.constantFrom(8_000, 128_000) }), { minLength: 1, maxLength: 8 }),
    tiers: fc.array(
      fc.record({
        members: fc.array(fc.record({ model: fc.nat(), weight: fc.integer({ min: 1, max: 100 }) }), { minLength: 1, maxLength: 6 }),
        strategy: fc.option(fc.constantFrom("weighted" as const, "latency" as const, "cost" as const, "least-busy" as const), { nil: undefined }),
      }),
      { minLength: 1, maxLength: 3 },
    ),
    route: fc.record({
      primary: fc.nat(),
      fallback: fc.array(fc.record({ tier: fc.boolean(), index: fc.nat() }), { maxLength: 3 }),
      residency: fc.constantFrom("eu" as const, "us" as const, "any" as const),
      dataClass: fc.constantFrom("public" as const, "internal" as const, "confidential" as const, "restricted" as const),
      maxP95Ms: fc.option(fc.integer({ min: 100, max: 5_000 }), { nil: undefined }),
    }),
    table: fc.dictionary(fc.constantFrom(...CALLERS), fc.subarray([...REGIONS]), { maxKeys: 4 }),
    teamRegion: fc.option(fc.constantFrom(...REGIONS, "ap-south"), { nil: undefined }),
    caller: fc.option(fc.constantFrom(...CALLERS), { nil: undefined }),
    useTeam: fc.boolean(),
    promptTokens: fc.integer({ min: 0, max: 20_000 }),
    seed: fc.integer(),
  })
  .chain((s) =>
    fc.record({
      s: fc.constant(s),
      breakers: fc.dictionary(fc.constantFrom(...s.models.map((_, i) => `m${i}`)), breaker),
      latency: fc.dictionary(fc.constantFrom(...s.models.map((_, i) => `m${i}`)), latency),
    }),
  );

type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

function build(x: Scenario): Config {
  const { s } = x;
  const nModels = s.models.length;
  const tierIds = s.tiers.map((_, i) => `t${i}`);
  const table = Object.fromEntries(Object.entries(s.table).filter(([k]) => k !== "__proto__"));
  return makeConfig({
    providers: Object.fromEntries(
      s.providers.map((p, i) => [
        `p${i}`,
        {
          kind: "mock",
          ...(p.region === undefined ? {} : { region: p.region }),
          ...(p.residency === undefined ? {} : { residency: p.residency }),
          selfHosted: p.selfHosted,
        },
      ]),
    ),
    models: Object.fromEntries(
      s.models.map((m, i) => [`m${i}`, { provider: `p${m.provider % s.providers.length}`, name: `m${i}`, context: m.context, price: { input: i, output: i } }]),
    ),
    tiers: Object.fromEntries(
      s.tiers.map((t, i) => {
        const members = [...new Map(t.members.map((m) => [m.model % nModels, m.weight])).entries()].map(([m, weight]) => ({ model: `m${m}`, weight }));
        return [tierIds[i] as string, { models: members, ...(t.strategy === undefined ? {} : { strategy: t.strategy }) }];
      }),
    ),
    routes: {
      r: {
        tier: tierIds[s.route.primary % tierIds.length] as string,
        residency: s.route.residency,
        dataClass: s.route.dataClass,
        fallback: s.route.fallback.map((f) => (f.tier ? { tier: tierIds[f.index % tierIds.length] as string } : { model: `m${f.index % nModels}` })),
        ...(s.route.maxP95Ms === undefined ? {} : { placement: { maxP95Ms: s.route.maxP95Ms } }),
      },
    },
    teams: { t: { routes: ["r"], ...(s.teamRegion === undefined ? {} : { region: s.teamRegion }) } },
    regions: table,
  });
}

const planned = (d: Decision): string[] => (d.ok ? d.plan.candidates.map((c) => c.model).sort() : []);
const excluded = (d: Decision): string[] => (d.ok ? d.plan.excluded : d.excluded).map((e) => `${e.model}:${e.code}`).sort();

describe("region-aware placement properties (random configs, regions and states)", () => {
  it("never plans a deployment the route's residency or data class forbids, and only reorders what it would plan without a region", () => {
    fc.assert(
      fc.property(scenario, (x) => {
        const config = build(x);
        const { s } = x;
        const state = fakeState({ breakers: x.breakers, latency: x.latency });
        const request: RoutingRequest = {
          route: "r",
          team: s.useTeam ? "t" : undefined,
          promptTokens: s.promptTokens,
          maxOutputTokens: undefined,
          region: s.caller,
          stickyKey: undefined,
          requires: [],
        };
        const options = { rng: mulberry32(s.seed), now: 2_000_000 };
        const d = decide(config, request, state, options);
        const route = config.routes.r;
        if (d.ok) {
          for (const c of d.plan.candidates) {
            const p = config.providers[c.provider];
            if (route?.residency !== "any") expect(p?.residency).toBe(route?.residency);
            if (route?.dataClass === "confidential" || route?.dataClass === "restricted")
              expect(p?.selfHosted === true || (route.residency !== "any" && p?.residency === route.residency)).toBe(true);
          }
        }
        // Placement only reorders: without any region (and no p95 target) the same models are planned and excluded.
        const plain = decide(
          {
            ...config,
            regions: undefined,
            teams: { t: { ...config.teams.t, region: undefined } as NonNullable<Config["teams"]["t"]> },
            routes: { r: { ...route, placement: undefined } as NonNullable<Config["routes"]["r"]> },
          },
          { ...request, region: undefined },
          state,
          { rng: mulberry32(s.seed), now: 2_000_000 },
        );
        expect(d.ok).toBe(plain.ok);
        expect(planned(d)).toEqual(planned(plain));
        expect(excluded(d)).toEqual(excluded(plain));
        // Explanations plan the same order as the hot path.
        const explained = decide(config, request, state, { ...options, rng: mulberry32(s.seed), explain: true });
        expect(explained.ok && explained.plan.candidates.map((c) => c.model)).toEqual(d.ok && d.plan.candidates.map((c) => c.model));
      }),
      { numRuns: 500, seed: 20261207 },
    );
  });
});

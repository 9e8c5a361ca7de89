/** @module Property tests of decide(): invariants over random requests and breaker states. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Capability } from "@switchyard/ir";
import type { BreakerView } from "./types.ts";
import { decide, routeTableFor } from "./decide.ts";
import { mulberry32 } from "./rng.ts";
import { acmeConfig, fakeState } from "./testing.ts";

const config = acmeConfig();
const table = routeTableFor(config);
const modelIds = Object.keys(config.models);
const breaker: fc.Arbitrary<BreakerView> = fc.oneof(
  fc.constant<BreakerView>({ status: "closed", openedAt: undefined }),
  fc.record({ status: fc.constant("open" as const), openedAt: fc.integer({ min: 0, max: 1_000_000 }) }),
  fc.record({ status: fc.constant("half-open" as const), openedAt: fc.integer({ min: 0, max: 1_000_000 }), probeAvailable: fc.boolean() }),
  fc.record({ status: fc.constant("closed" as const), openedAt: fc.constant(undefined), weight: fc.double({ min: 0.05, max: 1, noNaN: true }) }),
);
const scenario = fc.record({
  route: fc.constantFrom("support-faq", "legal-review"),
  promptTokens: fc.integer({ min: 0, max: 250_000 }),
  maxOutputTokens: fc.option(fc.integer({ min: 1, max: 50_000 }), { nil: undefined }),
  region: fc.option(fc.constantFrom("eu", "us", "ap"), { nil: undefined }),
  stickyKey: fc.option(fc.string({ maxLength: 12 }), { nil: undefined }),
  requires: fc.subarray<Capability>(["tools", "vision", "json"]),
  breakers: fc.dictionary(fc.constantFrom(...modelIds), breaker),
  canary: fc.integer({ min: 0, max: 100 }),
  seed: fc.integer(),
});

describe("decide() properties (acme config, random requests and state)", () => {
  it("plans each model once, only models that pass residency/data-class/lifecycle and fit the context, and is reproducible", () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const state = fakeState({ breakers: s.breakers, canary: { [s.route]: s.canary } });
        const request = {
          route: s.route,
          team: undefined,
          promptTokens: s.promptTokens,
          maxOutputTokens: s.maxOutputTokens,
          region: s.region,
          stickyKey: s.stickyKey,
          requires: s.requires,
        };
        const d = decide(config, request, state, { rng: mulberry32(s.seed), now: 2_000_000 });
        expect(decide(config, request, state, { rng: mulberry32(s.seed), now: 2_000_000 })).toEqual(d);
        if (!d.ok) {
          expect(d.excluded.length).toBeGreaterThan(0);
          // Too long for every model is the request's fault (400); any other exclusion in the mix is not.
          expect(d.code).toBe(d.excluded.every((e) => e.code === "context-window") ? "context_length_exceeded" : "no_candidates");
          return;
        }
        const models = d.plan.candidates.map((c) => c.model);
        expect(new Set(models).size).toBe(models.length);
        const route = config.routes[s.route];
        for (const c of d.plan.candidates) {
          const provider = config.providers[c.provider];
          const model = config.models[c.model];
          if (route?.residency !== "any") expect(provider?.residency).toBe(route?.residency);
          expect(s.promptTokens + (s.maxOutputTokens ?? 0)).toBeLessThanOrEqual(model?.context ?? 0);
          const b = s.breakers[c.model];
          if (c.probe !== true && b !== undefined) expect(b.status === "open" || (b.status === "half-open" && b.probeAvailable === false)).toBe(false);
        }
        const probes = d.plan.candidates.filter((c) => c.probe === true);
        if (probes.length > 0) expect(d.plan.candidates).toHaveLength(1);
        // every member of every target is accounted for: planned or excluded
        const tr = table.routes.get(s.route);
        const all = new Set([...(tr?.primary.members ?? []), ...(tr?.fallback.flatMap((f) => f.members) ?? [])].map((m) => m.model));
        const seen = new Set([...models, ...d.plan.excluded.map((e) => e.model)]);
        for (const m of all) expect(seen.has(m)).toBe(true);
      }),
      { numRuns: 1_000, seed: 20261126 },
    );
  });
});

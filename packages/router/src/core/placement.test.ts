/** @module placement.test — Region-aware placement through decide(): nearest first, shifts on open breakers and p95, team regions. */
import { describe, expect, it } from "vitest";
import type { ConfigInput } from "@switchyard/ir";
import { decide } from "./decide.ts";
import { mulberry32 } from "./rng.ts";
import { PLACEMENT_MIN_P95_SAMPLES, RequestPlacement } from "./placement.ts";
import { compileRouteTable, type TableMember } from "./route-table.ts";
import { fakeState, makeConfig, req } from "./testing.ts";
import type { Decision, RoutingState } from "./types.ts";

const price = { input: 1, output: 1 };
/** One deployment per region, an EU-only route, a cost route (ties by strategy) and a p95 target. */
function geoConfig(extra: Partial<Omit<ConfigInput, "irVersion" | "environment">> = {}) {
  return makeConfig({
    providers: {
      fra: { kind: "openai", apiKey: { secret: "FRA_KEY" }, region: "eu-central", residency: "eu" },
      dub: { kind: "openai", apiKey: { secret: "DUB_KEY" }, region: "eu-west", residency: "eu" },
      iad: { kind: "openai", apiKey: { secret: "IAD_KEY" }, region: "us-east", residency: "us" },
      sfo: { kind: "openai", apiKey: { secret: "SFO_KEY" }, region: "us-west", residency: "us" },
      nowhere: { kind: "openai", apiKey: { secret: "NOWHERE_KEY" } },
    },
    models: {
      "m-fra": { provider: "fra", name: "m", context: 100_000, price },
      "m-dub": { provider: "dub", name: "m", context: 100_000, price },
      "m-iad": { provider: "iad", name: "m", context: 100_000, price },
      "m-sfo": { provider: "sfo", name: "m", context: 100_000, price },
      "m-any": { provider: "nowhere", name: "m", context: 100_000, price },
      "m-dub-cheap": { provider: "dub", name: "c", context: 100_000, price: { input: 0.1, output: 0.1 } },
    },
    tiers: {
      world: {
        models: [
          { model: "m-sfo", weight: 100 },
          { model: "m-iad", weight: 1 },
          { model: "m-any", weight: 1 },
          { model: "m-dub", weight: 1 },
          { model: "m-fra", weight: 1 },
        ],
      },
      eu: {
        models: [
          { model: "m-dub", weight: 1 },
          { model: "m-fra", weight: 1 },
          { model: "m-dub-cheap", weight: 1 },
        ],
        strategy: "cost",
      },
    },
    routes: {
      chat: { tier: "world", fallback: [{ tier: "eu" }] },
      "eu-only": { tier: "world", residency: "eu" },
      fast: { tier: "world", placement: { maxP95Ms: 2000 } },
      "us-then-eu": { model: "m-iad", fallback: [{ tier: "eu" }] },
    },
    regions: { "eu-central": ["eu-west", "us-east"], "ap-south": ["us-west", "eu-west"] },
    teams: { fra: { routes: ["chat", "eu-only", "fast"], region: "eu-central" }, open: { routes: ["chat"] } },
    ...extra,
  });
}
const config = geoConfig();
const order = (d: Decision): string[] => (d.ok ? d.plan.candidates.map((c) => c.model) : []);
const plan = (request: Parameters<typeof req>[0], state: RoutingState = fakeState(), seed = 1) =>
  decide(config, req(request), state, { rng: mulberry32(seed), now: 1_000, explain: false });

describe("region-aware placement", () => {
  it("orders a tier nearest first: the caller's region, then its `regions` list, then the rest by the strategy", () => {
    for (let seed = 1; seed <= 20; seed++) {
      const d = plan({ route: "chat", region: "eu-central" }, fakeState(), seed);
      // m-sfo weighs 100 of 104, yet the caller's own region and its list come first; the unlisted rest by weight.
      expect(order(d).slice(0, 3)).toEqual(["m-fra", "m-dub", "m-iad"]);
      expect(new Set(order(d).slice(3, 5))).toEqual(new Set(["m-sfo", "m-any"]));
    }
  });

  it("defaults to same region first for a caller region without a `regions` entry", () => {
    const d = plan({ route: "chat", region: "us-east" });
    expect(order(d)[0]).toBe("m-iad");
  });

  it("leaves the strategy's order alone for a region nothing declares, and when no region is known", () => {
    for (const region of ["mars-1", undefined]) {
      const firsts = new Set<string>();
      for (let seed = 1; seed <= 40; seed++) firsts.add(order(plan({ route: "chat", region }, fakeState(), seed))[0] ?? "");
      expect(firsts.has("m-sfo")).toBe(true);
    }
  });

  it("places each fallback tier nearest first too, ties by its own strategy (cost)", () => {
    // Tier eu (cost): m-dub and m-dub-cheap are in eu-west, m-fra in eu-central; the cheaper of the two nearest first.
    expect(order(plan({ route: "us-then-eu", region: "eu-west" }))).toEqual(["m-iad", "m-dub-cheap", "m-dub", "m-fra"]);
    expect(order(plan({ route: "us-then-eu", region: "eu-central" }))).toEqual(["m-iad", "m-fra", "m-dub-cheap", "m-dub"]);
    expect(order(plan({ route: "us-then-eu" }))).toEqual(["m-iad", "m-dub-cheap", "m-dub", "m-fra"]);
  });

  it("shifts to the next-nearest region when the caller's region has its breakers open", () => {
    const d = plan({ route: "chat", region: "eu-central" }, fakeState({ breakers: { "m-fra": { status: "open", openedAt: 0 } } }));
    expect(order(d)[0]).toBe("m-dub");
    expect(d.ok && d.plan.excluded.find((e) => e.model === "m-fra")?.code).toBe("breaker-open");
  });

  it("shifts to the next-nearest region when a deployment's p95 is over the route's target, but keeps it in the plan", () => {
    const slow = fakeState({ latency: { "m-fra": { ewmaMs: 2500, p95Ms: 3000, samples: 50 } } });
    let shifted = 0;
    for (let seed = 1; seed <= 200; seed++) {
      const o = order(plan({ route: "fast", region: "eu-central" }, slow, seed));
      expect(o).toContain("m-fra");
      if (o[0] === "m-dub") shifted++;
      else expect(o[0]).toBe("m-fra");
    }
    // All but the re-measuring share (5 %) yield to the next-nearest.
    expect(shifted).toBeGreaterThan(170);
    expect(shifted).toBeLessThan(200);
  });

  it("judges the p95 only after enough samples, and only against routes that set a target", () => {
    const few = fakeState({ latency: { "m-fra": { ewmaMs: 2500, p95Ms: 3000, samples: PLACEMENT_MIN_P95_SAMPLES - 1 } } });
    expect(order(plan({ route: "fast", region: "eu-central" }, few))[0]).toBe("m-fra");
    const slow = fakeState({ latency: { "m-fra": { ewmaMs: 2500, p95Ms: 3000, samples: 50 } } });
    expect(order(plan({ route: "chat", region: "eu-central" }, slow))[0]).toBe("m-fra");
  });

  it("uses the team's region when the request names none; the request's region wins", () => {
    const d = plan({ route: "chat", team: "fra" });
    expect(order(d)[0]).toBe("m-fra");
    expect(d.ok && d.plan.placement).toEqual({ region: "eu-central", source: "team", nearest: ["eu-central", "eu-west", "us-east"] });
    const overridden = plan({ route: "chat", team: "fra", region: "us-west" });
    expect(order(overridden)[0]).toBe("m-sfo");
    expect(overridden.ok && overridden.plan.placement?.source).toBe("request");
  });

  it("a caller region with a list but no provider of its own goes to its list first", () => {
    expect(order(plan({ route: "chat", region: "ap-south" })).slice(0, 2)).toEqual(["m-sfo", "m-dub"]);
  });

  it("never crosses residency: an EU route plans only EU deployments, wherever the caller is", () => {
    for (const region of ["us-east", "us-west", "ap-south", "eu-central"]) {
      const d = plan({ route: "eu-only", region });
      expect(new Set(order(d))).toEqual(new Set(["m-fra", "m-dub"]));
    }
  });

  it("explains each candidate's proximity and the p95 shift", () => {
    const slow = fakeState({ latency: { "m-fra": { ewmaMs: 2500, p95Ms: 3000, samples: 50 } } });
    const d = decide(config, req({ route: "fast", region: "eu-central" }), slow, { rng: mulberry32(1), now: 1_000, explain: true });
    expect(d.ok).toBe(true);
    if (!d.ok) return;
    const reasons = Object.fromEntries(d.plan.candidates.map((c) => [c.model, c.reason]));
    expect(reasons["m-dub"]).toContain("region eu-west: eu-central's choice 2 of 3");
    expect(reasons["m-fra"]).toContain("nearest: in the caller's region eu-central");
    expect(reasons["m-fra"]).toContain("p95 3000 ms over the route's 2000 ms target: behind the deployments within it");
    expect(reasons["m-any"]).toContain("region (none declared): not on eu-central's list");
  });

  it("orders a fully eligible target from its precomputed region groups exactly as the general path orders a copy", () => {
    const table = compileRouteTable(config);
    const over = { ewmaMs: 2500, p95Ms: 3000, samples: 50 };
    const states = [fakeState(), fakeState({ latency: { "m-fra": over } }), fakeState({ latency: { "m-fra": over, "m-sfo": over, "m-any": over } })];
    const cases = [
      { route: "chat", target: table.routes.get("chat")?.primary },
      { route: "chat", target: table.routes.get("chat")?.fallback[0] },
      // A p95 target: members over it yield their place (but for the re-measuring draw), with and without a region.
      { route: "fast", target: table.routes.get("fast")?.primary },
    ];
    for (const { route, target } of cases) {
      if (target === undefined) throw new Error(`route ${route} lacks a target`);
      for (const region of ["eu-central", "eu-west", "us-east", "ap-south", undefined]) {
        for (const state of states) {
          for (let seed = 1; seed <= 30; seed++) {
            const run = (members: readonly TableMember[]) => {
              const rng = mulberry32(seed);
              const placement = RequestPlacement.of(table.proximity, config.routes[route]!, req({ route, region }), state, rng);
              const ctx = { state, rng, now: 1_000, region, promptTokens: 10, maxOutputTokens: undefined, fullWeight: true };
              const keys = new Map<number, number>();
              const ordered = placement?.order(target, members, (g) => target.strategy.order(g, ctx), keys) ?? [];
              return { models: ordered.map((m) => m.model), keys: [...keys].sort((a, b) => a[0] - b[0]), next: rng() };
            };
            // target.members takes the precomputed (frozen) groups; a copy takes the general grouping.
            expect(run(target.members)).toEqual(run(target.members.slice()));
          }
        }
      }
    }
  });
});

/** @module Table and statistical tests of decide() with a seeded rng. */
import { afterEach, describe, expect, it, vi } from "vitest";
import { decide, decideWithTable } from "./decide.ts";
import { mulberry32 } from "./rng.ts";
import { compileRouteTable } from "./route-table.ts";
import { acmeConfig, fakeState, type FakeState, makeConfig, req } from "./testing.ts";
import type { Decision, RoutingRequest } from "./types.ts";

const NOW = Date.UTC(2026, 10, 26, 12, 0, 0);

function plan(d: Decision) {
  if (!d.ok) throw new Error(`expected a plan, got ${d.code}: ${d.message}`);
  return d.plan;
}
const models = (d: Decision) => plan(d).candidates.map((c) => c.model);
const run = (r: RoutingRequest, s: FakeState = {}, config = acmeConfig(), seed = 1) =>
  decide(config, r, fakeState(s), { rng: mulberry32(seed), now: NOW, explain: true });

/** A small config exercising lifecycle, data class, capabilities and canaries without residency in the way. */
function labConfig(environment = "prod") {
  return makeConfig({
    environment,
    providers: {
      a: { kind: "openai", region: "us" },
      b: { kind: "openai", region: "eu", residency: "eu" },
      self: { kind: "openai", selfHosted: true, region: "eu" },
    },
    models: {
      ga: { provider: "a", name: "ga", context: 8_000, price: { input: 1, output: 2 } },
      cheap: { provider: "b", name: "cheap", context: 8_000, price: { input: 0.1, output: 0.2 } },
      exp: { provider: "a", name: "exp", context: 8_000, price: { input: 1, output: 2 }, lifecycle: "experimental" },
      prev: { provider: "a", name: "prev", context: 8_000, price: { input: 1, output: 2 }, lifecycle: "preview" },
      old: { provider: "a", name: "old", context: 8_000, price: { input: 1, output: 2 }, lifecycle: "deprecated" },
      sunset: { provider: "a", name: "sunset", context: 8_000, price: { input: 1, output: 2 }, sunset: "2026-01-01" },
      tools: { provider: "a", name: "tools", context: 8_000, price: { input: 1, output: 2 }, capabilities: ["tools"] },
      vision: { provider: "b", name: "vision", context: 8_000, price: { input: 1, output: 2 }, capabilities: ["tools", "vision"] },
      mine: { provider: "self", name: "mine", context: 8_000, price: { input: 0, output: 0 } },
    },
    tiers: {
      mixed: {
        models: [
          { model: "exp", weight: 1 },
          { model: "prev", weight: 1 },
          { model: "ga", weight: 1 },
        ],
      },
      caps: {
        models: [
          { model: "tools", weight: 1 },
          { model: "vision", weight: 1 },
          { model: "ga", weight: 1 },
        ],
      },
      split: {
        models: [
          { model: "ga", weight: 70 },
          { model: "cheap", weight: 30 },
        ],
      },
      priced: {
        models: [
          { model: "ga", weight: 1 },
          { model: "cheap", weight: 1 },
        ],
        strategy: "cost",
      },
      busy: {
        models: [
          { model: "ga", weight: 1 },
          { model: "cheap", weight: 1 },
        ],
        strategy: "least-busy",
      },
    },
    routes: {
      lifecycle: { tier: "mixed" },
      secret: { tier: "split", dataClass: "confidential", fallback: [{ model: "mine" }] },
      secretEu: { tier: "split", dataClass: "restricted", residency: "eu" },
      caps: { tier: "caps", requires: ["tools"] },
      split: { tier: "split" },
      priced: { tier: "priced" },
      busy: { tier: "busy" },
      deprecated: { model: "old", fallback: [{ model: "sunset" }] },
      canary: { model: "ga", fallback: [{ model: "cheap" }], canary: { model: "exp", steps: [5, 50], everyMs: 60_000 } },
      dup: { tier: "split", fallback: [{ model: "ga" }, { tier: "priced" }, { model: "mine" }] },
      chain: { model: "ga", fallback: [{ model: "cheap" }, { model: "mine" }] },
    },
  });
}

describe("decide(): routing table", () => {
  it.each([
    {
      name: "tier strategy (latency) overrides optimize; without samples ties go to the heavier weight",
      r: req({ route: "support-faq" }),
      s: {},
      want: ["gpt-mini", "gpt-mini-eu", "claude", "llama-local"],
    },
    {
      name: "region hint puts the same-region member first among equals",
      r: req({ route: "support-faq", region: "eu" }),
      s: {},
      want: ["gpt-mini-eu", "gpt-mini", "claude", "llama-local"],
    },
    {
      name: "latency EWMA orders the tier",
      r: req({ route: "support-faq" }),
      s: { latency: { "gpt-mini": { ewmaMs: 300, p95Ms: 500, samples: 10 }, "gpt-mini-eu": { ewmaMs: 120, p95Ms: 200, samples: 10 } } },
      want: ["gpt-mini-eu", "gpt-mini", "claude", "llama-local"],
    },
    {
      name: "long-context target first; its model is not repeated later",
      r: req({ route: "support-faq", promptTokens: 20_000 }),
      s: {},
      want: ["claude", "gpt-mini", "gpt-mini-eu", "llama-local"],
    },
    {
      name: "prompt at the long-context threshold does not trigger it",
      r: req({ route: "support-faq", promptTokens: 16_000 }),
      s: {},
      want: ["gpt-mini", "gpt-mini-eu", "claude", "llama-local"],
    },
    {
      name: "context window excludes a small model",
      r: req({ route: "support-faq", promptTokens: 30_000, maxOutputTokens: 4_000 }),
      s: {},
      want: ["claude", "gpt-mini", "gpt-mini-eu"],
    },
    { name: "residency holds through the chain (legal-review: eu only)", r: req({ route: "legal-review", team: "legal" }), s: {}, want: ["llama-local"] },
    {
      name: "breaker open drops a member",
      r: req({ route: "support-faq" }),
      s: { breakers: { "gpt-mini": { status: "open", openedAt: NOW - 1_000 } } },
      want: ["gpt-mini-eu", "claude", "llama-local"],
    },
    {
      name: "half-open with a free probe slot stays in",
      r: req({ route: "support-faq" }),
      s: { breakers: { "gpt-mini": { status: "half-open", openedAt: NOW - 20_000, probeAvailable: true } } },
      want: ["gpt-mini", "gpt-mini-eu", "claude", "llama-local"],
    },
    {
      name: "half-open with its probe taken is out",
      r: req({ route: "support-faq" }),
      s: { breakers: { "gpt-mini": { status: "half-open", openedAt: NOW - 20_000, probeAvailable: false } } },
      want: ["gpt-mini-eu", "claude", "llama-local"],
    },
  ] satisfies { name: string; r: RoutingRequest; s: FakeState; want: string[] }[])("$name", ({ r, s, want }) => {
    expect(models(run(r, s))).toEqual(want);
  });

  it("names why each model was excluded, per step", () => {
    const p = plan(run(req({ route: "legal-review", team: "legal" }), { canary: { "legal-review": 0 } }));
    expect(p.excluded).toEqual([{ model: "claude", step: 0, code: "residency", reason: expect.stringContaining("residency eu") }]);
    const ctx = plan(run(req({ route: "support-faq", promptTokens: 30_000, maxOutputTokens: 4_000 })));
    expect(ctx.excluded).toContainEqual({
      model: "llama-local",
      step: 2,
      code: "context-window",
      reason: "needs 34000 tokens (prompt 30000 + output 4000); context is 32000",
    });
    const lc = plan(run(req({ route: "support-faq", promptTokens: 20_000 })));
    expect(lc.longContext).toBe(true);
    expect(lc.excluded).toContainEqual(expect.objectContaining({ model: "claude", step: 1, code: "duplicate" }));
    expect(lc.candidates.map((c) => [c.source, c.step])).toEqual([
      ["long-context", 0],
      ["primary", 0],
      ["primary", 0],
      ["fallback", 2],
    ]);
  });

  it("gives reasons and providers for every candidate", () => {
    const p = plan(run(req({ route: "support-faq" })));
    expect(p.strategy).toBe("latency");
    expect(p.candidates[0]).toMatchObject({ model: "gpt-mini", provider: "openai", tier: "fast", source: "primary", step: 0 });
    expect(p.candidates[0]?.reason).toBe("primary: tier fast (latency) #1 of 2: no latency samples yet");
    expect(p.candidates[2]?.reason).toBe("fallback step 1: tier frontier (cost) #1 of 1: est. $0.00780");
    expect(p.candidates[3]?.reason).toBe("fallback step 2: model llama-local");
  });

  it("without explain, reasons are the precomputed labels (hot path)", () => {
    const d = decide(acmeConfig(), req({ route: "support-faq", promptTokens: 20_000 }), fakeState(), { rng: mulberry32(1), now: NOW });
    expect(plan(d).candidates.map((c) => c.reason)).toEqual([
      "long context (over 16000 tokens): tier frontier (cost)",
      "primary: tier fast (latency)",
      "primary: tier fast (latency)",
      "fallback step 2: model llama-local",
    ]);
  });

  it("refuses unknown routes, teams not allowed the route, and undeclared teams", () => {
    expect(run(req({ route: "nope" }))).toMatchObject({ ok: false, code: "route_not_found" });
    expect(run(req({ route: "legal-review", team: "support" }))).toMatchObject({
      ok: false,
      code: "route_not_allowed",
      message: 'team "support" may not use route "legal-review"',
    });
    expect(run(req({ route: "support-faq", team: "ghost" }))).toMatchObject({ ok: false, code: "route_not_allowed" });
    expect(run(req({ route: "support-faq", team: "support" })).ok).toBe(true);
  });

  it("lifecycle: experimental and preview are out in prod, in elsewhere", () => {
    const prod = plan(run(req({ route: "lifecycle" }), {}, labConfig("prod")));
    expect(prod.candidates.map((c) => c.model)).toEqual(["ga"]);
    expect(prod.excluded.map((e) => [e.model, e.code])).toEqual([
      ["exp", "lifecycle"],
      ["prev", "lifecycle"],
    ]);
    expect(models(run(req({ route: "lifecycle" }), {}, labConfig("production")))).toEqual(["ga"]);
    expect(models(run(req({ route: "lifecycle" }), {}, labConfig("staging"))).sort()).toEqual(["exp", "ga", "prev"]);
  });

  it("deprecated models are allowed with a warning; so are models past their sunset", () => {
    const p = plan(run(req({ route: "deprecated" }), {}, labConfig()));
    expect(p.candidates.map((c) => c.model)).toEqual(["old", "sunset"]);
    expect(p.warnings.map((w) => [w.code, w.model])).toEqual([
      ["deprecated-model", "old"],
      ["deprecated-model", "sunset"],
    ]);
  });

  it("data class: confidential needs self-hosted (residency any); restricted with residency eu accepts eu providers", () => {
    const p = plan(run(req({ route: "secret" }), {}, labConfig()));
    expect(p.candidates.map((c) => c.model)).toEqual(["mine"]);
    expect(p.excluded.map((e) => [e.model, e.code])).toEqual([
      ["ga", "data-class"],
      ["cheap", "data-class"],
    ]);
    const eu = plan(run(req({ route: "secretEu" }), {}, labConfig()));
    expect(eu.candidates.map((c) => c.model)).toEqual(["cheap"]);
    expect(eu.excluded).toEqual([expect.objectContaining({ model: "ga", code: "residency" })]);
  });

  it("capabilities: route and request requirements both apply; undeclared capabilities are not filtered", () => {
    expect(models(run(req({ route: "caps" }), {}, labConfig())).sort()).toEqual(["ga", "tools", "vision"]);
    const p = plan(run(req({ route: "caps", requires: ["vision"] }), {}, labConfig()));
    expect(p.candidates.map((c) => c.model).sort()).toEqual(["ga", "vision"]);
    expect(p.excluded).toEqual([{ model: "tools", step: 0, code: "capability", reason: "lacks capability vision" }]);
  });

  it("cost strategy puts the cheapest estimate first; least-busy the emptiest", () => {
    expect(models(run(req({ route: "priced" }), {}, labConfig()))).toEqual(["cheap", "ga"]);
    expect(models(run(req({ route: "busy" }), { inFlight: { ga: 3, cheap: 5 } }, labConfig()))).toEqual(["ga", "cheap"]);
    expect(models(run(req({ route: "busy" }), { inFlight: { ga: 6, cheap: 5 } }, labConfig()))).toEqual(["cheap", "ga"]);
  });

  it("de-duplicates models across steps, keeping the first", () => {
    const p = plan(run(req({ route: "dup" }), {}, labConfig()));
    expect(new Set(p.candidates.map((c) => c.model)).size).toBe(p.candidates.length);
    expect(p.candidates.map((c) => c.model).sort()).toEqual(["cheap", "ga", "mine"]);
    expect(p.candidates.at(-1)).toMatchObject({ model: "mine", step: 3, source: "fallback" });
  });

  it("when every breaker is open, probes the one that opened longest ago", () => {
    const s: FakeState = {
      breakers: {
        ga: { status: "open", openedAt: NOW - 5_000 },
        cheap: { status: "open", openedAt: NOW - 9_000 },
        mine: { status: "open", openedAt: NOW - 2_000 },
      },
    };
    const p = plan(run(req({ route: "chain" }), s, labConfig()));
    expect(p.candidates).toEqual([expect.objectContaining({ model: "cheap", probe: true, step: 1, source: "fallback" })]);
    expect(p.excluded.map((e) => e.model)).toEqual(["ga", "mine"]);
  });

  it("does not probe a model excluded for another reason; fails with no_candidates and the reasons", () => {
    const d = run(req({ route: "legal-review", team: "legal", promptTokens: 40_000 }), { breakers: { claude: { status: "open", openedAt: NOW - 1 } } });
    expect(d).toMatchObject({ ok: false, code: "no_candidates" });
    if (d.ok) return;
    expect(d.excluded.map((e) => [e.model, e.code])).toEqual([
      ["claude", "residency"],
      ["llama-local", "context-window"],
    ]);
    expect(d.message).toContain("claude (residency)");
  });

  it("fails with context_length_exceeded when every model was left out for its context window alone", () => {
    const d = run(req({ route: "support-faq", team: "support", promptTokens: 5_000_000 }), {});
    expect(d).toMatchObject({ ok: false, code: "context_length_exceeded" });
    if (d.ok) return;
    expect(d.excluded.length).toBeGreaterThan(0);
    expect(d.excluded.every((e) => e.code === "context-window")).toBe(true);
  });

  it("canary: chosen first when the bucket falls under the share; lifecycle does not apply to it", () => {
    const p = plan(run(req({ route: "canary", stickyKey: "u1" }), { canary: { canary: 100 } }, labConfig("prod")));
    expect(p.canary).toBe(true);
    expect(p.candidates.map((c) => [c.model, c.source])).toEqual([
      ["exp", "canary"],
      ["ga", "primary"],
      ["cheap", "fallback"],
    ]);
    expect(p.candidates[0]?.reason).toContain("canary at 100%");
    const off = plan(run(req({ route: "canary", stickyKey: "u1" }), { canary: { canary: 0 } }, labConfig("prod")));
    expect(off.canary).toBe(false);
    expect(off.candidates.map((c) => c.model)).toEqual(["ga", "cheap"]);
  });

  it("canary excluded by residency is reported, not planned", () => {
    const p = plan(run(req({ route: "legal-review", team: "legal" }), { canary: { "legal-review": 100 } }));
    expect(p.canary).toBe(false);
    expect(p.candidates.map((c) => c.model)).toEqual(["llama-local"]);
    expect(p.warnings).toContainEqual(expect.objectContaining({ code: "canary-excluded", model: "claude-next" }));
  });

  it("is deterministic for a seed and never reads Math.random or Date.now", () => {
    const spyR = vi.spyOn(Math, "random");
    const spyD = vi.spyOn(Date, "now");
    const config = labConfig();
    const a = Array.from({ length: 50 }, (_, i) => run(req({ route: "split" }), {}, config, i));
    const b = Array.from({ length: 50 }, (_, i) => run(req({ route: "split" }), {}, config, i));
    expect(a).toEqual(b);
    expect(spyR).not.toHaveBeenCalled();
    expect(spyD).not.toHaveBeenCalled();
  });

  it("decideWithTable gives the same answer as decide", () => {
    const config = acmeConfig();
    const table = compileRouteTable(config);
    const r = req({ route: "support-faq", promptTokens: 20_000, region: "eu" });
    expect(decideWithTable(table, r, fakeState(), { rng: mulberry32(3), now: NOW })).toEqual(decide(config, r, fakeState(), { rng: mulberry32(3), now: NOW }));
  });
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe("decide(): statistics", () => {
  const config = labConfig();
  const N = 4_000;
  /** Bounds at ~5 standard deviations of a binomial share, so the test fails on a real bias, not on noise. */
  const bound = (p: number) => 5 * Math.sqrt((p * (1 - p)) / N);

  it("weighted split 70/30 holds over 4,000 decisions", () => {
    const rng = mulberry32(2026);
    let ga = 0;
    for (let i = 0; i < N; i++) {
      const d = decide(config, req({ route: "split" }), fakeState(), { rng, now: NOW });
      if (plan(d).candidates[0]?.model === "ga") ga++;
    }
    expect(Math.abs(ga / N - 0.7)).toBeLessThan(bound(0.7));
  });

  it("slow start: a recovering member's share scales with its weight", () => {
    const rng = mulberry32(7);
    let ga = 0;
    const s = fakeState({ breakers: { ga: { status: "closed", openedAt: NOW - 60_000, weight: 0.1 } } });
    for (let i = 0; i < N; i++) if (plan(decide(config, req({ route: "split" }), s, { rng, now: NOW })).candidates[0]?.model === "ga") ga++;
    const expected = 7 / (7 + 30); // 70·0.1 vs 30
    expect(Math.abs(ga / N - expected)).toBeLessThan(bound(expected));
  });

  it("canary share of 5 % holds over 4,000 requests, per request and per distinct user", () => {
    const rng = mulberry32(11);
    let perRequest = 0;
    let perUser = 0;
    const s = fakeState({ canary: { canary: 5 } });
    for (let i = 0; i < N; i++) {
      if (plan(decide(config, req({ route: "canary" }), s, { rng, now: NOW })).canary) perRequest++;
      if (plan(decide(config, req({ route: "canary", stickyKey: `user-${i}` }), s, { rng, now: NOW })).canary) perUser++;
    }
    expect(Math.abs(perRequest / N - 0.05)).toBeLessThan(bound(0.05));
    expect(Math.abs(perUser / N - 0.05)).toBeLessThan(bound(0.05));
  });

  it("sticky assignment: the same user lands on the same side across 1,000 calls", () => {
    const s = fakeState({ canary: { canary: 50 } });
    for (const user of ["alice", "bob", "carol", "dave", "erin", "frank"]) {
      const sides = new Set<boolean>();
      const rng = mulberry32(user.length);
      for (let i = 0; i < 1_000; i++) sides.add(plan(decide(config, req({ route: "canary", stickyKey: user }), s, { rng, now: NOW + i })).canary);
      expect(sides.size).toBe(1);
    }
  });

  it("raising the canary share keeps users already on the canary there", () => {
    const users = Array.from({ length: 500 }, (_, i) => `u${i}`);
    const at = (percent: number) =>
      new Set(
        users.filter(
          (u) =>
            plan(decide(config, req({ route: "canary", stickyKey: u }), fakeState({ canary: { canary: percent } }), { rng: mulberry32(1), now: NOW })).canary,
        ),
      );
    const five = at(5);
    const fifty = at(50);
    for (const u of five) expect(fifty.has(u)).toBe(true);
    expect(fifty.size).toBeGreaterThan(five.size);
  });
});

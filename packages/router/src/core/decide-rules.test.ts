import { describe, expect, it } from "vitest";
import { decide } from "./decide.ts";
import { mulberry32 } from "./rng.ts";
import { acmeConfig, fakeState, makeConfig, req } from "./testing.ts";
import type { Config } from "@switchyard/ir";

/** acme's support-faq with rules: risk:high → frontier, long prompts → llama-local, complex → frontier, team legal or region eu (any) → gpt-mini-eu. */
function withRules(when: NonNullable<Config["routes"][string]["when"]>, complexity?: { medium: number; high: number }): Config {
  const base = acmeConfig("dev");
  return makeConfig({
    ...base,
    routes: { ...base.routes, "support-faq": { ...base.routes["support-faq"], tier: "fast", when, ...(complexity === undefined ? {} : { complexity }) } },
  } as Parameters<typeof makeConfig>[0]);
}

const plan = (config: Config, r: Parameters<typeof req>[0]) => {
  const d = decide(config, req(r), fakeState(), { rng: mulberry32(1), now: 0 });
  if (!d.ok) throw new Error(d.message);
  return d.plan;
};

describe("decide() with `when` rules", () => {
  const config = withRules([
    { if: { tag: "risk:high" }, use: { tier: "frontier" } },
    { if: { tokens: { over: 4000 } }, use: { model: "llama-local" } },
    { if: { complexity: "high" }, use: { tier: "frontier" } },
    { if: { any: [{ team: "legal" }, { region: "eu", tools: true }] }, use: { model: "gpt-mini-eu" } },
    { if: { metadata: { tenant: "acme" }, images: true }, use: { model: "claude" } },
  ]);

  it("keeps the primary target when no rule holds, and says nothing of rules", () => {
    const p = plan(config, { route: "support-faq" });
    expect(p.candidates[0]?.source).toBe("primary");
    expect(p.candidates.slice(0, 2).map((c) => c.tier)).toEqual(["fast", "fast"]);
    expect(p.rule).toBeUndefined();
  });

  it("replaces the primary target with the first rule that holds; the fallback chain is unchanged", () => {
    const p = plan(config, { route: "support-faq", tags: { risk: "high" }, promptTokens: 5000 });
    expect(p.rule).toMatchObject({ index: 1, condition: "tag risk:high" });
    expect(p.candidates.map((c) => [c.model, c.step])).toEqual([
      ["claude", 0],
      ["llama-local", 2],
    ]);
    expect(p.candidates[0]?.reason).toContain("rule 1 (tag risk:high)");
    expect(p.excluded).toContainEqual(expect.objectContaining({ model: "claude", step: 1, code: "duplicate" }));
  });

  it("matches a tag against metadata too, and a bare key against any value", () => {
    const bare = withRules([{ if: { tag: "risk" }, use: { tier: "frontier" } }]);
    expect(plan(bare, { route: "support-faq", metadata: { risk: "low" } }).rule?.index).toBe(1);
    expect(plan(config, { route: "support-faq", metadata: { risk: "high" } }).rule?.index).toBe(1);
    expect(plan(config, { route: "support-faq", tags: { risk: "medium" } }).rule).toBeUndefined();
  });

  it("tests tokens strictly, complexity under the route's thresholds, and ANDs every test", () => {
    expect(plan(config, { route: "support-faq", promptTokens: 4000 }).rule).toBeUndefined();
    expect(plan(config, { route: "support-faq", promptTokens: 4001 }).rule?.index).toBe(2);
    expect(plan(config, { route: "support-faq", complexity: 40 }).rule?.index).toBe(3);
    expect(plan(config, { route: "support-faq", complexity: 39 }).rule).toBeUndefined();
    const strict = withRules([{ if: { complexity: "high" }, use: { tier: "frontier" } }], { medium: 50, high: 90 });
    expect(plan(strict, { route: "support-faq", complexity: 60 }).rule).toBeUndefined();
    expect(plan(config, { route: "support-faq", metadata: { tenant: "acme" } }).rule).toBeUndefined();
    expect(plan(config, { route: "support-faq", metadata: { tenant: "acme" }, requires: ["vision"] }).rule?.index).toBe(5);
  });

  it("`any` holds when one alternative does", () => {
    expect(plan(config, { route: "support-faq", team: undefined, region: "eu", requires: ["tools"] }).rule?.index).toBe(4);
    expect(plan(config, { route: "support-faq", region: "eu" }).rule).toBeUndefined();
    const open = withRules([{ if: { any: [{ team: "support" }] }, use: { model: "claude" } }]);
    expect(plan(open, { route: "support-faq", team: "support" }).candidates[0]?.model).toBe("claude");
  });

  it("keeps the route's residency for a rule's target (filters apply to every target)", () => {
    const base = acmeConfig("dev");
    const eu = makeConfig({
      ...base,
      routes: { ...base.routes, "legal-review": { ...base.routes["legal-review"], when: [{ if: { tag: "risk:high" }, use: { model: "gpt-mini" } }] } },
    } as Parameters<typeof makeConfig>[0]);
    const d = decide(eu, req({ route: "legal-review", tags: { risk: "high" } }), fakeState(), { rng: mulberry32(1), now: 0 });
    expect(d.ok && d.plan.candidates.map((c) => c.model)).toEqual(["llama-local"]);
    expect(d.ok && d.plan.excluded).toContainEqual(expect.objectContaining({ model: "gpt-mini", code: "residency" }));
  });

  it("plans the same with explanations on (general path) as off (fast path)", () => {
    for (const r of [{ tags: { risk: "high" } }, { promptTokens: 5000 }, { complexity: 80 }, {}]) {
      const fast = decide(config, req({ route: "support-faq", ...r }), fakeState(), { rng: mulberry32(7), now: 0 });
      const slow = decide(config, req({ route: "support-faq", ...r }), fakeState(), { rng: mulberry32(7), now: 0, explain: true });
      expect(fast.ok && fast.plan.candidates.map((c) => c.model)).toEqual(slow.ok && slow.plan.candidates.map((c) => c.model));
    }
  });
});

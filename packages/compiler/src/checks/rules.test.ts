import { describe, expect, it } from "vitest";
import type { Finding } from "./report.ts";
import { checkRouteRules } from "./rules.ts";

const base = {
  models: { mini: {}, big: {} },
  tiers: { fast: { models: ["mini"] }, frontier: { models: ["big"] } },
  teams: { support: {}, legal: {} },
};

function findings(when: unknown[]): Finding[] {
  const out: Finding[] = [];
  checkRouteRules({ ...base, routes: { chat: { tier: "fast", when } } }, (f) => out.push(f));
  return out;
}

describe("checkRouteRules", () => {
  it("accepts ordered rules from narrow to broad", () => {
    expect(
      findings([
        { if: { tag: "risk:high", tokens: { over: 8000 } }, use: { model: "big" } },
        { if: { tag: "risk:high" }, use: { tier: "frontier" } },
        { if: { tokens: { over: 4000 } }, use: { tier: "frontier" } },
        { if: { any: [{ team: "legal" }, { complexity: "high" }] }, use: { model: "big" } },
      ]),
    ).toEqual([]);
  });

  it("warns on a rule an earlier rule shadows (SY0405), naming it", () => {
    const f = findings([
      { if: { tag: "risk" }, use: { tier: "frontier" } },
      { if: { tag: "risk:high", tools: true }, use: { model: "big" } },
      { if: { tokens: { over: 4000 } }, use: { tier: "frontier" } },
      { if: { tokens: { over: 9000 } }, use: { model: "big" } },
    ]);
    expect(f.map((x) => [x.code, x.severity, x.path.join(".")])).toEqual([
      ["SY0405", "warning", "routes.chat.when.1.if"],
      ["SY0405", "warning", "routes.chat.when.3.if"],
    ]);
    expect(f[0]?.message).toBe('rule 2 of route "chat" can never apply: rule 1 (tag risk) already matches every request it would');
    expect(f[1]?.message).toContain("rule 3 (tokens over 4000)");
  });

  it("warns when every alternative of `any` is covered, by several earlier rules together", () => {
    const f = findings([
      { if: { team: "support" }, use: { tier: "frontier" } },
      { if: { complexity: "high" }, use: { model: "big" } },
      { if: { any: [{ team: "support", tools: true }, { complexity: "high" }] }, use: { model: "big" } },
    ]);
    expect(f).toHaveLength(1);
    expect(f[0]?.message).toContain("rule 1 (team support) and rule 2 (complexity high) already match");
  });

  it("warns on a rule whose tests contradict each other, and on everything after an unconditional rule", () => {
    const f = findings([
      { if: { tokens: { over: 4000, under: 4001 } }, use: { model: "big" } },
      { if: { team: "support", any: [{ team: "legal" }] }, use: { model: "big" } },
      { if: {}, use: { tier: "frontier" } },
      { if: { images: true }, use: { model: "big" } },
    ]);
    expect(f.map((x) => [x.path.join("."), x.message.split(": ")[1]])).toEqual([
      ["routes.chat.when.0.if", "its tests contradict each other"],
      ["routes.chat.when.1.if", "its tests contradict each other"],
      ["routes.chat.when.3.if", "rule 3 (always) already matches every request it would"],
    ]);
  });

  it("reports undeclared targets and teams with a hint", () => {
    const f = findings([
      { if: { team: "suport" }, use: { tier: "fronteir" } },
      { if: { any: [{ team: "legal" }] }, use: { model: "frontier" } },
    ]);
    expect(f.map((x) => [x.code, x.path.join("."), x.hint])).toEqual([
      ["SY0205", "routes.chat.when.0.use.tier", 'Did you mean "frontier"?'],
      ["SY0406", "routes.chat.when.0.if.team", 'Did you mean "support"?'],
      ["SY0202", "routes.chat.when.1.use.model", '"frontier" is a tier: write `use: { tier: "frontier" }`.'],
    ]);
  });
});

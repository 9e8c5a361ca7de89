/** @module Tests for diffAuthored: changes in the words of routes.ts, never a default nobody wrote, never a secret. */
import { describe, expect, it } from "vitest";
import { diffAuthored, tsLiteral } from "./authored.ts";

describe("diffAuthored", () => {
  it("shows durations, lists and objects as written, and leaves out what neither side wrote", () => {
    const old = { routes: { x: { tier: "fast", canary: { model: "m", steps: [5, 25, 100], every: "1h" } } }, teams: { t: { budget: { usd: 2000 } } } };
    const now = {
      routes: { x: { tier: "frontier", canary: { model: "m", steps: [10, 50, 100], every: "2h" } } },
      teams: { t: { budget: { usd: 3000, per: "week" } } },
    };
    expect(diffAuthored(old, now)).toEqual([
      { key: "routes.x.canary.every", kind: "update", old: '"1h"', new: '"2h"' },
      { key: "routes.x.canary.steps", kind: "update", old: "[5, 25, 100]", new: "[10, 50, 100]" },
      { key: "routes.x.tier", kind: "update", old: '"fast"', new: '"frontier"' },
      { key: "teams.t.budget.per", kind: "add", new: '"week"' },
      { key: "teams.t.budget.usd", kind: "update", old: "2000", new: "3000" },
    ]);
  });

  it("reads sections in review order and whole entities as literals", () => {
    const changes = diffAuthored({ teams: {}, models: {} }, { teams: { t: { keys: [{ secret: "T_KEY" }], routes: ["x"] } }, models: { m: { provider: "p" } } });
    expect(changes.map((c) => c.key)).toEqual(["models.m", "teams.t"]);
    expect(changes[1]?.new).toBe('{ keys: [secret("T_KEY")], routes: ["x"] }');
  });

  it("never shows a literal header value or a key-shaped string", () => {
    const key = ["sk", "proj", "abcdefghijklmnopqrstuvwxyz0123456789ABCD"].join("-");
    const changes = diffAuthored(
      { providers: { p: { headers: { "x-team": "alpha", "x-auth": { secret: "A" } } } } },
      { providers: { p: { headers: { "x-team": "beta", "x-auth": { secret: "B" } }, note: key } } },
    );
    expect(changes).toEqual([
      { key: "providers.p.headers.x-auth", kind: "update", old: 'secret("A")', new: 'secret("B")' },
      { key: "providers.p.headers.x-team", kind: "update", old: '"(literal value)"', new: '"(literal value)" (changed)' },
      { key: "providers.p.note", kind: "add", new: expect.not.stringContaining("abcdefghijklmnop") as unknown as string },
    ]);
    expect(tsLiteral({ "x-y": 1, ok: true })).toBe('{ "x-y": 1, ok: true }');
  });
});

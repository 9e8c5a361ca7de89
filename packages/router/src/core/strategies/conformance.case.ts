/** @module The conformance suite every Strategy runs (Hono's common.case.test.ts pattern). */
import { describe, expect, it, vi } from "vitest";
import { mulberry32 } from "../rng.ts";
import type { Strategy, StrategyContext, StrategyMember } from "../strategy.ts";
import { fakeState } from "../testing.ts";

export const STRATEGY_CASES = [
  "permutation",
  "no-mutation",
  "empty-and-single",
  "deterministic",
  "no-ambient-clock-or-random",
  "region-tiebreak",
  "declaration-order-tiebreak",
  "large-tier",
  "frozen-input",
] as const;
export type StrategyCase = (typeof STRATEGY_CASES)[number];

export function member(model: string, over: Partial<StrategyMember> = {}): StrategyMember {
  return {
    model,
    provider: "p",
    weight: 1,
    region: undefined,
    residency: undefined,
    selfHosted: false,
    context: 100_000,
    priceInput: 1,
    priceOutput: 1,
    lifecycle: "ga",
    capabilities: undefined,
    index: 0,
    ...over,
  };
}

export function context(over: Partial<StrategyContext> = {}): StrategyContext {
  return { state: fakeState(), rng: mulberry32(1), now: 1_000_000, region: undefined, promptTokens: 1_000, maxOutputTokens: undefined, ...over };
}

/** Members that differ in every dimension a strategy may read. */
function varied(n: number): StrategyMember[] {
  return Array.from({ length: n }, (_, i) =>
    member(`m${i}`, { index: i, weight: 1 + ((i * 7) % 5), priceInput: (i * 3) % 4, priceOutput: (i * 5) % 3, region: i % 2 === 0 ? "eu" : "us" }),
  );
}
const variedState = () =>
  fakeState({
    latency: Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`m${i}`, { ewmaMs: 50 + ((i * 37) % 200), p95Ms: 300, samples: 5 }])),
    inFlight: Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`m${i}`, (i * 11) % 7])),
  });

/**
 * Run the shared cases against a strategy. `skip` lists cases that do not apply, each with the reason
 * (e.g. a random draw has no ties, so tie-breaking cases do not apply to "weighted").
 */
export function runStrategyConformance(options: { name: string; create: () => Strategy; skip?: Partial<Record<StrategyCase, string>> }): void {
  const { name, create, skip = {} } = options;
  const test = (c: StrategyCase, title: string, fn: () => void) => {
    const reason = skip[c];
    if (reason !== undefined) it(`${title} — not applicable: ${reason}`, () => expect(reason.length).toBeGreaterThan(0));
    else it(title, fn);
  };

  describe(`strategy conformance: ${name}`, () => {
    test("permutation", "returns a new array holding exactly the input members", () => {
      const s = create();
      const input = varied(9);
      const out = s.order(input, context({ state: variedState() }));
      expect(out).not.toBe(input);
      expect(out).toHaveLength(input.length);
      expect(new Set(out)).toEqual(new Set(input));
    });

    test("no-mutation", "does not mutate the input array or members", () => {
      const input = varied(6);
      const copy = structuredClone(input.map((m) => ({ ...m, capabilities: undefined })));
      create().order(input, context({ state: variedState() }));
      expect(input.map((m) => ({ ...m, capabilities: undefined }))).toEqual(copy);
      expect(input.map((m) => m.model)).toEqual(["m0", "m1", "m2", "m3", "m4", "m5"]);
    });

    test("empty-and-single", "handles an empty and a single-member list", () => {
      const s = create();
      expect(s.order([], context())).toEqual([]);
      const one = member("solo");
      expect(s.order([one], context())).toEqual([one]);
    });

    test("deterministic", "gives the same order for the same seed and state", () => {
      const s = create();
      const input = varied(12);
      for (let seed = 0; seed < 20; seed++) {
        const a = s.order(input, context({ rng: mulberry32(seed), state: variedState() })).map((m) => m.model);
        const b = s.order(input, context({ rng: mulberry32(seed), state: variedState() })).map((m) => m.model);
        expect(a).toEqual(b);
      }
    });

    test("no-ambient-clock-or-random", "reads neither Math.random nor Date.now", () => {
      const r = vi.spyOn(Math, "random");
      const d = vi.spyOn(Date, "now");
      try {
        create().order(varied(8), context({ state: variedState() }));
        expect(r).not.toHaveBeenCalled();
        expect(d).not.toHaveBeenCalled();
      } finally {
        r.mockRestore();
        d.mockRestore();
      }
    });

    test("region-tiebreak", "puts the member in the caller's region first when all else is equal", () => {
      const input = [member("us1", { region: "us", index: 0 }), member("eu1", { region: "eu", index: 1 })];
      expect(
        create()
          .order(input, context({ region: "eu" }))
          .map((m) => m.model),
      ).toEqual(["eu1", "us1"]);
      expect(
        create()
          .order(input, context({ region: "us" }))
          .map((m) => m.model),
      ).toEqual(["us1", "eu1"]);
    });

    test("declaration-order-tiebreak", "keeps declaration order among complete equals", () => {
      const input = [member("c", { index: 2 }), member("a", { index: 0 }), member("b", { index: 1 })];
      expect(
        create()
          .order(input, context())
          .map((m) => m.model),
      ).toEqual(["a", "b", "c"]);
    });

    test("frozen-input", "orders a frozen array (the route table's), with or without fullWeight, exactly like a copy of it", () => {
      const s = create();
      for (const n of [3, 20, 60]) {
        const input = varied(n);
        const frozen = Object.freeze(input.slice());
        for (let seed = 0; seed < 10; seed++) {
          const a = s.order(frozen, context({ rng: mulberry32(seed), state: variedState() })).map((m) => m.model);
          const again = s.order(frozen, context({ rng: mulberry32(seed), state: variedState(), fullWeight: true })).map((m) => m.model);
          const b = s.order(input.slice(), context({ rng: mulberry32(seed), state: variedState() })).map((m) => m.model);
          expect(a).toEqual(b);
          expect(again).toEqual(b);
        }
      }
    });

    test("large-tier", "orders a 100-member tier quickly", () => {
      const s = create();
      const input = varied(100);
      const state = variedState();
      const rng = mulberry32(5);
      const t0 = performance.now();
      for (let i = 0; i < 200; i++) s.order(input, context({ rng, state }));
      expect((performance.now() - t0) / 200).toBeLessThan(2); // ms per call, generous for CI machines
    });
  });
}

/** @module The BudgetStore conformance suite: every implementation (memory, Redis) runs these very cases. */
import { describe, expect, it } from "vitest";
import { type MakeStore, MONTH_END, MONTH_START, withStore } from "./conformance.ts";
import type { BudgetTerms } from "./store.ts";
import type { BudgetStore } from "./stores.ts";

const hardBudget = (limitUsd: number, team = "t"): BudgetTerms => ({
  team,
  limitUsd,
  mode: "hard",
  period: "month",
  periodStart: MONTH_START,
  periodEnd: MONTH_END,
});

/**
 * Register the BudgetStore cases under `describe("budget store conformance: <name>")`.
 *
 * @example
 * budgetStoreConformance("memory", async () => ({ store: new MemoryBudgetStore(), close: async () => {} }));
 */
export function budgetStoreConformance(name: string, make: MakeStore<BudgetStore>): void {
  const test = (title: string, fn: (s: BudgetStore) => Promise<void>) => it(title, withStore(make, fn));

  describe(`budget store conformance: ${name}`, () => {
    test("an unknown team peeks as zero spend and nothing reserved", async (s) => {
      expect(await s.peek(hardBudget(5), MONTH_START)).toEqual({
        spentUsd: 0,
        reservedUsd: 0,
        limitUsd: 5,
        period: "month",
        periodStart: MONTH_START,
        periodEnd: MONTH_END,
        mode: "hard",
      });
    });

    test("hard budget: grants while spent + reserved + amount fits, refuses beyond, settles real cost", async (s) => {
      const t = MONTH_START + 1_000;
      const a = await s.reserve({ ...hardBudget(1), amountUsd: 0.6, now: t });
      expect(a).toMatchObject({ granted: true, overLimit: false, reservedUsd: 0.6, spentUsd: 0, limitUsd: 1, periodStart: MONTH_START, periodEnd: MONTH_END });
      const b = await s.reserve({ ...hardBudget(1), amountUsd: 0.5, now: t });
      expect(b).toMatchObject({ granted: false, id: undefined, overLimit: true });
      const c = await s.reserve({ ...hardBudget(1), amountUsd: 0.4, now: t });
      expect(c.granted).toBe(true);
      if (a.id === undefined || c.id === undefined) throw new Error("ids");
      expect(a.id).not.toBe(c.id);
      expect(await s.settle({ team: "t", id: a.id, costUsd: 0.25, now: t })).toMatchObject({ settled: true, spentUsd: 0.25 });
      expect(await s.settle({ team: "t", id: c.id, costUsd: 0, now: t })).toMatchObject({ settled: true, spentUsd: 0.25, reservedUsd: 0 });
      expect(await s.peek(hardBudget(1), t)).toEqual({
        spentUsd: 0.25,
        reservedUsd: 0,
        limitUsd: 1,
        period: "month",
        periodStart: MONTH_START,
        periodEnd: MONTH_END,
        mode: "hard",
      });
    });

    test("settles once per id: a second settle spends nothing; an unknown id settles nothing", async (s) => {
      const t = MONTH_START + 1_000;
      const a = await s.reserve({ ...hardBudget(1), amountUsd: 0.5, now: t });
      if (a.id === undefined) throw new Error("id");
      expect(await s.settle({ team: "t", id: a.id, costUsd: 0.4, now: t })).toMatchObject({ settled: true, spentUsd: 0.4, reservedUsd: 0 });
      expect(await s.settle({ team: "t", id: a.id, costUsd: 0.4, now: t })).toMatchObject({ settled: false, spentUsd: 0.4 });
      expect((await s.settle({ team: "t", id: "no-such-reservation", costUsd: 1, now: t })).settled).toBe(false);
      expect((await s.settle({ team: "nobody", id: a.id, costUsd: 1, now: t })).settled).toBe(false);
      expect((await s.peek(hardBudget(1), t)).spentUsd).toBe(0.4);
    });

    test("the limit counts reservations in flight: a settled release frees room", async (s) => {
      const t = MONTH_START + 1_000;
      const a = await s.reserve({ ...hardBudget(1), amountUsd: 1, now: t });
      expect((await s.reserve({ ...hardBudget(1), amountUsd: 0.01, now: t })).granted).toBe(false);
      if (a.id === undefined) throw new Error("id");
      await s.settle({ team: "t", id: a.id, costUsd: 0, now: t });
      expect((await s.reserve({ ...hardBudget(1), amountUsd: 0.01, now: t })).granted).toBe(true);
    });

    test("soft budget: always grants and reports overLimit", async (s) => {
      const soft = { ...hardBudget(1), mode: "soft" as const };
      const a = await s.reserve({ ...soft, amountUsd: 0.9, now: MONTH_START });
      expect(a).toMatchObject({ granted: true, overLimit: false });
      const b = await s.reserve({ ...soft, amountUsd: 0.9, now: MONTH_START });
      expect(b).toMatchObject({ granted: true, overLimit: true, reservedUsd: 1.8 });
    });

    test("a new period starts from zero spend; in-flight reservations still count until settled", async (s) => {
      const a = await s.reserve({ ...hardBudget(1), amountUsd: 0.3, now: MONTH_END - 10 });
      if (a.id === undefined) throw new Error("id");
      await s.settle({ team: "t", id: a.id, costUsd: 0.3, now: MONTH_END - 5 });
      const held = await s.reserve({ ...hardBudget(1), amountUsd: 0.5, now: MONTH_END - 1 });
      const next = { ...hardBudget(1), periodStart: MONTH_END, periodEnd: Date.UTC(2027, 2, 1) };
      const fresh = await s.reserve({ ...next, amountUsd: 0.5, now: MONTH_END });
      expect(fresh).toMatchObject({ granted: true, spentUsd: 0, reservedUsd: 1 });
      expect(await s.reserve({ ...next, amountUsd: 0.01, now: MONTH_END })).toMatchObject({ granted: false });
      if (held.id === undefined) throw new Error("id");
      expect(await s.settle({ team: "t", id: held.id, costUsd: 0.2, now: MONTH_END + 1 })).toMatchObject({ spentUsd: 0.2, periodStart: MONTH_END });
      expect((await s.peek(next, MONTH_END + 1)).spentUsd).toBe(0.2);
    });

    test("settlements sent together, one made after the day's end, each count in its own day", async (s) => {
      const dayStart = Date.UTC(2027, 0, 15);
      const dayEnd = dayStart + 86_400_000;
      const today: BudgetTerms = { team: "t", limitUsd: 1, mode: "hard", period: "day", periodStart: dayStart, periodEnd: dayEnd };
      const a = await s.reserve({ ...today, amountUsd: 0.3, now: dayStart + 1_000 });
      const b = await s.reserve({ ...today, amountUsd: 0.3, now: dayStart + 2_000 });
      if (a.id === undefined || b.id === undefined) throw new Error("ids");
      // Settled in one tick: a before midnight, b (a request that ran across it) after.
      const [sa, sb] = await Promise.all([
        s.settle({ team: "t", id: a.id, costUsd: 0.1, now: dayEnd - 1 }),
        s.settle({ team: "t", id: b.id, costUsd: 0.2, now: dayEnd + 1_000 }),
      ]);
      expect(sa).toMatchObject({ settled: true, spentUsd: 0.1, periodStart: dayStart });
      expect(sb).toMatchObject({ settled: true, spentUsd: 0.2, periodStart: dayEnd });
      expect((await s.peek({ ...today, periodStart: dayEnd, periodEnd: dayEnd + 86_400_000 }, dayEnd + 2_000)).spentUsd).toBeCloseTo(0.2, 9);
    });

    test("teams' budgets are independent", async (s) => {
      expect((await s.reserve({ ...hardBudget(1, "a"), amountUsd: 1, now: MONTH_START })).granted).toBe(true);
      expect((await s.reserve({ ...hardBudget(1, "b"), amountUsd: 1, now: MONTH_START })).granted).toBe(true);
      expect((await s.reserve({ ...hardBudget(1, "a"), amountUsd: 0.01, now: MONTH_START })).granted).toBe(false);
    });

    test("concurrent reservations against one hard budget never overspend it", async (s) => {
      const t = MONTH_START + 1_000;
      const answers = await Promise.all(Array.from({ length: 40 }, async () => s.reserve({ ...hardBudget(1), amountUsd: 0.1, now: t })));
      expect(answers.filter((r) => r.granted)).toHaveLength(10);
      expect((await s.peek(hardBudget(1), t)).reservedUsd).toBeCloseTo(1, 9);
    });

    test("claims a budget alert once per team, period and threshold", async (s) => {
      expect(await s.claimAlert({ team: "t", periodStart: MONTH_START, threshold: 0.5 })).toBe(true);
      expect(await s.claimAlert({ team: "t", periodStart: MONTH_START, threshold: 0.5 })).toBe(false);
      expect(await s.claimAlert({ team: "t", periodStart: MONTH_START, threshold: 0.8 })).toBe(true);
      expect(await s.claimAlert({ team: "t", periodStart: MONTH_END, threshold: 0.5 })).toBe(true);
      expect(await s.claimAlert({ team: "u", periodStart: MONTH_START, threshold: 0.5 })).toBe(true);
    });
  });
}

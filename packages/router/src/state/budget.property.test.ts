/** @module Property: under any interleaving of reservations and settlements no larger than their estimates, a hard budget is never overspent. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MemoryBudgetStore } from "./memory/budgets.ts";
import type { BudgetTerms } from "./store.ts";

const terms: BudgetTerms = { team: "t", limitUsd: 1, mode: "hard", period: "month", periodStart: 0, periodEnd: 2_592_000_000 };

type Op = { kind: "reserve"; amount: number } | { kind: "settle"; pick: number; fraction: number; fail: boolean };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant("reserve" as const), amount: fc.double({ min: 0, max: 0.5, noNaN: true }) }),
  fc.record({ kind: fc.constant("settle" as const), pick: fc.nat(), fraction: fc.double({ min: 0, max: 1, noNaN: true }), fail: fc.boolean() }),
);

describe("hard budget invariant", () => {
  it("spent + reserved never exceeds the limit, and settling everything leaves nothing reserved", () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 80 }), (ops) => {
        const s = new MemoryBudgetStore();
        const open: { id: string; amount: number }[] = [];
        for (const o of ops) {
          if (o.kind === "reserve") {
            const r = s.reserve({ ...terms, amountUsd: o.amount, now: 1 });
            if (r.granted && r.id !== undefined) open.push({ id: r.id, amount: o.amount });
          } else if (open.length > 0) {
            const [held] = open.splice(o.pick % open.length, 1);
            if (held !== undefined) s.settle({ team: "t", id: held.id, costUsd: o.fail ? 0 : held.amount * o.fraction, now: 1 });
          }
          const b = s.peek(terms);
          expect(b.spentUsd + b.reservedUsd).toBeLessThanOrEqual(terms.limitUsd + 1e-9);
        }
        for (const held of open) s.settle({ team: "t", id: held.id, costUsd: held.amount, now: 1 });
        const b = s.peek(terms);
        expect(b.reservedUsd).toBe(0);
        expect(b.spentUsd).toBeLessThanOrEqual(terms.limitUsd + 1e-9);
      }),
      { numRuns: 300 },
    );
  });
});

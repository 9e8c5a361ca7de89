/** @module MemoryBudgetStore: team budget ledgers of this process (reserve, settle, alerts). */
import { periodBounds } from "../budget-period.ts";
import type { BudgetReservation, BudgetReserveRequest, BudgetSettleRequest, BudgetSettlement, BudgetSnapshot, BudgetTerms } from "../store.ts";
import type { BudgetStore } from "../stores.ts";

/** A team's budget counters in one period; reservations outlive a period change until they settle. */
interface BudgetLedger {
  terms: BudgetTerms;
  spentUsd: number;
  reservedUsd: number;
  reservations: Map<string, number>;
}

/**
 * Budgets in Maps, answered synchronously; each call is a check-and-update in one step.
 *
 * @example
 * const budgets = new MemoryBudgetStore();
 * const r = budgets.reserve({ team: "support", limitUsd: 10, mode: "hard", period: "day", periodStart, periodEnd, amountUsd: 0.02, now });
 * if (r.granted) budgets.settle({ team: "support", id: r.id!, costUsd: 0.015, now });
 */
export class MemoryBudgetStore implements BudgetStore {
  readonly #ledgers = new Map<string, BudgetLedger>();
  readonly #alerts = new Set<string>();
  #reservationSeq = 0;

  reserve(request: BudgetReserveRequest): BudgetReservation {
    const ledger = this.#ledger(request);
    const amount = Math.max(0, request.amountUsd);
    const after = ledger.spentUsd + ledger.reservedUsd + amount;
    const overLimit = after > request.limitUsd;
    const granted = request.mode === "soft" || !overLimit;
    let id: string | undefined;
    if (granted) {
      id = `r${++this.#reservationSeq}`;
      ledger.reservations.set(id, amount);
      ledger.reservedUsd += amount;
    }
    return {
      granted,
      id,
      overLimit,
      spentUsd: ledger.spentUsd,
      reservedUsd: ledger.reservedUsd,
      limitUsd: request.limitUsd,
      periodStart: request.periodStart,
      periodEnd: request.periodEnd,
    };
  }

  settle(request: BudgetSettleRequest): BudgetSettlement {
    const ledger = this.#ledgers.get(request.team);
    if (ledger === undefined) return { spentUsd: 0, reservedUsd: 0, limitUsd: 0, periodStart: 0, settled: false };
    const amount = ledger.reservations.get(request.id);
    const settled = amount !== undefined;
    if (amount !== undefined) {
      ledger.reservations.delete(request.id);
      ledger.reservedUsd = ledger.reservations.size === 0 ? 0 : Math.max(0, ledger.reservedUsd - amount); // no float residue once idle
      const { start, end } = periodBounds(ledger.terms.period, request.now);
      if (start !== ledger.terms.periodStart) roll(ledger, { ...ledger.terms, periodStart: start, periodEnd: end });
      ledger.spentUsd += Math.max(0, request.costUsd);
    }
    return { spentUsd: ledger.spentUsd, reservedUsd: ledger.reservedUsd, limitUsd: ledger.terms.limitUsd, periodStart: ledger.terms.periodStart, settled };
  }

  claimAlert(request: { team: string; periodStart: number; threshold: number }): boolean {
    const key = `${request.team}\u0000${request.periodStart}\u0000${request.threshold}`;
    if (this.#alerts.has(key)) return false;
    this.#alerts.add(key);
    return true;
  }

  peek(terms: BudgetTerms): BudgetSnapshot {
    const ledger = this.#ledgers.get(terms.team);
    const current = ledger !== undefined && ledger.terms.period === terms.period && ledger.terms.periodStart === terms.periodStart;
    return {
      spentUsd: current ? ledger.spentUsd : 0,
      reservedUsd: ledger?.reservedUsd ?? 0,
      limitUsd: terms.limitUsd,
      period: terms.period,
      periodStart: terms.periodStart,
      periodEnd: terms.periodEnd,
      mode: terms.mode,
    };
  }

  /** The team's ledger for the request's period (a new period starts from zero spend). */
  #ledger(terms: BudgetTerms): BudgetLedger {
    let ledger = this.#ledgers.get(terms.team);
    if (ledger === undefined) {
      ledger = { terms, spentUsd: 0, reservedUsd: 0, reservations: new Map() };
      this.#ledgers.set(terms.team, ledger);
    } else if (terms.periodStart > ledger.terms.periodStart || terms.period !== ledger.terms.period) roll(ledger, terms);
    else ledger.terms = { ...terms, periodStart: ledger.terms.periodStart, periodEnd: ledger.terms.periodEnd };
    return ledger;
  }
}

function roll(ledger: BudgetLedger, terms: BudgetTerms): void {
  ledger.terms = terms;
  ledger.spentUsd = 0;
}

/** @module RedisAdmissionStore: a governed request's rate-limit take and reservation in one script, its settlement and token correction in another. */
import type { Admission, AdmitRequest, BudgetSettlement, SettleAndAdjustRequest } from "../store.ts";
import type { AdmissionStore } from "../stores.ts";
import { BackendDown } from "./backend.ts";
import type { RedisBudgetStore } from "./budgets.ts";
import type { RedisRateLimitStore } from "./limits.ts";

/**
 * At most one round trip each way for a governed request: ADMIT before the first attempt, SETTLE_ADJUST
 * after it — each shared with the team's other admissions (settlements) of the same tick, so a busy
 * replica sends fewer than one per request. Both scripts touch only the team's keys (one hash tag).
 * While Redis is down, each falls back to the two stores' own calls, which refuse or serve locally per
 * `onUnavailable` as they always do.
 */
export class RedisAdmissionStore implements AdmissionStore {
  readonly #budgets: RedisBudgetStore;
  readonly #limits: RedisRateLimitStore;

  constructor(budgets: RedisBudgetStore, limits: RedisRateLimitStore) {
    this.#budgets = budgets;
    this.#limits = limits;
  }

  admit(request: AdmitRequest): Promise<Admission> {
    const take = request.limits;
    // Promise callbacks rather than async functions: this is every governed request's path.
    return this.#budgets.admitShared(request.budget, { key: this.#limits.key(take.team), terms: take, amount: take.tokens }).catch((error: unknown) => {
      if (!(error instanceof BackendDown)) throw error;
      return this.#admitApart(request);
    });
  }

  settleAndAdjust(request: SettleAndAdjustRequest): Promise<BudgetSettlement> {
    const adjust = request.adjust;
    if (adjust.tpm === undefined || !Number.isFinite(adjust.deltaTokens)) return this.#settleApart(request);
    let settled: Promise<BudgetSettlement> | undefined;
    try {
      settled = this.#budgets.settleSharedAdjusting(request.settle, { key: this.#limits.key(adjust.team), terms: adjust, amount: adjust.deltaTokens });
    } catch (error) {
      return Promise.reject(error);
    }
    if (settled === undefined) return this.#settleApart(request);
    return settled.catch((error: unknown) => {
      if (!(error instanceof BackendDown)) throw error;
      return this.#settleApart(request);
    });
  }

  /** Redis down: the rate-limit take and the reservation as each store makes them on its own (refused or local per `onUnavailable`). */
  async #admitApart(request: AdmitRequest): Promise<Admission> {
    const rateLimit = await this.#limits.take(request.limits);
    if (!rateLimit.allowed) return { rateLimit, reservation: undefined };
    return { rateLimit, reservation: await this.#budgets.reserve(request.budget) };
  }

  /** A local reservation (made during an outage) or Redis down: each store as on its own. */
  async #settleApart(request: SettleAndAdjustRequest): Promise<BudgetSettlement> {
    const adjusted = this.#limits.adjustTokens(request.adjust).catch(() => undefined);
    const settled = await this.#budgets.settle(request.settle);
    await adjusted;
    return settled;
  }
}

/** @module composeStateStores: the StateStores bundle from its four (five) parts, with the view and snapshot every kind shares. */
import type { Config } from "@switchyard/ir";
import type { RoutingState } from "../core/types.ts";
import type { FeedbackStore } from "../governance/feedback.ts";
import type { ResponseCacheStore } from "../cache/store.ts";
import { periodBounds } from "./budget-period.ts";
import type { Admission, AdmitRequest, Awaitable, BudgetSettlement, BudgetSnapshot, LimitSnapshot, SettleAndAdjustRequest, StateSnapshot } from "./store.ts";
import type { AdmissionStore, BudgetStore, HealthStore, RateLimitStore, ReleaseStore, RolloutStore, StateStores } from "./stores.ts";

/** The parts of a StateStores; `view` and `snapshot` are derived from them. */
export interface StateStoresParts<B extends BudgetStore, L extends RateLimitStore, H extends HealthStore, R extends RolloutStore> {
  kind: StateStores["kind"];
  budgets: B;
  limits: L;
  health: H;
  rollout: R;
  releases?: ReleaseStore;
  /** A shared feedback store (Redis); absent: the router keeps one in memory. */
  feedback?: FeedbackStore;
  /** A shared response cache (Redis); absent: the router keeps one in memory. */
  cache?: ResponseCacheStore;
  /** Absent: `limits` and `budgets` called in sequence (synchronous when both stores are). */
  admission?: AdmissionStore;
  backendUp?: () => boolean;
  close?: () => Promise<void>;
}

/** A StateStores whose parts keep their own (narrower) types, e.g. the synchronous memory stores. */
export interface ComposedStateStores<B extends BudgetStore, L extends RateLimitStore, H extends HealthStore, R extends RolloutStore> extends StateStores {
  readonly budgets: B;
  readonly limits: L;
  readonly health: H;
  readonly rollout: R;
}

/**
 * Bundle the stores. The snapshot lists breakers, latency and in-flight counts from `health`, canaries
 * from `rollout`, and the budgets and rate limits of every team `config` gives one (zeros before a
 * team's first request).
 *
 * @example
 * const stores = composeStateStores({ kind: "redis", budgets, limits, health: new MemoryHealthStore(), rollout, releases, backendUp, close });
 */
export function composeStateStores<B extends BudgetStore, L extends RateLimitStore, H extends HealthStore, R extends RolloutStore>(
  parts: StateStoresParts<B, L, H, R>,
): ComposedStateStores<B, L, H, R> {
  const { kind, budgets, limits, health, rollout, releases } = parts;
  return {
    kind,
    budgets,
    limits,
    admission: parts.admission ?? new SequentialAdmission(budgets, limits),
    health,
    rollout,
    releases,
    ...(parts.feedback !== undefined ? { feedback: parts.feedback } : {}),
    ...(parts.cache !== undefined ? { cache: parts.cache } : {}),
    view: (now: number): RoutingState => health.view(now, rollout),
    snapshot: async (config: Config, now: number): Promise<StateSnapshot> => {
      const teams = Object.entries(config.teams).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      const [canaries, budgetRows, limitRows] = await Promise.all([
        rollout.snapshot(now),
        Promise.all(
          teams.map(async ([team, def]): Promise<[string, BudgetSnapshot] | undefined> => {
            const budget = def.budget;
            if (budget === undefined) return undefined;
            const { start, end } = periodBounds(budget.per, now);
            return [team, await budgets.peek({ team, limitUsd: budget.usd, mode: budget.mode, period: budget.per, periodStart: start, periodEnd: end }, now)];
          }),
        ),
        Promise.all(
          teams.map(async ([team, def]): Promise<[string, LimitSnapshot] | undefined> => {
            const rpm = def.limits?.rpm;
            const tpm = def.limits?.tpm;
            if (rpm === undefined && tpm === undefined) return undefined;
            const d = await limits.peek({ team, rpm, tpm, now });
            const row: LimitSnapshot = {};
            if (d.requests !== undefined) row.rpm = d.requests;
            if (d.tokens !== undefined) row.tpm = d.tokens;
            return [team, row];
          }),
        ),
      ]);
      return {
        breakers: health.breakerSnapshot(now),
        latency: health.latencySnapshot(),
        inFlight: health.inFlightSnapshot(),
        canaries,
        budgets: Object.fromEntries(budgetRows.filter((row) => row !== undefined)),
        limits: Object.fromEntries(limitRows.filter((row) => row !== undefined)),
      };
    },
    backendUp: parts.backendUp ?? (() => true),
    close: parts.close ?? (() => Promise.resolve()),
  };
}

/** An AdmissionStore over two stores' own calls, in sequence: atomic as a whole for stores that answer synchronously (memory). */
class SequentialAdmission implements AdmissionStore {
  constructor(
    private readonly budgets: BudgetStore,
    private readonly limits: RateLimitStore,
  ) {}

  admit(request: AdmitRequest): Awaitable<Admission> {
    const rateLimit = this.limits.take(request.limits);
    return rateLimit instanceof Promise ? rateLimit.then((d) => this.#reserve(request, d)) : this.#reserve(request, rateLimit);
  }

  settleAndAdjust(request: SettleAndAdjustRequest): Awaitable<BudgetSettlement> {
    const adjusted = this.limits.adjustTokens(request.adjust);
    if (adjusted instanceof Promise) adjusted.catch(() => undefined);
    return this.budgets.settle(request.settle);
  }

  #reserve(request: AdmitRequest, rateLimit: Admission["rateLimit"]): Awaitable<Admission> {
    if (!rateLimit.allowed) return { rateLimit, reservation: undefined };
    const reservation = this.budgets.reserve(request.budget);
    return reservation instanceof Promise ? reservation.then((r) => ({ rateLimit, reservation: r })) : { rateLimit, reservation };
  }
}

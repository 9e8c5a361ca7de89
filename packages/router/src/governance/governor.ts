/** @module The governor: rate limits before decide(), budget reservations around every attempt, settlement and alerts. */
import type { Budget } from "@switchyard/ir";
import type { Candidate } from "../core/index.ts";
import { RouterError } from "../errors.ts";
import type { RequestContext } from "../execute/context.ts";
import {
  type Admission,
  type AdmissionStore,
  type Awaitable,
  type BudgetReservation,
  type BudgetReserveRequest,
  type BudgetStore,
  type RateLimitDecision,
  type RateLimitStore,
  periodBounds,
} from "../state/index.ts";
import { attemptEstimateUsd, reservedTokens } from "./estimate.ts";
import { rateLimitHeaders, retryAfterSeconds } from "./headers.ts";
import type { AttemptAdmission, AttemptClose, AttemptTicket, BudgetAlert, Governed } from "./types.ts";

/** Header flagging an answer served past a soft budget. */
export const BUDGET_HEADER = "x-switchyard-budget";

export interface GovernorOptions {
  /** Team budgets (reserve before each attempt, settle after). */
  budgets: BudgetStore;
  /** Team rate limits (taken before decide(), corrected after the response). */
  limits: RateLimitStore;
  /**
   * Both in one step (StateStores.admission): a team with limits and a budget then takes its rate limit
   * together with the first attempt's reservation, and settles with its token correction (one Redis
   * round trip each). Absent: the two stores' calls, the take before decide().
   */
  admission?: AdmissionStore;
  now: () => number;
  /** Called once per threshold crossing (never throws into a request). */
  onBudgetAlert?: (alert: BudgetAlert) => void;
}

export interface Governor {
  /**
   * Before decide(): take from the team's rate-limit buckets and set the `x-ratelimit-*` headers
   * (throws RouterError `rate_limited` with Retry-After). Teams without budget or limits cost one
   * Map lookup. Synchronous when the rate-limit store is. With an admission store, a team with a
   * budget too defers the take to its first attempt's admission (one step with the reservation).
   */
  admitRequest(ctx: RequestContext, features: { promptTokens: number; maxOutputTokens: number | undefined }): Awaitable<void>;
  /**
   * Before each attempt: reserve the attempt's estimate at this candidate's price (undefined: no budget).
   * The first one also takes a deferred rate limit, and throws RouterError `rate_limited` as admitRequest would.
   */
  admitAttempt(ctx: RequestContext, candidate: Candidate): Awaitable<AttemptAdmission | undefined>;
  /**
   * A request answered without an attempt (a response-cache hit): a rate limit admitRequest deferred to the first
   * attempt is taken now, without tokens, and throws RouterError `rate_limited` as admitRequest would.
   */
  admitWithoutAttempt(ctx: RequestContext): Awaitable<void>;
  /** After the response: correct the token bucket with real usage. */
  finishRequest(ctx: RequestContext): void;
}

/**
 * Create the governor for a router.
 *
 * @example
 * const governor = createGovernor({ budgets: state.budgets, limits: state.limits, now: Date.now, onBudgetAlert: (a) => console.log(a) });
 */
export function createGovernor(options: GovernorOptions): Governor {
  const { budgets, limits: rateLimits, admission, now } = options;

  const setHeaders = (ctx: RequestContext, headers: Record<string, string>): void => {
    ctx.responseHeaders = ctx.responseHeaders === undefined ? headers : { ...ctx.responseHeaders, ...headers };
  };

  const onRateLimit = (ctx: RequestContext, g: Governed, tokens: number, d: RateLimitDecision): void => {
    setHeaders(ctx, rateLimitHeaders(d));
    if (!d.allowed) {
      const retry = Number.isFinite(d.retryAfterMs) ? d.retryAfterMs : 60_000;
      const which = d.requests !== undefined && d.requests.remaining < 1 ? `${d.requests.capacity} requests` : `${d.tokens?.capacity ?? 0} tokens`;
      throw new RouterError("rate_limited", `team \`${g.team}\` is over its rate limit of ${which} per minute; retry after ${retryAfterSeconds(retry)} s`, {
        headers: { "retry-after": retryAfterSeconds(retry) },
      });
    }
    g.tokensTaken = tokens;
  };

  /** Alert on the thresholds a settlement crossed (each once per period, claimed in the budget store). */
  const alertOn = (
    g: Governed,
    budget: Budget,
    cost: number,
    at: number,
    s: { spentUsd: number; limitUsd: number; periodStart: number; settled: boolean },
  ): void => {
    if (!s.settled || cost === 0 || options.onBudgetAlert === undefined || budget.alertAt.length === 0) return;
    const { start, end } = periodBounds(budget.per, s.periodStart);
    for (const threshold of budget.alertAt) {
      if (s.spentUsd < threshold * s.limitUsd) continue;
      guard(() =>
        then(budgets.claimAlert({ team: g.team, periodStart: s.periodStart, threshold }), (first) => {
          if (!first) return;
          options.onBudgetAlert?.({
            team: g.team,
            threshold,
            spentUsd: s.spentUsd,
            limitUsd: s.limitUsd,
            period: budget.per,
            mode: budget.mode,
            periodStart: new Date(start).toISOString(),
            periodEnd: new Date(end).toISOString(),
            at: new Date(at).toISOString(),
          });
        }),
      );
    }
  };

  const settle = (ctx: RequestContext, g: Governed, budget: Budget, id: string, estimate: number, outcome: AttemptClose): void => {
    const at = now();
    // A failed attempt costs nothing, unless it had answered and was priced on what it produced (a stream cut part-way).
    const cost = outcome.ok ? (outcome.costUsd ?? estimate) : (outcome.costUsd ?? 0);
    // The answer's real usage corrects the token bucket in the same step as the settlement (finishRequest then has nothing left to do).
    const tpm = g.def.limits?.tpm;
    const usage = outcome.ok ? ctx.usage : undefined;
    const delta = usage === undefined || tpm === undefined || g.tokensTaken === 0 ? 0 : usage.prompt_tokens + usage.completion_tokens - g.tokensTaken;
    // As guard(then(...)) would, without two closures per attempt when the store answers at once.
    try {
      const request = { team: g.team, id, costUsd: cost, now: at };
      let settled: ReturnType<BudgetStore["settle"]>;
      if (delta !== 0 && admission !== undefined) {
        g.tokensTaken += delta;
        settled = admission.settleAndAdjust({ settle: request, adjust: { team: g.team, rpm: g.def.limits?.rpm, tpm, deltaTokens: delta, now: at } });
      } else settled = budgets.settle(request);
      if (settled instanceof Promise) settled.then((r) => alertOn(g, budget, cost, at, r)).catch(() => undefined);
      else alertOn(g, budget, cost, at, settled);
    } catch {
      // Bookkeeping errors never reach the client.
    }
  };

  const onReservation = (
    ctx: RequestContext,
    g: Governed,
    budget: Budget,
    candidate: Candidate,
    estimate: number,
    r: BudgetReservation,
    at: number,
  ): AttemptAdmission => {
    if (!r.granted || r.id === undefined) {
      const reason = `${candidate.model} would exceed team \`${g.team}\`'s hard budget: $${usd(r.spentUsd)} spent + $${usd(r.reservedUsd)} reserved + $${usd(estimate)} estimated > $${usd(r.limitUsd)} per ${budget.per}`;
      const error = new RouterError("budget_exceeded", `${reason}; the budget resets at ${new Date(r.periodEnd).toISOString()}`, {
        headers: { "retry-after": retryAfterSeconds(r.periodEnd - at) },
      });
      return { admitted: false, reason, error };
    }
    if (r.overLimit) setHeaders(ctx, { [BUDGET_HEADER]: "soft-exceeded" });
    return { admitted: true, ticket: new BudgetTicket(settle, ctx, g, budget, r.id, estimate) };
  };

  /** The first attempt's combined answer: the rate limit as admitRequest judges it (throws when refused), then the reservation. */
  const onAdmission = (ctx: RequestContext, g: Governed, budget: Budget, candidate: Candidate, estimate: number, tokens: number, a: Admission, at: number) => {
    onRateLimit(ctx, g, tokens, a.rateLimit);
    const r = a.reservation;
    if (r === undefined) throw new RouterError("internal_error", "the admission allowed the request without answering its reservation");
    return onReservation(ctx, g, budget, candidate, estimate, r, at);
  };

  return {
    admitRequest(ctx, features) {
      const team = ctx.team;
      if (team === undefined) return;
      const def = ctx.release.config.teams[team];
      if (def === undefined || (def.budget === undefined && def.limits === undefined)) return;
      const g: Governed = {
        team,
        def,
        promptTokens: features.promptTokens,
        maxOutputTokens: features.maxOutputTokens,
        tokensTaken: 0,
        deferredTokens: undefined,
      };
      ctx.governed = g;
      const limits = def.limits;
      if (limits === undefined || (limits.rpm === undefined && limits.tpm === undefined)) return;
      const tokens = reservedTokens(features);
      if (admission !== undefined && def.budget !== undefined) {
        // Taken with the first attempt's reservation: one round trip on a shared store (a 429 still comes before any upstream call).
        g.deferredTokens = tokens;
        return;
      }
      const decision = rateLimits.take({ team, rpm: limits.rpm, tpm: limits.tpm, tokens, now: now() });
      // A closure only for a store that answers later (the memory store answers at once).
      return decision instanceof Promise ? decision.then((d) => onRateLimit(ctx, g, tokens, d)) : onRateLimit(ctx, g, tokens, decision);
    },

    admitAttempt(ctx, candidate) {
      const g = ctx.governed;
      const budget = g?.def.budget;
      if (g === undefined || budget === undefined) return undefined;
      const model = ctx.release.config.models[candidate.model];
      if (model === undefined) return undefined;
      const at = now();
      const estimate = attemptEstimateUsd(model, g);
      const { start, end } = periodBounds(budget.per, at);
      const request: BudgetReserveRequest = {
        team: g.team,
        limitUsd: budget.usd,
        mode: budget.mode,
        period: budget.per,
        periodStart: start,
        periodEnd: end,
        amountUsd: estimate,
        now: at,
      };
      const tokens = g.deferredTokens;
      if (tokens !== undefined && admission !== undefined) {
        g.deferredTokens = undefined;
        const limits = g.def.limits;
        const admitted = admission.admit({ limits: { team: g.team, rpm: limits?.rpm, tpm: limits?.tpm, tokens, now: at }, budget: request });
        return admitted instanceof Promise
          ? admitted.then((a) => onAdmission(ctx, g, budget, candidate, estimate, tokens, a, at))
          : onAdmission(ctx, g, budget, candidate, estimate, tokens, admitted, at);
      }
      const reservation = budgets.reserve(request);
      return reservation instanceof Promise
        ? reservation.then((r) => onReservation(ctx, g, budget, candidate, estimate, r, at))
        : onReservation(ctx, g, budget, candidate, estimate, reservation, at);
    },

    admitWithoutAttempt(ctx) {
      const g = ctx.governed;
      const limits = g?.def.limits;
      if (g === undefined || g.deferredTokens === undefined || limits === undefined) return;
      g.deferredTokens = undefined;
      const decision = rateLimits.take({ team: g.team, rpm: limits.rpm, tpm: limits.tpm, tokens: 0, now: now() });
      return decision instanceof Promise ? decision.then((d) => onRateLimit(ctx, g, 0, d)) : onRateLimit(ctx, g, 0, decision);
    },

    finishRequest(ctx) {
      const g = ctx.governed;
      if (g === undefined) return;
      const limits = g.def.limits;
      if (g.deferredTokens !== undefined && limits !== undefined) {
        // No attempt was admitted (routing refused the request, or the client left): count the request as the take before decide() did, without its tokens.
        g.deferredTokens = undefined;
        guard(() => rateLimits.take({ team: g.team, rpm: limits.rpm, tpm: limits.tpm, tokens: 0, now: now() }));
        return;
      }
      if (g.tokensTaken === 0 || limits?.tpm === undefined) return;
      const usage = ctx.usage;
      // Without usage, keep the estimate unless nothing reached an upstream at all.
      const used = usage !== undefined ? usage.prompt_tokens + usage.completion_tokens : ctx.attempts.length === 0 ? 0 : g.tokensTaken;
      const delta = used - g.tokensTaken;
      if (delta === 0) return;
      g.tokensTaken = used;
      try {
        const done = rateLimits.adjustTokens({ team: g.team, rpm: limits.rpm, tpm: limits.tpm, deltaTokens: delta, now: now() });
        if (done instanceof Promise) done.catch(() => undefined);
      } catch {
        // Bookkeeping errors never reach the client (as guard(), without a closure per request).
      }
    },
  };
}

/** An attempt's reservation, settled once when the attempt closes (an object with a method: no closure per attempt). */
class BudgetTicket implements AttemptTicket {
  #closed = false;

  constructor(
    private readonly settle: (ctx: RequestContext, g: Governed, budget: Budget, id: string, estimate: number, outcome: AttemptClose) => void,
    private readonly ctx: RequestContext,
    private readonly g: Governed,
    private readonly budget: Budget,
    private readonly id: string,
    private readonly estimate: number,
  ) {}

  close(outcome: AttemptClose): void {
    if (this.#closed) return;
    this.#closed = true;
    this.settle(this.ctx, this.g, this.budget, this.id, this.estimate, outcome);
  }
}

/** Continue synchronously on a plain value, asynchronously on a promise (the memory store stays sync). */
function then<T, R>(value: Awaitable<T>, fn: (value: T) => R): Awaitable<R> {
  return value instanceof Promise ? value.then(fn) : fn(value);
}

/** Run bookkeeping that must never fail or block a request. */
function guard(fn: () => unknown): void {
  try {
    const result = fn();
    if (result instanceof Promise) result.catch(() => undefined);
  } catch {
    // Bookkeeping errors never reach the client.
  }
}

function usd(n: number): string {
  return n >= 1 ? n.toFixed(2) : n.toPrecision(3);
}

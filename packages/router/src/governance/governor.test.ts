/** @module Unit tests of the governor over the in-memory stores: alerts once per threshold per period, settlement rules, no bookkeeping without a budget. */
import type { Config } from "@switchyard/ir";
import { describe, expect, it } from "vitest";
import type { Candidate } from "../core/index.ts";
import { acmeConfig } from "../core/testing.ts";
import type { RequestContext } from "../execute/context.ts";
import { createMemoryStateStores } from "../state/index.ts";
import { createGovernor } from "./governor.ts";
import type { AttemptAdmission, BudgetAlert } from "./types.ts";

const JAN_31 = Date.UTC(2027, 0, 31, 12);
const FEB_1 = Date.UTC(2027, 1, 1, 0, 0, 1);

function configWithBudget(budget: NonNullable<Config["teams"][string]["budget"]> | undefined): Config {
  const config = acmeConfig();
  const support = config.teams["support"];
  if (support === undefined) throw new Error("fixture");
  if (budget === undefined) delete support.budget;
  else support.budget = budget;
  return config;
}

const ctxFor = (config: Config, team: string): RequestContext => ({ team, release: { config }, attempts: [], usage: undefined }) as unknown as RequestContext;
const claude: Candidate = { model: "claude", provider: "anthropic", step: 0, source: "primary", tier: "frontier", reason: "" };

/** A store that records every call into `calls` (to prove unbudgeted teams cost nothing). */
function counting<S extends object>(store: S, calls: string[]): S {
  const proxy = new Proxy(store, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        calls.push(String(prop));
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return proxy;
}

function admitted(a: AttemptAdmission | Promise<AttemptAdmission | undefined> | undefined): Extract<AttemptAdmission, { admitted: true }> {
  if (a === undefined || a instanceof Promise || !a.admitted) throw new Error("expected a synchronous grant");
  return a;
}

/** Over the in-memory stores the governor answers synchronously; a promise here would be a regression, not a wait. */
function synchronous(answer: void | Promise<void>): void {
  if (answer instanceof Promise) throw new Error("expected a synchronous answer");
}

describe("governor", () => {
  it("fires each alertAt threshold once per period, and again in the next period", () => {
    let clock = JAN_31;
    const alerts: BudgetAlert[] = [];
    const state = createMemoryStateStores();
    const gov = createGovernor({ budgets: state.budgets, limits: state.limits, now: () => clock, onBudgetAlert: (a) => alerts.push(a) });
    const config = configWithBudget({ usd: 10, per: "month", mode: "soft", alertAt: [0.5, 0.8] });
    const spend = (usd: number) => {
      const ctx = ctxFor(config, "support");
      synchronous(gov.admitRequest(ctx, { promptTokens: 10, maxOutputTokens: 10 }));
      admitted(gov.admitAttempt(ctx, claude)).ticket.close({ ok: true, costUsd: usd });
    };
    spend(4);
    expect(alerts).toEqual([]);
    spend(1); // 5.00: crosses 0.5
    spend(1);
    spend(3); // 9.00: crosses 0.8
    spend(5);
    expect(alerts.map((a) => a.threshold)).toEqual([0.5, 0.8]);
    expect(alerts[0]).toEqual({
      team: "support",
      threshold: 0.5,
      spentUsd: 5,
      limitUsd: 10,
      period: "month",
      mode: "soft",
      periodStart: "2027-01-01T00:00:00.000Z",
      periodEnd: "2027-02-01T00:00:00.000Z",
      at: new Date(JAN_31).toISOString(),
    });
    clock = FEB_1;
    spend(9);
    expect(alerts.map((a) => `${a.threshold} ${a.periodStart.slice(0, 7)}`)).toEqual(["0.5 2027-01", "0.8 2027-01", "0.5 2027-02", "0.8 2027-02"]);
  });

  it("charges the estimate for an answer without usage, nothing for a failure, and closes a ticket once", () => {
    const state = createMemoryStateStores();
    const gov = createGovernor({ budgets: state.budgets, limits: state.limits, now: () => JAN_31 });
    const config = configWithBudget({ usd: 100, per: "day", mode: "hard", alertAt: [] });
    const ctx = ctxFor(config, "support");
    synchronous(gov.admitRequest(ctx, { promptTokens: 1_000, maxOutputTokens: 1_000 }));
    const estimate = (1_000 * 3 + 1_000 * 15) / 1e6; // claude: $3 in, $15 out per 1M
    const day = Math.floor(JAN_31 / 86_400_000) * 86_400_000;
    const dayTerms = { team: "support", limitUsd: 100, mode: "hard" as const, period: "day" as const, periodStart: day, periodEnd: day + 86_400_000 };
    const failed = admitted(gov.admitAttempt(ctx, claude));
    expect(state.budgets.peek(dayTerms)?.reservedUsd).toBeCloseTo(estimate, 12);
    failed.ticket.close({ ok: false, costUsd: undefined });
    const ok = admitted(gov.admitAttempt(ctx, claude));
    ok.ticket.close({ ok: true, costUsd: undefined });
    ok.ticket.close({ ok: true, costUsd: 50 });
    expect(state.budgets.peek(dayTerms)).toMatchObject({ reservedUsd: 0 });
    expect(state.budgets.peek(dayTerms)?.spentUsd).toBeCloseTo(estimate, 12);
  });

  it("refuses a candidate whose estimate breaks a hard budget with Retry-After to the period's end", () => {
    const state = createMemoryStateStores();
    const gov = createGovernor({ budgets: state.budgets, limits: state.limits, now: () => JAN_31 });
    const ctx = ctxFor(configWithBudget({ usd: 0.001, per: "week", mode: "hard", alertAt: [] }), "support");
    synchronous(gov.admitRequest(ctx, { promptTokens: 1_000, maxOutputTokens: 1_000 }));
    const refused = gov.admitAttempt(ctx, claude);
    if (refused === undefined || refused instanceof Promise || refused.admitted) throw new Error("expected a refusal");
    expect(refused.error.code).toBe("budget_exceeded");
    // Sunday 12:00 UTC → Monday 00:00 UTC
    expect(refused.error.headers).toEqual({ "retry-after": String(12 * 3_600) });
    expect(refused.reason).toContain("claude would exceed team `support`'s hard budget");
  });

  it("does no bookkeeping at all for a team without budget or limits", () => {
    const calls: string[] = [];
    const state = createMemoryStateStores();
    const gov = createGovernor({ budgets: counting(state.budgets, calls), limits: counting(state.limits, calls), now: () => JAN_31 });
    const ctx = ctxFor(configWithBudget(undefined), "support");
    expect(gov.admitRequest(ctx, { promptTokens: 10, maxOutputTokens: undefined })).toBeUndefined();
    expect(gov.admitAttempt(ctx, claude)).toBeUndefined();
    gov.finishRequest(ctx);
    const open = ctxFor(configWithBudget(undefined), undefined as unknown as string);
    synchronous(gov.admitRequest(open, { promptTokens: 10, maxOutputTokens: undefined }));
    expect(gov.admitAttempt(open, claude)).toBeUndefined();
    expect(calls).toEqual([]);
  });

  describe("with an admission store: the rate-limit take joins the first attempt's reservation", () => {
    const both = (rpm: number, usd: number): Config => {
      const config = configWithBudget({ usd, per: "day", mode: "hard", alertAt: [] });
      const support = config.teams["support"];
      if (support === undefined) throw new Error("fixture");
      support.limits = { rpm, tpm: 100_000 };
      return config;
    };
    const day = Math.floor(JAN_31 / 86_400_000) * 86_400_000;
    const dayTerms = { team: "support", limitUsd: 10, mode: "hard" as const, period: "day" as const, periodStart: day, periodEnd: day + 86_400_000 };
    const rpmTerms = { team: "support", rpm: 1, tpm: 100_000, now: JAN_31 };

    it("admitRequest defers the take; the first admitAttempt takes and reserves in one admit() call, later attempts reserve alone", () => {
      const calls: string[] = [];
      const state = createMemoryStateStores();
      const gov = createGovernor({
        budgets: counting(state.budgets, calls),
        limits: counting(state.limits, calls),
        admission: counting(state.admission, calls),
        now: () => JAN_31,
      });
      const ctx = ctxFor(both(5, 10), "support");
      synchronous(gov.admitRequest(ctx, { promptTokens: 100, maxOutputTokens: 100 }));
      expect(calls).toEqual([]);
      admitted(gov.admitAttempt(ctx, claude)).ticket.close({ ok: false, costUsd: undefined });
      admitted(gov.admitAttempt(ctx, claude));
      expect(calls).toEqual(["admit", "settle", "reserve"]);
      expect(ctx.responseHeaders).toMatchObject({ "x-ratelimit-limit-requests": "5", "x-ratelimit-remaining-requests": "4" });
    });

    it("refused by the rate limit: admitAttempt throws rate_limited with Retry-After, nothing reserved", () => {
      const state = createMemoryStateStores();
      const gov = createGovernor({ budgets: state.budgets, limits: state.limits, admission: state.admission, now: () => JAN_31 });
      const config = both(1, 10);
      const first = ctxFor(config, "support");
      synchronous(gov.admitRequest(first, { promptTokens: 10, maxOutputTokens: 10 }));
      admitted(gov.admitAttempt(first, claude)).ticket.close({ ok: true, costUsd: 0 });
      const second = ctxFor(config, "support");
      synchronous(gov.admitRequest(second, { promptTokens: 10, maxOutputTokens: 10 }));
      expect(() => gov.admitAttempt(second, claude)).toThrow(expect.objectContaining({ code: "rate_limited", headers: { "retry-after": "60" } }));
      expect(second.responseHeaders).toMatchObject({ "x-ratelimit-remaining-requests": "0" });
      expect(state.budgets.peek(dayTerms)).toMatchObject({ spentUsd: 0, reservedUsd: 0 });
    });

    it("refused by the budget: budget_exceeded, and the take still counts", () => {
      const state = createMemoryStateStores();
      const gov = createGovernor({ budgets: state.budgets, limits: state.limits, admission: state.admission, now: () => JAN_31 });
      const ctx = ctxFor(both(1, 0.000001), "support");
      synchronous(gov.admitRequest(ctx, { promptTokens: 1_000, maxOutputTokens: 1_000 }));
      const refused = gov.admitAttempt(ctx, claude);
      if (refused === undefined || refused instanceof Promise || refused.admitted) throw new Error("expected a refusal");
      expect(refused.error.code).toBe("budget_exceeded");
      expect(state.limits.peek(rpmTerms).requests?.remaining).toBe(0);
    });

    it("a request that never reached an attempt is still counted against rpm when it finishes", () => {
      const state = createMemoryStateStores();
      const gov = createGovernor({ budgets: state.budgets, limits: state.limits, admission: state.admission, now: () => JAN_31 });
      const ctx = ctxFor(both(1, 10), "support");
      synchronous(gov.admitRequest(ctx, { promptTokens: 10, maxOutputTokens: 10 }));
      gov.finishRequest(ctx);
      expect(state.limits.peek(rpmTerms)).toMatchObject({ requests: { remaining: 0 }, tokens: { remaining: 100_000 } });
    });

    it("settles with the token correction in one settleAndAdjust() call; finishRequest then has nothing left to correct", () => {
      const calls: string[] = [];
      const state = createMemoryStateStores();
      const gov = createGovernor({
        budgets: counting(state.budgets, calls),
        limits: counting(state.limits, calls),
        admission: counting(state.admission, calls),
        now: () => JAN_31,
      });
      const ctx = ctxFor(both(5, 10), "support");
      synchronous(gov.admitRequest(ctx, { promptTokens: 1_000, maxOutputTokens: 1_000 }));
      const ticket = admitted(gov.admitAttempt(ctx, claude)).ticket;
      ctx.usage = { prompt_tokens: 900, completion_tokens: 100, total_tokens: 1_000 };
      ctx.attempts.push({} as RequestContext["attempts"][number]);
      ticket.close({ ok: true, costUsd: 0.01 });
      gov.finishRequest(ctx);
      expect(calls).toEqual(["admit", "settleAndAdjust"]);
      expect(state.limits.peek(rpmTerms).tokens?.remaining).toBe(99_000);
      expect(state.budgets.peek(dayTerms)).toMatchObject({ spentUsd: 0.01, reservedUsd: 0 });
    });
  });
});

/**
 * @module Canary progression's pure step function, judged on the guard window. The controller (./canary.ts) loads it
 * on its first evaluation that finds a route with a canary: in router.mjs it is a lazily loaded chunk, so a router
 * without canaries never evaluates it (packages/compiler/src/emit/router-bundle.ts).
 */
import type { Canary, CanaryGuard } from "@switchyard/ir";
import type { CanaryArmWindow, CanaryWindow } from "../state/index.ts";

/** Where a route's canary stands (the state store's CanarySnapshot carries these). */
export interface CanaryProgress {
  /** Index into the steps; -1 once rolled back. */
  step: number;
  percent: number;
  /** Epoch ms the current step began. */
  updatedAt: number;
}

/** The guard window plus whether the canary model's circuit breaker is open right now. */
export type CanaryGuardInput = CanaryWindow & { breakerOpen?: boolean };

/** The next state: unchanged (`hold`), the next step (`advance`) or 0 % (`rollback`), with the reason. */
export type CanaryNext =
  | { action: "hold"; reason: string }
  | { action: "advance"; step: number; percent: number; reason: string }
  | { action: "rollback"; step: -1; percent: 0; reason: string };

/** Feedback scores the canary arm needs before `minScore` is judged, when the guard does not say. */
export const DEFAULT_MIN_SAMPLES = 20;

/** One guard's verdict on a window: `waiting` for samples, `held`, or `breached` (with what it measured). */
export interface GuardVerdict {
  /** True for the guards that compare (ratios, validator failures, score): an advance's reason lists what they measured. */
  compared: boolean;
  state: "waiting" | "held" | "breached";
  text: string;
}

/**
 * Judge each configured guard on the window. The request-based guards wait for `minRequests` canary
 * attempts; the ratio guards (p95, cost) also for `minRequests` baseline successes (priced ones for
 * cost); `minScore` waits for `minSamples` canary feedback scores.
 */
export function judgeCanaryGuards(w: CanaryWindow, g: CanaryGuard): GuardVerdict[] {
  const out: GuardVerdict[] = [];
  const push = (compared: boolean, state: GuardVerdict["state"], text: string): void => void out.push({ compared, state, text });
  const min = g.minRequests;
  const n = w.requests;
  const b = w.baseline;
  const over = ` over ${n} request${n === 1 ? "" : "s"}`;
  // With too few canary requests nothing but the score is judged (and the canary does not advance).
  if (n < min) push(false, "waiting", `waiting for ${min} canary requests (${n} so far)`);
  else {
    const limit = (compared: boolean, max: number | undefined, what: string, value: number | undefined, show: (v: number) => string): void => {
      if (max !== undefined && value !== undefined)
        push(compared, value > max ? "breached" : "held", `${what} ${show(value)}${value > max ? ` > ${show(max)}${over}` : ""}`);
    };
    limit(false, g.maxErrorRate, "error rate", w.errors / n || 0, fmt);
    limit(false, g.maxP95Ms, "p95", w.p95Ms, ms);
    limit(true, g.maxValidationFailureRate, "validation failure rate", w.validationFailures / n || 0, fmt);
    const ratio = (
      max: number | undefined,
      what: string,
      canary: number | undefined,
      base: number | undefined,
      baseN: number,
      show: (v: number) => string,
    ): void => {
      if (max === undefined) return;
      if (canary === undefined || base === undefined || baseN < min)
        return push(true, "waiting", `waiting for ${min} baseline requests to compare ${what} (${baseN} so far)`);
      const r = base > 0 ? canary / base : canary > 0 ? Infinity : 1;
      push(true, r > max ? "breached" : "held", `${what} ${show(canary)} vs baseline ${show(base)} (×${r.toFixed(2)}${r > max ? ` > ×${max})${over}` : ")"}`);
    };
    ratio(g.maxP95Ratio, "p95", w.p95Ms, b.p95Ms, b.requests, ms);
    const perRequest = (a: CanaryArmWindow): number | undefined => (a.costed > 0 ? a.costUsd / a.costed : undefined);
    ratio(g.maxCostRatio, "cost/request", perRequest(w), perRequest(b), b.costed, usd);
  }
  if (g.minScore !== undefined) {
    const need = g.minSamples ?? DEFAULT_MIN_SAMPLES;
    const mean = w.scoreSum / w.scores;
    const baseline = b.scores > 0 ? `, baseline ${fmt(b.scoreSum / b.scores)}` : "";
    if (w.scores < need) push(true, "waiting", `waiting for ${need} canary feedback scores (${w.scores} so far)`);
    else if (mean < g.minScore) push(true, "breached", `mean score ${fmt(mean)} < ${fmt(g.minScore)} over ${w.scores} scores${baseline}`);
    else push(true, "held", `mean score ${fmt(mean)}${baseline}`);
  }
  return out;
}

/**
 * Decide a canary's next state. Each guard is judged once the window holds its samples (see
 * judgeCanaryGuards); any breach (error rate, absolute p95, p95 or cost against the baseline arm,
 * validator failure rate, mean feedback score) rolls back at once, whatever the step's age. An open
 * breaker on the canary model also rolls back: it keeps the canary from being tried, so its window
 * would otherwise never fill. Otherwise the canary advances one step when the current step is
 * `everyMs` old and every configured guard has its samples and held. A rolled-back canary stays at
 * 0 % until a release changes it.
 *
 * @example
 * nextCanaryStep({ step: 0, percent: 5, updatedAt: 0 }, window, 3_600_000, canary)
 * // → { action: "advance", step: 1, percent: 25, reason: "guard held at 5 % (error rate 0 over 40 requests, p95 300 ms)" }
 */
export function nextCanaryStep(progress: CanaryProgress, window: CanaryGuardInput, now: number, canary: Canary): CanaryNext {
  if (progress.step < 0) return { action: "hold", reason: "rolled back" };
  const verdicts = judgeCanaryGuards(window, canary.guard);
  const errorRate = window.requests === 0 ? 0 : window.errors / window.requests;
  const measured = `error rate ${fmt(errorRate)} over ${window.requests} request${window.requests === 1 ? "" : "s"}${window.p95Ms === undefined ? "" : `, p95 ${ms(window.p95Ms)}`}`;
  const texts = (state: GuardVerdict["state"], join: string): string =>
    verdicts
      .filter((v) => v.state === state && (state !== "held" || v.compared))
      .map((v) => v.text)
      .join(join);
  const breaches = texts("breached", "; ");
  if (breaches !== "") return { action: "rollback", step: -1, percent: 0, reason: `rolled back at ${progress.percent} %: ${breaches}` };
  if (window.breakerOpen === true)
    return {
      action: "rollback",
      step: -1,
      percent: 0,
      reason: `rolled back at ${progress.percent} %: ${canary.model}'s circuit breaker is open (${measured})`,
    };
  const last = canary.steps.length - 1;
  if (progress.step >= last) return { action: "hold", reason: `complete at ${progress.percent} %` };
  if (now - progress.updatedAt < canary.everyMs)
    return { action: "hold", reason: `step ${progress.step} until ${new Date(progress.updatedAt + canary.everyMs).toISOString()}` };
  const waiting = texts("waiting", "; ");
  if (waiting !== "") return { action: "hold", reason: waiting };
  // Error rate and absolute p95 are in `measured` already; the other guards add what they compared.
  const extra = texts("held", ", ");
  const step = progress.step + 1;
  const percent = canary.steps[step] ?? 100;
  return { action: "advance", step, percent, reason: `guard held at ${progress.percent} % (${measured}${extra === "" ? "" : `; ${extra}`})` };
}

function fmt(rate: number): string {
  return Number(rate.toFixed(4)).toString();
}

function ms(value: number): string {
  return `${Math.round(value)} ms`;
}

function usd(value: number): string {
  return `$${value.toPrecision(3)}`;
}

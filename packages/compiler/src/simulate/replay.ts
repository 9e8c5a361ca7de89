/**
 * @module simulate/replay — replay traced requests through two releases' routing (the router's own decide()),
 * with seeded randomness and the health the trace recorded, and total what each would have cost, how fast it
 * would have been, where it would have run and what it would have refused. Pure: requests in, a result out;
 * memory is bounded by the number of routes, teams and models, not by the number of requests.
 */
import { type Config, type Route, priceTokens } from "@switchyard/ir";
import {
  createMemoryStateStores,
  type BreakerView,
  type CanaryShares,
  type DecideErrorCode,
  type MemoryStateStores,
  type RoutingState,
} from "@switchyard/router";
import { decide, fnv1a32, mulberry32, periodBounds } from "@switchyard/router/core";
import type { RecordedAttempt, TracedRequest } from "./trace-line.ts";

export type SideName = "base" | "new";
const SIDES: readonly SideName[] = ["base", "new"];

/** Days a monthly projection covers: the traced rate is extrapolated to 30 days. */
export const PROJECTION_DAYS = 30;
const DAY_MS = 86_400_000;
/** The recent error rate of a model decays with this half-life (trace time). */
export const ERROR_RATE_HALF_LIFE_MS = 300_000;

/** How a request ended on one side. */
export type ReplayOutcome = "served" | "failed" | "unroutable" | "budget";

/** Log-spaced latency buckets (5 % wide) from 1 ms to ~10 min: bounded memory per model, ~5 % precision for the p95. */
const BUCKET_BASE = Math.log(1.05);
const BUCKETS = 280;
function bucketOf(ms: number): number {
  return Math.min(BUCKETS - 1, Math.max(0, Math.floor(Math.log(ms + 1) / BUCKET_BASE)));
}
function bucketUpperMs(bucket: number): number {
  return Math.exp((bucket + 1) * BUCKET_BASE) - 1;
}

/** Observed latencies of one model in the whole trace (successful attempts: distribution; failed: mean). */
interface ModelLatency {
  okCount: number;
  okSumMs: number;
  okBuckets: Float64Array;
  errCount: number;
  errSumMs: number;
}

/** What one side did with one group's requests (a route, a team, or all). */
export interface SideTally {
  served: number;
  failed: number;
  /** Answered by a fallback step (step > 0). */
  fallback: number;
  costUsd: number;
  refusedByBudget: number;
  unroutable: Partial<Record<DecideErrorCode, number>>;
  /** Requests answered, by model. */
  answeredBy: Map<string, number>;
  /** Attempts that failed before an answer (or before giving up), by model. */
  failedAttempts: Map<string, number>;
  /** Served requests by the answering provider's region (`(none)` when it declares none). */
  regions: Map<string, number>;
  /** Served requests by the answering provider's residency (`any` when it declares none). */
  residency: Map<string, number>;
}

export interface GroupTally {
  requests: number;
  /** Requests routable on BASE that NEW refuses (404/403/no candidates/too long), by NEW's code. */
  becameUnroutable: Partial<Record<DecideErrorCode, number>>;
  /** The first trace line of such a request, for the diagnostics. */
  firstUnroutableLine: number | undefined;
  sides: Record<SideName, SideTally>;
}

/** A team budget's course through the trace, on one side. */
export interface BudgetCourse {
  /** USD spent in the trace (every period). */
  spentUsd: number;
  /** First moment (epoch ms, trace time) a period's spend reached the limit; undefined when it never did. */
  exhaustedAt: number | undefined;
  /** The trace line of the request that reached it. */
  exhaustedLine: number | undefined;
  /** Requests a hard budget refused after that. */
  refused: number;
}

export interface BudgetTally {
  team: string;
  /** The budget as each side declares it (undefined: none). */
  terms: Record<SideName, Config["teams"][string]["budget"]>;
  courses: Record<SideName, BudgetCourse>;
}

/** A route the trace names that neither side has: replayed as 404 on both; reported once with its first line. */
export interface UnknownRoute {
  route: string;
  firstLine: number;
  requests: number;
}

export interface ReplayResult {
  seed: number;
  replayed: number;
  firstTime: number | undefined;
  lastTime: number | undefined;
  total: GroupTally;
  routes: Map<string, GroupTally>;
  teams: Map<string, GroupTally>;
  budgets: BudgetTally[];
  unknownRoutes: UnknownRoute[];
  latency: Map<string, ModelLatency>;
  /** Canary share each side's canaries are replayed at (their first step), by route. */
  canaries: Record<SideName, Record<string, number>>;
}

function emptySide(): SideTally {
  return {
    served: 0,
    failed: 0,
    fallback: 0,
    costUsd: 0,
    refusedByBudget: 0,
    unroutable: {},
    answeredBy: new Map(),
    failedAttempts: new Map(),
    regions: new Map(),
    residency: new Map(),
  };
}

function emptyGroup(): GroupTally {
  return { requests: 0, becameUnroutable: {}, firstUnroutableLine: undefined, sides: { base: emptySide(), new: emptySide() } };
}

function bump<K>(map: Map<K, number>, key: K, by = 1): void {
  map.set(key, (map.get(key) ?? 0) + by);
}

/** The recent error rate of a model from the trace: counts that halve every ERROR_RATE_HALF_LIFE_MS of trace time. */
interface DecayedRate {
  calls: number;
  errors: number;
  at: number;
}

/**
 * One side's view for decide(): breakers and latency are the shared health (fed only by what the trace
 * recorded), canaries are this side's own at their first step, and nothing is in flight.
 */
class SideState implements RoutingState {
  view: RoutingState;
  constructor(
    readonly health: MemoryStateStores["health"],
    readonly canary: ReadonlyMap<string, number>,
  ) {
    this.view = health.view(0, NO_CANARIES);
  }
  at(view: RoutingState): this {
    this.view = view;
    return this;
  }
  breaker(model: string): BreakerView {
    return this.view.breaker(model);
  }
  latency(model: string): { ewmaMs: number; p95Ms: number; samples: number } | undefined {
    return this.view.latency(model);
  }
  inFlight(): number {
    return 0;
  }
  canaryPercent(route: string): number {
    return this.canary.get(route) ?? 0;
  }
  breakersClosed(): boolean {
    return this.view.breakersClosed?.() === true;
  }
}

/** The health view's own canary shares are not read: each side answers canaryPercent() itself. */
const NO_CANARIES: CanaryShares = { canaryPercent: () => 0 };

interface SideRun {
  name: SideName;
  config: Config;
  state: SideState;
  /** Where each model runs (its provider's region and residency), looked up once. */
  places: Map<string, { region: string; residency: string }>;
  /** Per team with a budget: spend in the current period. */
  ledgers: Map<string, { periodEnd: number; spent: number }>;
}

/** What one side did with one request. */
interface SideResult {
  outcome: ReplayOutcome;
  code?: DecideErrorCode;
  model?: string;
  step?: number;
  costUsd: number;
  failedOn: string[];
}

export interface ReplayOptions {
  base: Config;
  next: Config;
  /** Seed of the random source (weighted picks, canary draws, the outcome of attempts the trace did not make). */
  seed: number;
}

/**
 * Replays requests one at a time (`add`), then `result()`. Both sides see the same random stream per request
 * (seeded by the seed and the request id), so an unchanged route picks the same model on both sides and the
 * difference shows only what the change does.
 *
 * @example
 * const replay = new Replay({ base, next, seed: 1 });
 * for (const request of requests) replay.add(request);
 * const result = replay.result();
 */
export class Replay {
  /** The router's own health store (breakers, latency stats), fed only by what the trace recorded. */
  readonly #health = createMemoryStateStores().health;
  readonly #rates = new Map<string, DecayedRate>();
  readonly #latency = new Map<string, ModelLatency>();
  readonly #sides: SideRun[];
  readonly #total = emptyGroup();
  readonly #routes = new Map<string, GroupTally>();
  readonly #teams = new Map<string, GroupTally>();
  readonly #budgets = new Map<string, BudgetTally>();
  readonly #unknown = new Map<string, UnknownRoute>();
  readonly #seed: number;
  #replayed = 0;
  #first: number | undefined;
  #last: number | undefined;

  constructor(options: ReplayOptions) {
    this.#seed = options.seed >>> 0;
    this.#sides = [
      { name: "base", config: options.base },
      { name: "new", config: options.next },
    ].map(({ name, config }) => {
      const canary = new Map<string, number>();
      for (const [id, route] of Object.entries(config.routes)) if (route.canary !== undefined) canary.set(id, route.canary.steps[0] ?? 0);
      const places = new Map<string, { region: string; residency: string }>();
      for (const [id, model] of Object.entries(config.models)) {
        const provider = config.providers[model.provider];
        places.set(id, { region: provider?.region ?? "(none)", residency: provider?.residency ?? "any" });
      }
      return { name: name as SideName, config, state: new SideState(this.#health, canary), places, ledgers: new Map() };
    });
    const teams = new Set([...Object.keys(options.base.teams), ...Object.keys(options.next.teams)]);
    for (const team of [...teams].sort()) {
      const terms = { base: options.base.teams[team]?.budget, new: options.next.teams[team]?.budget };
      if (terms.base === undefined && terms.new === undefined) continue;
      const course = (): BudgetCourse => ({ spentUsd: 0, exhaustedAt: undefined, exhaustedLine: undefined, refused: 0 });
      this.#budgets.set(team, { team, terms, courses: { base: course(), new: course() } });
    }
  }

  add(request: TracedRequest): void {
    this.#replayed++;
    if (this.#first === undefined || request.time < this.#first) this.#first = request.time;
    if (this.#last === undefined || request.time > this.#last) this.#last = request.time;
    const known = this.#sides.some((side) => side.config.routes[request.route] !== undefined);
    if (!known) {
      const entry = this.#unknown.get(request.route);
      if (entry === undefined) this.#unknown.set(request.route, { route: request.route, firstLine: request.line, requests: 1 });
      else entry.requests++;
    }
    // One health view and one random seed per request, shared by both sides.
    const view = this.#health.view(request.time, NO_CANARIES);
    const seed = fnv1a32(request.requestId, this.#seed);
    const results = this.#sides.map((side) => this.#replaySide(side, request, view, seed));
    const groups = [this.#total, this.#group(this.#routes, request.route), this.#group(this.#teams, request.team ?? "(no team)")];
    for (const group of groups) {
      group.requests++;
      results.forEach((result, index) => this.#tally(group.sides[(this.#sides[index] as SideRun).name], this.#sides[index] as SideRun, result));
      const [before, after] = results;
      if (before !== undefined && after !== undefined && before.outcome !== "unroutable" && after.outcome === "unroutable" && after.code !== undefined) {
        group.becameUnroutable[after.code] = (group.becameUnroutable[after.code] ?? 0) + 1;
        group.firstUnroutableLine ??= request.line;
      }
    }
    this.#observe(request);
  }

  #group(map: Map<string, GroupTally>, key: string): GroupTally {
    let group = map.get(key);
    if (group === undefined) map.set(key, (group = emptyGroup()));
    return group;
  }

  #tally(tally: SideTally, side: SideRun, result: SideResult): void {
    for (const model of result.failedOn) bump(tally.failedAttempts, model);
    switch (result.outcome) {
      case "unroutable":
        if (result.code !== undefined) tally.unroutable[result.code] = (tally.unroutable[result.code] ?? 0) + 1;
        return;
      case "budget":
        tally.refusedByBudget++;
        return;
      case "failed":
        tally.failed++;
        return;
      case "served": {
        const model = result.model ?? "";
        tally.served++;
        tally.costUsd += result.costUsd;
        if ((result.step ?? 0) > 0) tally.fallback++;
        bump(tally.answeredBy, model);
        const place = side.places.get(model);
        bump(tally.regions, place?.region ?? "(none)");
        bump(tally.residency, place?.residency ?? "any");
        return;
      }
    }
  }

  /** The recorded health: what this request's attempts did feeds the breakers, latency stats and error rates after both sides decided. */
  #observe(request: TracedRequest): void {
    let at = request.time;
    for (const attempt of request.attempts) {
      at += attempt.latencyMs;
      this.#health.recordAttempt({
        model: attempt.model,
        ok: attempt.ok,
        latencyMs: attempt.latencyMs,
        now: at,
        ...(attempt.errorClass === undefined ? {} : { errorClass: attempt.errorClass }),
      });
      let latency = this.#latency.get(attempt.model);
      if (latency === undefined) {
        latency = { okCount: 0, okSumMs: 0, okBuckets: new Float64Array(BUCKETS), errCount: 0, errSumMs: 0 };
        this.#latency.set(attempt.model, latency);
      }
      if (attempt.ok) {
        latency.okCount++;
        latency.okSumMs += attempt.latencyMs;
        latency.okBuckets[bucketOf(attempt.latencyMs)] = (latency.okBuckets[bucketOf(attempt.latencyMs)] ?? 0) + 1;
      } else {
        latency.errCount++;
        latency.errSumMs += attempt.latencyMs;
      }
      // Client faults and validator rejections say nothing about the deployment's health.
      if (attempt.errorClass === "client" || attempt.errorClass === "validation") continue;
      const rate = this.#decayed(attempt.model, at);
      rate.calls++;
      if (!attempt.ok) rate.errors++;
    }
  }

  #decayed(model: string, now: number): DecayedRate {
    let rate = this.#rates.get(model);
    if (rate === undefined) {
      rate = { calls: 0, errors: 0, at: now };
      this.#rates.set(model, rate);
    } else if (now > rate.at) {
      const factor = 0.5 ** ((now - rate.at) / ERROR_RATE_HALF_LIFE_MS);
      rate.calls *= factor;
      rate.errors *= factor;
      rate.at = now;
    }
    return rate;
  }

  /** Whether an attempt on `model` succeeds: as recorded for this request when the trace tried it, else drawn from its recent error rate. */
  #attemptSucceeds(model: string, recorded: readonly RecordedAttempt[], route: Route | undefined, rng: () => number): boolean {
    let tried = false;
    for (const attempt of recorded) {
      if (attempt.model !== model) continue;
      if (attempt.ok) return true;
      tried = true;
    }
    if (tried) return false;
    // Decay scales calls and errors alike, so their ratio is the recent error rate as of the last observation.
    const rate = this.#rates.get(model);
    if (rate === undefined || rate.calls === 0) return true;
    const errorRate = rate.errors / rate.calls;
    // Every attempt the route's retry policy allows must fail for the candidate to fail.
    return rng() >= errorRate ** Math.max(1, route?.retry.attempts ?? 1);
  }

  #replaySide(side: SideRun, request: TracedRequest, view: RoutingState, seed: number): SideResult {
    const { config } = side;
    const rng = mulberry32(seed);
    const decision = decide(
      config,
      {
        route: request.route,
        team: request.team,
        promptTokens: request.inputTokens,
        maxOutputTokens: undefined,
        region: request.region,
        stickyKey: undefined,
        requires: request.requires ?? [],
        // `when` rules read these (traces record them); a request traced before a route tested complexity has no score: low.
        tags: request.tags,
        metadata: request.metadata,
        complexity: request.complexity,
      },
      side.state.at(view),
      { rng, now: request.time },
    );
    if (!decision.ok) return { outcome: "unroutable", code: decision.code, costUsd: 0, failedOn: [] };

    const budget = request.team === undefined ? undefined : config.teams[request.team]?.budget;
    const ledger = budget === undefined || request.team === undefined ? undefined : this.#ledger(side, request.team, budget, request.time);
    const course = request.team === undefined ? undefined : this.#budgets.get(request.team)?.courses[side.name];
    if (budget !== undefined && ledger !== undefined && budget.mode === "hard" && ledger.spent >= budget.usd) {
      if (course !== undefined) course.refused++;
      return { outcome: "budget", costUsd: 0, failedOn: [] };
    }

    const route = config.routes[request.route];
    const failedOn: string[] = [];
    for (const candidate of decision.plan.candidates) {
      if (!this.#attemptSucceeds(candidate.model, request.attempts, route, rng)) {
        failedOn.push(candidate.model);
        continue;
      }
      const price = config.models[candidate.model]?.price;
      const costUsd =
        price === undefined
          ? 0
          : priceTokens(price, {
              input: request.inputTokens,
              cachedInput: request.cachedInputTokens,
              cacheWrite: request.cacheWriteTokens,
              output: request.outputTokens,
            });
      if (budget !== undefined && ledger !== undefined && course !== undefined) {
        const before = ledger.spent;
        ledger.spent += costUsd;
        course.spentUsd += costUsd;
        if (before < budget.usd && ledger.spent >= budget.usd && course.exhaustedAt === undefined) {
          course.exhaustedAt = request.time;
          course.exhaustedLine = request.line;
        }
      }
      return { outcome: "served", model: candidate.model, step: candidate.step, costUsd, failedOn };
    }
    return { outcome: "failed", costUsd: 0, failedOn };
  }

  /** The team's spend in the budget period holding `now` (a new period starts at zero, as the router's does). */
  #ledger(side: SideRun, team: string, budget: NonNullable<Config["teams"][string]["budget"]>, now: number): { periodEnd: number; spent: number } {
    let ledger = side.ledgers.get(team);
    if (ledger === undefined || now >= ledger.periodEnd) {
      ledger = { periodEnd: periodBounds(budget.per, now).end, spent: 0 };
      side.ledgers.set(team, ledger);
    }
    return ledger;
  }

  result(): ReplayResult {
    const canaries = {} as Record<SideName, Record<string, number>>;
    for (const side of this.#sides) canaries[side.name] = Object.fromEntries([...side.state.canary].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    return {
      seed: this.#seed,
      replayed: this.#replayed,
      firstTime: this.#first,
      lastTime: this.#last,
      total: this.#total,
      routes: this.#routes,
      teams: this.#teams,
      budgets: [...this.#budgets.values()],
      unknownRoutes: [...this.#unknown.values()].sort((a, b) => a.firstLine - b.firstLine),
      latency: this.#latency,
      canaries,
    };
  }
}

/** Expected latency of a side's answers from the observed per-model latencies (see `expectedLatency`). */
export interface LatencyEstimate {
  /** Mean: the answering model's observed mean plus the observed mean of each failed attempt before it. */
  meanMs: number | undefined;
  /** p95 of the mixture of the answering models' observed latency distributions (failed attempts left out). */
  p95Ms: number | undefined;
  /** Share of served requests answered by a model the trace holds no latency for (left out of both figures). */
  unknownShare: number;
}

/** Expected latency of one side's tally, from the whole trace's per-model observations. */
export function expectedLatency(tally: SideTally, latency: ReadonlyMap<string, ModelLatency>): LatencyEstimate {
  let known = 0;
  let sum = 0;
  const weights: [ModelLatency, number][] = [];
  for (const [model, count] of tally.answeredBy) {
    const observed = latency.get(model);
    if (observed === undefined || observed.okCount === 0) continue;
    known += count;
    sum += count * (observed.okSumMs / observed.okCount);
    weights.push([observed, count]);
  }
  if (known === 0) return { meanMs: undefined, p95Ms: undefined, unknownShare: tally.served === 0 ? 0 : 1 };
  for (const [model, count] of tally.failedAttempts) {
    const observed = latency.get(model);
    // The time lost on failed attempts before an answer, spread over the answers.
    if (observed !== undefined && observed.errCount > 0) sum += count * (observed.errSumMs / observed.errCount);
  }
  let p95: number | undefined;
  let cumulative = 0;
  for (let bucket = 0; bucket < BUCKETS && p95 === undefined; bucket++) {
    for (const [observed, count] of weights) cumulative += ((observed.okBuckets[bucket] ?? 0) / observed.okCount) * (count / known);
    if (cumulative >= 0.95 - 1e-12) p95 = bucketUpperMs(bucket);
  }
  return { meanMs: sum / known, p95Ms: p95, unknownShare: (tally.served - known) / Math.max(1, tally.served) };
}

/** The trace's span in days (first to last request), for extrapolating to a month; undefined under a minute. */
export function traceSpanDays(result: Pick<ReplayResult, "firstTime" | "lastTime">): number | undefined {
  if (result.firstTime === undefined || result.lastTime === undefined) return undefined;
  const span = result.lastTime - result.firstTime;
  return span < 60_000 ? undefined : span / DAY_MS;
}

export { SIDES };

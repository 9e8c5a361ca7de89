/**
 * @module simulate/report — the replay's tallies as a plain, rounded, ordered report (what `--format json`
 * prints and the other formats render). Pure and deterministic: same tallies, same bytes.
 */
import type { BudgetPeriod, Config } from "@switchyard/ir";
import type { DecideErrorCode } from "@switchyard/router";
import type { DiffSideInfo } from "../diff/types.ts";
import { expectedLatency, PROJECTION_DAYS, traceSpanDays, type GroupTally, type ReplayResult, type SideName, type SideTally } from "./replay.ts";

/** Bumped when a field of the JSON report changes meaning. */
export const SIMULATION_SCHEMA_VERSION = 1 as const;

/** How the figures are made, in words: printed under the tables and carried in the JSON. */
export const SIMULATION_METHOD = {
  routing:
    "each traced request (route, team, input tokens, region, time; for `when` rules its tags, metadata, complexity score and needs) goes through each release's decide() with a random source seeded by --seed and the request id, canaries at their first step",
  health:
    "breakers and latency stats are fed by the attempts the trace recorded, in file order; a model the trace tried for that request succeeds or fails as it did, any other model fails at its recent recorded error rate (half-life 5 min; healthy when never seen), once per retry the route allows",
  cost: "the answering model's price × the request's recorded input and output tokens; failed attempts cost nothing",
  monthly: `the trace's cost × ${PROJECTION_DAYS} days ÷ its span (first to last request); none for a trace shorter than a minute`,
  latency:
    "mean: the answering model's observed mean latency plus the observed mean of each failed attempt; p95: of the mixture of the answering models' observed latency distributions; models the trace never saw answer are left out",
  budgets:
    "spend starts at zero at the start of the trace and of each budget period (UTC day, ISO week, calendar month); a hard budget refuses a team's requests once a period's spend reaches it",
} as const;

export interface SimulationSide extends DiffSideInfo {}

export interface ShareRow {
  key: string;
  /** Fraction of the group's requests (mix) or of its served requests (regions, residency), 0..1. */
  share: number;
}

export interface SideFigures {
  served: number;
  failed: number;
  fallback: number;
  refusedByBudget: number;
  unroutable: Partial<Record<DecideErrorCode, number>>;
  costUsd: number;
  usdPer1kRequests: number;
  /** Null when the trace is too short to extrapolate. */
  monthlyUsd: number | null;
  latency: { meanMs: number | null; p95Ms: number | null; unknownShare: number };
  /** Share of the group's requests answered by each model, largest first. */
  mix: ShareRow[];
  regions: ShareRow[];
  residency: ShareRow[];
}

export interface GroupFigures {
  id: string;
  requests: number;
  base: SideFigures;
  new: SideFigures;
  /** Requests BASE routes that NEW refuses, by NEW's decide() code. */
  becameUnroutable: Partial<Record<DecideErrorCode, number>>;
  firstUnroutableLine: number | null;
  mixChanged: boolean;
  residencyChanged: boolean;
}

export interface BudgetSide {
  usd: number;
  per: BudgetPeriod;
  mode: "hard" | "soft";
  spentUsd: number;
  /** ISO time in the trace the period's spend reached the budget; null when it did not. */
  exhaustedAt: string | null;
  exhaustedLine: number | null;
  refused: number;
  /** At the traced spending rate, days until one period's budget is spent; null without spend or a span. */
  projectedDays: number | null;
  /** The period's length in days (1, 7, 30). */
  periodDays: number;
}

export interface BudgetFigures {
  team: string;
  base: BudgetSide | null;
  new: BudgetSide | null;
}

export interface SimulationReport {
  schemaVersion: typeof SIMULATION_SCHEMA_VERSION;
  base: SimulationSide;
  new: SimulationSide;
  traces: {
    file: string;
    lines: number;
    replayed: number;
    /** Well-formed records not replayed: no route (refused before routing) or answered before routing. */
    skipped: { noRoute: number; notRouted: number };
    malformed: number;
    firstTime: string | null;
    lastTime: string | null;
    spanDays: number | null;
  };
  seed: number;
  canaries: Record<SideName, Record<string, number>>;
  method: typeof SIMULATION_METHOD;
  total: GroupFigures;
  routes: GroupFigures[];
  teams: GroupFigures[];
  budgets: BudgetFigures[];
  unknownRoutes: { route: string; firstLine: number; requests: number }[];
}

const round = (value: number, digits: number): number => {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
};

function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function shares(map: ReadonlyMap<string, number>, total: number): ShareRow[] {
  return [...map]
    .map(([key, count]) => ({ key, share: total === 0 ? 0 : round(count / total, 4), count }))
    .sort((a, b) => b.count - a.count || byCodePoint(a.key, b.key))
    .map(({ key, share }) => ({ key, share }));
}

function sortedCodes(codes: Partial<Record<DecideErrorCode, number>>): Partial<Record<DecideErrorCode, number>> {
  return Object.fromEntries(Object.entries(codes).sort(([a], [b]) => byCodePoint(a, b)));
}

function side(tally: SideTally, requests: number, result: ReplayResult, spanDays: number | undefined): SideFigures {
  const latency = expectedLatency(tally, result.latency);
  return {
    served: tally.served,
    failed: tally.failed,
    fallback: tally.fallback,
    refusedByBudget: tally.refusedByBudget,
    unroutable: sortedCodes(tally.unroutable),
    costUsd: round(tally.costUsd, 6),
    usdPer1kRequests: requests === 0 ? 0 : round((tally.costUsd / requests) * 1000, 6),
    monthlyUsd: spanDays === undefined ? null : round((tally.costUsd * PROJECTION_DAYS) / spanDays, 2),
    latency: {
      meanMs: latency.meanMs === undefined ? null : round(latency.meanMs, 1),
      p95Ms: latency.p95Ms === undefined ? null : round(latency.p95Ms, 1),
      unknownShare: round(latency.unknownShare, 4),
    },
    mix: shares(tally.answeredBy, requests),
    regions: shares(tally.regions, tally.served),
    residency: shares(tally.residency, tally.served),
  };
}

const keysOf = (rows: readonly ShareRow[]): string =>
  rows
    .map((row) => row.key)
    .sort(byCodePoint)
    .join("\0");
const sameShares = (a: readonly ShareRow[], b: readonly ShareRow[]): boolean => JSON.stringify(a) === JSON.stringify(b);

function group(id: string, tally: GroupTally, result: ReplayResult, spanDays: number | undefined): GroupFigures {
  const base = side(tally.sides.base, tally.requests, result, spanDays);
  const now = side(tally.sides.new, tally.requests, result, spanDays);
  return {
    id,
    requests: tally.requests,
    base,
    new: now,
    becameUnroutable: sortedCodes(tally.becameUnroutable),
    firstUnroutableLine: tally.firstUnroutableLine ?? null,
    mixChanged: !sameShares(base.mix, now.mix),
    residencyChanged: keysOf(base.residency) !== keysOf(now.residency) || keysOf(base.regions) !== keysOf(now.regions),
  };
}

const PERIOD_DAYS: Record<BudgetPeriod, number> = { day: 1, week: 7, month: PROJECTION_DAYS };

function budgetSide(
  terms: Config["teams"][string]["budget"],
  course: ReplayResult["budgets"][number]["courses"]["base"],
  spanDays: number | undefined,
): BudgetSide | null {
  if (terms === undefined) return null;
  const perDay = spanDays === undefined ? undefined : course.spentUsd / spanDays;
  return {
    usd: terms.usd,
    per: terms.per,
    mode: terms.mode,
    spentUsd: round(course.spentUsd, 6),
    exhaustedAt: course.exhaustedAt === undefined ? null : new Date(course.exhaustedAt).toISOString(),
    exhaustedLine: course.exhaustedLine ?? null,
    refused: course.refused,
    projectedDays: perDay === undefined || perDay <= 0 ? null : round(terms.usd / perDay, 2),
    periodDays: PERIOD_DAYS[terms.per],
  };
}

export interface TraceCounts {
  file: string;
  lines: number;
  skipped: { noRoute: number; notRouted: number };
  malformed: number;
}

/**
 * The report of a finished replay.
 *
 * @example const report = simulationReport(replay.result(), { base, new: now }, counts);
 */
export function simulationReport(result: ReplayResult, sides: { base: SimulationSide; new: SimulationSide }, counts: TraceCounts): SimulationReport {
  const spanDays = traceSpanDays(result);
  const groups = (map: ReadonlyMap<string, GroupTally>): GroupFigures[] =>
    [...map].sort(([a], [b]) => byCodePoint(a, b)).map(([id, tally]) => group(id, tally, result, spanDays));
  return {
    schemaVersion: SIMULATION_SCHEMA_VERSION,
    base: sides.base,
    new: sides.new,
    traces: {
      file: counts.file,
      lines: counts.lines,
      replayed: result.replayed,
      skipped: counts.skipped,
      malformed: counts.malformed,
      firstTime: result.firstTime === undefined ? null : new Date(result.firstTime).toISOString(),
      lastTime: result.lastTime === undefined ? null : new Date(result.lastTime).toISOString(),
      spanDays: spanDays === undefined ? null : round(spanDays, 4),
    },
    seed: result.seed,
    canaries: result.canaries,
    method: SIMULATION_METHOD,
    total: group("(all)", result.total, result, spanDays),
    routes: groups(result.routes),
    teams: groups(result.teams),
    budgets: result.budgets.map((b) => ({
      team: b.team,
      base: budgetSide(b.terms.base, b.courses.base, spanDays),
      new: budgetSide(b.terms.new, b.courses.new, spanDays),
    })),
    unknownRoutes: result.unknownRoutes,
  };
}

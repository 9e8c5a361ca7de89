/**
 * @module Region-aware placement (issue 24): the caller's region orders each target's eligible members nearest first.
 *
 * The caller's region is the request's (a trusted proxy's header) or else its team's `region`. The config's
 * `regions` table lists, per caller region, the provider regions to prefer after the caller's own; a member's
 * *rank* is 0 in the caller's region, n at the n-th listed region, and after every listed region otherwise (also
 * when its provider declares no region). Members are grouped by rank and each group is ordered by the target's
 * strategy, so ties are the strategy's. A route's `placement.maxP95Ms` moves a member whose p95 latency is over
 * it behind every member within it (their own proximity order kept): traffic shifts to the next-nearest.
 *
 * Placement only reorders members that passed every filter: residency, data class and the rest are never
 * weakened (decide.property.test.ts and placement.property.test.ts check it over random configs and states).
 */
import type { Config, Route } from "@switchyard/ir";
import type { TableMember, TableTarget } from "./route-table.ts";
import type { RoutingRequest, RoutingState } from "./types.ts";

/** Samples a deployment needs before its p95 is judged against a route's target (fewer say little about a tail). */
export const PLACEMENT_MIN_P95_SAMPLES = 10;
/**
 * Share of requests that still try a deployment over its p95 target in its proximity place, so it keeps being
 * measured and regains its place once it meets the target again (its p95 window moves only with new samples).
 */
export const PLACEMENT_RECHECK_SHARE = 0.05;
/** Default header a trusted proxy sets to the caller's region (`router.regionHeader` names another). */
export const DEFAULT_REGION_HEADER = "x-switchyard-region";

/** What a caller in one region prefers: its own region, then its `regions` list. */
export interface CallerProximity {
  region: string;
  /** Regions nearest first: the caller's own, then its table entry (repeats dropped). */
  nearest: readonly string[];
  /** Provider region → its index in `nearest`; absent: `nearest.length` (after every listed region). */
  rank: ReadonlyMap<string, number>;
}

/** The config's proximity data, compiled once per release (RouteTable.proximity). */
export interface Proximity {
  /**
   * By caller region, for every region placement knows (provider regions, `regions` keys, team regions): a region
   * nothing knows would rank every member alike, so it is absent, and a client-sent string never grows this.
   */
  callers: ReadonlyMap<string, CallerProximity>;
  /** Team → its default region. */
  teamRegion: ReadonlyMap<string, string>;
}

/** Compile the proximity table and team regions of a config. */
export function compileProximity(config: Config): Proximity {
  const table = new Map<string, readonly string[]>(Object.entries(config.regions ?? {}));
  const teamRegion = new Map<string, string>();
  for (const [id, team] of Object.entries(config.teams)) if (team.region !== undefined) teamRegion.set(id, team.region);
  const known = new Set<string>();
  for (const p of Object.values(config.providers)) if (p.region !== undefined) known.add(p.region);
  for (const k of table.keys()) known.add(k);
  for (const r of teamRegion.values()) known.add(r);
  const callers = new Map<string, CallerProximity>();
  for (const region of known) {
    const nearest = [...new Set([region, ...(table.get(region) ?? [])])];
    callers.set(region, { region, nearest, rank: new Map(nearest.map((r, i) => [r, i])) });
  }
  return { callers, teamRegion };
}

/** Where the caller's region came from: the request (the trusted proxy's header) or the team's default. */
export type RegionSource = "request" | "team";

/** The region a request is placed from, and why; undefined when neither the request nor its team names one. */
export function callerRegion(proximity: Proximity, request: RoutingRequest): { region: string; source: RegionSource } | undefined {
  if (request.region !== undefined) return { region: request.region, source: "request" };
  const team = request.team === undefined ? undefined : proximity.teamRegion.get(request.team);
  return team === undefined ? undefined : { region: team, source: "team" };
}

/** A member's proximity rank for a caller: 0 same region, n the n-th listed region, `nearest.length` otherwise. */
export function rankOf(caller: CallerProximity, region: string | undefined): number {
  return (region === undefined ? undefined : caller.rank.get(region)) ?? caller.nearest.length;
}

/** A target's members as one caller region sees them: ranks by member index, and the members grouped by rank. */
export interface TargetRanks {
  ranks: Int32Array;
  /** Nearest group first, each in declaration order and frozen, so a strategy caches per-group work by identity (weighted). */
  groups: readonly (readonly TableMember[])[];
}

/** Per target, by caller region; null when every member ranks alike (nothing to reorder). */
const rankCache = new WeakMap<TableTarget, Map<string, TargetRanks | null>>();

/** The target's member ranks for a caller (cached on the target; caller regions come from the bounded `callers` map). */
export function targetRanks(target: TableTarget, caller: CallerProximity): TargetRanks | null {
  let byCaller = rankCache.get(target);
  if (byCaller === undefined) {
    byCaller = new Map();
    rankCache.set(target, byCaller);
  }
  let placed = byCaller.get(caller.region);
  if (placed === undefined) {
    const ranks = Int32Array.from(target.members, (m) => rankOf(caller, m.region));
    const distinct = [...new Set(ranks)].sort((a, b) => a - b);
    placed = distinct.length <= 1 ? null : { ranks, groups: distinct.map((r) => Object.freeze(target.members.filter((_, i) => ranks[i] === r))) };
    byCaller.set(caller.region, placed);
  }
  return placed;
}

/**
 * One request's placement: built by decide() when the caller's region is known or the route has a p95 target,
 * so a request without either pays nothing. Pure; randomness comes from the injected `rng`.
 */
export class RequestPlacement {
  constructor(
    /** The caller's proximity, undefined when its region is one placement does not know. */
    readonly caller: CallerProximity | undefined,
    readonly maxP95Ms: number | undefined,
    readonly state: RoutingState,
    readonly rng: () => number,
  ) {}

  /** Build the placement of a request on a route, or undefined when it would reorder nothing. */
  static of(proximity: Proximity, route: Route, request: RoutingRequest, state: RoutingState, rng: () => number): RequestPlacement | undefined {
    const where = callerRegion(proximity, request);
    const caller = where === undefined ? undefined : proximity.callers.get(where.region);
    const maxP95Ms = route.placement?.maxP95Ms;
    return caller === undefined && maxP95Ms === undefined ? undefined : new RequestPlacement(caller, maxP95Ms, state, rng);
  }

  /**
   * For decide()'s fast path (every member eligible, breakers plainly closed): the target's members grouped nearest
   * first (each group frozen, in declaration order), to be ordered group by group as a whole target is. undefined:
   * placement leaves this target's order alone; null: some member is over the route's p95 target (the general path moves it).
   */
  fastGroups(target: TableTarget): readonly (readonly TableMember[])[] | undefined | null {
    if (this.anyOverTarget(target.members)) return null;
    return this.caller === undefined ? undefined : targetRanks(target, this.caller)?.groups;
  }

  /** True when some member's p95 is over the route's target (false without a target: the usual, healthy case is cheap). */
  anyOverTarget(members: readonly TableMember[]): boolean {
    if (this.maxP95Ms === undefined) return false;
    for (let i = 0; i < members.length; i++) if (this.overTarget(members[i] as TableMember) !== undefined) return true;
    return false;
  }

  /**
   * By member index, true for a member that yields its place: over the p95 target and not drawn to re-measure it (one
   * draw per member over the target, in member order). undefined when none yields (no draw without a member over it).
   */
  yields(members: readonly TableMember[]): boolean[] | undefined {
    if (this.maxP95Ms === undefined) return undefined;
    let out: boolean[] | undefined;
    for (let i = 0; i < members.length; i++) {
      if (this.overTarget(members[i] as TableMember) !== undefined && this.rng() >= PLACEMENT_RECHECK_SHARE) {
        out ??= new Array<boolean>(members.length).fill(false);
        out[i] = true;
      }
    }
    return out;
  }

  /** True when the member's p95 is over the route's target (then, but for a PLACEMENT_RECHECK_SHARE draw, it yields). */
  overTarget(m: TableMember): { p95Ms: number } | undefined {
    if (this.maxP95Ms === undefined) return undefined;
    const l = this.state.latency(m.model);
    return l !== undefined && l.samples >= PLACEMENT_MIN_P95_SAMPLES && l.p95Ms > this.maxP95Ms ? { p95Ms: l.p95Ms } : undefined;
  }

  /**
   * Order eligible members nearest first: group by (over its p95 target, rank), each group ordered by `orderGroup`
   * (the target's strategy). `keys` receives each member's group key by member index (for explanations).
   */
  order<M extends TableMember>(
    target: TableTarget,
    members: readonly M[],
    orderGroup: (group: readonly M[]) => readonly M[],
    keys?: Map<number, number>,
  ): readonly M[] {
    const placed = this.caller === undefined ? null : targetRanks(target, this.caller);
    if (members === target.members) {
      // The common case, every member eligible: the groups precomputed for this caller region (frozen, so a strategy's
      // per-array cache applies) are used as they are, but for members yielding their place, which go behind them all.
      const far = this.caller === undefined ? 0 : this.caller.nearest.length;
      const yields = this.yields(members);
      if (keys !== undefined) for (let i = 0; i < members.length; i++) keys.set(i, (placed?.ranks[i] ?? 0) + (yields?.[i] === true ? far + 1 : 0));
      const out: M[] = [];
      const behind: (readonly M[])[] = [];
      for (const group of (placed?.groups ?? [members]) as readonly (readonly M[])[]) {
        // A group without a yielding member is passed on as it is (frozen: no copy, the strategy's cache holds).
        let keep: readonly M[] = group;
        if (yields !== undefined) {
          let kept: M[] | undefined;
          let moved: M[] | undefined;
          for (let j = 0; j < group.length; j++) {
            const m = group[j] as M;
            if (yields[m.index] !== true) kept?.push(m);
            else {
              if (kept === undefined) {
                kept = []; // (no slice(): V8's array builtins are slow on frozen arrays)
                for (let x = 0; x < j; x++) kept.push(group[x] as M);
              }
              (moved ??= []).push(m);
            }
          }
          if (kept !== undefined && moved !== undefined) {
            keep = kept;
            behind.push(moved);
          }
        }
        for (const m of keep.length <= 1 ? keep : orderGroup(keep)) out.push(m);
      }
      for (const group of behind) for (const m of group.length === 1 ? group : orderGroup(group)) out.push(m);
      return out;
    }
    const ranks = placed?.ranks;
    const far = this.caller === undefined ? 0 : this.caller.nearest.length;
    const key = new Array<number>(members.length);
    let uniform = true;
    for (let i = 0; i < members.length; i++) {
      const m = members[i] as M;
      let k = ranks === undefined ? 0 : (ranks[m.index] as number);
      if (this.overTarget(m) !== undefined && this.rng() >= PLACEMENT_RECHECK_SHARE) k += far + 1;
      key[i] = k;
      keys?.set(m.index, k);
      if (k !== key[0]) uniform = false;
    }
    if (uniform) return orderGroup(members);
    const groups = [...new Set(key)].sort((a, b) => a - b);
    const out: M[] = [];
    for (const g of groups) {
      const group = members.filter((_, i) => key[i] === g);
      for (const m of group.length === 1 ? group : orderGroup(group)) out.push(m);
    }
    return out;
  }

  /** Why a member stands where it does, for `switchyard explain`; `key` is its group key from order(). */
  reason(m: TableMember, key: number | undefined): string {
    const parts: string[] = [];
    const caller = this.caller;
    if (caller !== undefined) {
      const rank = rankOf(caller, m.region);
      parts.push(
        rank === 0
          ? `nearest: in the caller's region ${caller.region}`
          : rank < caller.nearest.length
            ? `region ${m.region ?? "?"}: ${caller.region}'s choice ${rank + 1} of ${caller.nearest.length}`
            : `region ${m.region ?? "(none declared)"}: not on ${caller.region}'s list, after ${caller.nearest.join(", ")}`,
      );
    }
    const over = this.overTarget(m);
    if (over !== undefined && this.maxP95Ms !== undefined) {
      const yielded = key !== undefined && key > (caller?.nearest.length ?? 0);
      parts.push(
        `p95 ${Math.round(over.p95Ms)} ms over the route's ${this.maxP95Ms} ms target: ${yielded ? "behind the deployments within it" : "kept in place to re-measure it"}`,
      );
    }
    return parts.join("; ");
  }
}

/** What a plan says of placement (`Plan.placement`): the caller's region, where it came from, and its regions nearest first. */
export interface PlanPlacement {
  region: string;
  source: RegionSource;
  /** Regions nearest first; empty when placement does not know the region (no provider serves it, no `regions` entry). */
  nearest: readonly string[];
}

/** The plan's placement summary for a request, undefined when no region applies. */
export function planPlacement(proximity: Proximity, request: RoutingRequest): PlanPlacement | undefined {
  const where = callerRegion(proximity, request);
  if (where === undefined) return undefined;
  return { region: where.region, source: where.source, nearest: proximity.callers.get(where.region)?.nearest ?? [] };
}

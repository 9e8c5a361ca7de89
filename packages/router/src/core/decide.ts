/** @module decide(): the pure routing core. Config + request + state view → an ordered plan with reasons. */
import type { Config } from "@switchyard/ir";
import type { Capability } from "@switchyard/ir";
import { planPlacement, RequestPlacement } from "./placement.ts";
import { compileRouteTable, type RouteTable, type TableMember, type TableRoute, type TableTarget } from "./route-table.ts";
import { matchRule } from "./decide-rules.ts";
import { stickyBucket } from "./sticky.ts";
import { DEFAULT_EXPECTED_OUTPUT_TOKENS, type StrategyContext } from "./strategy.ts";
import { weightedPick } from "./strategies/weighted.ts";
import type { BreakerView, Candidate, CandidateSource, DecideOptions, Decision, Exclusion, PlanWarning, RoutingRequest, RoutingState } from "./types.ts";

const tables = new WeakMap<Config, RouteTable>();
const CLOSED: BreakerView = Object.freeze({ status: "closed", openedAt: undefined });

let generation = 0;
/**
 * A fresh stamp per decision. decide() is synchronous and never re-entered, so marking a model's slot
 * with the stamp is an O(1), allocation-free "already planned" set; no state survives the call.
 */
function nextGeneration(): number {
  generation = generation >= 0x3fffffff ? 1 : generation + 1;
  return generation;
}

/** The cached RouteTable for a config object (compiled on first use; keyed by identity). */
export function routeTableFor(config: Config): RouteTable {
  let t = tables.get(config);
  if (t === undefined) {
    t = compileRouteTable(config);
    tables.set(config, t);
  }
  return t;
}

/**
 * Decide the ordered plan for a request. Pure: reads only its arguments; randomness and time are injected.
 * Caches the RouteTable per config object (WeakMap), so the first call for a config pays compilation.
 *
 * @example
 * const d = decide(config, { route: "support-faq", team: "support", promptTokens: 1200, maxOutputTokens: undefined,
 *   region: undefined, stickyKey: "user-1", requires: [] }, store.view(now), { rng: mulberry32(1), now });
 */
export function decide(config: Config, request: RoutingRequest, state: RoutingState, options: DecideOptions): Decision {
  return decideWithTable(routeTableFor(config), request, state, options);
}

/**
 * decide() against a precompiled table (the router compiles one per activated release).
 *
 * Order of the plan: canary (when the route's canary share is > 0 and the sticky bucket falls under it)
 * → long-context target (when promptTokens > longContext.over) → primary target ordered by its strategy
 * → each fallback step in order. Every member passes the same filters at every step (residency, data
 * class, lifecycle, capabilities, context window, breaker); a model already in the plan is skipped.
 * When nothing is left and some members were dropped only for open breakers, the one whose breaker
 * opened longest ago is planned as a probe.
 */
export function decideWithTable(table: RouteTable, request: RoutingRequest, state: RoutingState, options: DecideOptions): Decision {
  const route = table.routes.get(request.route);
  if (route === undefined) {
    return { ok: false, code: "route_not_found", message: `route "${request.route}" does not exist`, excluded: [] };
  }
  if (request.team !== undefined) {
    const allowed = table.teams.get(request.team);
    if (allowed === undefined) {
      return {
        ok: false,
        code: "route_not_allowed",
        message: `team "${request.team}" is not declared, so it may not use route "${request.route}"`,
        excluded: [],
      };
    }
    if (!allowed.has(request.route)) {
      return { ok: false, code: "route_not_allowed", message: `team "${request.team}" may not use route "${request.route}"`, excluded: [] };
    }
  }
  const run = new PlanBuilder(table, route, request, state, options);
  return run.build();
}

interface BlockedByBreaker {
  member: TableMember;
  step: number;
  source: CandidateSource;
  tier: string | undefined;
  openedAt: number;
  exclusion: Exclusion;
  view: BreakerView;
}

/** One decide() call's working set. A class so the hot path shares fields instead of passing them around. */
class PlanBuilder {
  /** Replaced (not only pushed to) by addFast(), which appends whole parts with concat. */
  candidates: Candidate[] = [];
  readonly excluded: Exclusion[] = [];
  readonly warnings: PlanWarning[] = [];
  /** This decision's generation: a model is in the plan when its slot carries it (see TableMember.slot). */
  readonly gen = nextGeneration();
  readonly blocked: BlockedByBreaker[] = [];
  readonly requires: readonly Capability[];
  /** Tokens a model must hold: prompt + requested output. */
  readonly need: number;
  readonly ctx: StrategyContext;
  canary = false;
  longContext = false;
  /** The breaker view the last filter() call read (valid when it got that far). */
  lastBreaker: BreakerView = CLOSED;
  /** The state vouches that every breaker reads plainly closed (RoutingState.breakersClosed). */
  readonly breakersClosed: boolean;
  /** Region-aware placement of this request; undefined when it would reorder nothing (no region, no p95 target). */
  readonly placement: RequestPlacement | undefined;

  constructor(
    readonly table: RouteTable,
    readonly route: TableRoute,
    readonly request: RoutingRequest,
    readonly state: RoutingState,
    readonly options: DecideOptions,
  ) {
    this.requires =
      route.requires.length === 0 ? request.requires : request.requires.length === 0 ? route.requires : [...new Set([...route.requires, ...request.requires])];
    this.need = request.promptTokens + (request.maxOutputTokens ?? 0);
    this.breakersClosed = state.breakersClosed?.() === true;
    this.ctx = {
      state,
      rng: options.rng,
      now: options.now,
      region: request.region,
      promptTokens: request.promptTokens,
      maxOutputTokens: request.maxOutputTokens,
    };
    this.placement = RequestPlacement.of(table.proximity, route.route, request, state, options.rng);
  }

  build(): Decision {
    const { route, request } = this;
    this.addCanary();
    if (route.longContext !== undefined && request.promptTokens > route.longContext.over) {
      this.longContext = true;
      this.addTarget(route.longContext.target, 0, "long-context");
    }
    const rule = route.rules === undefined ? undefined : matchRule(route, request);
    this.addTarget(rule?.target ?? route.primary, 0, "primary");
    for (let i = 0; i < route.fallback.length; i++) this.addTarget(route.fallback[i] as TableTarget, i + 1, "fallback");
    if (this.candidates.length === 0) this.addProbe();
    if (this.candidates.length === 0) {
      const why = this.excluded.length === 0 ? "the route has no models" : this.excluded.map((e) => `${e.model} (${e.code})`).join(", ");
      if (this.excluded.length > 0 && this.excluded.every((e) => e.code === "context-window")) {
        return {
          ok: false,
          code: "context_length_exceeded",
          message: `the request (${request.promptTokens} prompt tokens estimated, plus the output asked for) fits no model of route "${route.id}": ${why}`,
          excluded: this.excluded,
        };
      }
      return { ok: false, code: "no_candidates", message: `no eligible model for route "${route.id}": ${why}`, excluded: this.excluded };
    }
    return {
      ok: true,
      plan: {
        route: route.id,
        candidates: this.candidates,
        excluded: this.excluded,
        canary: this.canary,
        longContext: this.longContext,
        warnings: this.warnings,
        strategy: route.strategyName,
        ...(rule === undefined ? {} : { rule: { index: rule.index, condition: rule.condition.text, target: rule.target.label } }),
        ...placed(this.table, request),
      },
    };
  }

  addCanary(): void {
    const c = this.route.canary;
    if (c === undefined) return;
    const percent = this.state.canaryPercent(this.route.id);
    if (!(percent > 0)) return;
    const sticky = this.request.stickyKey !== undefined;
    const bucket = sticky ? stickyBucket(this.request.stickyKey as string, c.salt) : this.options.rng() * 100;
    if (bucket >= percent) return;
    const exclusion = this.filter(c.member, 0);
    if (exclusion !== undefined) {
      this.excluded.push(exclusion);
      this.warnings.push({ code: "canary-excluded", model: c.member.model, message: `canary ${c.member.model} drawn but excluded: ${exclusion.reason}` });
      return;
    }
    this.canary = true;
    const reason =
      this.options.explain === true ? `canary at ${fmt(percent)}% (bucket ${bucket.toFixed(1)}, ${sticky ? "sticky key" : "per request"})` : "canary";
    this.push(c.member, 0, "canary", undefined, reason, this.lastBreaker);
  }

  addTarget(target: TableTarget, step: number, source: CandidateSource): void {
    if (this.options.explain !== true && this.addFast(target, step, source)) return;
    const members = target.members;
    // Common case: every member passes, and the strategy gets the table's own (frozen, cacheable) array.
    let eligible: TableMember[] | undefined;
    // Breaker views by member index, kept only when some member is not plainly closed (half-open, slow start).
    let views: BreakerView[] | undefined;
    for (let i = 0; i < members.length; i++) {
      const m = members[i] as TableMember;
      const exclusion = this.filter(m, step);
      if (exclusion === undefined) {
        eligible?.push(m);
        const v = this.lastBreaker;
        if (v.status !== "closed" || (v.weight !== undefined && v.weight < 1)) {
          views ??= new Array<BreakerView>(members.length);
          views[m.index] = v;
        }
      } else {
        eligible ??= members.slice(0, i);
        this.excluded.push(exclusion);
        if (exclusion.code === "breaker-open") {
          const view = this.lastBreaker;
          this.blocked.push({ member: m, step, source, tier: target.tier, openedAt: view.openedAt ?? Number.NEGATIVE_INFINITY, exclusion, view });
        }
      }
    }
    const list = eligible ?? members;
    if (list.length === 0) return;
    this.ctx.fullWeight = views === undefined;
    const orderGroup = (group: readonly TableMember[]): readonly TableMember[] => {
      const o = group.length === 1 ? group : target.strategy.order(group, this.ctx);
      return views !== undefined && o.length > 1 && target.strategyName !== "weighted" ? this.slowStart(o, views) : o;
    };
    const explain = this.options.explain === true;
    const keys = explain && this.placement !== undefined ? new Map<number, number>() : undefined;
    const ordered = this.placement === undefined || list.length === 1 ? orderGroup(list) : this.placement.order(target, list, orderGroup, keys);
    // Outside explanations a candidate depends only on the table (member, and the target's fixed step,
    // source, tier and label): shared frozen objects, so a wide route does not allocate one per member
    // per decision, and a consumer that writes to one fails loudly instead of changing later plans.
    const shared = !(explain && target.kind === "tier");
    for (let i = 0; i < ordered.length; i++) {
      const m = ordered[i] as TableMember;
      const view = views?.[m.index] ?? CLOSED;
      if (shared && view === CLOSED && target.members[m.index] === m) {
        this.pushCandidate(m, this.sharedCandidate(target, m.index, step, source));
        continue;
      }
      const near = explain ? this.placement?.reason(m, keys?.get(m.index)) : undefined;
      const reason = shared
        ? target.label
        : `${target.label} #${i + 1} of ${ordered.length}: ${this.detail(m, target, ordered)}${near === undefined || near === "" ? "" : `; ${near}`}`;
      this.push(m, step, source, target.tier, reason, view);
    }
  }

  /**
   * The common case without per-member work where the table and state allow it: every member passes
   * every filter with its breaker plainly closed, and the target is one model or a weighted tier at its
   * configured weights. The part it adds is the target's shared candidates in configured-weight order
   * (cached) with the weighted pick moved to the front, appended with concat. Returns false having
   * changed nothing (reads only) when a member might fail a filter; addTarget() then takes the general path.
   */
  addFast(target: TableTarget, step: number, source: CandidateSource): boolean {
    const f = target.fast;
    const members = target.members;
    const n = members.length;
    if (n === 0 || !f.staticOk || this.need > f.minContext || (n > 1 && f.weights === undefined)) return false;
    // A disjoint route cannot plan a model twice, so it needs neither the duplicate check nor the stamps.
    const stamp = !this.route.disjoint;
    const gen = this.gen;
    const requires = this.requires;
    const readBreakers = !this.breakersClosed;
    if (stamp || requires.length > 0 || readBreakers) {
      for (let i = 0; i < n; i++) {
        const m = members[i] as TableMember;
        if (stamp && m.slot.gen === gen) return false;
        if (requires.length > 0 && m.capabilities !== undefined) {
          for (const cap of requires) if (!m.capabilities.has(cap)) return false;
        }
        if (readBreakers) {
          const b = this.state.breaker(m.model);
          if (b.status !== "closed" || (b.weight !== undefined && b.weight < 1)) return false;
        }
      }
    }
    const groups = this.placement?.fastGroups(target);
    if (groups === null) return false;
    if (groups !== undefined) {
      // Placement groups the members nearest first; each group (frozen) is ordered as a whole weighted target is.
      this.ctx.fullWeight = true;
      for (const g of groups)
        for (const m of g.length === 1 ? g : target.strategy.order(g, this.ctx)) this.pushCandidate(m, this.sharedCandidate(target, m.index, step, source));
      return true;
    }
    const ordered = f.ordered ?? this.orderedCandidates(target, step, source);
    const pick = f.weights === undefined ? 0 : weightedPick(f.weights, this.options.rng);
    const k = pick < 0 ? 0 : (f.position[pick] as number);
    // concat copies the array wholesale, far cheaper than a push per candidate on a wide route; then
    // the pick moves to the front of its part. (`ordered` is not frozen: concat on frozen arrays is slow.)
    const start = this.candidates.length;
    const out = this.candidates.concat(ordered);
    for (let j = start + k; j > start; j--) out[j] = out[j - 1] as Candidate;
    out[start] = ordered[k] as Candidate;
    this.candidates = out;
    if (stamp) for (let i = 0; i < n; i++) (members[i] as TableMember).slot.gen = gen;
    if (f.warns) {
      if (pick >= 0) this.warn(members[pick] as TableMember);
      for (let j = 0; j < n; j++) {
        const i = f.weights === undefined ? j : (f.weights.order[j] as number);
        if (i !== pick) this.warn(members[i] as TableMember);
      }
    }
    return true;
  }

  /** The target's shared candidates in configured-weight order, made once and kept on the table. */
  orderedCandidates(target: TableTarget, step: number, source: CandidateSource): readonly Candidate[] {
    const f = target.fast;
    const out: Candidate[] = [];
    for (let j = 0; j < target.members.length; j++) {
      out.push(this.sharedCandidate(target, f.weights === undefined ? j : (f.weights.order[j] as number), step, source));
    }
    f.ordered = out;
    return f.ordered;
  }

  /** Member `i`'s shared frozen candidate (see addTarget), made on first use and kept on the table. */
  sharedCandidate(target: TableTarget, i: number, step: number, source: CandidateSource): Candidate {
    let c = target.candidates[i];
    if (c === undefined) {
      const m = target.members[i] as TableMember;
      c = Object.freeze<Candidate>({ model: m.model, provider: m.provider, step, source, tier: target.tier, reason: target.label });
      target.candidates[i] = c;
    }
    return c;
  }

  /** Recovering members (slow-start weight < 1) keep their place with probability = weight, else move behind healthy ones. */
  slowStart(ordered: readonly TableMember[], views: readonly (BreakerView | undefined)[]): readonly TableMember[] {
    // (The weighted strategy scales weights itself and skips this.)
    let demoted: TableMember[] | undefined;
    let kept: TableMember[] | undefined;
    for (let i = 0; i < ordered.length; i++) {
      const m = ordered[i] as TableMember;
      const w = views[m.index]?.weight ?? 1;
      if (w < 1 && this.options.rng() >= w) {
        if (demoted === undefined) {
          demoted = [];
          kept = ordered.slice(0, i);
        }
        demoted.push(m);
      } else kept?.push(m);
    }
    return demoted === undefined || kept === undefined ? ordered : kept.concat(demoted);
  }

  detail(m: TableMember, target: TableTarget, ordered: readonly TableMember[]): string {
    switch (target.strategyName) {
      case "weighted": {
        let total = 0;
        for (const o of ordered) total += Math.max(0, o.weight);
        return `weight ${fmt(m.weight)} of ${fmt(total)}`;
      }
      case "cost": {
        const usd = (this.request.promptTokens * m.priceInput + (this.request.maxOutputTokens ?? DEFAULT_EXPECTED_OUTPUT_TOKENS) * m.priceOutput) / 1e6;
        return `est. $${usd.toPrecision(3)}`;
      }
      case "latency": {
        const l = this.state.latency(m.model);
        return l === undefined ? "no latency samples yet" : `latency ewma ${Math.round(l.ewmaMs)} ms, p95 ${Math.round(l.p95Ms)} ms`;
      }
      case "least-busy":
        return `${this.state.inFlight(m.model)} in flight`;
    }
  }

  /** The first filter a member fails at this step, or undefined when it is eligible. */
  filter(m: TableMember, step: number): Exclusion | undefined {
    if (m.slot.gen === this.gen) return { model: m.model, step, code: "duplicate", reason: "already earlier in the plan" };
    if (m.staticExclusion !== undefined) return { model: m.model, step, code: m.staticExclusion.code, reason: m.staticExclusion.reason };
    if (m.capabilities !== undefined) {
      for (const cap of this.requires) {
        if (!m.capabilities.has(cap)) return { model: m.model, step, code: "capability", reason: `lacks capability ${cap}` };
      }
    }
    const need = this.need;
    if (need > m.context) {
      return {
        model: m.model,
        step,
        code: "context-window",
        reason: `needs ${need} tokens (prompt ${this.request.promptTokens} + output ${this.request.maxOutputTokens ?? 0}); context is ${m.context}`,
      };
    }
    const b = this.state.breaker(m.model);
    this.lastBreaker = b;
    if (b.status === "open") return { model: m.model, step, code: "breaker-open", reason: "circuit breaker open" };
    if (b.status === "half-open" && b.probeAvailable === false)
      return { model: m.model, step, code: "breaker-open", reason: "circuit breaker half-open with its probe already in flight" };
    return undefined;
  }

  push(m: TableMember, step: number, source: CandidateSource, tier: string | undefined, reason: string, b: BreakerView, probe = false): void {
    const suffix =
      probe || b === CLOSED
        ? ""
        : b.status === "half-open"
          ? " [half-open: probe]"
          : (b.weight ?? 1) < 1
            ? ` [slow start ${Math.round((b.weight ?? 1) * 100)}%]`
            : "";
    const c: Candidate = { model: m.model, provider: m.provider, step, source, tier, reason: suffix === "" ? reason : reason + suffix };
    if (probe) c.probe = true;
    this.pushCandidate(m, c);
  }

  pushCandidate(m: TableMember, c: Candidate): void {
    m.slot.gen = this.gen;
    this.candidates.push(c);
    this.warn(m);
  }

  /** The warning planning this member raises, if any (deprecated, or past its sunset date). */
  warn(m: TableMember): void {
    if (m.lifecycle === "deprecated") this.warnings.push({ code: "deprecated-model", model: m.model, message: `model ${m.model} is deprecated` });
    else if (m.sunsetAt !== undefined && this.options.now >= m.sunsetAt)
      this.warnings.push({ code: "deprecated-model", model: m.model, message: `model ${m.model} is past its sunset date` });
  }

  /** Everything is out and some members only for open breakers: probe the one whose breaker opened longest ago. */
  addProbe(): void {
    let best: BlockedByBreaker | undefined;
    for (const b of this.blocked) if (best === undefined || b.openedAt < best.openedAt) best = b;
    if (best === undefined) return;
    const i = this.excluded.indexOf(best.exclusion);
    if (i >= 0) this.excluded.splice(i, 1);
    const when = Number.isFinite(best.openedAt) ? `opened ${Math.round((this.options.now - best.openedAt) / 1000)} s ago` : "open";
    this.push(best.member, best.step, best.source, best.tier, `probe: every candidate's breaker is open; this one ${when}, the longest`, best.view, true);
  }
}

/** The plan's `placement` field when the caller's region is known (from the request or its team). */
function placed(table: RouteTable, request: RoutingRequest): { placement?: ReturnType<typeof planPlacement> } {
  const placement = planPlacement(table.proximity, request);
  return placement === undefined ? {} : { placement };
}

function fmt(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(2).replace(/0+$/, "");
}

/** @module RedisBudgetStore: team budgets shared by every replica, each reserve and settle one Lua script. */
import { randomBytes } from "node:crypto";
import { periodBounds } from "../budget-period.ts";
import type {
  BudgetReservation,
  BudgetReserveRequest,
  BudgetSettleRequest,
  BudgetSettlement,
  BudgetSnapshot,
  BudgetTerms,
  RateLimitDecision,
  RateLimitTerms,
} from "../store.ts";
import type { BudgetStore } from "../stores.ts";
import { BackendDown, type RedisBackend } from "./backend.ts";
import { type TeamKeys, teamKeysCache } from "./keys.ts";
import { admittedRateLimit } from "./limits.ts";
import { ADMIT, BUDGET_RESERVE, SETTLE_ADJUST } from "./scripts.ts";

export interface RedisBudgetStoreOptions {
  prefix: string;
  environment: string;
  /**
   * How long a reservation holds budget without being settled, ms: a replica that dies mid-request
   * frees its holds after this. Longer than any attempt should last; a settle that comes later still
   * charges its real cost (the id is remembered for LAPSED_KEEP_MS).
   */
  reservationTtlMs: number;
  /** Where reservations go while Redis is down ("serve-local"). */
  local: BudgetStore;
}

/** How long the id of a lapsed reservation is remembered, so a late settle still charges (ms). */
const LAPSED_KEEP_MS = 3_600_000;
/** Budget keys live this long past their period's end (then Redis forgets an idle team). */
const KEY_TTL_PAST_PERIOD_MS = 35 * 86_400_000;
/** Settlements that failed while Redis was down, retried on recovery (beyond this, the oldest are dropped). */
const MAX_PENDING_SETTLEMENTS = 100_000;
/** Reservation ids made while Redis was down start with this (they settle locally). */
const LOCAL_ID = "L:";

/** A rate-limit script run in the same round trip as a budget script (the team's limits key, the request's terms and amount). */
export interface WithRateLimit {
  key: string;
  terms: RateLimitTerms;
  /** Tokens to take (ADMIT) or the token correction (SETTLE_ADJUST). */
  amount: number;
}

const num = (value: unknown): number => Number(value);

/** At most this many settlements go into one script call. */
const MAX_SETTLE_BATCH = 256;

/** At most this many admissions go into one script call. */
const MAX_ADMIT_BATCH = 64;

/** A team's budget and rate-limit terms, and the ten ADMIT arguments they make, as last sent (made again only when they change). */
interface AdmitTerms {
  period: string;
  periodStart: number;
  periodEnd: number;
  limitUsd: number;
  mode: string;
  rpm: number | undefined;
  tpm: number | undefined;
  /** ADMIT's head: period, start, end, limit, mode, rpm or '', tpm or '', hold ms, lapse keep ms, key TTL ms. */
  args: ReadonlyArray<string | number>;
}

/**
 * Admissions of one team and terms sent in one ADMIT call: the terms once (`terms.args`), then four arguments
 * each (`args`), answered with ten fields each. Every waiter gets the whole reply; its fields start at ten
 * times its place in `waiters`.
 */
interface AdmitBatch {
  keys: string[];
  terms: AdmitTerms;
  args: Array<string | number>;
  waiters: Array<{ resolve(reply: unknown[]): void; reject(error: unknown): void }>;
}

/** Settlements of one team and period sent in one script call. */
interface SettleGroup {
  team: string;
  /** day, week and month starts and ends of the settlements' `now`. */
  bounds: number[];
  now: number;
  /** The rate-limit terms of the token corrections (the first correcting settlement's) and their sum. */
  adjust: WithRateLimit | undefined;
  delta: number;
  items: Array<{ request: BudgetSettleRequest; resolve(s: BudgetSettlement): void; reject(error: unknown): void }>;
}

/**
 * Budgets in Redis. While Redis is down in "serve-local" mode, reservations go to a replica-local
 * ledger that starts from the last shared spend this replica saw; the spend settled there is added to
 * the shared ledger once Redis answers again (merged back), and settlements of shared reservations
 * that failed are retried then (settling is once per id, so a retry never charges twice).
 */
export class RedisBudgetStore implements BudgetStore {
  readonly #backend: RedisBackend;
  readonly #options: RedisBudgetStoreOptions;
  /** This replica's reservation ids are `<replica>:<seq>`: unique across replicas without a round trip. */
  readonly #replica = randomBytes(6).toString("base64url");
  #seq = 0;
  /** The latest `now` a caller passed (the store never reads the clock itself). */
  #lastNow = 0;
  /** The last shared spend seen per team (what a local ledger starts from during an outage). */
  readonly #lastShared = new Map<string, { periodStart: number; spentUsd: number }>();
  /** Terms of local reservations, by local id (to merge their settled cost back). */
  readonly #localTerms = new Map<string, BudgetTerms>();
  /** Spend settled locally during an outage, per team and period, to add to Redis on recovery. */
  readonly #unmerged = new Map<string, { terms: BudgetTerms; amountUsd: number }>();
  readonly #pendingSettlements: BudgetSettleRequest[] = [];
  /** Settlements waiting for this tick's flush, by team and period (and rate-limit terms). */
  readonly #settling = new Map<string, SettleGroup>();
  /** Admissions waiting for this tick's flush, by team (their keys). */
  readonly #admitting = new Map<string, AdmitBatch>();
  #flushScheduled = false;
  #fullGroups = 0;
  readonly #teamKeys: (team: string) => TeamKeys;
  /** KEYS of ADMIT and SETTLE_ADJUST per team (ledger, held, expiry, lapsed, limits), made once. */
  readonly #scriptKeys = new Map<string, string[]>();
  /** Each team's terms as its last ADMIT argument had them. */
  readonly #admitTerms = new Map<string, AdmitTerms>();

  constructor(backend: RedisBackend, options: RedisBudgetStoreOptions) {
    this.#backend = backend;
    this.#options = options;
    this.#teamKeys = teamKeysCache(options.prefix, options.environment);
    backend.onRecovered(() => this.#recover());
  }

  async reserve(request: BudgetReserveRequest): Promise<BudgetReservation> {
    try {
      return await this.#reserveShared(request);
    } catch (error) {
      if (!(error instanceof BackendDown)) throw error;
    }
    if (this.#backend.onUnavailable === "refuse") throw this.#backend.refusal();
    return this.#reserveLocal(request);
  }

  async settle(request: BudgetSettleRequest): Promise<BudgetSettlement> {
    if (request.id.startsWith(LOCAL_ID)) return this.#settleLocal(request);
    try {
      return await this.#settleShared(request);
    } catch (error) {
      if (!(error instanceof BackendDown)) throw error;
    }
    // Retried on recovery (the reservation meanwhile lapses at its expiry, never later).
    if (this.#pendingSettlements.length >= MAX_PENDING_SETTLEMENTS) this.#pendingSettlements.shift();
    this.#pendingSettlements.push(request);
    const seen = this.#lastShared.get(request.team);
    return { spentUsd: seen?.spentUsd ?? 0, reservedUsd: 0, limitUsd: 0, periodStart: seen?.periodStart ?? 0, settled: false };
  }

  async claimAlert(request: { team: string; periodStart: number; threshold: number }): Promise<boolean> {
    const key = this.#teamKeys(request.team).alert(request.periodStart, request.threshold);
    try {
      return (await this.#backend.run((c) => c.set(key, "1", "PX", 40 * 86_400_000, "NX"))) === "OK";
    } catch (error) {
      if (!(error instanceof BackendDown)) throw error;
    }
    if (this.#backend.onUnavailable === "refuse") return false;
    return this.#options.local.claimAlert(request); // may alert once more after recovery: better than never
  }

  async peek(terms: BudgetTerms, now: number): Promise<BudgetSnapshot> {
    const [ledger] = this.#teamKeys(terms.team).budget;
    let row: Array<string | null>;
    try {
      row = await this.#backend.run((c) => c.hmget(ledger, "period", "start", "spent", "reserved"));
    } catch (error) {
      if (!(error instanceof BackendDown)) throw error;
      if (this.#backend.onUnavailable === "refuse") throw this.#backend.refusal();
      return this.#options.local.peek(terms, now);
    }
    const current = row[0] === terms.period && num(row[1]) === terms.periodStart;
    return {
      spentUsd: current ? num(row[2]) : 0,
      reservedUsd: row[3] === null ? 0 : num(row[3]),
      limitUsd: terms.limitUsd,
      period: terms.period,
      periodStart: terms.periodStart,
      periodEnd: terms.periodEnd,
      mode: terms.mode,
    };
  }

  /**
   * Take from the team's rate limits and, when allowed, reserve: one ADMIT script. Throws BackendDown
   * while Redis is down (the caller then falls back to the stores' own calls).
   */
  admitShared(
    request: BudgetReserveRequest,
    limits: WithRateLimit,
  ): Promise<{
    rateLimit: RateLimitDecision;
    reservation: BudgetReservation | undefined;
  }> {
    // Promise callbacks rather than async functions: this is every governed request's path.
    let id: string;
    let at: number;
    let reply: Promise<unknown[]>;
    try {
      id = this.#nextId(request.now);
      const batch = this.#admitBatchOf(request.team, limits.key, this.#termsOf(request, limits.terms));
      at = batch.waiters.length * 10;
      batch.args.push(request.amountUsd, request.now, id, limits.amount);
      this.#scheduleFlush();
      reply = new Promise((resolve, reject) => batch.waiters.push({ resolve, reject }));
    } catch (error) {
      return Promise.reject(error);
    }
    return reply.then((full) => {
      // ADMIT's reply per request: the rate-limit decision's six fields, then the reservation's four.
      const rateLimit = admittedRateLimit(full, at, limits.terms);
      return { rateLimit, reservation: rateLimit.allowed ? this.#reservationOf(request, id, full, at + 6) : undefined };
    });
  }

  /**
   * Settle and correct the team's token bucket: one SETTLE_ADJUST script. Rejects with BackendDown while Redis is
   * down; undefined (no promise) for a reservation made locally during an outage.
   */
  settleSharedAdjusting(request: BudgetSettleRequest, limits: WithRateLimit): Promise<BudgetSettlement> | undefined {
    if (request.id.startsWith(LOCAL_ID)) return undefined;
    return this.#settleShared(request, limits);
  }

  /** A reservation id: `<replica>:<seq>`, unique across replicas without a round trip. */
  #nextId(now: number): string {
    this.#lastNow = Math.max(this.#lastNow, now);
    return `${this.#replica}:${(++this.#seq).toString(36)}`;
  }

  /** The reservation that a reply's four fields from `at` answer (granted, overLimit, spent, reserved). */
  #reservationOf(request: BudgetReserveRequest, id: string, reply: readonly unknown[], at: number): BudgetReservation {
    const granted = reply[at] === 1;
    const spentUsd = num(reply[at + 2]);
    const seen = this.#lastShared.get(request.team);
    if (seen === undefined) this.#lastShared.set(request.team, { periodStart: request.periodStart, spentUsd });
    else {
      seen.periodStart = request.periodStart;
      seen.spentUsd = spentUsd;
    }
    return {
      granted,
      id: granted ? id : undefined,
      overLimit: reply[at + 1] === 1,
      spentUsd,
      reservedUsd: num(reply[at + 3]),
      limitUsd: request.limitUsd,
      periodStart: request.periodStart,
      periodEnd: request.periodEnd,
    };
  }

  /** Reserve (or merge spend counted locally) with one BUDGET_RESERVE script: a team without rate limits, a fallback attempt, a recovery. */
  async #reserveShared(request: BudgetReserveRequest, op: "reserve" | "merge" = "reserve"): Promise<BudgetReservation> {
    const id = this.#nextId(request.now);
    // A fallback attempt's reservation must not overtake the settlement of the attempt that just failed
    // (it would count that attempt's estimate as still reserved and could refuse the request): the
    // settlements waiting for this tick's flush leave first, on the same connection, so Redis runs them first.
    if (this.#settling.size > 0) this.#flushSettlements();
    const args: Array<string | number> = [
      op,
      request.period,
      request.periodStart,
      request.periodEnd,
      request.limitUsd,
      request.mode,
      request.amountUsd,
      request.now,
      id,
      request.now + this.#options.reservationTtlMs,
      LAPSED_KEEP_MS,
      KEY_TTL_PAST_PERIOD_MS,
    ];
    const reply = (await this.#backend.eval(BUDGET_RESERVE, this.#keys(request.team), args)) as unknown[];
    return this.#reservationOf(request, id, reply, 0);
  }

  /**
   * The ADMIT call a request of `team` joins: the team's other admissions of this tick share it (one script
   * call, one write). A request alone goes out at the end of its turn, as it would have anyway.
   */
  #admitBatchOf(team: string, limitsKey: string, terms: AdmitTerms): AdmitBatch {
    let batch = this.#admitting.get(team);
    if (batch === undefined || batch.waiters.length >= MAX_ADMIT_BATCH || batch.terms !== terms) {
      // A full batch, or one under other terms (a new period or release), moves aside (still flushed this tick).
      if (batch !== undefined) this.#admitting.set(`${team}\u0000${++this.#fullGroups}`, batch);
      batch = { keys: this.#scriptKeysOf(team, limitsKey), terms, args: [], waiters: [] };
      this.#admitting.set(team, batch);
    }
    return batch;
  }

  #scheduleFlush(): void {
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    setImmediate(() => this.#flush());
  }

  #flush(): void {
    this.#flushScheduled = false;
    const admits = [...this.#admitting.values()];
    this.#admitting.clear();
    const groups = [...this.#settling.values()];
    this.#settling.clear();
    // Every team's SETTLE_ADJUST and ADMIT of this tick in one socket write, the settlements first: what
    // they release is free for the admissions behind them.
    this.#backend.corked(() => {
      for (const g of groups) void this.#settleGroup(g);
      for (const a of admits) void this.#admitBatch(a);
    });
  }

  /** Send the settlements waiting for this tick's flush now (one write). */
  #flushSettlements(): void {
    const groups = [...this.#settling.values()];
    this.#settling.clear();
    this.#backend.corked(() => {
      for (const g of groups) void this.#settleGroup(g);
    });
  }

  async #admitBatch(batch: AdmitBatch): Promise<void> {
    let reply: unknown[];
    try {
      reply = (await this.#backend.eval(ADMIT, batch.keys, batch.terms.args, batch.args)) as unknown[];
    } catch (error) {
      for (const w of batch.waiters) w.reject(error);
      return;
    }
    for (const w of batch.waiters) w.resolve(reply);
  }

  /**
   * Settle on Redis. Settlements are off the request's path, so those a replica has ready in one tick
   * go together: one SETTLE script per team and period (with the summed token correction when the
   * requests' rate-limit terms agree) instead of one per request. Each caller still gets its own
   * `settled`; the spend it reports is the team's after the whole group.
   */
  #settleShared(request: BudgetSettleRequest, limits?: WithRateLimit): Promise<BudgetSettlement> {
    const day = periodBounds("day", request.now);
    const adjust = limits !== undefined && limits.terms.tpm !== undefined && Number.isFinite(limits.amount) && limits.amount !== 0 ? limits : undefined;
    // Grouped by team; a group of another day (its week and month follow from the day) goes under a longer key.
    let base = request.team;
    let group = this.#settling.get(base);
    if (group !== undefined && group.bounds[0] !== day.start) {
      base = `${request.team}\u0000${day.start}`;
      group = this.#settling.get(base);
    }
    let key = base;
    if (adjust !== undefined && group?.adjust !== undefined && (group.adjust.terms.rpm !== adjust.terms.rpm || group.adjust.terms.tpm !== adjust.terms.tpm)) {
      key = `${base}\u0000${adjust.terms.rpm ?? ""}\u0000${adjust.terms.tpm ?? ""}`;
      group = this.#settling.get(key);
    }
    if (group === undefined || group.items.length >= MAX_SETTLE_BATCH) {
      // A full group moves aside (still flushed this tick); the next settlements start another.
      if (group !== undefined) this.#settling.set(`${key}\u0000${++this.#fullGroups}`, group);
      const week = periodBounds("week", request.now);
      const month = periodBounds("month", request.now);
      const bounds = [day.start, day.end, week.start, week.end, month.start, month.end];
      group = { team: request.team, bounds, now: request.now, adjust: undefined, delta: 0, items: [] };
      this.#settling.set(key, group);
    }
    const g = group;
    g.now = Math.max(g.now, request.now);
    if (adjust !== undefined) {
      g.adjust ??= adjust;
      g.delta += adjust.amount;
    }
    this.#scheduleFlush();
    return new Promise((resolve, reject) => g.items.push({ request, resolve, reject }));
  }

  async #settleGroup(g: SettleGroup): Promise<void> {
    const adjust = g.adjust;
    const b = g.bounds;
    const all: Array<string | number> = [
      adjust?.terms.rpm ?? "",
      adjust?.terms.tpm ?? "",
      adjust === undefined ? 0 : g.delta,
      g.now,
      b[0]!,
      b[1]!,
      b[2]!,
      b[3]!,
      b[4]!,
      b[5]!,
      LAPSED_KEEP_MS,
      g.items.length,
    ];
    for (const item of g.items) all.push(item.request.id, item.request.costUsd);
    const keys = this.#scriptKeysOf(g.team, adjust?.key);
    let reply: [string, string, string, string, string];
    try {
      reply = (await this.#backend.eval(SETTLE_ADJUST, keys, all)) as typeof reply;
    } catch (error) {
      for (const item of g.items) item.reject(error);
      return;
    }
    const flags = String(reply[0]);
    const spentUsd = num(reply[1]);
    const reservedUsd = num(reply[2]);
    const limitUsd = num(reply[3]);
    const periodStart = num(reply[4]);
    if (flags.includes("1")) this.#lastShared.set(g.team, { periodStart, spentUsd });
    for (let i = 0; i < g.items.length; i++) g.items[i]!.resolve({ spentUsd, reservedUsd, limitUsd, periodStart, settled: flags[i] === "1" });
  }

  /** A reservation against the local ledger, which starts from the last shared spend seen in this period. */
  async #reserveLocal(request: BudgetReserveRequest): Promise<BudgetReservation> {
    const shared = this.#sharedSpend(request.team, request.periodStart);
    const r = await this.#options.local.reserve({ ...request, limitUsd: Math.max(0, request.limitUsd - shared) });
    if (r.id === undefined) return { ...r, spentUsd: r.spentUsd + shared, limitUsd: request.limitUsd };
    const id = `${LOCAL_ID}${r.id}`;
    this.#localTerms.set(id, request);
    return { ...r, id, spentUsd: r.spentUsd + shared, limitUsd: request.limitUsd };
  }

  async #settleLocal(request: BudgetSettleRequest): Promise<BudgetSettlement> {
    const terms = this.#localTerms.get(request.id);
    this.#localTerms.delete(request.id);
    const s = await this.#options.local.settle({ ...request, id: request.id.slice(LOCAL_ID.length) });
    if (s.settled && terms !== undefined && request.costUsd > 0) {
      const key = `${terms.team}\u0000${terms.periodStart}`;
      const entry = this.#unmerged.get(key) ?? { terms, amountUsd: 0 };
      entry.amountUsd += request.costUsd;
      this.#unmerged.set(key, entry);
      if (this.#backend.up) void this.#recover().catch(() => undefined);
    }
    const shared = this.#sharedSpend(request.team, s.periodStart);
    return { ...s, spentUsd: s.spentUsd + shared, limitUsd: terms?.limitUsd ?? s.limitUsd + shared };
  }

  #sharedSpend(team: string, periodStart: number): number {
    const seen = this.#lastShared.get(team);
    return seen !== undefined && seen.periodStart === periodStart ? seen.spentUsd : 0;
  }

  /** Redis answers again: retry failed settlements, then add the spend settled locally. */
  async #recover(): Promise<void> {
    while (this.#pendingSettlements.length > 0 && this.#backend.up) {
      const request = this.#pendingSettlements[0];
      if (request === undefined) break;
      await this.#settleShared(request);
      this.#pendingSettlements.shift();
    }
    for (const [key, entry] of [...this.#unmerged]) {
      if (!this.#backend.up) return;
      this.#unmerged.delete(key);
      try {
        await this.#reserveShared({ ...entry.terms, amountUsd: entry.amountUsd, now: Math.max(this.#lastNow, entry.terms.periodStart) }, "merge");
      } catch (error) {
        const again = this.#unmerged.get(key);
        this.#unmerged.set(key, { terms: entry.terms, amountUsd: entry.amountUsd + (again?.amountUsd ?? 0) });
        throw error;
      }
    }
  }

  #keys(team: string): [string, string, string, string] {
    return this.#teamKeys(team).budget;
  }

  /** ADMIT's and SETTLE_ADJUST's KEYS: the team's budget keys and its limits key (the rate-limit store's, which is the same). */
  #scriptKeysOf(team: string, limitsKey: string | undefined): string[] {
    const own = this.#teamKeys(team);
    if (limitsKey !== undefined && limitsKey !== own.limits) return [...own.budget, limitsKey];
    let keys = this.#scriptKeys.get(team);
    if (keys === undefined) {
      if (this.#scriptKeys.size >= 4_096) this.#scriptKeys.clear();
      keys = [...own.budget, own.limits];
      this.#scriptKeys.set(team, keys);
    }
    return keys;
  }

  /** The team's terms for ADMIT, formatted again only when they changed since its last admission (a new period, a new release). */
  #termsOf(request: BudgetReserveRequest, rates: RateLimitTerms): AdmitTerms {
    const last = this.#admitTerms.get(request.team);
    if (
      last !== undefined &&
      last.period === request.period &&
      last.periodStart === request.periodStart &&
      last.periodEnd === request.periodEnd &&
      last.limitUsd === request.limitUsd &&
      last.mode === request.mode &&
      last.rpm === rates.rpm &&
      last.tpm === rates.tpm
    ) {
      return last;
    }
    const terms: AdmitTerms = {
      period: request.period,
      periodStart: request.periodStart,
      periodEnd: request.periodEnd,
      limitUsd: request.limitUsd,
      mode: request.mode,
      rpm: rates.rpm,
      tpm: rates.tpm,
      args: [
        request.period,
        request.periodStart,
        request.periodEnd,
        String(request.limitUsd),
        request.mode,
        rates.rpm ?? "",
        rates.tpm ?? "",
        this.#options.reservationTtlMs,
        LAPSED_KEEP_MS,
        KEY_TTL_PAST_PERIOD_MS,
      ],
    };
    if (this.#admitTerms.size >= 4_096) this.#admitTerms.clear();
    this.#admitTerms.set(request.team, terms);
    return terms;
  }
}

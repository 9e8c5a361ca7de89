/**
 * @module RedisRolloutStore: canary steps and guard windows shared by every replica, plus the
 * controller lease that lets one replica per environment drive them. decide() reads canary shares
 * synchronously from a local cache, kept fresh by pub/sub and a periodic refresh.
 */
import type { Config } from "@switchyard/ir";
import { CANARY_LATENCY_SAMPLES, armWindow, emptyArmCounts } from "../canary-window.ts";
import { percentile95 } from "../latency.ts";
import type { AttemptOutcome, CanaryArmWindow, CanaryFeedback, CanarySnapshot, CanaryWindow } from "../store.ts";
import type { RolloutStore } from "../stores.ts";
import { BackendDown, type RedisBackend } from "./backend.ts";
import { environmentKeys, type EnvironmentKeys } from "./keys.ts";
import { CANARY_ACTIVATE, CANARY_ARM_FIELDS, CANARY_FEEDBACK, CANARY_FIELDS, CANARY_READ, CANARY_RECORD, CANARY_SET, LEASE } from "./scripts.ts";

export interface RedisRolloutStoreOptions {
  prefix: string;
  environment: string;
  /** How often the cache is re-read as a backstop to pub/sub, ms. */
  refreshMs: number;
}

/** A row of CANARY_READ: route, hash fields, canary latencies, baseline latencies. */
type CanaryRow = [string, Array<string | null>, string[], string[]];

/** The cached canary state (what decide() and a down-time snapshot read; no latencies, so no p95). */
type CachedCanary = CanarySnapshot & { stepsKey: string };

/**
 * Rollout state in Redis. While Redis is down the cached shares keep serving (every replica splits by
 * the last step it saw), guard-window counts are not recorded and no replica holds the controller
 * lease, so no canary is promoted or rolled back on one replica's partial view.
 */
export class RedisRolloutStore implements RolloutStore {
  readonly #backend: RedisBackend;
  readonly #keys: EnvironmentKeys;
  readonly #environment: string;
  readonly #prefix: string;
  #cache = new Map<string, CachedCanary>();
  /** Counts this replica's canary writes: a refresh whose read was sent before one may not see it, and is not applied. */
  #writes = 0;
  /** The config last activated, re-applied on recovery if Redis was down then. */
  #pendingActivation: { config: Config; now: number } | undefined;
  readonly #refresh: NodeJS.Timeout;
  #unsubscribe: (() => void) | undefined;

  constructor(backend: RedisBackend, options: RedisRolloutStoreOptions) {
    this.#backend = backend;
    this.#prefix = options.prefix;
    this.#environment = options.environment;
    this.#keys = environmentKeys(options.prefix, options.environment);
    this.#refresh = setInterval(() => void this.refresh().catch(() => undefined), options.refreshMs);
    this.#refresh.unref();
    backend.onRecovered(async () => {
      const pending = this.#pendingActivation;
      if (pending !== undefined) await this.activate(pending.config, pending.now);
      await this.refresh();
    });
  }

  /** Follow other replicas' changes (pub/sub). */
  async subscribe(): Promise<void> {
    const sub = this.#backend.subscriber();
    const channel = this.#keys.rolloutChannel;
    const onMessage = (from: string): void => {
      if (from === channel) void this.refresh().catch(() => undefined);
    };
    // A step set while this connection was (re)connecting was published to nobody: re-read once subscribed again.
    const onReady = (): void => void this.refresh().catch(() => undefined);
    sub.on("message", onMessage);
    sub.on("ready", onReady);
    this.#unsubscribe = () => {
      sub.off("message", onMessage);
      sub.off("ready", onReady);
    };
    await sub.subscribe(channel);
    await this.refresh().catch(() => undefined);
  }

  async activate(config: Config, now: number): Promise<void> {
    const args: Array<string | number> = [this.#keys.canaryBase, now];
    for (const [route, def] of Object.entries(config.routes)) {
      if (def.canary === undefined) continue;
      args.push(route, def.canary.model, stepsKey(def.canary.steps), clampPercent(def.canary.steps[0] ?? 0));
    }
    this.#writes++;
    try {
      await this.#backend.eval(CANARY_ACTIVATE, [this.#keys.canaries, this.#keys.rolloutChannel], args);
      this.#pendingActivation = undefined;
      await this.refresh();
      return;
    } catch (error) {
      if (!(error instanceof BackendDown)) throw error;
    }
    // Down: serve the new release's canaries from the cache now, write them to Redis on recovery.
    this.#pendingActivation = { config, now };
    this.#activateCache(config, now);
  }

  canaryPercent(route: string): number {
    return this.#cache.get(route)?.percent ?? 0;
  }

  async recordCanaryAttempt(route: string, outcome: AttemptOutcome): Promise<void> {
    if (outcome.errorClass === "client") return; // the request's fault says nothing of either arm
    const cached = this.#cache.get(route);
    // No canary, or an attempt of no arm that is not the canary model's: nothing to count (no round trip). The script decides the rest.
    if (cached === undefined || (outcome.arm === undefined && cached.model !== outcome.model)) return;
    const cost = outcome.ok && outcome.costUsd !== undefined && outcome.costUsd >= 0 && Number.isFinite(outcome.costUsd) ? String(outcome.costUsd) : "";
    const args = [
      outcome.model,
      outcome.arm ?? "",
      outcome.ok ? "1" : "0",
      outcome.errorClass === "validation" ? "1" : "0",
      outcome.latencyMs,
      cost,
      CANARY_LATENCY_SAMPLES,
    ];
    try {
      const key = this.#keys.canaryBase + route;
      await this.#backend.eval(CANARY_RECORD, [key, `${key}:lat:canary`, `${key}:lat:baseline`], args);
    } catch (error) {
      if (!(error instanceof BackendDown)) throw error;
      // Down: the guard window misses this attempt (no controller acts meanwhile).
    }
  }

  async recordCanaryFeedback(feedback: CanaryFeedback): Promise<boolean> {
    if (!Number.isFinite(feedback.score)) return false;
    try {
      const counted = await this.#backend.eval(
        CANARY_FEEDBACK,
        [this.#keys.canaryBase + feedback.route],
        [feedback.arm, feedback.model, String(feedback.score), feedback.servedAt],
      );
      return counted === 1;
    } catch (error) {
      if (!(error instanceof BackendDown)) throw error;
      return false; // Down: the score is not counted (the guard window misses it, as it misses attempts)
    }
  }

  async setCanaryPercent(route: string, percent: number, options: { now: number; step?: number; reason?: string }): Promise<void> {
    const key = this.#keys.canaryBase + route;
    const clamped = clampPercent(percent);
    this.#writes++;
    try {
      await this.#backend.eval(
        CANARY_SET,
        [this.#keys.canaries, key, this.#keys.rolloutChannel],
        [route, clamped, options.step ?? "", options.now, options.reason === undefined ? "0" : "1", options.reason ?? ""],
      );
    } catch (error) {
      if (!(error instanceof BackendDown)) throw error;
      if (this.#backend.onUnavailable === "refuse") throw this.#backend.refusal();
    }
    const existing = this.#cache.get(route);
    this.#cache.set(route, {
      model: existing?.model ?? "",
      stepsKey: existing?.stepsKey ?? "",
      percent: clamped,
      step: options.step ?? existing?.step ?? 0,
      updatedAt: options.now,
      reason: options.reason,
      window: emptyWindow(options.now),
    });
  }

  async snapshot(): Promise<Record<string, CanarySnapshot>> {
    let rows: CanaryRow[];
    try {
      rows = await this.#read(true);
    } catch (error) {
      if (!(error instanceof BackendDown)) throw error;
      // Down: the cached counts as last read (no latencies are cached, so no p95).
      const out: Record<string, CanarySnapshot> = {};
      for (const route of [...this.#cache.keys()].sort()) {
        const c = this.#cache.get(route);
        if (c !== undefined) out[route] = toSnapshot(c);
      }
      return out;
    }
    const out: Record<string, CanarySnapshot> = {};
    for (const [route, row, canaryLatencies, baselineLatencies] of rows.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) {
      const c = fromRow(row, canaryLatencies, baselineLatencies);
      out[route] = toSnapshot(c);
    }
    return out;
  }

  async holdControllerLease(environment: string, holder: string, ttlMs: number, now: number): Promise<boolean> {
    const key = environment === this.#environment ? this.#keys.lease : environmentKeys(this.#prefix, environment).lease;
    try {
      return (await this.#backend.eval(LEASE, [key], [holder, ttlMs, now])) === 1;
    } catch (error) {
      if (!(error instanceof BackendDown)) throw error;
      return false; // nobody drives canaries on a partial view
    }
  }

  /** Re-read every canary into the cache (pub/sub message, periodic backstop, recovery). */
  async refresh(): Promise<void> {
    if (!this.#backend.up) return;
    // A write of ours that went out while a read was in flight may not be in its rows: read again (a read sent after
    // the write sees it, the connection keeping their order); after three tries the periodic refresh takes over.
    for (let tries = 0; tries < 3; tries++) {
      const writes = this.#writes;
      const rows = await this.#read(false);
      if (this.#writes !== writes) continue;
      const next = new Map<string, CachedCanary>();
      for (const [route, row] of rows) next.set(route, fromRow(row, [], []));
      this.#cache = next;
      return;
    }
  }

  close(): void {
    clearInterval(this.#refresh);
    this.#unsubscribe?.();
  }

  async #read(withLatencies: boolean): Promise<CanaryRow[]> {
    return (await this.#backend.eval(CANARY_READ, [this.#keys.canaries], [this.#keys.canaryBase, withLatencies ? "1" : "0"])) as CanaryRow[];
  }

  /** The memory store's activate() on the cache (used while Redis is down). */
  #activateCache(config: Config, now: number): void {
    for (const route of [...this.#cache.keys()]) if (config.routes[route]?.canary === undefined) this.#cache.delete(route);
    for (const [route, def] of Object.entries(config.routes)) {
      const canary = def.canary;
      if (canary === undefined) continue;
      const key = stepsKey(canary.steps);
      const existing = this.#cache.get(route);
      if (existing !== undefined && existing.model === canary.model && existing.stepsKey === key) continue;
      this.#cache.set(route, {
        model: canary.model,
        stepsKey: key,
        percent: clampPercent(canary.steps[0] ?? 0),
        step: 0,
        updatedAt: now,
        reason: "canary started",
        window: emptyWindow(now),
      });
    }
  }
}

/** A row of CANARY_READ (its CANARY_FIELDS, then each arm's CANARY_ARM_FIELDS) and the arms' latencies. */
function fromRow(row: Array<string | null>, canaryLatencies: string[], baselineLatencies: string[]): CachedCanary {
  const field = (name: (typeof CANARY_FIELDS)[number]): string | null => row[CANARY_FIELDS.indexOf(name)] ?? null;
  const n = (name: (typeof CANARY_FIELDS)[number]): number => Number(field(name) ?? 0);
  const arm = (offset: number, latencies: string[]): CanaryArmWindow => {
    const count = (name: (typeof CANARY_ARM_FIELDS)[number]): number => Number(row[offset + CANARY_ARM_FIELDS.indexOf(name)] ?? 0);
    const ms = latencies.map(Number);
    return {
      requests: count("requests"),
      errors: count("errors"),
      p95Ms: ms.length === 0 ? undefined : percentile95(ms),
      validationFailures: count("validationFailures"),
      costUsd: count("costUsd"),
      costed: count("costed"),
      scoreSum: count("scoreSum"),
      scores: count("scores"),
    };
  };
  return {
    model: field("model") ?? "",
    stepsKey: field("steps") ?? "",
    percent: n("percent"),
    step: n("step"),
    updatedAt: n("updatedAt"),
    reason: field("reason") ?? undefined,
    window: {
      ...arm(CANARY_FIELDS.length, canaryLatencies),
      since: n("since"),
      baseline: arm(CANARY_FIELDS.length + CANARY_ARM_FIELDS.length, baselineLatencies),
    },
  };
}

function toSnapshot(c: CachedCanary): CanarySnapshot {
  return { model: c.model, percent: c.percent, step: c.step, updatedAt: c.updatedAt, reason: c.reason, window: c.window };
}

function emptyWindow(since: number): CanaryWindow {
  const empty = armWindow(emptyArmCounts());
  return { ...empty, since, baseline: { ...empty } };
}

function stepsKey(steps: readonly number[]): string {
  return steps.join(",");
}

function clampPercent(p: number): number {
  return Number.isFinite(p) ? Math.min(100, Math.max(0, p)) : 0;
}

/**
 * @module RedisReleaseStore: an environment's releases, active pointer, activation stack and history
 * in Redis, so an upload, activation or rollback through any replica reaches all of them.
 */
import { serialiseRelease } from "@switchyard/ir";
// Not @switchyard/ir's parseRelease: it validates with zod, which would add ~450 KB to router.mjs.
import { verifyReleaseText } from "../../admin/verify-release.ts";
import type { ReleaseStore, StoredRelease } from "../stores.ts";
import { BackendDown, type RedisBackend } from "./backend.ts";
import { environmentKeys, type EnvironmentKeys } from "./keys.ts";
import { RELEASE_ACTIVATE, RELEASE_PUT, RELEASE_READ } from "./scripts.ts";

export interface RedisReleaseStoreOptions {
  prefix: string;
  environment: string;
  /** Releases remembered per environment (as ActiveRelease: the oldest inactive ones go first). */
  retain: number;
  /** Total bytes of uploads remembered per environment. */
  maxBytes: number;
  /** How often the active pointer is re-read as a backstop to pub/sub, ms. */
  refreshMs: number;
  log: (line: string) => void;
}

type ReleaseRow = [string, string, string, string, string];

/**
 * Releases in Redis (one store per environment; the environment arguments name it). Every
 * operation needs Redis: while it is down they throw RouterError `state_unavailable` (an activation
 * that reached only some replicas would split the fleet).
 */
export class RedisReleaseStore implements ReleaseStore {
  readonly #backend: RedisBackend;
  readonly #options: RedisReleaseStoreOptions;
  readonly #keys = new Map<string, EnvironmentKeys>();
  readonly #listeners = new Set<(environment: string, hash: string) => void>();
  /** The active hash this replica last saw or set, per environment (listeners hear changes only). */
  readonly #seen = new Map<string, string>();
  readonly #refresh: NodeJS.Timeout;
  #unsubscribe: (() => void) | undefined;

  constructor(backend: RedisBackend, options: RedisReleaseStoreOptions) {
    this.#backend = backend;
    this.#options = options;
    this.#refresh = setInterval(() => void this.#check().catch(() => undefined), options.refreshMs);
    this.#refresh.unref();
    backend.onRecovered(() => this.#check());
  }

  /** Follow other replicas' activations (pub/sub); remembers the current active hash first. */
  async subscribe(): Promise<void> {
    const channel = this.#k(this.#options.environment).releaseChannel;
    const sub = this.#backend.subscriber();
    const onMessage = (from: string, hash: string): void => {
      if (from === channel) this.#saw(this.#options.environment, hash);
    };
    sub.on("message", onMessage);
    this.#unsubscribe = () => sub.off("message", onMessage);
    await sub.subscribe(channel);
    if (this.#backend.up) {
      const active = await this.active(this.#options.environment).catch(() => undefined);
      if (active !== undefined && !this.#seen.has(this.#options.environment)) this.#seen.set(this.#options.environment, active);
    }
  }

  async put(record: StoredRelease): Promise<{ created: boolean }> {
    const body = serialiseRelease(record.release);
    const created = await this.#eval(RELEASE_PUT, record.environment, [
      record.hash,
      body,
      record.bytes,
      record.uploadedAt,
      this.#options.retain,
      this.#options.maxBytes,
    ]);
    return { created: created === 1 };
  }

  async get(hash: string): Promise<StoredRelease | undefined> {
    const rows = (await this.#eval(RELEASE_READ, this.#options.environment, ["get", hash])) as ReleaseRow[];
    return rows[0] === undefined ? undefined : this.#record(rows[0]);
  }

  async active(environment: string): Promise<string | undefined> {
    const key = this.#k(environment).releaseActive;
    return (await this.#run((c) => c.get(key))) ?? undefined;
  }

  async activate(environment: string, hash: string, options: { now: number; rollback?: boolean }): Promise<void> {
    // This replica makes the change: its listeners are not called for it, even when the pub/sub
    // message arrives before the script's reply.
    const before = this.#seen.get(environment);
    this.#seen.set(environment, hash);
    let done: unknown;
    try {
      done = await this.#eval(RELEASE_ACTIVATE, environment, [
        hash,
        options.now,
        options.rollback === true ? "1" : "0",
        this.#options.retain,
        this.#options.maxBytes,
      ]);
    } finally {
      if (done !== 1) {
        if (before === undefined) this.#seen.delete(environment);
        else this.#seen.set(environment, before);
      }
    }
    if (done !== 1) throw new Error(`release ${hash} is not stored for environment ${environment}; put() it before activating`);
  }

  async previous(environment: string): Promise<string | undefined> {
    const key = this.#k(environment).releaseStack;
    return (await this.#run((c) => c.lindex(key, -2))) ?? undefined;
  }

  async history(environment: string, limit: number): Promise<StoredRelease[]> {
    if (limit <= 0) return [];
    const rows = (await this.#eval(RELEASE_READ, environment, ["history", limit])) as ReleaseRow[];
    return rows.map((row) => this.#record(row)).filter((r) => r !== undefined);
  }

  /**
   * `listener(environment, hash)` runs when another replica activates a release (pub/sub), or when
   * the periodic check or a reconnection finds the active pointer changed. Not for this replica's own
   * activate() calls: their caller already knows.
   */
  onActivate(listener: (environment: string, hash: string) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  close(): void {
    clearInterval(this.#refresh);
    this.#unsubscribe?.();
  }

  async #check(): Promise<void> {
    if (!this.#backend.up) return;
    const environment = this.#options.environment;
    const hash = await this.active(environment);
    if (hash !== undefined) this.#saw(environment, hash);
  }

  #saw(environment: string, hash: string): void {
    if (this.#seen.get(environment) === hash) return;
    this.#seen.set(environment, hash);
    for (const listener of this.#listeners) {
      try {
        listener(environment, hash);
      } catch {
        // a listener's failure is its own
      }
    }
  }

  #record(row: ReleaseRow): StoredRelease | undefined {
    const [hash, body, bytes, uploaded, activated] = row;
    const parsed = verifyReleaseText(body, hash);
    if (!parsed.ok) {
      this.#options.log(`switchyard: release ${hash} stored in Redis does not parse (${parsed.diagnostics[0]?.message ?? "invalid"}); ignored`);
      return undefined;
    }
    return {
      hash,
      environment: parsed.release.config.environment,
      uploadedAt: Number(uploaded),
      activatedAt: activated === "" ? undefined : Number(activated),
      release: parsed.release,
      bytes: Number(bytes),
    };
  }

  #k(environment: string): EnvironmentKeys {
    let keys = this.#keys.get(environment);
    if (keys === undefined) {
      keys = environmentKeys(this.#options.prefix, environment);
      this.#keys.set(environment, keys);
    }
    return keys;
  }

  async #eval(script: Parameters<RedisBackend["eval"]>[0], environment: string, args: Array<string | number>): Promise<unknown> {
    return this.#guard(() => this.#backend.eval(script, this.#k(environment).release, args));
  }

  async #run<T>(fn: (client: RedisBackend["client"]) => Promise<T>): Promise<T> {
    return this.#guard(() => this.#backend.run(fn));
  }

  /** Redis down: RouterError `state_unavailable` (503), whatever `onUnavailable` says. */
  async #guard<T>(op: () => Promise<T>): Promise<T> {
    try {
      return await op();
    } catch (error) {
      if (error instanceof BackendDown) throw this.#backend.refusal();
      throw error;
    }
  }
}

/**
 * @module The connection to Redis/Valkey: every command with a timeout, reconnection forever without
 * a restart, and an up/down state with one log line per transition (the URL's password never printed).
 */
import type { Socket } from "node:net";
import type { ConnectionOptions } from "node:tls";
import { Redis } from "ioredis";
import { RouterError } from "../../errors.ts";
import { LeanConnection, RedisReplyError } from "./lean.ts";
import type { LuaScript } from "./scripts.ts";
import { redactRedisUrl } from "./url.ts";

/** A command could not be served by Redis (down, slow, restarting): the stores fall back or refuse. */
export class BackendDown extends Error {
  override readonly name = "BackendDown";
}

export interface BackendOptions {
  url: string;
  commandTimeoutMs: number;
  onUnavailable: "serve-local" | "refuse";
  log: (line: string) => void;
  /** Extra TLS options for `rediss://` (e.g. a private CA); NODE_EXTRA_CA_CERTS works as well. */
  tls?: ConnectionOptions;
  /** How often a down backend is probed with PING, ms. */
  probeMs: number;
}

type Arg = string | number;
const NO_ARGS: readonly Arg[] = [];

/**
 * The scripts of the governed request's path (rate limits, reservations, settlements) run on the lean
 * connection, all on the one connection, so Redis runs them in the order they were sent (a fallback's
 * reservation after the settlement of the attempt that failed). The others (canaries, releases: large
 * bodies, rare calls) stay on ioredis.
 */
const LEAN_SCRIPTS = new Set(["admit", "settle_adjust", "budget_reserve", "rate_limit"]);

/** The shared Redis connection of one router (plus a subscriber connection for pub/sub). */
export class RedisBackend {
  readonly client: Redis;
  readonly onUnavailable: "serve-local" | "refuse";
  /** The connection the request path's scripts use while it is ready (ioredis otherwise). */
  readonly #lean: LeanConnection;
  readonly #options: BackendOptions;
  readonly #where: string;
  #subscriber: Redis | undefined;
  #up = false;
  /** Whether a down line was printed (the first state is "starting", neither up nor down). */
  #reportedDown = false;
  #lastError = "";
  #closed = false;
  readonly #recovered: Array<() => Promise<void>> = [];
  readonly #probe: NodeJS.Timeout;
  #probing = false;

  constructor(options: BackendOptions) {
    this.#options = options;
    this.onUnavailable = options.onUnavailable;
    this.#where = redactRedisUrl(options.url);
    const tls = options.url.startsWith("rediss:") ? { ...options.tls } : undefined;
    this.client = new Redis(options.url, {
      lazyConnect: true,
      commandTimeout: options.commandTimeoutMs,
      connectTimeout: Math.max(1_000, options.commandTimeoutMs * 4),
      // Fail at once while disconnected instead of queueing: the stores fall back (or refuse) then.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      // Commands issued in one tick go out as one write. Not the scripts: the stores batch their hot
      // ones themselves (one call per team per tick, sent corked), and a Pipeline per tick on top costs
      // ≈ 60–110 µs of CPU per call (BENCHMARKS.md, State on Redis).
      enableAutoPipelining: true,
      autoPipeliningIgnoredCommands: ["evalsha", "eval"],
      retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times, 5), 1_000),
      ...(tls === undefined ? {} : { tls }),
    });
    this.#lean = new LeanConnection({
      url: options.url,
      ...(tls === undefined ? {} : { tls }),
      commandTimeoutMs: options.commandTimeoutMs,
      connectTimeoutMs: Math.max(1_000, options.commandTimeoutMs * 4),
    });
    this.client.on("ready", () => this.#markUp());
    this.client.on("close", () => this.#markDown(this.#lastError === "" ? "connection closed" : this.#lastError));
    this.client.on("error", (error: Error) => {
      this.#lastError = describe(error);
    });
    this.#probe = setInterval(() => void this.#probeOnce(), options.probeMs);
    this.#probe.unref();
  }

  /** Connect, waiting at most `waitMs` (a Redis still unreachable then is reported down; reconnection goes on). */
  async start(waitMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, waitMs);
    });
    this.#lean.start();
    await Promise.race([Promise.all([this.client.connect().catch(() => undefined), this.#lean.whenReady()]), timeout]);
    clearTimeout(timer);
    if (!this.#up) this.#markDown(this.#lastError === "" ? `no answer within ${waitMs} ms` : this.#lastError);
  }

  /** True while Redis answers. */
  get up(): boolean {
    return this.#up;
  }

  /** Run after every reconnection (flush queued settlements, merge local spend, refresh caches). */
  onRecovered(hook: () => Promise<void>): void {
    this.#recovered.push(hook);
  }

  /**
   * Run a script: EVALSHA, then EVAL once when Redis does not know it (NOSCRIPT: a restart or SCRIPT FLUSH). Its ARGV
   * are `args`, then `more` (a batch's own arguments after the terms it shares, without joining the two lists).
   */
  eval(script: LuaScript, keys: readonly string[], args: readonly Arg[], more: readonly Arg[] = NO_ARGS): Promise<unknown> {
    const lean = this.#lean;
    if (lean.ready && LEAN_SCRIPTS.has(script.name)) {
      if (!this.#up) return Promise.reject(this.#unreachable());
      // Promise callbacks rather than async closures: this is every governed request's path.
      return lean.send(["EVALSHA", script.sha, keys.length], keys, args, more).catch((error: unknown) => {
        if (!(error instanceof RedisReplyError && error.message.startsWith("NOSCRIPT"))) throw this.#failed(error);
        return lean.send(["EVAL", script.lua, keys.length], keys, args, more).catch((again: unknown) => {
          throw this.#failed(again);
        });
      });
    }
    return this.run(async (client) => {
      try {
        return await client.evalsha(script.sha, keys.length, ...keys, ...args, ...more);
      } catch (error) {
        if (error instanceof Error && error.message.startsWith("NOSCRIPT")) return await client.eval(script.lua, keys.length, ...keys, ...args, ...more);
        throw error;
      }
    });
  }

  /** Run `send` with the connection's socket corked: the commands it writes leave in one write. */
  corked(send: () => void): void {
    const stream = this.client.stream as Socket | undefined; // none before the first connection
    stream?.cork();
    try {
      this.#lean.corked(send);
    } finally {
      stream?.uncork();
    }
  }

  /** Run commands; a connection failure or timeout marks the backend down and throws BackendDown. */
  async run<T>(fn: (client: Redis) => Promise<T>): Promise<T> {
    if (!this.#up) throw this.#unreachable();
    try {
      return await fn(this.client);
    } catch (error) {
      throw this.#failed(error);
    }
  }

  #unreachable(): BackendDown {
    return new BackendDown(`shared state is unreachable (${this.#lastError || "not connected"})`);
  }

  /** What a failed command throws: a script's own error as it is; anything else marks the backend down (BackendDown). */
  #failed(error: unknown): unknown {
    if (isScriptBug(error)) return error;
    const reason = describe(error);
    this.#markDown(reason);
    return new BackendDown(`shared state is unreachable (${reason})`);
  }

  /** The error a "refuse" store answers with while Redis is unreachable (503 in OpenAI's shape). */
  refusal(): RouterError {
    return new RouterError("state_unavailable", "the router's shared state (Redis) is unreachable; retry shortly", { headers: { "retry-after": "1" } });
  }

  /** A connection for SUBSCRIBE (made on first use; resubscribes by itself after a reconnection). */
  subscriber(): Redis {
    if (this.#subscriber === undefined) {
      // SUBSCRIBE waits for a connection instead of timing out: a subscription made while Redis is down
      // completes once it answers (and ioredis subscribes again after every reconnection).
      const sub = this.client.duplicate({
        enableOfflineQueue: true,
        maxRetriesPerRequest: null,
        enableAutoPipelining: false,
        lazyConnect: false,
        commandTimeout: undefined,
      });
      sub.on("error", () => undefined); // the main connection reports the state
      this.#subscriber = sub;
    }
    return this.#subscriber;
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#probe);
    this.#lean.close();
    this.#subscriber?.disconnect();
    try {
      await Promise.race([this.client.quit(), new Promise((resolve) => setTimeout(resolve, 500).unref())]);
    } catch {
      // already gone
    }
    this.client.disconnect();
  }

  async #probeOnce(): Promise<void> {
    if (this.#up || this.#closed || this.#probing || this.client.status !== "ready") return;
    this.#probing = true;
    try {
      await this.client.ping();
      this.#markUp();
    } catch (error) {
      this.#lastError = describe(error);
    } finally {
      this.#probing = false;
    }
  }

  #markUp(): void {
    if (this.#up || this.#closed) return;
    this.#up = true;
    this.#lastError = "";
    if (this.#reportedDown) this.#options.log(`switchyard: shared state ${this.#where} is reachable again; budgets, rate limits and rollout are shared again`);
    this.#reportedDown = false;
    for (const hook of this.#recovered) void hook().catch(() => undefined);
  }

  #markDown(reason: string): void {
    if (this.#closed || (!this.#up && this.#reportedDown)) return;
    this.#up = false;
    this.#reportedDown = true;
    const then =
      this.onUnavailable === "refuse"
        ? "refusing governed requests with 503 state_unavailable until it answers"
        : "serving budgets and rate limits from replica-local state until it answers";
    this.#options.log(`switchyard: shared state ${this.#where} is unreachable (${reason}); ${then}`);
  }
}

/** A Lua error is a bug in a script, not an outage: it must not turn the backend down. */
function isScriptBug(error: unknown): boolean {
  return error instanceof Error && /^ERR .*(user_script|script)/i.test(error.message);
}

/** An error's message on one line, without a URL's credentials (ioredis messages name host and port only). */
function describe(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message
    .replace(/\s+/g, " ")
    .replace(/\/\/[^@/\s]*@/g, "//***@")
    .slice(0, 200);
}

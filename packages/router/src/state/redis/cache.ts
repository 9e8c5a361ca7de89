/**
 * @module RedisResponseCache: routes' cached answers shared by every replica (issue 22), with Redis keeping the time to
 * live. Plain commands, no script:
 *
 *     <prefix><env>:cache:<sha256>    string  the answer's JSON (cache/store.ts CachedAnswer); PX ttl
 *
 * The key's hash already says route, scope (team) and request (cache/key.ts); one key per answer, so the answers
 * spread over a Cluster's shards. While Redis is unreachable the replica keeps answers in its own memory LRU (whatever
 * `onUnavailable` says: a cache is an optimisation and never refuses a request).
 */
import { MemoryResponseCache, type CachedAnswer, type ResponseCacheStore, parseCachedAnswer, storedAnswer } from "../../cache/store.ts";
import { BackendDown, type RedisBackend } from "./backend.ts";

export interface RedisCacheOptions {
  prefix: string;
  environment: string;
  /** The largest answer kept, bytes (default 1 MiB). */
  maxEntryBytes?: number;
  /** The local LRU used while Redis is down, bytes (default 16 MiB). */
  localMaxBytes?: number;
}

export class RedisResponseCache implements ResponseCacheStore {
  readonly #backend: RedisBackend;
  readonly #base: string;
  readonly #maxEntryBytes: number;
  readonly #local: MemoryResponseCache;

  constructor(backend: RedisBackend, options: RedisCacheOptions) {
    this.#backend = backend;
    this.#base = `${options.prefix}${options.environment}:cache:`;
    this.#maxEntryBytes = options.maxEntryBytes ?? 1024 * 1024;
    this.#local = new MemoryResponseCache({ maxBytes: options.localMaxBytes ?? 16 * 1024 * 1024, maxEntryBytes: this.#maxEntryBytes });
  }

  async get(key: string, now: number): Promise<CachedAnswer | undefined> {
    if (!this.#backend.up) return this.#local.get(key, now);
    try {
      const text = await this.#backend.run((client) => client.get(this.#base + key));
      return text === null ? undefined : parseCachedAnswer(text);
    } catch (error) {
      if (error instanceof BackendDown) return this.#local.get(key, now);
      throw error;
    }
  }

  set(key: string, answer: CachedAnswer, ttlMs: number, now: number): void {
    const text = JSON.stringify(storedAnswer(answer));
    if (Buffer.byteLength(text) > this.#maxEntryBytes) return;
    if (!this.#backend.up) return this.#local.setText(key, text, ttlMs, now);
    // Never awaited: the answer has gone out; a lost SET is a later miss.
    this.#backend.client.set(this.#base + key, text, "PX", ttlMs).catch(() => undefined);
  }
}

/**
 * @module The response cache in one generation request (http/generate.ts): look up after admission (a hit still counts
 * against the team's rate limits, never against its budget), answer a hit in the requesting dialect, keep a fresh
 * answer. Errors and partial streams are never kept.
 *
 * Loaded on the first request to a route with a `cache` (cache/load.ts; in router.mjs an inline chunk, so releases
 * without a cache carry ~2 KB of it instead of ~7): the core's answer writers and chunk joiner come in as `CacheCore`.
 */
import type { Route, RouteCache } from "@switchyard/ir";
import type { Candidate } from "../core/index.ts";
import type { RequestContext } from "../execute/context.ts";
import type { ChatCompletion, ChatCompletionChunk } from "../protocol/chat.ts";
import type { AnswerInfo, Dialect, DialectRequest, StreamEncoder } from "../protocol/dialect.ts";
import type { ResponseLike } from "../http/fast-path.ts";
import { cacheDecision } from "./key.ts";
import { StreamCapture, replayStream } from "./replay.ts";
import { type CachedAnswer, MemoryResponseCache, type ResponseCacheStore } from "./store.ts";
import { CACHE_HEADER, type TraceCache } from "./types.ts";

/** What the chunk takes from the core rather than carrying a copy. */
export interface CacheCore {
  answerHeaders(ctx: RequestContext, route: string | undefined, tail: readonly string[], answered?: Candidate): string[];
  completionOf(events: ReadonlyArray<{ chunk: ChatCompletionChunk }>): ChatCompletion;
  sseHeaders: readonly string[];
  jsonType: string;
}

/** The cache of one router: its store and the per-request sessions. */
export interface CacheRuntime {
  /**
   * Decide and look up: the session (its `hit` set on a hit). Sets the `x-switchyard-cache` header on the context. A
   * store that fails answers a miss: the cache never fails a request.
   */
  open(ctx: RequestContext, route: Route, cache: RouteCache, cacheControl: string | string[] | undefined, now: number): Promise<CacheSession>;
}

/** One request's use of its route's cache. */
export class CacheSession {
  readonly trace: TraceCache;
  /** The stored answer, on a hit. */
  readonly hit: CachedAnswer | undefined;
  readonly #core: CacheCore;
  readonly #store: ResponseCacheStore;
  /** Where a fresh answer is kept (undefined: not kept, e.g. `no-store` or a sampled request). */
  readonly #key: string | undefined;
  readonly #ttlMs: number;
  #capture: StreamCapture | undefined;

  constructor(core: CacheCore, store: ResponseCacheStore, trace: TraceCache, key: string | undefined, ttlMs: number, hit: CachedAnswer | undefined) {
    this.#core = core;
    this.#store = store;
    this.trace = trace;
    this.#key = key;
    this.#ttlMs = ttlMs;
    this.hit = hit;
  }

  /** The streamed answer's encoder, wrapped to keep what the client is sent (unchanged when nothing will be kept). */
  capture(encoder: StreamEncoder): StreamEncoder {
    if (this.#key === undefined) return encoder;
    return (this.#capture = new StreamCapture(encoder, this.#core.completionOf));
  }

  /**
   * Keep a fresh answer: a completion the client received in full with a finish reason, on a request that answered
   * 200. For a stream, `completion` is omitted: what the capture saw is kept once the stream ended cleanly.
   */
  keep(ctx: RequestContext, now: number, completion?: ChatCompletion): void {
    const key = this.#key;
    const answered = ctx.answered;
    if (key === undefined || answered === undefined) return;
    const answer = completion ?? this.#capture?.completion();
    if (answer === undefined || answer.choices.length === 0 || answer.choices.some((c) => c.finish_reason === null || c.finish_reason === undefined)) return;
    const usage = ctx.usage;
    const stored: ChatCompletion = answer.usage === undefined && usage !== undefined ? { ...answer, usage } : answer;
    this.#store.set(
      key,
      { completion: stored, usage, model: answered.model, provider: answered.provider, costUsd: ctx.costUsd ?? 0, storedAt: now },
      this.#ttlMs,
      now,
    );
  }

  /**
   * Answer the hit as the dialect answers a fresh one (a streamed request gets the answer replayed as the dialect's
   * events). It costs nothing: the context keeps no usage or cost, and no attempt was made.
   */
  serveHit(res: ResponseLike, ctx: RequestContext, dialect: Dialect, request: DialectRequest, info: AnswerInfo): void {
    const hit = this.hit;
    if (hit === undefined) return;
    ctx.answered = { model: hit.model, provider: hit.provider, step: 0, source: "primary", tier: undefined, reason: "cache hit" };
    ctx.costUsd = 0;
    if (ctx.stream) {
      const text = replayStream(dialect.stream(info, request), hit.completion, hit.usage);
      res.writeHead(200, this.#core.answerHeaders(ctx, ctx.route, this.#core.sseHeaders));
      res.end(text);
      return;
    }
    const answer = dialect.native === true ? JSON.stringify(hit.completion) : dialect.completion(hit.completion, info, request);
    res.writeHead(200, this.#core.answerHeaders(ctx, ctx.route, ["content-type", this.#core.jsonType, "content-length", String(Buffer.byteLength(answer))]));
    res.end(answer);
  }
}

/** The router's cache: `store` when shared (Redis), else an in-memory LRU of `maxBytes`. */
export function createCacheRuntime(core: CacheCore, options: { store: ResponseCacheStore | undefined; maxBytes: number }): CacheRuntime {
  const store = options.store ?? new MemoryResponseCache({ maxBytes: options.maxBytes });
  return {
    async open(ctx, route, cache, cacheControl, now) {
      const decision = cacheDecision({ config: ctx.release.config, routeName: ctx.route, route, cache, team: ctx.team, body: ctx.body, cacheControl });
      let session: CacheSession;
      if (!decision.use) session = new CacheSession(core, store, { status: "bypass", reason: decision.reason }, decision.key, cache.ttlMs, undefined);
      else {
        let hit: CachedAnswer | undefined;
        try {
          const found = store.get(decision.key, now);
          hit = found instanceof Promise ? await found : found;
        } catch {
          hit = undefined;
        }
        session =
          hit === undefined
            ? new CacheSession(core, store, { status: "miss" }, decision.key, cache.ttlMs, undefined)
            : new CacheSession(core, store, { status: "hit", savedUsd: hit.costUsd }, undefined, cache.ttlMs, hit);
      }
      ctx.responseHeaders = { ...ctx.responseHeaders, [CACHE_HEADER]: session.trace.status };
      return session;
    },
  };
}

/**
 * @module The response cache in one generation request (http/generate.ts calls these three steps): look up after
 * admission (a hit still counts against the team's rate limits, never against its budget), answer a hit in the
 * requesting dialect, keep a fresh answer. Errors and partial streams are never kept.
 */
import type { RouteCache } from "@switchyard/ir";
import type { RequestContext } from "../execute/context.ts";
import type { ChatCompletion } from "../protocol/chat.ts";
import type { AnswerInfo, Dialect, DialectRequest, StreamEncoder } from "../protocol/dialect.ts";
import type { ResponseLike } from "../http/fast-path.ts";
import { JSON_TYPE, SSE_HEADERS, answerHeaders } from "../http/respond.ts";
import { type BypassReason, cacheDecision } from "./key.ts";
import { StreamCapture, replayStream } from "./replay.ts";
import type { CachedAnswer, ResponseCacheStore } from "./store.ts";

/** The response header saying what the cache did. */
export const CACHE_HEADER = "x-switchyard-cache";

export type CacheStatus = "hit" | "miss" | "bypass";

/** What a trace records of the cache (TraceRecord.cache). */
export interface TraceCache {
  status: CacheStatus;
  /** Why a request bypassed the cache. */
  reason?: BypassReason;
  /** A hit: what the answer cost when it was made, USD (what the hit saved). */
  savedUsd?: number;
}

/** One request's use of its route's cache. */
export class CacheSession {
  readonly trace: TraceCache;
  /** The stored answer, on a hit. */
  readonly hit: CachedAnswer | undefined;
  readonly #store: ResponseCacheStore;
  /** Where a fresh answer is kept (undefined: not kept, e.g. `no-store` or a sampled request). */
  readonly #key: string | undefined;
  readonly #ttlMs: number;
  #capture: StreamCapture | undefined;

  constructor(store: ResponseCacheStore, trace: TraceCache, key: string | undefined, ttlMs: number, hit: CachedAnswer | undefined) {
    this.#store = store;
    this.trace = trace;
    this.#key = key;
    this.#ttlMs = ttlMs;
    this.hit = hit;
  }

  /** The streamed answer's encoder, wrapped to keep what the client is sent (unchanged when nothing will be kept). */
  capture(encoder: StreamEncoder): StreamEncoder {
    if (this.#key === undefined) return encoder;
    return (this.#capture = new StreamCapture(encoder));
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
    this.#store.set(key, { completion: stored, usage, model: answered.model, provider: answered.provider, costUsd: ctx.costUsd ?? 0, storedAt: now }, this.#ttlMs, now);
  }
}

/**
 * Decide and look up: undefined when the route has no cache; else the session (its `hit` set on a hit). Sets the
 * `x-switchyard-cache` header on the context. A store that fails answers a miss: the cache never fails a request.
 */
export async function openCache(
  store: ResponseCacheStore,
  ctx: RequestContext,
  cache: RouteCache | undefined,
  cacheControl: string | string[] | undefined,
  now: number,
): Promise<CacheSession | undefined> {
  if (cache === undefined) return undefined;
  const config = ctx.release.config;
  const route = config.routes[ctx.route];
  if (route === undefined) return undefined;
  const decision = cacheDecision({ config, routeName: ctx.route, route, cache, team: ctx.team, body: ctx.body, cacheControl });
  let session: CacheSession;
  if (!decision.use) session = new CacheSession(store, { status: "bypass", reason: decision.reason }, decision.key, cache.ttlMs, undefined);
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
        ? new CacheSession(store, { status: "miss" }, decision.key, cache.ttlMs, undefined)
        : new CacheSession(store, { status: "hit", savedUsd: hit.costUsd }, undefined, cache.ttlMs, hit);
  }
  ctx.responseHeaders = { ...ctx.responseHeaders, [CACHE_HEADER]: session.trace.status };
  return session;
}

/**
 * Answer a hit as the dialect answers a fresh one (a streamed request gets the answer replayed as the dialect's
 * events). The hit costs nothing: the context keeps no usage or cost, and no attempt was made.
 */
export function serveHit(res: ResponseLike, ctx: RequestContext, hit: CachedAnswer, dialect: Dialect, request: DialectRequest, info: AnswerInfo): void {
  ctx.answered = { model: hit.model, provider: hit.provider, step: 0, source: "primary", tier: undefined, reason: "cache hit" };
  ctx.costUsd = 0;
  if (ctx.stream) {
    const text = replayStream(dialect.stream(info, request), hit.completion, hit.usage);
    res.writeHead(200, answerHeaders(ctx, ctx.route, SSE_HEADERS));
    res.end(text);
    return;
  }
  const answer = dialect.native === true ? JSON.stringify(hit.completion) : dialect.completion(hit.completion, info, request);
  res.writeHead(200, answerHeaders(ctx, ctx.route, ["content-type", JSON_TYPE, "content-length", String(Buffer.byteLength(answer))]));
  res.end(answer);
}

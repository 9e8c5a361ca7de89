/**
 * @module The response cache, loaded on the first request to a route with a `cache` (./session.ts: in router.mjs an
 * inline chunk, CACHE_CHUNK in the bundler), with the core's parts it uses handed in.
 */
import { completionOf } from "../execute/execute.ts";
import { JSON_TYPE, SSE_HEADERS, answerHeaders } from "../http/respond.ts";
import type { CacheRuntime } from "./session.ts";
import type { ResponseCacheStore } from "./store.ts";

/** The default bound of the in-memory cache (SWITCHYARD_CACHE_MAX_BYTES): 64 MiB. */
export const DEFAULT_CACHE_MAX_BYTES = 64 * 1024 * 1024;

/** A loader of the router's cache: the first call imports it; every call answers the same runtime. */
export function cacheLoader(options: { store: ResponseCacheStore | undefined; maxBytes: number }): () => Promise<CacheRuntime> {
  let runtime: Promise<CacheRuntime> | undefined;
  return () =>
    (runtime ??= import("./session.ts").then((m) =>
      m.createCacheRuntime({ answerHeaders, completionOf, sseHeaders: SSE_HEADERS, jsonType: JSON_TYPE }, options),
    ));
}

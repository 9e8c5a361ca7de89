/** @module The response cache's names the core uses (types and the header name): the cache itself is loaded on first use (cache/load.ts). */
import type { BypassReason } from "./key.ts";

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

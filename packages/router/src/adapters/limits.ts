/** @module Caps on what an upstream may send back, from the environment (SWITCHYARD_MAX_UPSTREAM_BYTES, SWITCHYARD_MAX_SSE_LINE_BYTES). */
import { positiveIntSetting } from "../settings.ts";
import { DEFAULT_MAX_SSE_LINE_BYTES } from "./sse.ts";
import type { UpstreamLimits } from "./types.ts";

export const MAX_UPSTREAM_BYTES_ENV = "SWITCHYARD_MAX_UPSTREAM_BYTES";
export const MAX_SSE_LINE_BYTES_ENV = "SWITCHYARD_MAX_SSE_LINE_BYTES";
/** Default largest non-streamed upstream body (a completion or an error body): 16 MiB. */
export const DEFAULT_MAX_UPSTREAM_BYTES = 16 << 20;

/**
 * The upstream limits the environment sets (defaults for unset or empty variables), or the error
 * naming a variable that is not a positive integer.
 *
 * @example upstreamLimits({ SWITCHYARD_MAX_UPSTREAM_BYTES: "1048576" }) // → { maxResponseBytes: 1048576, maxSseLineBytes: 1048576 }
 */
export function upstreamLimits(env: Readonly<Record<string, string | undefined>>): UpstreamLimits | { error: string } {
  const maxResponseBytes = positiveIntSetting(env, MAX_UPSTREAM_BYTES_ENV, DEFAULT_MAX_UPSTREAM_BYTES);
  if (typeof maxResponseBytes !== "number") return maxResponseBytes;
  const maxSseLineBytes = positiveIntSetting(env, MAX_SSE_LINE_BYTES_ENV, DEFAULT_MAX_SSE_LINE_BYTES);
  if (typeof maxSseLineBytes !== "number") return maxSseLineBytes;
  return { maxResponseBytes, maxSseLineBytes };
}

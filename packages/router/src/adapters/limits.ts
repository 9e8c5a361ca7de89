/** @module Caps on what an upstream may send back, from the environment (SWITCHYARD_MAX_UPSTREAM_BYTES, SWITCHYARD_MAX_SSE_LINE_BYTES). */
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
  let error: string | undefined;
  const read = (name: string, fallback: number): number => {
    const text = env[name]?.trim() ?? "";
    if (/^[1-9]\d{0,14}$/.test(text)) return Number(text);
    if (text !== "") error ??= `${name} must be a positive whole number of bytes, got "${text.slice(0, 40)}"`;
    return fallback;
  };
  const limits = { maxResponseBytes: read(MAX_UPSTREAM_BYTES_ENV, DEFAULT_MAX_UPSTREAM_BYTES), maxSseLineBytes: read(MAX_SSE_LINE_BYTES_ENV, DEFAULT_MAX_SSE_LINE_BYTES) };
  return error === undefined ? limits : { error };
}

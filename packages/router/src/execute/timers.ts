/** @module Per-attempt abort: first-token and total timeouts, linked to the client's disconnect. */
import { UpstreamError } from "../adapters/types.ts";

/** An attempt's AbortController with its timers; always `dispose()` it. */
export interface AttemptAbort {
  signal: AbortSignal;
  /** The first token arrived: stop the first-token timer. */
  firstToken(): void;
  dispose(): void;
}

/** The reason a request's signal carries when the client went away. */
export class ClientGoneError extends Error {
  override readonly name = "ClientGoneError";
}

/**
 * An abort signal for one attempt: aborts with UpstreamError("timeout") after `firstTokenMs` without
 * a first token or `totalMs` overall, and with the parent's reason when the parent aborts.
 */
export function attemptAbort(parent: AbortSignal, timeouts: { firstTokenMs: number | undefined; totalMs: number | undefined }): AttemptAbort {
  const controller = new AbortController();
  const onParent = (): void => controller.abort(parent.reason);
  if (parent.aborted) controller.abort(parent.reason);
  else parent.addEventListener("abort", onParent, { once: true });
  let first: ReturnType<typeof setTimeout> | undefined;
  let total: ReturnType<typeof setTimeout> | undefined;
  if (timeouts.firstTokenMs !== undefined) {
    const ms = timeouts.firstTokenMs;
    first = setTimeout(() => controller.abort(new UpstreamError("timeout", `no first token within ${ms} ms`)), ms);
  }
  if (timeouts.totalMs !== undefined) {
    const ms = timeouts.totalMs;
    total = setTimeout(() => controller.abort(new UpstreamError("timeout", `no complete answer within ${ms} ms`)), ms);
  }
  return {
    signal: controller.signal,
    firstToken() {
      if (first !== undefined) clearTimeout(first);
      first = undefined;
    },
    dispose() {
      if (first !== undefined) clearTimeout(first);
      if (total !== undefined) clearTimeout(total);
      parent.removeEventListener("abort", onParent);
    },
  };
}

/** Sleep that rejects with the signal's reason when it aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    if (ms <= 0) return resolve();
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/** @module Cancellation and per-attempt abort: first-token and total timeouts, client disconnect, shutdown. */
import { UpstreamError } from "../adapters/types.ts";
import { LightAbortController } from "./light-abort.ts";

/** The reason a request is cancelled when the client went away (or the router shuts down hard). */
export class ClientGoneError extends Error {
  override readonly name = "ClientGoneError";
}

/**
 * A request's cancellation, without an AbortController per request (EventTarget listeners are
 * costly on the hot path): it aborts whichever attempt or backoff wait is current.
 */
export class RequestCancel {
  reason: ClientGoneError | undefined;
  /** The controller of the attempt or backoff sleep running now. */
  current: { abort(reason: unknown): void } | undefined;

  get cancelled(): boolean {
    return this.reason !== undefined;
  }

  cancel(reason: ClientGoneError): void {
    if (this.reason !== undefined) return;
    this.reason = reason;
    this.current?.abort(reason);
  }
}

/** An attempt's AbortController with its timers; always `dispose()` it. */
export interface AttemptAbort {
  signal: AbortSignal;
  /** The first token arrived: stop the first-token timer. */
  firstToken(): void;
  dispose(): void;
}

/**
 * An abort signal for one attempt: aborts with UpstreamError("timeout") after `firstTokenMs` without
 * a first token or `totalMs` overall, and with the request's ClientGoneError when it is cancelled.
 */
export function attemptAbort(cancel: RequestCancel, timeouts: { firstTokenMs: number | undefined; totalMs: number | undefined }): AttemptAbort {
  const controller = new LightAbortController();
  if (cancel.reason !== undefined) controller.abort(cancel.reason);
  cancel.current = controller;
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
      if (cancel.current === controller) cancel.current = undefined;
    },
  };
}

/** Sleep that rejects with the request's ClientGoneError when it is cancelled meanwhile. */
export function sleep(ms: number, cancel: RequestCancel): Promise<void> {
  return new Promise((resolve, reject) => {
    if (cancel.reason !== undefined) return reject(cancel.reason);
    if (ms <= 0) return resolve();
    const controller = new AbortController();
    cancel.current = controller;
    const timer = setTimeout(() => {
      if (cancel.current === controller) cancel.current = undefined;
      resolve();
    }, ms);
    controller.signal.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        reject(cancel.reason);
      },
      { once: true },
    );
  });
}

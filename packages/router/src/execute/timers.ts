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
  return new AttemptTimers(cancel, controller, timeouts.firstTokenMs, timeouts.totalMs);
}

/** One per attempt: fields and prototype methods, and timers called with arguments rather than closures. */
class AttemptTimers implements AttemptAbort {
  readonly signal: AbortSignal;
  #first: ReturnType<typeof setTimeout> | undefined;
  #total: ReturnType<typeof setTimeout> | undefined;

  constructor(
    readonly cancel: RequestCancel,
    readonly controller: LightAbortController,
    firstTokenMs: number | undefined,
    totalMs: number | undefined,
  ) {
    this.signal = controller.signal;
    if (firstTokenMs !== undefined) this.#first = setTimeout(timedOut, firstTokenMs, controller, "no first token within", firstTokenMs);
    if (totalMs !== undefined) this.#total = setTimeout(timedOut, totalMs, controller, "no complete answer within", totalMs);
  }

  firstToken(): void {
    if (this.#first !== undefined) clearTimeout(this.#first);
    this.#first = undefined;
  }

  dispose(): void {
    if (this.#first !== undefined) clearTimeout(this.#first);
    if (this.#total !== undefined) clearTimeout(this.#total);
    if (this.cancel.current === this.controller) this.cancel.current = undefined;
  }
}

function timedOut(controller: LightAbortController, what: string, ms: number): void {
  controller.abort(new UpstreamError("timeout", `${what} ${ms} ms`));
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

/** @module A minimal AbortController for upstream attempts: what the router's transports and adapters use of AbortSignal, without EventTarget's cost. */

type AbortListener = ((event: { type: "abort"; target: unknown }) => void) | { handleEvent(event: { type: "abort"; target: unknown }): void };

/**
 * The signal half. It answers `aborted`, `reason`, `throwIfAborted()`, `onabort` and
 * `addEventListener`/`removeEventListener("abort", …)`, the surface node:http, node:timers, undici
 * and our own transport use (they duck-type signals). A real AbortController costs an EventTarget
 * per attempt plus listener bookkeeping: ~4 % of the router's CPU under load.
 */
export class LightAbortSignal {
  aborted = false;
  reason: unknown = undefined;
  onabort: ((event: { type: "abort"; target: unknown }) => void) | null = null;
  #listeners: AbortListener[] | undefined;

  addEventListener(type: string, listener: AbortListener | null | undefined): void {
    if (type !== "abort" || listener === null || listener === undefined) return;
    if (this.aborted) return; // like EventTarget: an abort event never fires twice
    (this.#listeners ??= []).push(listener);
  }

  removeEventListener(type: string, listener: AbortListener | null | undefined): void {
    const listeners = this.#listeners;
    if (type !== "abort" || listeners === undefined) return;
    const at = listeners.indexOf(listener as AbortListener);
    if (at !== -1) listeners.splice(at, 1);
  }

  throwIfAborted(): void {
    if (this.aborted) throw this.reason;
  }

  /** @internal */
  fire(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    const event = { type: "abort" as const, target: this };
    const listeners = this.#listeners;
    this.#listeners = undefined;
    const call = (fn: () => void): void => {
      try {
        fn();
      } catch (error) {
        // As with EventTarget, a throwing listener neither stops the others nor is swallowed.
        process.nextTick(() => {
          throw error;
        });
      }
    };
    if (this.onabort !== null) {
      const onabort = this.onabort;
      call(() => onabort.call(this, event));
    }
    if (listeners !== undefined) {
      for (const listener of listeners) call(() => (typeof listener === "function" ? listener.call(this, event) : listener.handleEvent(event)));
    }
  }
}

/** `new LightAbortController()` in place of `new AbortController()`; `signal` is typed as AbortSignal for the adapter interfaces. */
export class LightAbortController {
  readonly #signal = new LightAbortSignal();

  get signal(): AbortSignal {
    return this.#signal as unknown as AbortSignal;
  }

  abort(reason?: unknown): void {
    this.#signal.fire(reason === undefined ? Object.assign(new Error("This operation was aborted"), { name: "AbortError", code: "ABORT_ERR" }) : reason);
  }
}

/**
 * @module A credential that expires, cached per provider and refreshed ahead of its expiry, fetched once at a time:
 * Azure's Entra ID tokens (azure/entra.ts), Vertex's Google tokens (vertex/auth.ts) and Bedrock's temporary AWS
 * credentials (bedrock/credentials.ts). It holds no state of its own and no classes, so each of their lazily loaded
 * assets carries a copy.
 */

/** A credential is refreshed this long before it expires (or at half its lifetime when that is shorter). */
export const REFRESH_MARGIN_MS = 5 * 60_000;

/** When a credential expires, and when it should be refreshed (epoch ms). */
export interface Expiring {
  expiresAt: number;
  refreshAt: number;
}

/**
 * When a credential obtained at `now` and valid until `expiresAt` (epoch ms) is refreshed: REFRESH_MARGIN_MS before
 * it expires, or half-way through a shorter lifetime.
 *
 * @example refreshTimes(0, 60_000) // → { expiresAt: 60_000, refreshAt: 30_000 }
 */
export function refreshTimes(now: number, expiresAt: number): Expiring {
  const lifetime = Math.max(0, expiresAt - now);
  return { expiresAt, refreshAt: expiresAt - Math.min(REFRESH_MARGIN_MS, lifetime / 2) };
}

/** Resolve with `promise`, or reject with `aborted()` as soon as `signal` aborts (a shared fetch goes on for the other callers). */
export function untilAborted<T>(promise: Promise<T>, signal: AbortSignal, aborted: () => Error): Promise<T> {
  if (signal.aborted) return Promise.reject(aborted());
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(aborted());
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener("abort", onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

/** A cached credential: `get` answers it, fetching or refreshing it first when needed. */
export interface Refreshing<T> {
  get(signal: AbortSignal): Promise<T>;
  /** Forget the cached credential (the upstream rejected it): the next call fetches a new one. */
  invalidate(): void;
}

/**
 * The credential `fetch` gets, cached until its `refreshAt`. Concurrent callers share one fetch; a refresh that fails
 * while the old credential is still before its `expiresAt` serves the old one (the next call past `refreshAt` tries
 * again); a caller whose `signal` aborts leaves with `aborted(signal)` while the fetch goes on.
 *
 * @example const tokens = refreshing(fetchToken, (signal) => toUpstreamError(new Error("aborted"), signal)); await tokens.get(signal)
 */
export function refreshing<T extends Expiring>(fetch: () => Promise<T>, aborted: (signal: AbortSignal) => Error, now: () => number = Date.now): Refreshing<T> {
  let current: T | undefined;
  let inFlight: Promise<T> | undefined;
  return {
    get(signal: AbortSignal): Promise<T> {
      if (current !== undefined && now() < current.refreshAt) return Promise.resolve(current);
      if (inFlight === undefined) {
        const stale = current;
        inFlight = fetch()
          .then(
            (fresh) => (current = fresh),
            (error: unknown) => {
              // A refresh that fails while the old credential is still good: serve it, try again on a later call.
              if (stale !== undefined && now() < stale.expiresAt) return stale;
              throw error;
            },
          )
          .finally(() => (inFlight = undefined));
        // Each caller awaits it through untilAborted; one that left already must not make its failure unhandled.
        inFlight.catch(() => undefined);
      }
      return untilAborted(inFlight, signal, () => aborted(signal));
    },
    invalidate(): void {
      current = undefined;
    },
  };
}

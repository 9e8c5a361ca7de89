/** @module What every store conformance suite (`*.conformance.ts`) is given, and the instants its cases use. */

/**
 * One fresh, isolated store per case (a shared backend: a fresh key prefix), and how to dispose of it.
 * Cases drive time only through the `now` arguments, so a store must not read the clock itself.
 */
export interface StoreFixture<S> {
  store: S;
  close(): Promise<void>;
}

/** Makes a StoreFixture; called once per case. */
export type MakeStore<S> = () => Promise<StoreFixture<S>>;

/** A fixed instant (2027-01-15) the cases start from. */
export const T0 = 1_800_000_000_000;
export const MONTH_START = Date.UTC(2027, 0, 1);
export const MONTH_END = Date.UTC(2027, 1, 1);

/** Wrap a case body: make the store, run, always close it. */
export function withStore<S>(make: MakeStore<S>, fn: (store: S) => Promise<void>): () => Promise<void> {
  return async () => {
    const fixture = await make();
    try {
      await fn(fixture.store);
    } finally {
      await fixture.close();
    }
  };
}

/** @module Sorting Map entries by key, so snapshots list models, routes and teams in a stable order. */
export function byKey<T>(a: [string, T], b: [string, T]): number {
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
}

/** @module Per-minute token buckets as pure functions over plain data (the state store keeps the data). */
import type { BucketSnapshot } from "./store.ts";

const MINUTE_MS = 60_000;

/** A bucket's stored state: level at `at`; refills at `capacity` per minute up to `capacity`. */
export interface Bucket {
  capacity: number;
  level: number;
  at: number;
}

/** A full bucket of `capacity` per minute. */
export function fullBucket(capacity: number, now: number): Bucket {
  return { capacity, level: capacity, at: now };
}

/**
 * The bucket refilled up to `now`. A changed `capacity` (a new release) keeps the level, clamped to
 * the new capacity. Time going backwards refills nothing.
 */
export function refill(bucket: Bucket, capacity: number, now: number): Bucket {
  const elapsed = Math.max(0, now - bucket.at);
  const level = Math.min(capacity, bucket.level + (elapsed * capacity) / MINUTE_MS);
  return { capacity, level, at: Math.max(now, bucket.at) };
}

/**
 * Ms until the bucket holds `amount` (0 when it already does). An amount above capacity is judged
 * as a full bucket, so an oversized request waits for a full bucket instead of forever.
 */
export function msUntil(bucket: Bucket, amount: number): number {
  if (bucket.capacity <= 0) return Number.POSITIVE_INFINITY; // a limit of 0 refuses everything
  const need = Math.min(amount, bucket.capacity) - bucket.level;
  return need <= 0 ? 0 : Math.ceil((need * MINUTE_MS) / bucket.capacity);
}

/** Take `amount` (the caller checked msUntil(...) === 0); the level may go below zero only via adjust. */
export function take(bucket: Bucket, amount: number): Bucket {
  return { ...bucket, level: bucket.level - amount };
}

/** What headers and snapshots show of a bucket. */
export function bucketSnapshot(bucket: Bucket): BucketSnapshot {
  const remaining = Math.max(0, Math.floor(bucket.level));
  const resetMs = bucket.capacity <= 0 ? 0 : Math.max(0, Math.ceil(((bucket.capacity - bucket.level) * MINUTE_MS) / bucket.capacity));
  return { capacity: bucket.capacity, remaining, resetMs };
}

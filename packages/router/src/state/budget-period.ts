/** @module Budget periods: UTC day, ISO week (Monday 00:00 UTC) and calendar month boundaries, as pure functions. */
import type { BudgetPeriod } from "@switchyard/ir";

const DAY_MS = 86_400_000;

/** A half-open interval [start, end) of epoch ms. */
export interface PeriodBounds {
  start: number;
  end: number;
}

/**
 * The budget period containing `now` (epoch ms), in UTC: days start at 00:00, weeks on Monday
 * (ISO 8601), months on the 1st. Month ends follow the calendar (28–31 days, leap years included).
 *
 * @example
 * periodBounds("month", Date.UTC(2028, 1, 29, 23, 59)) // → { start: Date.UTC(2028, 1, 1), end: Date.UTC(2028, 2, 1) }
 */
export function periodBounds(period: BudgetPeriod, now: number): PeriodBounds {
  // Called several times per governed request (reserve, settle, snapshot): the last answer per period
  // is reused while `now` stays inside it, instead of a Date and three Date.UTC calls each time.
  const hit = lastBounds[period];
  if (hit !== undefined && now >= hit.start && now < hit.end) return hit;
  const bounds = Object.freeze(computeBounds(period, now));
  lastBounds[period] = bounds;
  return bounds;
}

const lastBounds: Partial<Record<BudgetPeriod, Readonly<PeriodBounds>>> = {};

function computeBounds(period: BudgetPeriod, now: number): PeriodBounds {
  const d = new Date(now);
  const dayStart = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  switch (period) {
    case "day":
      return { start: dayStart, end: dayStart + DAY_MS };
    case "week": {
      const sinceMonday = (d.getUTCDay() + 6) % 7;
      const start = dayStart - sinceMonday * DAY_MS;
      return { start, end: start + 7 * DAY_MS };
    }
    case "month":
      return { start: Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1), end: Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) };
  }
}

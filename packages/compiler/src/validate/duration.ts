/** @module validate/duration — DSL durations ("250ms", "3s", "5m", "1h", "1d" or milliseconds) to milliseconds. */

const UNITS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/**
 * Parses a duration to whole milliseconds; undefined when it is not a positive finite duration.
 *
 * @example parseDuration("1.5s") // 1500
 */
export function parseDuration(value: unknown): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) && value > 0 ? Math.round(value) : undefined;
  if (typeof value !== "string") return undefined;
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(value.trim());
  if (!match) return undefined;
  const amount = Number(match[1]) * UNITS[match[2] as keyof typeof UNITS];
  return Number.isFinite(amount) && amount > 0 ? Math.round(amount) : undefined;
}

/** @module Numeric settings the router reads from its environment at start: one parser, one message for every limit. */

/**
 * The positive integer `env[name]` holds (surrounding white space allowed), `fallback` when it is
 * unset or empty, or the error naming the variable and the value (cut to 40 characters).
 *
 * @example positiveIntSetting({ SWITCHYARD_MAX_CONNECTIONS: "500" }, "SWITCHYARD_MAX_CONNECTIONS", 10_000) // → 500
 */
export function positiveIntSetting(env: Readonly<Record<string, string | undefined>>, name: string, fallback: number): number | { error: string } {
  const text = env[name]?.trim() ?? "";
  if (text === "") return fallback;
  if (/^[1-9]\d{0,14}$/.test(text)) return Number(text);
  return { error: `${name} must be a positive whole number, got "${text.slice(0, 40)}"` };
}

/** @module diff/show — locale-independent rendering of IR values inside change phrases. */

/** `1234567` → `1,234,567`; decimals kept as written (`0.15`). Independent of the machine's locale. */
export function groupDigits(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const negative = value < 0;
  const [whole = "0", fraction] = String(Math.abs(value)).split(".");
  if (whole.includes("e")) return String(value);
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${negative ? "-" : ""}${grouped}${fraction === undefined ? "" : `.${fraction}`}`;
}

/** `2000` → `$2,000`; `0.15` → `$0.15`. */
export function usd(value: unknown): string {
  return typeof value === "number" ? `$${groupDigits(value)}` : show(value);
}

/** Milliseconds as the shortest exact duration: `3000` → `3s`, `3600000` → `1h`, `250` → `250ms`. */
export function duration(value: unknown): string {
  if (typeof value !== "number") return show(value);
  const units: [number, string][] = [
    [86_400_000, "d"],
    [3_600_000, "h"],
    [60_000, "m"],
    [1_000, "s"],
  ];
  for (const [size, unit] of units) {
    if (value >= size && value % size === 0) return `${value / size}${unit}`;
  }
  return `${groupDigits(value)}ms`;
}

/** `5` → `5 %`. */
export function percent(value: unknown): string {
  return typeof value === "number" ? `${groupDigits(value)} %` : show(value);
}

/** A fraction as a percentage: `0.02` → `2 %`. */
export function fractionPercent(value: unknown): string {
  return typeof value === "number" ? `${groupDigits(Math.round(value * 10_000) / 100)} %` : show(value);
}

/** `128000` → `128,000 tokens`. */
export function tokens(value: unknown): string {
  return typeof value === "number" ? `${groupDigits(value)} tokens` : show(value);
}

/** Bytes in the largest exact binary unit: `4194304` → `4 MiB`. */
export function bytes(value: unknown): string {
  if (typeof value !== "number") return show(value);
  const units: [number, string][] = [
    [1 << 30, "GiB"],
    [1 << 20, "MiB"],
    [1 << 10, "KiB"],
  ];
  for (const [size, unit] of units) {
    if (value >= size && value % size === 0) return `${value / size} ${unit}`;
  }
  return `${groupDigits(value)} B`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A fallback step or long-context target `{ tier }` / `{ model }` as the name users write. */
export function target(value: unknown): string {
  if (isRecord(value)) {
    if (typeof value.tier === "string") return value.tier;
    if (typeof value.model === "string") return value.model;
  }
  return show(value);
}

/** A list rendered as `[a, b]` with each element through `item`. */
export function list(value: unknown, item: (element: unknown) => string = show): string {
  return Array.isArray(value) ? `[${value.map(item).join(", ")}]` : show(value);
}

/** A secret reference as `secret(NAME)`; never a value. */
export function secretName(value: unknown): string {
  if (isRecord(value) && typeof value.secret === "string") return `secret(${value.secret})`;
  return show(value);
}

/** Any IR value: unset, strings bare, numbers grouped, lists in brackets, objects as compact JSON. */
export function show(value: unknown): string {
  if (value === undefined || value === null) return "unset";
  if (typeof value === "string") return value;
  if (typeof value === "number") return groupDigits(value);
  if (typeof value === "boolean") return value ? "yes" : "no";
  if (Array.isArray(value)) return list(value);
  if (isRecord(value) && Object.keys(value).length === 1 && typeof value.secret === "string") return secretName(value);
  if (isRecord(value) && Object.keys(value).length === 1 && (typeof value.tier === "string" || typeof value.model === "string")) {
    return target(value);
  }
  return JSON.stringify(value);
}

/** @module validate/view — tolerant readers over unvalidated config values (checks run even when shapes are wrong). */

export type Dict = Record<string, unknown>;

export function isDict(value: unknown): value is Dict {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function dict(value: unknown): Dict {
  return isDict(value) ? value : {};
}

export function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

export function str(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

export function num(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

/** Own keys of a dict-like value (empty for anything else). */
export function keys(value: unknown): string[] {
  return isDict(value) ? Object.keys(value) : [];
}

/** Deep merge for environment overrides: objects merge key by key, arrays and scalars replace. */
export function deepMerge(base: unknown, override: unknown): unknown {
  if (override === undefined) return base;
  if (!isDict(base) || !isDict(override)) return override;
  const out: Dict = { ...base };
  for (const [key, value] of Object.entries(override)) out[key] = deepMerge(base[key], value);
  return out;
}

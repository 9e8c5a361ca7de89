/**
 * @module load/location-map — the location map of a routes.ts as plain data (what load/locations.ts
 * collects from the AST, in the type-check thread) and the lookups over it. No TypeScript here: the
 * data crosses from the type-check worker, and line/column are computed only for the ranges used.
 */
import type { DslPath, SourceRange } from "../diagnostics/types.ts";

/** Where a DSL node was written: the key (for properties), the value, and the whole entry. */
export interface NodeLocation {
  key?: SourceRange;
  value: SourceRange;
  /** The property assignment or array element that holds the node. */
  entry: SourceRange;
  /** The value is a scalar (not an object or array literal). */
  leaf: boolean;
}

export interface LocationMap {
  file: string;
  /** The range of the `defineConfig(...)` call (or the default export), the last resort. */
  root: SourceRange;
  /** Exact lookup. */
  get(path: DslPath): NodeLocation | undefined;
  /**
   * The location of `path`, falling back to the nearest located ancestor. With `env`, the
   * override `["environments", env, ...path]` is preferred.
   */
  locate(path: DslPath, options?: { env?: string; prefer?: "key" | "value" }): { range: SourceRange; path: DslPath; exact: boolean };
  /** The innermost entry (property assignment / array element) that contains an offset. */
  entryAt(offset: number): { range: SourceRange; leaf: boolean } | undefined;
  /** Converts a 1-based line/column of the config file to a range of `length` characters. */
  rangeAt(line: number, column: number, length: number): SourceRange;
}

/** Numbers per entry in `LocationData.spans`. */
export const SPAN_FIELDS = 8;

/**
 * The located nodes of one file as offsets. Entry `i` is `keys[i]` (a JSON DSL path) and
 * `spans[i * SPAN_FIELDS …]`: key start/end (-1 without a key), value start/end, entry start/end,
 * leaf (0/1), listed (1 when `entryAt` considers it; 0 for the config object itself). A later
 * entry with the same key replaces an earlier one in lookups, as the walk found them.
 */
export interface LocationData {
  file: string;
  /** Offsets of the last-resort range. */
  root: [number, number];
  lineStarts: number[];
  textLength: number;
  keys: string[];
  spans: Int32Array;
}

/** The key of a DSL path in `LocationData.keys`. */
export function pathKey(path: DslPath): string {
  return JSON.stringify(path);
}

/** The same line arithmetic as TypeScript's `getLineAndCharacterOfPosition`. */
function lineOf(lineStarts: readonly number[], position: number): number {
  let low = 0;
  let high = lineStarts.length - 1;
  while (low <= high) {
    const middle = (low + high) >>> 1;
    if ((lineStarts[middle] ?? 0) <= position) low = middle + 1;
    else high = middle - 1;
  }
  return Math.max(high, 0);
}

/** Lookups over collected location data. */
export function locationMap(data: LocationData): LocationMap {
  const { file, lineStarts, spans } = data;
  const range = (start: number, end: number): SourceRange => {
    const fromLine = lineOf(lineStarts, start);
    const toLine = lineOf(lineStarts, end);
    return {
      file,
      start,
      end,
      line: fromLine + 1,
      column: start - (lineStarts[fromLine] ?? 0) + 1,
      endLine: toLine + 1,
      endColumn: end - (lineStarts[toLine] ?? 0) + 1,
    };
  };
  const span = (index: number, field: number): number => spans[index * SPAN_FIELDS + field] ?? -1;
  const byKey = new Map<string, number>();
  data.keys.forEach((key, index) => byKey.set(key, index));
  const located = new Map<number, NodeLocation>();
  const nodeAt = (index: number): NodeLocation => {
    let found = located.get(index);
    if (!found) {
      const keyStart = span(index, 0);
      found = {
        ...(keyStart >= 0 ? { key: range(keyStart, span(index, 1)) } : {}),
        value: range(span(index, 2), span(index, 3)),
        entry: range(span(index, 4), span(index, 5)),
        leaf: span(index, 6) === 1,
      };
      located.set(index, found);
    }
    return found;
  };
  const root = range(data.root[0], data.root[1]);

  const get = (path: DslPath): NodeLocation | undefined => {
    const index = byKey.get(pathKey(path));
    return index === undefined ? undefined : nodeAt(index);
  };
  // A whole entry (an object or array literal) is shown by its name, like tsc does; scalars by value.
  const pick = (location: NodeLocation, prefer: "key" | "value"): SourceRange =>
    prefer === "key" || !location.leaf ? (location.key ?? location.value) : location.value;

  return {
    file,
    root,
    get,
    locate(path, options = {}) {
      const prefer = options.prefer ?? "value";
      const candidates: DslPath[] = options.env !== undefined ? [["environments", options.env, ...path], path] : [path];
      // Exact match first (override before base), then the nearest ancestor of either.
      for (const candidate of candidates) {
        const exact = get(candidate);
        if (exact) return { range: pick(exact, prefer), path: candidate, exact: true };
      }
      let best: { range: SourceRange; path: DslPath; length: number } | undefined;
      for (const candidate of candidates) {
        const base = candidate.length - path.length; // length of the environments prefix
        for (let length = candidate.length - 1; length >= base; length--) {
          const ancestor = candidate.slice(0, length);
          const found = get(ancestor);
          if (found) {
            const depth = length - base;
            if (!best || depth > best.length) best = { range: pick(found, "key"), path: ancestor, length: depth };
            break;
          }
        }
      }
      if (best && best.length > 0) return { range: best.range, path: best.path, exact: false };
      return { range: root, path: [], exact: false };
    },
    entryAt(offset) {
      let innermost = -1;
      for (let index = 0; index < data.keys.length; index++) {
        if (span(index, 7) !== 1) continue;
        const start = span(index, 4);
        const end = span(index, 5);
        if (start <= offset && offset < end && (innermost < 0 || end - start < span(innermost, 5) - span(innermost, 4))) innermost = index;
      }
      return innermost < 0 ? undefined : { range: range(span(innermost, 4), span(innermost, 5)), leaf: span(innermost, 6) === 1 };
    },
    rangeAt(line, column, length) {
      const lineCount = lineStarts.length;
      const safeLine = Math.min(Math.max(line, 1), lineCount) - 1;
      const lineStart = lineStarts[safeLine] ?? 0;
      const lineEnd = safeLine + 1 < lineCount ? (lineStarts[safeLine + 1] ?? data.textLength) - 1 : data.textLength;
      const start = Math.min(lineStart + Math.max(column - 1, 0), lineEnd);
      const end = Math.min(start + Math.max(length, 1), Math.max(lineEnd, start + 1));
      return range(start, end);
    },
  };
}

/** @module format/shared — options and helpers common to every diagnostics format. */
import { readFileSync } from "node:fs";
import { isAbsolute, relative, sep } from "node:path";
import { SECRET_VALUE_CODES, coversSecretValue, maskLiterals, maskSecrets } from "../diagnostics/mask.ts";
import type { Diagnostic, WaivedFinding } from "../diagnostics/types.ts";

export type Format = "pretty" | "json" | "sarif" | "github";

export interface FormatOptions {
  /** Paths are printed relative to this directory (default: as given). */
  cwd?: string;
  /** ANSI colours (pretty only). */
  color?: boolean;
  /** Source text by file, for the pretty format's code excerpt; read from disk when absent. */
  sources?: Record<string, string>;
  /** Tool version written into SARIF. */
  toolVersion?: string;
  /** Remarks about the check as a whole (`CompileResult.notes`), printed after the diagnostics. */
  notes?: string[] | undefined;
  /** Warnings about the check as a whole (`CompileResult.warnings`), e.g. no policy pack selected. */
  warnings?: string[] | undefined;
  /** Policy findings suppressed by waivers (`CompileResult.waived`): listed, not counted; SARIF results with a suppression. */
  waived?: WaivedFinding[] | undefined;
}

/** `baseline/multi-provider at routes.ts:12:5 (route legal …) — waived until 2026-09-30: EU-only data` — how a waived finding reads. */
export function describeWaived(entry: WaivedFinding, cwd: string | undefined): string {
  const f = entry.finding;
  return `${f.code} at ${displayPath(f.file, cwd)}:${f.line}:${f.column} waived until ${entry.until}: ${entry.reason} (${f.message})`;
}

/** A path relative to `cwd`, with forward slashes. */
export function displayPath(file: string, cwd: string | undefined): string {
  if (cwd === undefined || !isAbsolute(file)) return file.split(sep).join("/");
  const rel = relative(cwd, file);
  return (rel.length === 0 ? file : rel).split(sep).join("/");
}

/** The lines of a file, from `sources` or the disk, key-shaped strings masked; empty when unreadable. */
export function sourceLines(file: string, options: FormatOptions, cache: Map<string, string[]>): string[] {
  const cached = cache.get(file);
  if (cached) return cached;
  let text = options.sources?.[file];
  if (text === undefined) {
    try {
      text = readFileSync(file, "utf8");
    } catch {
      text = "";
    }
  }
  const lines = text.split(/\r?\n/).map(maskSecrets);
  cache.set(file, lines);
  return lines;
}

/**
 * Source line `line` (1-based) of `file` as a code frame may show it: key-shaped strings masked, and the
 * string literals inside any secret diagnostic's range on that line (SY0701–SY0703, a value written
 * where a secret reference belongs) masked whatever their shape. Undefined past the end of the file.
 */
export function frameLine(
  file: string,
  line: number,
  diagnostics: readonly Diagnostic[],
  options: FormatOptions,
  cache: Map<string, string[]>,
): string | undefined {
  let text = sourceLines(file, options, cache)[line - 1];
  if (text === undefined) return undefined;
  for (const d of diagnostics) {
    if (d.file !== file || !coversSecretValue(d) || line < d.line || line > d.endLine) continue;
    // A secret diagnostic folded into TypeScript's entry has TypeScript's range, which may cover only the
    // property name (`url` in `url: "redis://…"`): mask to the end of the line so the value is covered too.
    const folded = !SECRET_VALUE_CODES.has(d.code);
    text = maskLiterals(text, line === d.line ? d.column : 1, line === d.endLine && !folded ? d.endColumn : text.length + 1);
  }
  return text;
}

/** A diagnostic's text for one-string formats (github, SARIF): the message, the notes folded into it, the hint. */
export function fullText(d: Diagnostic): string {
  const notes = (d.related ?? []).map((note) => `note: ${note.code}: ${note.message}${note.hint ? ` (${note.hint})` : ""}`);
  return [d.message, ...notes, ...(d.hint ? [d.hint] : [])].join("\n");
}

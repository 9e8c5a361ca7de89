/** @module format/shared — options and helpers common to every diagnostics format. */
import { readFileSync } from "node:fs";
import { isAbsolute, relative, sep } from "node:path";

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
}

/** A path relative to `cwd`, with forward slashes. */
export function displayPath(file: string, cwd: string | undefined): string {
  if (cwd === undefined || !isAbsolute(file)) return file.split(sep).join("/");
  const rel = relative(cwd, file);
  return (rel.length === 0 ? file : rel).split(sep).join("/");
}

/** The lines of a file, from `sources` or the disk; empty when unreadable. */
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
  const lines = text.split(/\r?\n/);
  cache.set(file, lines);
  return lines;
}

/** @module @switchyard/compiler — type-check, evaluate, validate and lint routes.ts; emit builds. */
import type { Release } from "@switchyard/ir";

/** One problem in the user's files; lines and columns are 1-based. */
export interface Diagnostic {
  code: string;
  severity: "error" | "warning";
  message: string;
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  path?: (string | number)[];
  hint?: string;
}

export interface CompileOptions { file: string; env?: string; now?: Date; timeoutMs?: number }
export interface CompileResult { ok: boolean; diagnostics: Diagnostic[]; release?: Release; environments: string[] }
export type Format = "pretty" | "json" | "sarif" | "github";

/** Placeholder until the compiler lands (same signature as the contract). */
export async function compile(options: CompileOptions): Promise<CompileResult> {
  return {
    ok: false,
    environments: [],
    diagnostics: [{ code: "SY0000", severity: "error", message: "the compiler is not implemented yet", file: options.file, line: 1, column: 1, endLine: 1, endColumn: 1 }],
  };
}

export async function build(options: CompileOptions & { outDir: string }): Promise<CompileResult & { outDir?: string; files?: string[] }> {
  return compile(options);
}

export function formatDiagnostics(diagnostics: Diagnostic[], _format: Format, _options?: { cwd?: string; color?: boolean }): string {
  return diagnostics.map((d) => `${d.file}:${d.line}:${d.column} - ${d.severity} ${d.code}: ${d.message}`).join("\n");
}
export { diffConfigs, policyDelta, hasPolicyChanges, formatDiff, summaryLine, loadDiffSide, parseGitSpec, createDiffReport, DiffLoadCode, DIFF_FORMATS, SECTIONS, type DiffFormat, type FormatDiffOptions, type CompileFn, type DiffLoadError, type LoadedSide, type LoadSideOptions, type LoadSideResult, type SideDiagnostic, type Section, type Change, type ChangeKind, type ConfigDiff, type DiffCounts, type DiffReport, type DiffSideInfo, type EntityChange, type FindingLike, type PolicyDelta, type PolicyFindingChange, type PolicySeverityChange, type SectionDiff } from "./diff/index.ts";

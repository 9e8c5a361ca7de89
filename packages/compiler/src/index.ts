/**
 * @module @switchyard/compiler — type-checks, evaluates, validates and lints routes.ts, formats
 * diagnostics, and writes builds.
 *
 * @example
 * import { compile, formatDiagnostics } from "@switchyard/compiler";
 * const result = await compile({ file: "routes.ts", env: "prod" });
 * process.stdout.write(formatDiagnostics(result.diagnostics, "pretty", { cwd: process.cwd() }));
 */
export type { Diagnostic } from "./diagnostics/types.ts";
export { compile, type CompileOptions, type CompileResult } from "./compile.ts";
export type { ConsoleLine } from "./evaluate/evaluate.ts";
export { build, createManifest, compilerVersion, type BuildOptions, type BuildResult, type Manifest } from "./emit/build.ts";
export { releaseOrConfigIn } from "./emit/layout.ts";
export { formatDiagnostics, type Format, type FormatOptions } from "./format/index.ts";
export { catalogue, type Code, type CatalogueEntry } from "./diagnostics/catalogue.ts";
// `switchyard diff`: the semantic diff of two configs (the Pulumi provider's detailed diff uses `diffConfigs`), loading
// each side, the report and its formats. Named, so the helpers behind them (policyDelta, parseGitSpec…) stay internal.
export {
  diffConfigs,
  hasPolicyChanges,
  formatDiff,
  DIFF_FORMATS,
  loadDiffSide,
  DiffLoadCode,
  createDiffReport,
  type DiffFormat,
  type FormatDiffOptions,
  type CompileFn,
  type DiffLoadError,
  type LoadedSide,
  type LoadSideOptions,
  type LoadSideResult,
  type SideDiagnostic,
  type SideConsoleLine,
} from "./diff/index.ts";
export type {
  Section,
  Change,
  ChangeKind,
  ConfigDiff,
  DiffCounts,
  DiffReport,
  DiffSideInfo,
  EntityChange,
  FindingLike,
  PolicyDelta,
  PolicyFindingChange,
  PolicySeverityChange,
  SectionDiff,
} from "./diff/index.ts";
// `switchyard simulate`: replay a trace file through two releases; and the trace generator for tests and docs.
export {
  simulateTraceFile,
  formatSimulation,
  generateTraces,
  SIMULATE_FORMATS,
  SIMULATION_SCHEMA_VERSION,
  type SimulateFileOptions,
  type SimulateFileResult,
  type SimulateFormat,
  type SimulationReport,
  type GenerateTracesOptions,
} from "./simulate/index.ts";

/** @module diff — `switchyard diff`: the semantic plan of a change between two configs, its formatters and loaders. */
export { diffConfigs } from "./diff-configs.ts";
export { policyDelta, hasPolicyChanges, formatDslPath } from "./policy-delta.ts";
export { formatDiff, summaryLine, DIFF_FORMATS, DIFF_SCHEMA_VERSION, MARKDOWN_MAX_LENGTH, type DiffFormat, type FormatDiffOptions } from "./format.ts";
export {
  loadDiffSide,
  parseGitSpec,
  DiffLoadCode,
  type CompileFn,
  type DiffLoadError,
  type LoadedSide,
  type LoadSideOptions,
  type LoadSideResult,
  type SideDiagnostic,
  type SideConsoleLine,
} from "./load.ts";
export { createDiffReport } from "./report.ts";
export { diffAuthored, tsLiteral, type AuthoredChange } from "./authored.ts";
export { diffImpact, DEFAULT_PRICE_MIX, type DiffImpact, type RouteImpact, type WorstCase } from "./impact.ts";
export {
  SECTIONS,
  type Section,
  type Change,
  type ChangeKind,
  type ConfigDiff,
  type DiffCounts,
  type DiffReport,
  type DiffSideInfo,
  type EntityChange,
  type FindingLike,
  type PolicyDelta,
  type PolicyFindingChange,
  type PolicySeverityChange,
  type SectionDiff,
} from "./types.ts";

/** @module simulate — `switchyard simulate`: replay traced traffic through two releases and report the impact; and a trace generator. */
export { simulateTraceFile, type SimulateFileOptions, type SimulateFileResult } from "./run.ts";
export { Replay, type ReplayOptions, type ReplayResult } from "./replay.ts";
export { parseTraceLine, type TracedRequest, type ParsedTraceLine } from "./trace-line.ts";
export {
  simulationReport,
  SIMULATION_SCHEMA_VERSION,
  SIMULATION_METHOD,
  type SimulationReport,
  type GroupFigures,
  type SideFigures,
  type BudgetFigures,
} from "./report.ts";
export { formatSimulation, SIMULATE_FORMATS, type SimulateFormat } from "./format.ts";
export { mermaidBeforeAfter, type BeforeAfter } from "./chart.ts";
export { generateTraces, type GenerateTracesOptions } from "./generate.ts";

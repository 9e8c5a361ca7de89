/** @module One whole bench run: the load benchmark, then the micro-benchmarks, then the report. */
import { loadavg } from "node:os";
import { type LoadOptions, type LoadResult, runLoadBench } from "./harness.ts";
import { describeMachine } from "./machine.ts";
import { benchCompile, benchDecide, type Outcome } from "./micro/micro.ts";
import { type BenchReport, renderReport } from "./report.ts";
import type { SystemName } from "./systems.ts";

export interface BenchOptions {
  command: string;
  load: Omit<LoadOptions, "log"> | undefined;
  decide: { sizes: number[]; budgetMs: number } | undefined;
  compile: { sizes: number[]; models: number; repeats: number; profile: boolean } | undefined;
  log: (line: string) => void;
}

export interface BenchOutcome {
  report: BenchReport;
  markdown: string;
}

export function presets(quick: boolean, systems: SystemName[]): Pick<BenchOptions, "load" | "decide" | "compile"> {
  return quick
    ? {
        load: {
          systems,
          rounds: 1,
          warmupMs: 500,
          throughputMs: 1_000,
          throughputSlices: 1,
          connections: 32,
          latencyMs: 1_000,
          rate: 500,
          streamMs: 500,
          streamRate: 200,
          profileMs: 0,
          pin: false,
        },
        decide: { sizes: [10, 100], budgetMs: 200 },
        compile: { sizes: [10], models: 200, repeats: 1, profile: false },
      }
    : {
        load: {
          systems,
          rounds: 5,
          warmupMs: 2_000,
          throughputMs: 5_000,
          throughputSlices: 5,
          connections: 32,
          latencyMs: 5_000,
          rate: 500,
          streamMs: 3_000,
          streamRate: 200,
          profileMs: 5_000,
          pin: false,
        },
        decide: { sizes: [10, 100, 1_000], budgetMs: 1_500 },
        compile: { sizes: [10, 100, 1_000], models: 200, repeats: 3, profile: true },
      };
}

export async function runBench(options: BenchOptions): Promise<BenchOutcome> {
  const machine = describeMachine();
  const log = options.log;
  let load: Outcome<LoadResult> | undefined;
  if (options.load) {
    try {
      load = { ok: true, value: await runLoadBench({ ...options.load, log }) };
    } catch (error) {
      load = { ok: false, reason: (error as Error).message };
      log(`load benchmark failed: ${(error as Error).message}`);
    }
  }
  let decide: BenchReport["decide"];
  if (options.decide) {
    log("decide() micro-benchmark…");
    decide = await benchDecide(options.decide);
    if (!decide.ok) log(`decide(): not available: ${decide.reason}`);
  }
  let compile: BenchReport["compile"];
  if (options.compile) {
    log("compile benchmark (cold processes)…");
    compile = await benchCompile({ ...options.compile, log });
    if (!compile.ok) log(`compile: not available: ${compile.reason}`);
  }
  const sy = load?.ok ? load.value.systems.find((s) => s.name === "switchyard") : undefined;
  const routerBytes = sy?.facts["routerBytes"];
  const routerGzipBytes = sy?.facts["routerGzipBytes"];
  const syRedis = load?.ok ? load.value.systems.find((s) => s.name === "switchyard-redis") : undefined;
  const report: BenchReport = {
    command: options.command,
    machine,
    load,
    decide,
    compile,
    router: typeof routerBytes === "number" && typeof routerGzipBytes === "number" ? { bytes: routerBytes, gzipBytes: routerGzipBytes } : undefined,
    routerRedis: routerSize(syRedis?.facts),
    finishedAt: new Date().toISOString(),
    loadAtEnd: loadavg()[0],
  };
  return { report, markdown: renderReport(report) };
}

/** router.mjs's size from a router system's build facts. */
function routerSize(facts: Record<string, number | string> | undefined): { bytes: number; gzipBytes: number } | undefined {
  const bytes = facts?.["routerBytes"];
  const gzipBytes = facts?.["routerGzipBytes"];
  return typeof bytes === "number" && typeof gzipBytes === "number" ? { bytes, gzipBytes } : undefined;
}

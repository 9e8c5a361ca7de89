/** @module The in-process and cold-process micro-benchmarks: decide() per call, and compile()/build() on generated configs. */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, statSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { readFileSync } from "node:fs";
import { REPO_ROOT, WORK_DIR } from "../paths.ts";
import { killOnExit } from "../processes.ts";
import { median, minMax } from "../stats.ts";
import { cliCheck, type ColdCompile, coldCompile } from "./compile-runner.ts";
import { type CpuProfile, type ProfileSummary, summariseProfile } from "../profile.ts";
import type { DecideCase } from "./decide-worker.ts";
import { writeRoutes } from "./gen-config.ts";

export type Outcome<T> = { ok: true; value: T } | { ok: false; reason: string };

/** decide() per call in a fresh process (so the harness's own heap does not disturb it). */
export function benchDecide(options: { sizes: number[]; budgetMs: number }): Promise<Outcome<DecideCase[]>> {
  const worker = fileURLToPath(new URL("./decide-worker.ts", import.meta.url));
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", worker, options.sizes.join(","), String(options.budgetMs)], {
      cwd: REPO_ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    killOnExit(child);
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString("utf8")));
    child.stderr.on("data", (d: Buffer) => (err = (err + d.toString("utf8")).slice(-1000)));
    const timer = setTimeout(() => child.kill("SIGKILL"), 300_000);
    child.once("exit", (code) => {
      clearTimeout(timer);
      const result = /@@result (.*)$/m.exec(out);
      if (result) return resolve({ ok: true, value: JSON.parse(result[1]!) as DecideCase[] });
      const skip = /@@skip (.*)$/m.exec(out);
      resolve({ ok: false, reason: skip ? (JSON.parse(skip[1]!) as string) : `decide benchmark exited ${code}: ${err.trim().slice(-300)}` });
    });
  });
}

export interface CompileCase {
  routes: number;
  models: number;
  sourceBytes: number;
  /** `cli` is `switchyard check` run as a user runs it (wall time only). */
  mode: "check" | "build" | "cli";
  /** Median of the cold runs, milliseconds: process spawn to exit. */
  wallMs: number;
  wallRange: [number, number];
  importMs: number;
  runMs: number;
  runs: number;
  ok: boolean;
  /** First diagnostics when the compile reported errors. */
  messages: string[];
  /** For `build`: router.mjs size, bytes (minified) and gzipped. */
  routerBytes?: number;
  routerGzipBytes?: number;
}

export interface CompileBench {
  cases: CompileCase[];
  /** Where a cold check of the largest config spends its time (one extra run under the sampling profiler). */
  profile: { routes: number; summary: ProfileSummary } | { routes: number; error: string } | undefined;
}

/** check and build, each cold (a fresh process per run), on generated configs of each size; repeats interleave the sizes. */
export async function benchCompile(options: {
  sizes: number[];
  models: number;
  repeats: number;
  profile: boolean;
  log: (line: string) => void;
}): Promise<Outcome<CompileBench>> {
  const dir = join(WORK_DIR, "compile");
  const outRoot = mkdtempSync(join(tmpdir(), "switchyard-bench-compile-"));
  try {
    const generated = options.sizes.map((routes) => writeRoutes(dir, { routes, models: options.models }));
    const runs = new Map<string, ColdCompile[]>();
    for (let i = 0; i < options.repeats; i++) {
      for (const config of generated) {
        for (const mode of ["check", "build"] as const) {
          const outDir = join(outRoot, `${config.routes}-${mode}-${i}`);
          let run: ColdCompile;
          try {
            run = await coldCompile({ mode, file: config.file, outDir: mode === "build" ? outDir : undefined });
          } catch (error) {
            return { ok: false, reason: `${mode} of ${config.routes} routes failed: ${(error as Error).message}` };
          }
          options.log(
            `${mode} ${config.routes} routes / ${options.models} models: ${run.wallMs.toFixed(0)} ms wall (${run.importMs.toFixed(0)} import + ${run.runMs.toFixed(0)} ${mode}), ok=${run.ok}`,
          );
          if (!run.ok && run.messages.some((m) => m.startsWith("SY0000"))) return { ok: false, reason: `the compiler is a placeholder: ${run.messages[0]}` };
          const key = `${config.routes}:${mode}`;
          runs.set(key, [...(runs.get(key) ?? []), run]);
        }
        const cli = await cliCheck({ file: config.file });
        options.log(`switchyard check (CLI) ${config.routes} routes: ${cli.wallMs.toFixed(0)} ms wall, exit ${cli.exitCode}`);
        const run: ColdCompile = {
          ok: cli.exitCode === 0,
          diagnostics: 0,
          messages: cli.exitCode === 0 ? [] : [`exit ${cli.exitCode}: ${cli.output.trim().split("\n").slice(-3).join(" ")}`],
          bootMs: Number.NaN,
          importMs: Number.NaN,
          runMs: Number.NaN,
          files: [],
          outDir: undefined,
          wallMs: cli.wallMs,
        };
        runs.set(`${config.routes}:cli`, [...(runs.get(`${config.routes}:cli`) ?? []), run]);
      }
    }
    const cases: CompileCase[] = [];
    for (const config of generated) {
      for (const mode of ["check", "cli", "build"] as const) {
        const list = runs.get(`${config.routes}:${mode}`) ?? [];
        const entry: CompileCase = {
          routes: config.routes,
          models: options.models,
          sourceBytes: config.bytes,
          mode,
          wallMs: median(list.map((r) => r.wallMs)),
          wallRange: minMax(list.map((r) => r.wallMs)),
          importMs: median(list.map((r) => r.importMs)),
          runMs: median(list.map((r) => r.runMs)),
          runs: list.length,
          ok: list.every((r) => r.ok),
          messages: list.find((r) => !r.ok)?.messages ?? [],
        };
        if (mode === "build") {
          const router = join(outRoot, `${config.routes}-${mode}-0`, "default", "router.mjs");
          if (existsSync(router)) {
            entry.routerBytes = statSync(router).size;
            entry.routerGzipBytes = gzipSync(readFileSync(router)).length;
          }
        }
        cases.push(entry);
      }
    }
    let profile: CompileBench["profile"];
    const largest = generated[generated.length - 1];
    if (options.profile && largest) {
      const profileFile = join(outRoot, "check.cpuprofile");
      try {
        const run = await coldCompile({ mode: "check", file: largest.file, profileFile });
        options.log(`profiled check of ${largest.routes} routes: ${run.wallMs.toFixed(0)} ms wall`);
        profile = { routes: largest.routes, summary: summariseProfile(JSON.parse(readFileSync(profileFile, "utf8")) as CpuProfile, 0) };
      } catch (error) {
        profile = { routes: largest.routes, error: (error as Error).message };
      }
    }
    return { ok: true, value: { cases, profile } };
  } finally {
    rmSync(outRoot, { recursive: true, force: true });
  }
}

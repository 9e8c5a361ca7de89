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
import { coldCompile } from "./compile-runner.ts";
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
  mode: "check" | "build";
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

/** check and build, each cold (a fresh process per run), on generated configs of each size. */
export async function benchCompile(options: { sizes: number[]; models: number; repeats: number; log: (line: string) => void }): Promise<Outcome<CompileCase[]>> {
  const dir = join(WORK_DIR, "compile");
  const outRoot = mkdtempSync(join(tmpdir(), "switchyard-bench-compile-"));
  const cases: CompileCase[] = [];
  try {
    for (const routes of options.sizes) {
      const generated = writeRoutes(dir, { routes, models: options.models });
      for (const mode of ["check", "build"] as const) {
        const runs = [];
        for (let i = 0; i < options.repeats; i++) {
          const outDir = join(outRoot, `${routes}-${mode}-${i}`);
          try {
            runs.push(await coldCompile({ mode, file: generated.file, outDir: mode === "build" ? outDir : undefined }));
          } catch (error) {
            return { ok: false, reason: `${mode} of ${routes} routes failed: ${(error as Error).message}` };
          }
          const last = runs[runs.length - 1]!;
          options.log(`${mode} ${routes} routes / ${options.models} models: ${last.wallMs.toFixed(0)} ms wall (${last.importMs.toFixed(0)} import + ${last.runMs.toFixed(0)} ${mode}), ok=${last.ok}`);
          if (!last.ok && last.messages.some((m) => m.startsWith("SY0000"))) return { ok: false, reason: `the compiler is a placeholder: ${last.messages[0]}` };
        }
        const entry: CompileCase = {
          routes,
          models: options.models,
          sourceBytes: generated.bytes,
          mode,
          wallMs: median(runs.map((r) => r.wallMs)),
          wallRange: minMax(runs.map((r) => r.wallMs)),
          importMs: median(runs.map((r) => r.importMs)),
          runMs: median(runs.map((r) => r.runMs)),
          runs: runs.length,
          ok: runs.every((r) => r.ok),
          messages: runs.find((r) => !r.ok)?.messages ?? [],
        };
        if (mode === "build") {
          const router = join(outRoot, `${routes}-${mode}-0`, "default", "router.mjs");
          if (existsSync(router)) {
            entry.routerBytes = statSync(router).size;
            entry.routerGzipBytes = gzipSync(readFileSync(router)).length;
          }
        }
        cases.push(entry);
      }
    }
    return { ok: true, value: cases };
  } finally {
    rmSync(outRoot, { recursive: true, force: true });
  }
}

/**
 * @module Where a system's CPU goes, kernel and every thread included: Linux `perf` (software
 * cpu-clock sampling, which needs no hardware counters) records the process during a throughput run;
 * `--perf-basic-prof` names its JIT frames. The V8 profile above sees only the main thread's JavaScript
 * and books the kernel's work inside a syscall to the JS function that made it; this one splits CPU per
 * request into kernel, collector, compiler, file I/O and JavaScript by area. Optional: skipped with a
 * reason when `perf` is missing or may not sample.
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import type { LoadGenerator } from "./load/client.ts";
import type { Target } from "./load/jobs.ts";
import { REPO_ROOT } from "./paths.ts";

/** Sampling rate (Hz): about one sample per millisecond of CPU, cheap enough not to move the figures. */
export const PERF_FREQUENCY_HZ = 999;
/** Interleaved runs per system, pooled (poolProfiles): one run of a few seconds is at the mercy of the neighbours. */
export const PERF_RUNS_PER_SYSTEM = 3;

export interface CpuShare {
  name: string;
  /** CPU per request, µs. */
  usPerRequest: number;
}

export interface WholeProcessProfile {
  system: string;
  requestsPerSecond: number;
  /** Requests answered while perf recorded (the run's rate × the recording time). */
  requests: number;
  samples: number;
  /** All of the process's CPU per request, µs. */
  usPerRequest: number;
  /** By category, largest first; they add up to `usPerRequest`. */
  shares: CpuShare[];
}

/**
 * Several runs of one system as one profile: samples and requests pooled (so the categories still add
 * up to the total), the rate averaged. One run of a few seconds moves by a third on shared cores.
 */
export function poolProfiles(runs: readonly WholeProcessProfile[]): WholeProcessProfile {
  const first = runs[0];
  if (first === undefined) throw new Error("no profile runs to pool");
  const requests = runs.reduce((sum, r) => sum + r.requests, 0);
  const totals = new Map<string, number>();
  for (const r of runs) for (const s of r.shares) totals.set(s.name, (totals.get(s.name) ?? 0) + s.usPerRequest * r.requests);
  return {
    system: first.system,
    requestsPerSecond: runs.reduce((sum, r) => sum + r.requestsPerSecond, 0) / runs.length,
    requests,
    samples: runs.reduce((sum, r) => sum + r.samples, 0),
    usPerRequest: runs.reduce((sum, r) => sum + r.usPerRequest * r.requests, 0) / requests,
    shares: [...totals.entries()].map(([name, us]) => ({ name, usPerRequest: us / requests })).sort((a, b) => b.usPerRequest - a.usPerRequest),
  };
}

/** Why perf cannot profile here, or undefined when it can. */
export function perfUnavailable(): string | undefined {
  const probe = spawnSync("perf", ["record", "-e", "cpu-clock", "-o", "/dev/null", "--", "true"], { encoding: "utf8", timeout: 15_000 });
  if (probe.error !== undefined)
    return `perf is not installed (${(probe.error as NodeJS.ErrnoException).code ?? probe.error.message}); Debian: apt-get install linux-perf`;
  if (probe.status !== 0) return `perf may not sample here: ${(probe.stderr || "").trim().split("\n")[0] ?? `exit ${probe.status}`}`;
  return undefined;
}

const GC =
  /Scaveng|MarkCompact|Heap::CollectGarbage|Heap::PerformGarbageCollection|ConcurrentMarking|IncrementalMarking|Sweeper|MinorMarkSweep|ArrayBufferSweeper/;
const COMPILER = /OptimizingCompileDispatcher|compiler::Pipeline|Turbofan|Maglev|Compiler::Compile|CompileLazy/;
const FILE_IO = /uv__fs_|uv_fs_|__GI___writev|__libc_pwrite|__GI___unlink|__rename/;
/** A JIT frame as --perf-basic-prof names it: `JS:*name url:line:column` (`*` optimised, `~` interpreted, `^` baseline). */
const JS_FRAME = /^JS:[*~^+]?\S*\s+(\S+?)(?::\d+:\d+)?$/;

/** The area of a JS frame's script: a folder of packages/*, a node_modules package, a node internal module, or the script's file name. */
function scriptArea(url: string): string {
  if (url.startsWith("node:")) {
    const internal = /^node:internal\/([^/:]+)/.exec(url);
    return internal ? `node:internal/${internal[1]}` : url.replace(/:\d+.*$/, "");
  }
  const path = url.startsWith("file://") ? fileURLToPath(url) : url;
  const file = path.startsWith("/") ? relative(REPO_ROOT, path) : path;
  const pkg = /^packages\/([^/]+)\/src\/(?:([^/]+)\/)?/.exec(file);
  if (pkg) return pkg[2] && !pkg[2].endsWith(".ts") ? `packages/${pkg[1]}/src/${pkg[2]}/` : `packages/${pkg[1]}/src/*.ts`;
  const mod = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/.exec(file);
  if (mod) return `node_modules/${mod[1]}`;
  return file.split("/").at(-1) ?? file;
}

/** One sample's category: other threads by what they run; the main thread by kernel, collector, or the innermost JavaScript frame's area. */
function categorise(mainThread: boolean, frames: readonly { sym: string; dso: string }[]): string {
  const any = (re: RegExp): boolean => frames.some((f) => re.test(f.sym));
  if (!mainThread) {
    if (any(GC)) return "garbage collection (V8 helper threads)";
    if (any(COMPILER)) return "JIT compilation (V8 helper threads)";
    if (any(FILE_IO)) return "file I/O (libuv threadpool)";
    return "other threads";
  }
  if (frames[0]?.dso === "[kernel.kallsyms]") return "kernel (main thread: socket reads and writes, epoll)";
  if (any(GC)) return "garbage collection (main thread)";
  for (const f of frames) {
    if (f.sym.startsWith("JS:wasm")) return "WebAssembly (undici's llhttp)";
    const js = JS_FRAME.exec(f.sym);
    if (js) return `JS: ${scriptArea(js[1] as string)}`;
  }
  return "native, no JavaScript frame (event loop, node:http's parser)";
}

/**
 * Count `perf script -F tid,ip,sym,dso` output into categories. Exported for the harness test.
 *
 * @example const counts = countPerfSamples(text, pid); // Map { "kernel (main thread: …)" => 812, … }
 */
export function countPerfSamples(text: string, pid: number): Map<string, number> {
  const counts = new Map<string, number>();
  let tid: number | undefined;
  let frames: { sym: string; dso: string }[] = [];
  const flush = (): void => {
    if (tid !== undefined && frames.length > 0) {
      const category = categorise(tid === pid, frames);
      counts.set(category, (counts.get(category) ?? 0) + 1);
    }
    tid = undefined;
    frames = [];
  };
  for (const line of text.split("\n")) {
    if (line.trim() === "") {
      flush();
      continue;
    }
    if (!line.startsWith("\t") && !line.startsWith(" ")) {
      flush();
      tid = Number(line.trim().split(/\s+/)[0]);
      continue;
    }
    const frame = /^\s*[0-9a-f]+\s+(.*?)\s+\(([^()]*)\)$/.exec(line);
    if (frame) frames.push({ sym: (frame[1] as string).replace(/\+0x[0-9a-f]+$/, ""), dso: frame[2] as string });
  }
  flush();
  return counts;
}

/**
 * Profile a running system: during a throughput run of `durationMs` (after a warm-up), perf records
 * the process for all but the first and last half second. The process must have been started with
 * `--perf-basic-prof` for its JavaScript to be named.
 */
export async function perfProfile(options: {
  system: string;
  pid: number;
  load: LoadGenerator;
  target: Target;
  connections: number;
  durationMs: number;
}): Promise<WholeProcessProfile> {
  const dir = mkdtempSync(join(tmpdir(), "switchyard-bench-perf-"));
  try {
    await options.load.run({ kind: "throughput", target: options.target, connections: options.connections, durationMs: 2_000 });
    const recordMs = Math.max(1_000, options.durationMs - 1_000);
    const data = join(dir, "perf.data");
    const run = options.load.run({ kind: "throughput", target: options.target, connections: options.connections, durationMs: options.durationMs });
    await new Promise((resolve) => setTimeout(resolve, 500));
    const recorded = await new Promise<number>((resolve, reject) => {
      const perf = spawn(
        "perf",
        ["record", "-e", "cpu-clock", "-F", String(PERF_FREQUENCY_HZ), "-g", "-p", String(options.pid), "-o", data, "--", "sleep", String(recordMs / 1000)],
        { stdio: ["ignore", "ignore", "pipe"] },
      );
      let stderr = "";
      perf.stderr.on("data", (d: Buffer) => (stderr += d.toString("utf8")));
      perf.on("error", reject);
      perf.on("exit", (code) => (code === 0 ? resolve(recordMs) : reject(new Error(`perf record exited ${code}: ${stderr.trim().split("\n").at(-1) ?? ""}`))));
    });
    const result = await run;
    const script = spawnSync("perf", ["script", "-i", data, "-F", "tid,ip,sym,dso"], { encoding: "utf8", maxBuffer: 1 << 30 });
    if (script.status !== 0) throw new Error(`perf script exited ${script.status}: ${(script.stderr || "").trim().split("\n")[0] ?? ""}`);
    const counts = countPerfSamples(script.stdout, options.pid);
    const requests = result.requestsPerSecond * (recorded / 1000);
    if (requests <= 0) throw new Error(`${options.system} answered no requests while perf recorded`);
    const usPerSample = 1e6 / PERF_FREQUENCY_HZ;
    let samples = 0;
    for (const n of counts.values()) samples += n;
    const shares = [...counts.entries()]
      .map(([name, n]) => ({ name, usPerRequest: (n * usPerSample) / requests }))
      .sort((a, b) => b.usPerRequest - a.usPerRequest);
    return {
      system: options.system,
      requestsPerSecond: result.requestsPerSecond,
      requests: Math.round(requests),
      samples,
      usPerRequest: (samples * usPerSample) / requests,
      shares,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

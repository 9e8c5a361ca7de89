/**
 * @module load/typecheck-thread — runs the TypeScript type-check of routes.ts on a worker thread, so
 * the main thread evaluates, validates and runs the policies meanwhile (a 1,000-route check spends
 * most of its time in TypeScript's checker). One worker per process, kept for later compiles (it
 * keeps the lib files parsed) and unref'd while idle so it never holds the process open.
 *
 * The worker runs a CommonJS bundle of load/typecheck-worker.ts (load/worker-bundle.ts), so it
 * needs no TypeScript loader and works the same under `node --import tsx`, the npm bin and vitest.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { setFlagsFromString } from "node:v8";
import { Worker } from "node:worker_threads";
import type { LocationData } from "./location-map.ts";
import type { TypeCheckResult } from "./typecheck.ts";
import { defaultCacheDirectory } from "./code-cache.ts";
import { workerBundle } from "./worker-bundle.ts";

export interface TypeCheckRequest {
  id: number;
  file: string;
}

export type TypeCheckReply =
  { id: number; ok: true; checked: TypeCheckResult; locations: LocationData } | { id: number; ok: false; message: string; stack?: string };

export interface TypeCheckResultWithLocations {
  checked: TypeCheckResult;
  locations: LocationData;
}

interface Pending {
  resolve: (result: TypeCheckResultWithLocations) => void;
  reject: (error: Error) => void;
}

let worker: Worker | undefined;
/** V8 flags this module set at run time (the code cache keeps files per set of flags). */
const runtimeFlags: string[] = [];
let nextId = 1;
const pending = new Map<number, Pending>();

function failAll(error: Error): void {
  worker = undefined;
  for (const entry of pending.values()) entry.reject(error);
  pending.clear();
}

/**
 * The thread's code, read here rather than handed over as a path: a process checking other sources
 * may prune the cached file before the thread would load it.
 */
function workerCode(): string {
  // Next to this file: the sources in the repo, the compiled dist/ in a published install.
  const entry = fileURLToPath(new URL(`./typecheck-worker${import.meta.url.endsWith(".ts") ? ".ts" : ".js"}`, import.meta.url));
  const bundle = workerBundle({ entry, directory: defaultCacheDirectory() });
  if ("code" in bundle) return bundle.code;
  try {
    return readFileSync(bundle.file, "utf8");
  } catch {
    const fresh = workerBundle({ entry, directory: undefined });
    return "code" in fresh ? fresh.code : "";
  }
}

function start(): Worker {
  const created = new Worker(workerCode(), {
    eval: true,
    workerData: { switchyardV8Flags: runtimeFlags.join(" ") },
    // Plain JavaScript: the parent's --import tsx would only add a loader thread. `node --cpu-prof …`
    // still profiles it (one .cpuprofile per thread).
    execArgv: process.execArgv.filter((flag) => flag === "--cpu-prof" || /^--cpu-prof-(?:dir|interval|name)=/.test(flag)),
  });
  created.on("message", (reply: TypeCheckReply) => {
    const waiting = pending.get(reply.id);
    if (!waiting) return;
    pending.delete(reply.id);
    if (pending.size === 0) created.unref();
    if (reply.ok) waiting.resolve({ checked: reply.checked, locations: reply.locations });
    else {
      const error = new Error(reply.message);
      if (reply.stack) error.stack = reply.stack;
      waiting.reject(error);
    }
  });
  created.on("error", (error: Error) => {
    if (worker === created) failAll(error);
  });
  created.on("exit", (code) => {
    if (worker === created) failAll(new Error(`the type-check thread exited (code ${code})`));
  });
  return created;
}

export interface StartOptions {
  /**
   * Raise V8's interrupt budget (process-wide) before TypeScript loads, unless the command line set
   * one: for a process that lives a few seconds, TurboFan compiles many functions on background
   * threads that never run long enough to repay it (the CLI passes 600000; V8's default is 67584).
   */
  interruptBudget?: number;
}

/** V8's default interrupt budget (V8 ≤ 11) and TurboFan invocation count (V8 ≥ 12), which replaced it. */
const DEFAULT_INTERRUPT_BUDGET = 67_584;
const DEFAULT_TURBOFAN_INVOCATIONS = 3_000;

/**
 * The V8 flag that delays TurboFan by the factor `interruptBudget` asks for. V8 12 (Node 22) dropped
 * `--interrupt-budget`, and setting an unknown flag prints "Error: unrecognized flag" to stderr.
 */
export function tierUpFlag(interruptBudget: number, v8Version: string = process.versions.v8): string {
  const major = Number.parseInt(v8Version, 10);
  if (major < 12) return `--interrupt-budget=${Math.round(interruptBudget)}`;
  return `--invocation-count-for-turbofan=${Math.round((DEFAULT_TURBOFAN_INVOCATIONS * interruptBudget) / DEFAULT_INTERRUPT_BUDGET)}`;
}

/**
 * Starts the type-check thread now (it loads TypeScript and parses the lib files and the SDK), so a
 * compile that follows finds it ready. The CLI calls it first thing for `check` and `build`, before
 * it loads the rest of the compiler. Idempotent; the thread does not keep the process alive.
 */
export function startTypeCheckThread(options: StartOptions = {}): void {
  if (worker) return;
  const flag = options.interruptBudget === undefined ? undefined : tierUpFlag(options.interruptBudget);
  if (flag !== undefined && !process.execArgv.some((arg) => arg.startsWith(flag.slice(0, flag.indexOf("="))))) {
    setFlagsFromString(flag);
    runtimeFlags.push(flag);
  }
  worker = start();
  worker.unref();
}

/**
 * Type-checks `file` (and the user files it imports) on the type-check thread, which starts on the
 * first call; resolves with TypeScript's diagnostics and the file's location data.
 */
export function typeCheckInThread(file: string): Promise<TypeCheckResultWithLocations> {
  worker ??= start();
  const current = worker;
  const id = nextId++;
  return new Promise<TypeCheckResultWithLocations>((resolve, reject) => {
    pending.set(id, { resolve, reject });
    current.ref();
    current.postMessage({ id, file } satisfies TypeCheckRequest);
  });
}

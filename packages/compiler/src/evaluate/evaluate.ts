/**
 * @module evaluate/evaluate — bundles routes.ts with esbuild and runs it in a worker thread with a
 * timeout, so a config that throws, loops, never settles or exports the wrong thing is a diagnostic.
 */
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, resolve } from "node:path";
import { MessageChannel, receiveMessageOnPort, Worker } from "node:worker_threads";
import { sdkEntry } from "../load/sdk-path.ts";

/** Why evaluation failed, as data; the caller turns it into a located diagnostic. */
export type EvaluationFailure =
  | { kind: "bundle"; messages: { text: string; file?: string; line?: number; column?: number; length?: number }[] }
  | { kind: "threw"; message: string; name: string; line?: number; column?: number }
  | { kind: "timeout"; timeoutMs: number }
  | { kind: "never-settled" }
  | { kind: "no-default-export" }
  | { kind: "unsupported-value"; problems: { path: (string | number)[]; type: string }[] };

export type EvaluationResult = { ok: true; value: unknown } | { ok: false; failure: EvaluationFailure };

/**
 * Runs inside the worker: bundles routes.ts with esbuild (so the main thread can type-check
 * meanwhile), imports the bundle, awaits the default export and sends back plain data.
 */
const WORKER_SOURCE = `
const { workerData } = require("node:worker_threads");
// Results go on their own port, which the parent can read synchronously when its timer fires.
const parentPort = workerData.results;
const { mkdtempSync, rmSync, writeFileSync } = require("node:fs");
const { join, resolve } = require("node:path");
const { pathToFileURL } = require("node:url");
process.setSourceMapsEnabled(true);
function toPlain(value, path, problems, seen) {
  if (value === null || typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "number") { if (!Number.isFinite(value)) problems.push({ path, type: String(value) }); return value; }
  if (value === undefined) return undefined;
  if (typeof value === "function" || typeof value === "symbol" || typeof value === "bigint") { problems.push({ path, type: typeof value }); return undefined; }
  if (seen.has(value)) { problems.push({ path, type: "circular reference" }); return undefined; }
  seen.add(value);
  let out;
  if (Array.isArray(value)) out = value.map((item, index) => toPlain(item, [...path, index], problems, seen));
  else {
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) { problems.push({ path, type: (value.constructor && value.constructor.name) || "object" }); seen.delete(value); return undefined; }
    out = {};
    for (const key of Object.keys(value)) { const v = toPlain(value[key], [...path, key], problems, seen); if (v !== undefined) out[key] = v; }
  }
  seen.delete(value);
  return out;
}
function threw(error) {
  return { kind: "threw", name: (error && error.name) || "Error", message: String(error && error.message !== undefined ? error.message : error), stack: String((error && error.stack) || "") };
}
function send(message) { parentPort.postMessage(message); }
// console.* of routes.ts travels on the results port, in order and without waiting for the parent
// (the worker's own stdout waits for the parent, which is busy type-checking).
function lineStream(stream) {
  let pending = "";
  return new (require("node:stream").Writable)({
    write(chunk, _encoding, callback) {
      pending += String(chunk);
      const lines = pending.split(/\\r?\\n/);
      pending = lines.pop();
      for (const text of lines) parentPort.postMessage({ kind: "console", stream, text });
      callback();
    },
  });
}
globalThis.console = new (require("node:console").Console)({ stdout: lineStream("stdout"), stderr: lineStream("stderr") });
async function bundle() {
  const { build } = require(workerData.esbuild);
  try {
    const result = await build({
      entryPoints: [workerData.file], outfile: join(workerData.workDir, "switchyard-eval", "routes.mjs"), absWorkingDir: workerData.fileDir,
      bundle: true, write: false, format: "esm", platform: "node", target: "node20", logLevel: "silent",
      alias: { "@switchyard/sdk": workerData.sdk }, sourcemap: "inline", sourcesContent: false,
    });
    const output = result.outputFiles[0];
    if (!output) return { failure: { kind: "bundle", messages: [{ text: "esbuild produced no output" }] } };
    return { code: output.text };
  } catch (error) {
    const errors = Array.isArray(error && error.errors) && error.errors.length > 0 ? error.errors : undefined;
    if (!errors) return { failure: { kind: "bundle", messages: [{ text: String((error && error.message) || error) }] } };
    return { failure: { kind: "bundle", messages: errors.map((m) => ({ text: m.text, ...(m.location ? { file: resolve(workerData.fileDir, m.location.file), line: m.location.line, column: m.location.column + 1, length: m.location.length } : {}) })) } };
  }
}
(async () => {
  const bundled = await bundle();
  if (bundled.failure) { parentPort.postMessage(bundled.failure); return; }
  // A real file (not a data: URL) so the inline source map applies to stack traces.
  const directory = mkdtempSync(join(workerData.workDir, "switchyard-eval-"));
  const file = join(directory, "routes.mjs");
  writeFileSync(file, bundled.code);
  let mod;
  try {
    mod = await import(pathToFileURL(file).href);
  } catch (error) {
    send(threw(error));
    return;
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
  if (!mod || !("default" in mod) || mod.default === undefined) { send({ kind: "no-default-export" }); return; }
  let value;
  try { value = await mod.default; } catch (error) { send(threw(error)); return; }
  const problems = [];
  const plain = toPlain(value, [], problems, new Set());
  if (problems.length > 0) { send({ kind: "unsupported-value", problems }); return; }
  send({ kind: "ok", value: plain });
})();
`;

/** Finds the user's file:line:column in a stack trace (source maps are on in the worker). */
function locateThrow(stack: string, file: string): { line?: number; column?: number } {
  for (const line of stack.split("\n")) {
    const index = line.indexOf(file);
    if (index < 0) continue;
    const match = /:(\d+):(\d+)\)?\s*$/.exec(line.slice(index + file.length));
    if (match) return { line: Number(match[1]), column: Number(match[2]) };
  }
  return {};
}

/** One line routes.ts (or a user policy pack) printed with `console.log` (stdout) or `console.error` (stderr). */
export interface ConsoleLine {
  stream: "stdout" | "stderr";
  text: string;
  /** The file whose code printed it (routes.ts, or a policy pack). */
  source: string;
}

export interface EvaluateOptions {
  file: string;
  timeoutMs: number;
  /** Stops the evaluation (the worker is terminated); the result is then a timeout failure. */
  signal?: AbortSignal;
  /** Receives what routes.ts prints, line by line (otherwise it is dropped). */
  onConsole?: (line: ConsoleLine) => void;
}

const esbuildPath = createRequire(import.meta.url).resolve("esbuild");

/**
 * Bundles and evaluates a routes.ts file in a worker thread; never throws, never hangs past the
 * timeout. The worker starts at once and runs in parallel with whatever the caller does meanwhile.
 */
export function evaluateConfig(options: EvaluateOptions): Promise<EvaluationResult> {
  return new Promise<EvaluationResult>((resolvePromise) => {
    if (options.signal?.aborted) {
      resolvePromise({ ok: false, failure: { kind: "timeout", timeoutMs: 0 } });
      return;
    }
    const channel = new MessageChannel();
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      // esbuild works from the config's folder, so paths in its messages read as the user wrote them.
      workerData: {
        file: resolve(options.file),
        fileDir: dirname(resolve(options.file)),
        sdk: sdkEntry(),
        esbuild: esbuildPath,
        workDir: tmpdir(),
        results: channel.port2,
      },
      transferList: [channel.port2],
      // The bundle is plain JavaScript: no TypeScript loader (tsx) in the worker.
      execArgv: [],
      stdout: true,
      stderr: true,
      resourceLimits: { maxOldGenerationSizeMb: 512 },
    });
    const flushConsole = forwardConsole(worker, resolve(options.file), options.onConsole);
    let settled = false;
    const finish = (result: EvaluationResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      channel.port1.close();
      void worker.terminate().finally(() => {
        flushConsole();
        resolvePromise(result);
      });
    };
    // This thread may be busy meanwhile (other compiles, policies), so the timer may fire late, after
    // the worker has long answered: a result already on the port wins over the timeout.
    const drain = (): void => {
      for (
        let waiting = receiveMessageOnPort(channel.port1) as { message: WorkerMessage } | undefined;
        waiting && !settled;
        waiting = receiveMessageOnPort(channel.port1) as { message: WorkerMessage } | undefined
      ) {
        onMessage(waiting.message);
      }
    };
    const timer = setTimeout(() => {
      drain();
      finish({ ok: false, failure: { kind: "timeout", timeoutMs: options.timeoutMs } });
    }, options.timeoutMs);
    options.signal?.addEventListener("abort", () => finish({ ok: false, failure: { kind: "timeout", timeoutMs: 0 } }), { once: true });
    const onMessage = (message: WorkerMessage): void => {
      if (message.kind === "console") {
        options.onConsole?.({ stream: message.stream === "stderr" ? "stderr" : "stdout", text: message.text ?? "", source: resolve(options.file) });
        return;
      }
      if (message.kind === "ok") finish({ ok: true, value: message.value });
      else if (message.kind === "bundle") finish({ ok: false, failure: { kind: "bundle", messages: message.messages ?? [] } });
      else if (message.kind === "no-default-export") finish({ ok: false, failure: { kind: "no-default-export" } });
      else if (message.kind === "unsupported-value") finish({ ok: false, failure: { kind: "unsupported-value", problems: message.problems ?? [] } });
      else
        finish({
          ok: false,
          failure: { kind: "threw", name: message.name ?? "Error", message: message.message ?? "", ...locateThrow(message.stack ?? "", options.file) },
        });
    };
    channel.port1.on("message", onMessage);
    worker.on("error", (error: Error) => finish({ ok: false, failure: { kind: "threw", name: error.name, message: error.message } }));
    worker.on("exit", () => {
      // The result and the exit travel separately: a result already sent is not lost to the exit.
      drain();
      finish({ ok: false, failure: { kind: "never-settled" } });
    });
  });
}

interface WorkerMessage {
  kind: string;
  /** `console` messages: which stream and the line. */
  stream?: string;
  text?: string;
  value?: unknown;
  name?: string;
  message?: string;
  stack?: string;
  problems?: { path: (string | number)[]; type: string }[];
  messages?: Extract<EvaluationFailure, { kind: "bundle" }>["messages"];
}

/** Splits the worker's stdout and stderr into lines for `onConsole`; the returned function flushes a last partial line. */
function forwardConsole(worker: Worker, source: string, onConsole: ((line: ConsoleLine) => void) | undefined): () => void {
  const flushers: (() => void)[] = [];
  for (const stream of ["stdout", "stderr"] as const) {
    const readable = worker[stream];
    let pending = "";
    readable.setEncoding("utf8");
    readable.on("data", (chunk: string) => {
      if (!onConsole) return;
      pending += chunk;
      const lines = pending.split(/\r?\n/);
      pending = lines.pop() ?? "";
      for (const text of lines) onConsole({ stream, text, source });
    });
    flushers.push(() => {
      if (onConsole && pending.length > 0) onConsole({ stream, text: pending, source });
      pending = "";
    });
  }
  return () => {
    for (const flush of flushers) flush();
  };
}

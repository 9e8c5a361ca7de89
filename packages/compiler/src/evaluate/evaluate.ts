/**
 * @module evaluate/evaluate — bundles routes.ts with esbuild and runs it in a worker thread with a
 * timeout, so a config that throws, loops, never settles or exports the wrong thing is a diagnostic.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { build, type Message } from "esbuild";
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

/** Runs inside the worker: imports the bundle, awaits the default export, sends back plain data. */
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
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
(async () => {
  let mod;
  try {
    mod = await import(workerData.url);
  } catch (error) {
    parentPort.postMessage({ kind: "threw", name: (error && error.name) || "Error", message: String(error && error.message !== undefined ? error.message : error), stack: String((error && error.stack) || "") });
    return;
  }
  if (!mod || !("default" in mod) || mod.default === undefined) { parentPort.postMessage({ kind: "no-default-export" }); return; }
  let value;
  try { value = await mod.default; } catch (error) {
    parentPort.postMessage({ kind: "threw", name: (error && error.name) || "Error", message: String(error && error.message !== undefined ? error.message : error), stack: String((error && error.stack) || "") });
    return;
  }
  const problems = [];
  const plain = toPlain(value, [], problems, new Set());
  if (problems.length > 0) { parentPort.postMessage({ kind: "unsupported-value", problems }); return; }
  parentPort.postMessage({ kind: "ok", value: plain });
})();
`;

function bundleMessages(messages: Message[]): EvaluationFailure {
  return {
    kind: "bundle",
    messages: messages.map((message) => ({
      text: message.text,
      ...(message.location ? { file: resolve(message.location.file), line: message.location.line, column: message.location.column + 1, length: message.location.length } : {}),
    })),
  };
}

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

export interface EvaluateOptions {
  file: string;
  timeoutMs: number;
  /** Stops the evaluation (the worker is terminated); the result is then a timeout failure. */
  signal?: AbortSignal;
}

/** Bundles and evaluates a routes.ts file; never throws, never hangs past the timeout. */
export async function evaluateConfig(options: EvaluateOptions): Promise<EvaluationResult> {
  let code: string;
  try {
    const result = await build({
      entryPoints: [options.file],
      outfile: join(tmpdir(), "switchyard-eval", "routes.mjs"),
      absWorkingDir: tmpdir(),
      bundle: true,
      write: false,
      format: "esm",
      platform: "node",
      target: "node20",
      logLevel: "silent",
      alias: { "@switchyard/sdk": sdkEntry() },
      sourcemap: "inline",
      sourcesContent: false,
    });
    const output = result.outputFiles[0];
    if (!output) return { ok: false, failure: { kind: "bundle", messages: [{ text: "esbuild produced no output" }] } };
    code = output.text;
  } catch (error) {
    const failure = error as { errors?: Message[]; message?: string };
    if (Array.isArray(failure.errors) && failure.errors.length > 0) return { ok: false, failure: bundleMessages(failure.errors) };
    return { ok: false, failure: { kind: "bundle", messages: [{ text: failure.message ?? String(error) }] } };
  }

  // A real file (not a data: URL) so the inline source map applies to stack traces.
  const directory = await mkdtemp(join(tmpdir(), "switchyard-eval-"));
  const bundleFile = join(directory, "routes.mjs");
  await writeFile(bundleFile, code);
  try {
    if (options.signal?.aborted) return { ok: false, failure: { kind: "timeout", timeoutMs: 0 } };
    return await runWorker({ url: pathToFileURL(bundleFile).href, file: options.file, timeoutMs: options.timeoutMs, ...(options.signal ? { signal: options.signal } : {}) });
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}

function runWorker(options: { url: string; file: string; timeoutMs: number; signal?: AbortSignal }): Promise<EvaluationResult> {
  return new Promise<EvaluationResult>((resolvePromise) => {
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { url: options.url },
      stdout: true,
      stderr: true,
      resourceLimits: { maxOldGenerationSizeMb: 512 },
    });
    let settled = false;
    const finish = (result: EvaluationResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void worker.terminate();
      resolvePromise(result);
    };
    const timer = setTimeout(() => finish({ ok: false, failure: { kind: "timeout", timeoutMs: options.timeoutMs } }), options.timeoutMs);
    options.signal?.addEventListener("abort", () => finish({ ok: false, failure: { kind: "timeout", timeoutMs: 0 } }), { once: true });
    worker.on("message", (message: { kind: string; value?: unknown; name?: string; message?: string; stack?: string; problems?: { path: (string | number)[]; type: string }[] }) => {
      if (message.kind === "ok") finish({ ok: true, value: message.value });
      else if (message.kind === "no-default-export") finish({ ok: false, failure: { kind: "no-default-export" } });
      else if (message.kind === "unsupported-value") finish({ ok: false, failure: { kind: "unsupported-value", problems: message.problems ?? [] } });
      else finish({ ok: false, failure: { kind: "threw", name: message.name ?? "Error", message: message.message ?? "", ...locateThrow(message.stack ?? "", options.file) } });
    });
    worker.on("error", (error: Error) => finish({ ok: false, failure: { kind: "threw", name: error.name, message: error.message } }));
    worker.on("exit", () => finish({ ok: false, failure: { kind: "never-settled" } }));
  });
}

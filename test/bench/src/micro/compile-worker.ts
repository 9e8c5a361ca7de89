/**
 * @module One cold compile in a fresh process: `node --import tsx compile-worker.ts <check|build> <routes.ts> [outDir]`.
 * Prints one line `@@result {json}` with the phase timings (milliseconds since the process started).
 */
import { writeFileSync } from "node:fs";
import { Session } from "node:inspector";
import { performance } from "node:perf_hooks";

export interface CompileWorkerResult {
  ok: boolean;
  diagnostics: number;
  /** The first few diagnostics, `code message` each. */
  messages: string[];
  /** Node + tsx boot until this module ran. */
  bootMs: number;
  /** Importing `@switchyard/compiler` (TypeScript, ts-morph, esbuild, zod load here). */
  importMs: number;
  /** The compile()/build() call itself. */
  runMs: number;
  files: string[];
  outDir: string | undefined;
}

const bootMs = performance.now();
const [mode, file, outDir] = process.argv.slice(2);
/** When set, the import and the compile run under the V8 sampling profiler and the profile is written here. */
const profileFile = process.env["BENCH_PROFILE_FILE"];

function post<T>(session: Session, method: string, params?: object): Promise<T> {
  return new Promise((resolve, reject) => session.post(method, params ?? {}, (error, result) => (error ? reject(error) : resolve(result as T))));
}

async function main(): Promise<CompileWorkerResult> {
  if ((mode !== "check" && mode !== "build") || !file) throw new Error("usage: compile-worker.ts <check|build> <routes.ts> [outDir]");
  let session: Session | undefined;
  if (profileFile) {
    session = new Session();
    session.connect();
    await post(session, "Profiler.enable");
    await post(session, "Profiler.setSamplingInterval", { interval: 500 });
    await post(session, "Profiler.start");
  }
  const compiler = await import("@switchyard/compiler");
  const imported = performance.now();
  const result =
    mode === "check" ? await compiler.compile({ file, timeoutMs: 60_000 }) : await compiler.build({ file, outDir: outDir ?? "dist", timeoutMs: 60_000 });
  const done = performance.now();
  if (session && profileFile) {
    const { profile } = await post<{ profile: unknown }>(session, "Profiler.stop");
    writeFileSync(profileFile, JSON.stringify(profile));
  }
  const extra = result as { files?: string[]; outDir?: string };
  return {
    ok: result.ok,
    diagnostics: result.diagnostics.length,
    messages: result.diagnostics.slice(0, 3).map((d) => `${d.code} ${d.file}:${d.line}:${d.column} ${d.message}`),
    bootMs,
    importMs: imported - bootMs,
    runMs: done - imported,
    files: extra.files ?? [],
    outDir: extra.outDir,
  };
}

main().then(
  (result) => {
    process.stdout.write(`\n@@result ${JSON.stringify(result)}\n`);
    process.exit(0);
  },
  (error: unknown) => {
    process.stdout.write(`\n@@error ${JSON.stringify(String((error as Error)?.message ?? error))}\n`);
    process.exit(1);
  },
);

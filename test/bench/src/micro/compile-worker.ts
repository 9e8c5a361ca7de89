/**
 * @module One cold compile in a fresh process: `node --import tsx compile-worker.ts <check|build> <routes.ts> [outDir]`.
 * Prints one line `@@result {json}` with the phase timings (milliseconds since the process started).
 */
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

async function main(): Promise<CompileWorkerResult> {
  if ((mode !== "check" && mode !== "build") || !file) throw new Error("usage: compile-worker.ts <check|build> <routes.ts> [outDir]");
  const compiler = await import("@switchyard/compiler");
  const imported = performance.now();
  const result =
    mode === "check"
      ? await compiler.compile({ file, timeoutMs: 60_000 })
      : await compiler.build({ file, outDir: outDir ?? "dist", timeoutMs: 60_000 });
  const done = performance.now();
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

/** @module commands/config-file — which routes.ts a verb works on: the argument (a file, or a directory holding routes.ts) or ./routes.ts. */
import { statSync } from "node:fs";
import { join, relative, resolve } from "node:path";

/** Resolves the config path; a directory means its routes.ts. Missing files are left for the compiler to report. */
export function configFile(cwd: string, argument: string | undefined): string {
  const path = resolve(cwd, argument ?? "routes.ts");
  try {
    if (statSync(path).isDirectory()) return join(path, "routes.ts");
  } catch {
    // not there: the compiler reports SY0001 with this path
  }
  return path;
}

/**
 * Where a verb sends what routes.ts prints while it is evaluated: stderr, each line prefixed with
 * the file, so `--format json|sarif` on stdout stays a clean document.
 */
export function consoleToStderr(io: { stderr(text: string): void; cwd: string }, file: string): (line: { text: string; source?: string }) => void {
  return (line) => {
    const source = line.source ?? file;
    io.stderr(`[${relative(io.cwd, source) || source}] ${line.text}\n`);
  };
}

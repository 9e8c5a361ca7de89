/** @module commands/sides — load the two sides of `diff` and `simulate` (builds, config files or git refs), printing why one cannot be. */
import type { LoadedSide } from "@switchyard/compiler";
import type { Io } from "../command.ts";
import { consoleToStderr } from "./config-file.ts";

/**
 * Load OLD/BASE and NEW as `switchyard diff` resolves them. On failure the error, its hint and the side's
 * diagnostics are written to stderr and the exit code is returned: 2 for a side that does not exist (no such
 * path, ref or file at the ref; not a git repository), 1 for one that does not compile or is not a valid build.
 *
 * @example const sides = await loadSides(io, "origin/main", "HEAD", "prod", false); if (!sides.ok) return sides.exit;
 */
export async function loadSides(
  io: Io,
  oldSpec: string,
  newSpec: string,
  env: string | undefined,
  color: boolean,
): Promise<{ ok: true; old: LoadedSide; new: LoadedSide } | { ok: false; exit: number }> {
  const compiler = await import("@switchyard/compiler");
  // One clock for both sides, so date-based policies (sunsets) cannot differ between them.
  const now = new Date();
  const compile: import("@switchyard/compiler").CompileFn = (options) => compiler.compile({ ...options, now });
  // What either side's routes.ts prints goes to stderr (a git side named `REF:path`), keeping stdout the report.
  const onConsole = consoleToStderr(io, oldSpec);

  let exit = 0;
  const sides: LoadedSide[] = [];
  for (const spec of [oldSpec, newSpec]) {
    const loaded = await compiler.loadDiffSide({ spec, cwd: io.cwd, compile, onConsole, ...(env === undefined ? {} : { env }) });
    if (loaded.ok) {
      sides.push(loaded.side);
      continue;
    }
    const { error } = loaded;
    io.stderr(`error ${error.code}: ${error.message}\n`);
    if (error.hint !== undefined) io.stderr(`  hint: ${error.hint}\n`);
    if (error.diagnostics !== undefined && error.diagnostics.length > 0) {
      const text = compiler.formatDiagnostics(error.diagnostics, "pretty", {
        cwd: io.cwd,
        color,
        ...(error.sources === undefined ? {} : { sources: error.sources }),
      });
      io.stderr(text.endsWith("\n") ? text : `${text}\n`);
    }
    const usage =
      error.code === compiler.DiffLoadCode.notFound ||
      error.code === compiler.DiffLoadCode.notGitRepo ||
      error.code === compiler.DiffLoadCode.unknownRef ||
      error.code === compiler.DiffLoadCode.missingAtRef ||
      error.code === compiler.DiffLoadCode.git;
    exit = Math.max(exit, usage ? 2 : 1);
    // NEW is not loaded when OLD does not exist: compiling it would only delay the error.
    if (usage) break;
  }
  const [oldSide, newSide] = sides;
  if (exit !== 0 || oldSide === undefined || newSide === undefined) return { ok: false, exit: exit === 0 ? 2 : exit };
  return { ok: true, old: oldSide, new: newSide };
}

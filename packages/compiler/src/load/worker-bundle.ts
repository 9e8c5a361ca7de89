/**
 * @module load/worker-bundle — the type-check thread's code (load/typecheck-worker.ts and what it
 * imports) as one CommonJS file, so the thread starts without a TypeScript loader: tsx's CommonJS
 * hook ran esbuild synchronously, a process spawn per start. esbuild bundles it once; the bundle is
 * cached by the SHA-256 of every source it was built from (listed beside it) and esbuild's version.
 *
 * Never stale: the key is recomputed from the sources' bytes on every start, and a new import can
 * only come from a changed source. Any failure of the cache falls back to a bundle in memory.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type * as Esbuild from "esbuild";

/** Bump when the bundle options change. */
const FORMAT = "1";

export type WorkerCode = { file: string } | { code: string };

function esbuildApi(): typeof Esbuild {
  return createRequire(import.meta.url)("esbuild") as typeof Esbuild;
}

function keyOf(sources: readonly string[], esbuildVersion: string): string | undefined {
  const hash = createHash("sha256").update(`${FORMAT}\0${esbuildVersion}\0`);
  for (const source of sources) {
    try {
      hash.update(source).update("\0").update(readFileSync(source)).update("\0");
    } catch {
      return undefined;
    }
  }
  return hash.digest("hex").slice(0, 32);
}

function esbuildVersion(): string {
  const require = createRequire(import.meta.url);
  return (JSON.parse(readFileSync(require.resolve("esbuild/package.json"), "utf8")) as { version: string }).version;
}

/**
 * The bundle of `entry` (a file next to the sources that use `import.meta.url`: they all live in
 * load/, so one URL serves them): a cached file in `directory`, else the code itself.
 */
export function workerBundle(options: { entry: string; directory: string | undefined }): WorkerCode {
  const name = "typecheck-worker";
  const listFile = options.directory === undefined ? undefined : join(options.directory, `${name}.sources.json`);
  let version: string | undefined;
  if (listFile !== undefined && options.directory !== undefined) {
    try {
      const sources = JSON.parse(readFileSync(listFile, "utf8")) as string[];
      version = esbuildVersion();
      const key = keyOf(sources, version);
      if (key !== undefined && sources.includes(options.entry)) {
        const file = join(options.directory, `${name}-${key}.cjs`);
        if (existsSync(file)) return { file };
      }
    } catch {
      // No usable cache: build below.
    }
  }
  const result = esbuildApi().buildSync({
    entryPoints: [options.entry],
    bundle: true,
    write: false,
    format: "cjs",
    platform: "node",
    target: "node20",
    packages: "external",
    logLevel: "silent",
    metafile: true,
    absWorkingDir: dirname(options.entry),
    define: { "import.meta.url": JSON.stringify(pathToFileURL(options.entry).href) },
  });
  const code = result.outputFiles[0]?.text ?? "";
  if (listFile === undefined || options.directory === undefined) return { code };
  try {
    const sources = Object.keys(result.metafile.inputs)
      .map((input) => resolve(dirname(options.entry), input))
      .sort();
    const key = keyOf(sources, version ?? esbuildVersion());
    if (key === undefined) return { code };
    mkdirSync(options.directory, { recursive: true });
    const file = join(options.directory, `${name}-${key}.cjs`);
    // Another check may read these meanwhile: write aside, then rename (atomic on one file system).
    for (const [target, text] of [
      [file, code],
      [listFile, JSON.stringify(sources)],
    ] as const) {
      const temporary = `${target}.${process.pid}.tmp`;
      writeFileSync(temporary, text);
      try {
        renameSync(temporary, target);
      } catch {
        rmSync(temporary, { force: true });
      }
    }
    // Bundles of earlier sources would only take disk space.
    for (const other of readdirSync(options.directory)) {
      if (other !== `${name}-${key}.cjs` && /^typecheck-worker-[0-9a-f]{32}\.cjs$/.test(other)) rmSync(join(options.directory, other), { force: true });
    }
    return { file };
  } catch {
    return { code };
  }
}

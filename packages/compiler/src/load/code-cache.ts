/**
 * @module load/code-cache — loads big CommonJS files (TypeScript: 9 MB, ts-morph) with a V8 code
 * cache, so a cold `switchyard check` does not parse and compile TypeScript's source again.
 *
 * Node 20 has no `module.enableCompileCache()`. Each file is compiled as a `vm.Script` with the
 * cached data of an earlier run; after a full type-check the caller asks for the cache to be saved,
 * which then also holds the bytecode of every function the checker ran (V8 compiles lazily, so a
 * cache taken right after loading would hold little more than the top level).
 *
 * Never stale: a cache file is named by the SHA-256 of the file's bytes, the Node and V8 versions
 * and the architecture, and V8 itself rejects data that does not match the source or its flags
 * (the file is then loaded without it and the cache rewritten). A process whose V8 flags were
 * changed at run time (`switchyard check` raises the interrupt budget) keeps its own files, tagged
 * with a hash of those flags, so it and a plain `compile()` do not reject and rewrite each other's.
 * Every failure of the cache (a read-only folder, a corrupt file) falls back to a plain compile: the
 * cache is never needed.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import Module, { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Script } from "node:vm";
import { isMainThread, workerData } from "node:worker_threads";

/** A file loaded through the cache, and whether its cache has to be (re)written. */
interface CachedFile {
  file: string;
  script: Script;
  cacheFile: string | undefined;
  stale: boolean;
  /** The cache was read and accepted by V8. */
  hit: boolean;
}

const loaded: CachedFile[] = [];

export interface CodeCacheOptions {
  /** Folder of the cache files; undefined disables the cache (the files are still loaded). */
  directory: string | undefined;
}

/**
 * The cache folder: `SWITCHYARD_CACHE_DIR`, else `node_modules/.cache/switchyard` of the compiler's
 * install, else one in the OS temp folder. `SWITCHYARD_CODE_CACHE=0` turns the cache off.
 */
export function defaultCacheDirectory(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.SWITCHYARD_CODE_CACHE === "0") return undefined;
  if (env.SWITCHYARD_CACHE_DIR) return env.SWITCHYARD_CACHE_DIR;
  const packageDir = fileURLToPath(new URL("../../", import.meta.url));
  // The compiler package's own node_modules (pnpm gives every workspace package one), else /tmp.
  if (existsSync(join(packageDir, "node_modules"))) return join(packageDir, "node_modules", ".cache", "switchyard");
  return join(tmpdir(), `switchyard-cache-${process.getuid?.() ?? "user"}`);
}

/**
 * V8 flags set at run time for the process (V8 flags are per process), as the type-check thread
 * gets them from its parent: `workerData.switchyardV8Flags`. Empty elsewhere.
 */
function processFlags(): string {
  const inherited = isMainThread ? undefined : (workerData as { switchyardV8Flags?: unknown } | null)?.switchyardV8Flags;
  return typeof inherited === "string" ? inherited : "";
}

/** `""` without such flags (the file names of earlier versions), else a short hash of the flags and a dash. */
function flagsTag(): string {
  const flags = processFlags();
  return flags === "" ? "" : `${createHash("sha256").update(flags).digest("hex").slice(0, 8)}-`;
}

function cacheKey(bytes: Buffer): string {
  return createHash("sha256").update(bytes).update(`\0${process.version}\0${process.versions.v8}\0${process.arch}`).digest("hex").slice(0, 32);
}

function readCache(cacheFile: string | undefined): Buffer | undefined {
  if (cacheFile === undefined) return undefined;
  try {
    return readFileSync(cacheFile);
  } catch {
    return undefined;
  }
}

/**
 * Loads a CommonJS file into `require.cache` (so a later `require` of it, from any module, gets
 * this instance) with the code cache, and returns its exports. Its own `require` calls resolve as
 * Node's loader would.
 */
export function requireWithCodeCache(file: string, options: CodeCacheOptions): unknown {
  const registry = createRequire(file).cache;
  const existing = registry[file];
  if (existing) return existing.exports;
  const bytes = readFileSync(file);
  const cacheFile = options.directory === undefined ? undefined : join(options.directory, `${basename(file)}-${flagsTag()}${cacheKey(bytes)}.v8`);
  const cachedData = readCache(cacheFile);
  const script = new Script(Module.wrap(bytes.toString("utf8")), {
    filename: file,
    ...(cachedData ? { cachedData } : {}),
  });
  const hit = cachedData !== undefined && script.cachedDataRejected !== true;
  loaded.push({ file, script, cacheFile, stale: !hit, hit });
  const wrapper = script.runInThisContext() as (exports: unknown, require: NodeJS.Require, module: Module, filename: string, dirname: string) => void;
  const module = new Module(file);
  module.filename = file;
  const nodeModulePaths = (Module as unknown as { _nodeModulePaths?: (from: string) => string[] })._nodeModulePaths;
  if (nodeModulePaths) module.paths = nodeModulePaths(dirname(file));
  registry[file] = module;
  try {
    wrapper.call(module.exports, module.exports, createRequire(file), module, file, dirname(file));
  } catch (error) {
    delete registry[file];
    throw error;
  }
  module.loaded = true;
  return module.exports;
}

/**
 * Writes the code cache of every file loaded without a usable one. Call it after the work whose
 * functions should be in the cache (a full type-check); cheap when nothing is stale.
 */
export function saveCodeCaches(): void {
  for (const entry of loaded) {
    if (!entry.stale || entry.cacheFile === undefined) continue;
    entry.stale = false;
    try {
      const data = entry.script.createCachedData();
      mkdirSync(dirname(entry.cacheFile), { recursive: true });
      // Another check may read the file meanwhile: write aside, then rename (atomic on one file system).
      const temporary = `${entry.cacheFile}.${process.pid}.tmp`;
      writeFileSync(temporary, data);
      try {
        renameSync(temporary, entry.cacheFile);
      } catch {
        rmSync(temporary, { force: true });
      }
      pruneOthers(entry.cacheFile);
    } catch {
      // Best effort: the next run compiles from source again.
    }
  }
}

/** Caches of earlier versions of the same file (an upgrade of TypeScript or Node) would only take disk space. */
function pruneOthers(cacheFile: string): void {
  const name = basename(cacheFile);
  const prefix = name.slice(0, name.lastIndexOf("-") + 1);
  for (const other of readdirSync(dirname(cacheFile))) {
    if (other !== name && other.startsWith(prefix) && /^[0-9a-f]{32}\.v8$/.test(other.slice(prefix.length)))
      rmSync(join(dirname(cacheFile), other), { force: true });
  }
}

/** Files loaded through the cache in this process and whether their cache was used (for tests). */
export function codeCacheStatus(): { file: string; hit: boolean }[] {
  return loaded.map((entry) => ({ file: entry.file, hit: entry.hit }));
}

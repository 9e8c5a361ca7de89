/** @module diff/load — resolve one side of `switchyard diff` (a build, a config file, or a git ref) into a release. */
import { execFile } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { mkdtemp, readFile, rm, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { isAbsolute, join, posix, relative, resolve, sep } from "node:path";
import { parseRelease, type Release } from "@switchyard/ir";
import { releaseOrConfigIn } from "../emit/layout.ts";
import type { DiffSideInfo, FindingLike } from "./types.ts";

/** A diagnostic as the compiler returns it (structurally the compiler's `Diagnostic`). */
export interface SideDiagnostic extends FindingLike {
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  hint?: string;
}

/** A line routes.ts printed while it was evaluated (structurally the compiler's `ConsoleLine`). */
export interface SideConsoleLine {
  stream: "stdout" | "stderr";
  text: string;
  /** The file that printed it; for a git ref shown as `REF:path`, like diagnostics. */
  source: string;
}

/** What the loader needs from the compiler's `compile()`; injected so the loader is testable alone. */
export type CompileFn = (options: {
  file: string;
  env?: string;
  onConsole?: (line: SideConsoleLine) => void;
}) => Promise<{ ok: boolean; diagnostics: SideDiagnostic[]; release?: Release; authored?: Record<string, unknown> }>;

/** Error codes of the loader: stable, shown to users. */
export const DiffLoadCode = {
  notFound: "SYD001",
  notGitRepo: "SYD002",
  unknownRef: "SYD003",
  missingAtRef: "SYD004",
  invalidBuild: "SYD005",
  compileFailed: "SYD006",
  git: "SYD007",
} as const;
export type DiffLoadCode = (typeof DiffLoadCode)[keyof typeof DiffLoadCode];

export interface DiffLoadError {
  code: DiffLoadCode;
  /** One line, names the side as the user typed it. */
  message: string;
  hint?: string;
  /** The compiler's diagnostics when the side did not compile (files of git refs shown as `REF:path`). */
  diagnostics?: SideDiagnostic[];
  /** Source text by diagnostic file, for files that no longer exist on disk (git refs): `formatDiagnostics`' `sources`. */
  sources?: Record<string, string>;
}

export interface LoadedSide {
  info: DiffSideInfo;
  release: Release;
  /** The compiler's diagnostics (policy findings among them); absent for builds. */
  diagnostics?: SideDiagnostic[];
  /** The environment's config as written in routes.ts (compiled sides only): changes are shown in its words. */
  authored?: Record<string, unknown>;
}

export type LoadSideResult = { ok: true; side: LoadedSide } | { ok: false; error: DiffLoadError };

export interface LoadSideOptions {
  /** What the user typed: `dist/prod`, `examples/acme/routes.ts`, `main`, `HEAD~1`, `origin/main:examples/acme/routes.ts`. */
  spec: string;
  cwd: string;
  env?: string;
  compile: CompileFn;
  /** Receives what a compiled side's routes.ts prints (dropped without it). */
  onConsole?: (line: SideConsoleLine) => void;
}

function fail(code: DiffLoadCode, message: string, hint?: string, diagnostics?: SideDiagnostic[]): LoadSideResult {
  const error: DiffLoadError = { code, message };
  if (hint !== undefined) error.hint = hint;
  if (diagnostics !== undefined) error.diagnostics = diagnostics;
  return { ok: false, error };
}

async function readBuild(spec: string, file: string): Promise<LoadSideResult> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    return fail(DiffLoadCode.notFound, `${spec}: cannot read ${file}: ${(error as Error).message}`);
  }
  const parsed = parseRelease(text);
  if (!parsed.success) {
    const issues = parsed.issues
      .slice(0, 5)
      .map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`)
      .join("; ");
    return fail(DiffLoadCode.invalidBuild, `${spec}: ${file} is not a valid switchyard.json (${issues})`, "rebuild it with `switchyard build`");
  }
  const release = parsed.data;
  return { ok: true, side: { info: { label: spec, kind: "build", environment: release.config.environment, hash: release.hash }, release } };
}

async function compileSide(options: {
  spec: string;
  file: string;
  env?: string;
  compile: CompileFn;
  kind: "config" | "git";
  mapFile?: (file: string) => string;
  onConsole?: ((line: SideConsoleLine) => void) | undefined;
}): Promise<LoadSideResult> {
  const mapFile = options.mapFile;
  const onConsole = options.onConsole;
  // A git side is compiled from a scratch copy: name the file as the user knows it (`REF:path`).
  const forward =
    onConsole === undefined ? undefined : mapFile === undefined ? onConsole : (line: SideConsoleLine) => onConsole({ ...line, source: mapFile(line.source) });
  const result = await options.compile({
    file: options.file,
    ...(options.env === undefined ? {} : { env: options.env }),
    ...(forward === undefined ? {} : { onConsole: forward }),
  });
  const diagnostics = mapFile === undefined ? result.diagnostics : result.diagnostics.map((d) => ({ ...d, file: mapFile(d.file) }));
  if (result.release === undefined) {
    const errors = diagnostics.filter((d) => d.severity === "error").length;
    const failed = fail(
      DiffLoadCode.compileFailed,
      `${options.spec}: the config does not compile (${errors} error${errors === 1 ? "" : "s"})`,
      undefined,
      diagnostics,
    );
    if (mapFile !== undefined && !failed.ok) {
      // The copy of the tree is removed before the CLI prints: keep the text for the code excerpts.
      const sources: Record<string, string> = {};
      for (const original of new Set(result.diagnostics.map((d) => d.file))) {
        const text = await readFile(original, "utf8").catch(() => undefined);
        if (text !== undefined) sources[mapFile(original)] = text;
      }
      failed.error.sources = sources;
    }
    return failed;
  }
  const release = result.release;
  return {
    ok: true,
    side: {
      info: { label: options.spec, kind: options.kind, environment: release.config.environment, hash: release.hash },
      release,
      diagnostics,
      ...(result.authored === undefined ? {} : { authored: result.authored }),
    },
  };
}

async function fromPath(options: LoadSideOptions, absolute: string): Promise<LoadSideResult> {
  const { spec, env } = options;
  if (statSync(absolute).isDirectory()) {
    const found = releaseOrConfigIn(absolute, env);
    if (found?.kind === "build") return readBuild(spec, found.file);
    if (found?.kind === "config") return compileSide({ spec, file: found.file, env, compile: options.compile, kind: "config", onConsole: options.onConsole });
    return fail(
      DiffLoadCode.notFound,
      `${spec}: the directory holds no switchyard.json${env === undefined ? "" : ` (nor ${env}/switchyard.json)`} and no routes.ts`,
      "give a build directory such as dist/prod, a routes.ts, or a git ref",
    );
  }
  if (absolute.endsWith(".json")) return readBuild(spec, absolute);
  return compileSide({ spec, file: absolute, env, compile: options.compile, kind: "config", onConsole: options.onConsole });
}

interface GitOutput {
  ok: boolean;
  stdout: string;
  stderr: string;
  /** git itself could not be run. */
  missing?: boolean;
}

function git(args: readonly string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<GitOutput> {
  return new Promise((done) => {
    execFile(
      "git",
      [...args],
      { cwd: options.cwd, env: options.env ?? process.env, maxBuffer: 64 * 1024 * 1024, encoding: "utf8" },
      (error, stdout, stderr) => {
        const missing = (error as NodeJS.ErrnoException | null)?.code === "ENOENT";
        done({ ok: error === null, stdout, stderr: stderr || (error?.message ?? ""), ...(missing ? { missing } : {}) });
      },
    );
  });
}

/** Split `REF:path` (git's own spelling). A bare ref has no path. */
export function parseGitSpec(spec: string): { ref: string; path?: string } {
  const colon = spec.indexOf(":");
  if (colon <= 0) return { ref: spec };
  return { ref: spec.slice(0, colon), path: spec.slice(colon + 1) };
}

async function fromGit(options: LoadSideOptions): Promise<LoadSideResult> {
  const { spec, cwd } = options;
  const { ref, path } = parseGitSpec(spec);
  const top = await git(["rev-parse", "--show-toplevel"], { cwd });
  if (top.missing === true) return fail(DiffLoadCode.git, `${spec}: no such file or directory, and git is not installed to read it as a ref`);
  if (!top.ok) {
    return fail(DiffLoadCode.notGitRepo, `${spec}: no such file or directory, and ${cwd} is not inside a git repository, so it cannot be a git ref`);
  }
  const root = top.stdout.trim();
  const commit = await git(["rev-parse", "--verify", "--quiet", "--end-of-options", `${ref}^{commit}`], { cwd });
  if (!commit.ok || commit.stdout.trim() === "") {
    return fail(
      DiffLoadCode.unknownRef,
      `${spec}: no such file or directory, and "${ref}" is not a commit in this repository`,
      "use a branch, tag or commit (main, origin/main, HEAD~1), or REF:path",
    );
  }
  const sha = commit.stdout.trim();
  // Paths follow git: `REF:path` is relative to the repository root, `REF:./path` to the current directory.
  const prefix = relative(root, resolve(cwd)).split(sep).join("/");
  let repoPath: string;
  if (path === undefined) repoPath = posix.join(prefix, "routes.ts");
  else if (path.startsWith("./") || path.startsWith("../")) repoPath = posix.normalize(posix.join(prefix, path));
  else repoPath = posix.normalize(path);
  if (repoPath.startsWith("../") || repoPath === "..") return fail(DiffLoadCode.missingAtRef, `${spec}: ${path ?? "routes.ts"} is outside the repository`);
  const exists = await git(["cat-file", "-e", `${sha}:${repoPath}`], { cwd: root });
  if (!exists.ok) {
    return fail(
      DiffLoadCode.missingAtRef,
      `${spec}: there is no ${repoPath} at ${ref} (${sha.slice(0, 12)})`,
      path === undefined ? `a bare ref reads routes.ts in the current directory; name another file with ${ref}:path/to/routes.ts` : undefined,
    );
  }

  // The whole tree at the ref, so relative imports and user policy packs resolve as they did there.
  // A private index keeps the user's index and working tree untouched.
  const scratch = await mkdtemp(join(tmpdir(), "switchyard-diff-"));
  try {
    const tree = join(scratch, "tree");
    const env = { ...process.env, GIT_INDEX_FILE: join(scratch, "index") };
    const read = await git(["read-tree", sha], { cwd: root, env });
    const checkout = read.ok ? await git(["checkout-index", "--all", `--prefix=${tree}${sep}`], { cwd: root, env }) : read;
    if (!checkout.ok) return fail(DiffLoadCode.git, `${spec}: could not read the tree at ${ref}: ${checkout.stderr.trim().split("\n")[0] ?? ""}`);
    // Dependencies are not in git: let the copy see the checkout's installed packages.
    if (existsSync(join(root, "node_modules"))) await symlink(join(root, "node_modules"), join(tree, "node_modules"), "dir").catch(() => undefined);
    const file = join(tree, ...repoPath.split("/"));
    const mapFile = (f: string): string => {
      const abs = isAbsolute(f) ? f : resolve(tree, f);
      const rel = relative(tree, abs);
      return rel.startsWith("..") || isAbsolute(rel) ? f : `${ref}:${rel.split(sep).join("/")}`;
    };
    return await compileSide({ spec, file, env: options.env, compile: options.compile, kind: "git", mapFile, onConsole: options.onConsole });
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/**
 * Load one side of a diff. A path that exists is a build directory (`switchyard.json`, or
 * `<env>/switchyard.json` under a dist directory), a `switchyard.json` file, a directory holding
 * routes.ts, or a config file (compiled for `env`). Anything else is a git ref, `REF` or
 * `REF:path`, compiled from a copy of the tree at that ref. Never throws for bad input.
 *
 * @example
 * const result = await loadDiffSide({ spec: "origin/main", cwd: process.cwd(), env: "prod", compile });
 * if (result.ok) console.log(result.side.release.hash);
 */
export async function loadDiffSide(options: LoadSideOptions): Promise<LoadSideResult> {
  const absolute = resolve(options.cwd, options.spec);
  if (existsSync(absolute)) return fromPath(options, absolute);
  return fromGit(options);
}

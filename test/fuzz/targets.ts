/**
 * @module The processes the fuzz harness attacks: `startRouter()` from the router's sources with its fast
 * path (`fast`), the same on node:http only (`node`), a built `router.mjs` (`bundle`), and the fast path with
 * its state on a redis-server the harness starts (`redis`: the Redis stores and the lean script connection);
 * each a child process on 127.0.0.1 that can be watched for exits and restarted after a crash.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { type Release, serialiseRelease } from "@switchyard/ir";
import { bundleRouter } from "../../packages/compiler/src/emit/router-bundle.ts";

export type TargetKind = "fast" | "node" | "bundle" | "redis";
export const TARGET_KINDS: readonly TargetKind[] = ["fast", "node", "bundle", "redis"];

export const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
const SERVE = fileURLToPath(new URL("./serve-target.ts", import.meta.url));
/** Output kept per child: enough for the last stack trace, bounded however long the run. */
const KEEP_OUTPUT = 16 * 1024;

export interface Target {
  kind: TargetKind;
  url: string;
  pid: number;
  /** Exits seen so far (each one a crash unless `stop` caused it). */
  crashes: number;
  /** Whether the current child has exited. */
  dead(): boolean;
  /** The tail of the child's stderr and stdout (for a crash report). */
  output(): string;
  /** Start a fresh child (after a crash); resolves with its URL. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** The slice of esbuild's API used here (esbuild is the compiler's dependency, resolved through it). */
interface Esbuild {
  build(options: Record<string, unknown>): Promise<unknown>;
}

/**
 * serve-target.ts and the router's sources as one plain ESM file (not minified, so a crash's stack
 * reads as the source): a restart after a crash then takes ~0.2 s instead of tsx's ~3 s.
 */
async function bundleServeTarget(outFile: string): Promise<void> {
  const require = createRequire(join(repoRoot, "packages", "compiler", "package.json"));
  const esbuild = (await import(pathToFileURL(require.resolve("esbuild")).href)) as Esbuild;
  await esbuild.build({
    entryPoints: [SERVE],
    outfile: outFile,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    logLevel: "silent",
    // prom-client and friends are CommonJS and `require` node built-ins.
    banner: { js: 'import { createRequire as __fuzzCreateRequire } from "node:module"; const require = __fuzzCreateRequire(import.meta.url);' },
  });
}

/** Build what a target needs in `dir` (release.json and the bundled server; router.mjs for the bundle). */
export async function prepareTarget(kind: TargetKind, release: Release, dir: string): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  if (kind === "bundle") {
    await bundleRouter({ release, outFile: join(dir, "router.mjs") });
    return [join(dir, "router.mjs"), "--port", "0", "--host", "127.0.0.1"];
  }
  const file = join(dir, "release.json");
  writeFileSync(file, serialiseRelease(release));
  const server = join(dir, "serve-target.mjs");
  await bundleServeTarget(server);
  return [server, file, kind === "redis" ? "fast" : kind];
}

/** Spawn a target child and wait for its "listening on" line. */
export async function startTarget(kind: TargetKind, release: Release, dir: string, env: Record<string, string>): Promise<Target> {
  const args = await prepareTarget(kind, release, dir);
  let child: ChildProcess | undefined;
  let exited = false;
  let stopping = false;
  let tail = "";
  const keep = (d: Buffer): void => {
    tail = (tail + d.toString("utf8")).slice(-KEEP_OUTPUT);
  };
  const target: Target = {
    kind,
    url: "",
    pid: 0,
    crashes: 0,
    dead: () => exited,
    output: () => tail,
    async restart() {
      if (child !== undefined && !exited) child.kill("SIGKILL");
      exited = false;
      tail = "";
      const c = spawn(process.execPath, args, { cwd: dir, env: { PATH: process.env["PATH"] ?? "", ...env }, stdio: ["ignore", "pipe", "pipe"] });
      child = c;
      c.stderr?.on("data", keep);
      let out = "";
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${kind} target did not start in 60 s:\n${tail}`)), 60_000);
        c.stdout?.on("data", (d: Buffer) => {
          keep(d);
          if (out.length < 4096) out += d.toString("utf8");
          const m = /listening on (http:\/\/\S+)/.exec(out);
          if (m?.[1] !== undefined) {
            clearTimeout(timer);
            resolve(m[1]);
          }
        });
        c.once("exit", (code, signal) => {
          clearTimeout(timer);
          reject(new Error(`${kind} target exited (${code ?? signal}) before listening:\n${tail}`));
        });
      });
      c.once("exit", () => {
        exited = true;
        if (!stopping) target.crashes++;
      });
      target.url = url;
      target.pid = c.pid ?? 0;
    },
    async stop() {
      stopping = true;
      if (child === undefined || exited) return;
      const c = child;
      const gone = new Promise<void>((resolve) => c.once("exit", () => resolve()));
      c.kill("SIGKILL");
      await gone;
    },
  };
  await target.restart();
  return target;
}

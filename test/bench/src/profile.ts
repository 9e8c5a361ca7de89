/** @module Where the router's time goes: a throughput run against the router (from source) under the V8 sampling profiler, summarised by self time. */
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import type { LoadGenerator } from "./load/client.ts";
import type { Target } from "./load/jobs.ts";
import { freePort, type Managed, type ProcessGroup, waitForHttp } from "./processes.ts";
import { REPO_ROOT } from "./paths.ts";
import { TEAM_KEY_ENV, TEAM_KEY_VALUE, UPSTREAM_KEY_ENV, UPSTREAM_KEY_VALUE } from "./constants.ts";

export interface ProfileLine {
  name: string;
  /** Share of the non-idle samples, 0..1. */
  share: number;
}

export interface ProfileSummary {
  requestsPerSecond: number;
  /** Sampled busy time, ms. */
  busyMs: number;
  /** Self time by area (router folder, node internals, GC, …). */
  areas: ProfileLine[];
  /** Self time by function. */
  functions: ProfileLine[];
}

export interface CpuProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  hitCount?: number;
}

export interface CpuProfile {
  nodes: CpuProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

function where(url: string): string {
  if (url === "") return "";
  const path = url.startsWith("file://") ? fileURLToPath(url) : url;
  const shown = path.startsWith("/") ? relative(REPO_ROOT, path) : path;
  // pnpm's store path says the version twice; keep `node_modules/<package>/…`.
  return shown.replace(/(?:^|.*\/)node_modules\/\.pnpm\/[^/]+\/node_modules\//, "node_modules/");
}

/** The area a frame belongs to: a folder of packages/*, a node_modules package, a node internal module, or V8's own. */
function area(node: CpuProfileNode): string {
  const { functionName, url } = node.callFrame;
  if (url === "") return functionName.startsWith("(") ? functionName : "(native)";
  const file = where(url);
  const pkg = /^packages\/([^/]+)\/src\/(?:([^/]+)\/)?/.exec(file);
  if (pkg) return pkg[2] && !pkg[2].endsWith(".ts") ? `packages/${pkg[1]}/src/${pkg[2]}/` : `packages/${pkg[1]}/src/*.ts`;
  const mod = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/.exec(file);
  if (mod) return `node_modules/${mod[1]}`;
  const internal = /^node:internal\/([^/]+)/.exec(file);
  if (internal) return `node:internal/${internal[1]}`;
  return file;
}

export function summariseProfile(profile: CpuProfile, requestsPerSecond: number, top = 15): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i]!;
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const areas = new Map<string, number>();
  const functions = new Map<string, number>();
  let busy = 0;
  for (const [id, us] of selfUs) {
    const node = byId.get(id);
    if (!node || node.callFrame.functionName === "(idle)") continue;
    busy += us;
    const a = area(node);
    areas.set(a, (areas.get(a) ?? 0) + us);
    const file = where(node.callFrame.url);
    // Line numbers of tsx-transformed files do not match the source; name the file only.
    const line = file.startsWith("node:") ? `:${node.callFrame.lineNumber + 1}` : "";
    const key = `${node.callFrame.functionName || "(anonymous)"}${file ? ` ${file}${line}` : ""}`;
    functions.set(key, (functions.get(key) ?? 0) + us);
  }
  const rank = (m: Map<string, number>): ProfileLine[] =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, share: busy > 0 ? us / busy : 0 }));
  return { requestsPerSecond, busyMs: busy / 1000, areas: rank(areas), functions: rank(functions) };
}

/**
 * Start the router from source (`profile-entry.ts`: readable names and file paths) on the built
 * release; it writes its V8 profile to `profileFile` when told (SIGUSR2) and its traces into `dir`.
 */
export async function startRouterFromSource(options: {
  group: ProcessGroup;
  name: string;
  releaseFile: string;
  dir: string;
  cpus: string | undefined;
  nodeFlags: readonly string[];
}): Promise<{ managed: Managed; port: number }> {
  const port = await freePort();
  const managed = options.group.start({
    name: options.name,
    cpus: options.cpus,
    command: process.execPath,
    args: [
      ...options.nodeFlags,
      "--import",
      "tsx",
      fileURLToPath(new URL("./profile-entry.ts", import.meta.url)),
      "--port",
      String(port),
      "--host",
      "127.0.0.1",
    ],
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      BENCH_RELEASE_FILE: options.releaseFile,
      BENCH_PROFILE_FILE: join(options.dir, "router.cpuprofile"),
      BENCH_ROUTER_CWD: options.dir,
      [TEAM_KEY_ENV]: TEAM_KEY_VALUE,
      [UPSTREAM_KEY_ENV]: UPSTREAM_KEY_VALUE,
    },
  });
  await waitForHttp(managed, `http://127.0.0.1:${port}/healthz`);
  return { managed, port };
}

/** Start the router from source with the profiler ready, warm it, profile a throughput run for `durationMs`, stop it, read the profile. */
export async function profileRouter(options: {
  group: ProcessGroup;
  load: LoadGenerator;
  releaseFile: string;
  target: Target;
  connections: number;
  durationMs: number;
  cpus: string | undefined;
  /** Node flags the router runs with (as deployed), before the entry script. */
  nodeFlags?: readonly string[];
}): Promise<ProfileSummary> {
  const dir = mkdtempSync(join(tmpdir(), "switchyard-bench-prof-"));
  try {
    const { managed, port } = await startRouterFromSource({
      group: options.group,
      name: "switchyard-profiled",
      releaseFile: options.releaseFile,
      dir,
      cpus: options.cpus,
      nodeFlags: options.nodeFlags ?? [],
    });
    const target = { ...options.target, url: `http://127.0.0.1:${port}/v1/chat/completions` };
    // Warm the JIT first, so the profile shows the steady state, not start-up and compilation.
    await options.load.run({ kind: "throughput", target, connections: options.connections, durationMs: Math.min(2_000, options.durationMs) });
    managed.child.kill("SIGUSR2");
    const result = await options.load.run({ kind: "throughput", target, connections: options.connections, durationMs: options.durationMs });
    const written = new Promise<void>((resolve) => {
      const onData = (d: Buffer): void => {
        if (d.toString("utf8").includes("@@profile-written")) resolve();
      };
      managed.child.stdout?.on("data", onData);
      setTimeout(resolve, 10_000);
    });
    managed.child.kill("SIGUSR2");
    await written;
    await options.group.stop(managed, 5_000);
    const file = join(dir, "router.cpuprofile");
    if (!existsSync(file)) throw new Error(`the profiled router wrote no profile: ${managed.output().slice(-300)}`);
    const keep = process.env["BENCH_KEEP_PROFILE"];
    if (keep) copyFileSync(file, keep);
    return summariseProfile(JSON.parse(readFileSync(file, "utf8")) as CpuProfile, result.requestsPerSecond, Number(process.env["BENCH_PROFILE_TOP"] ?? "15"));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** @module The systems under test: how each one starts against the mock upstream, and how to call it. */
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { gzipSync } from "node:zlib";
import type { Target } from "./load/jobs.ts";
import { freePort, type Managed, type ProcessGroup, waitForHttp, waitForListening } from "./processes.ts";
import { BENCH_DIR } from "./paths.ts";
import { coldCompile } from "./micro/compile-runner.ts";
import { ROUTER_NODE_FLAGS } from "@switchyard/router/node-flags";
import { startRedis } from "../../helpers/redis-server.ts";
import { readRedisStats, type RedisStats } from "./redis-stats.ts";
import { BENCH_ROUTE, REDIS_URL_ENV, TEAM_KEY_ENV, TEAM_KEY_VALUE, UPSTREAM_KEY_ENV, UPSTREAM_KEY_VALUE, UPSTREAM_PLACEHOLDER } from "./constants.ts";

export const SYSTEM_NAMES = ["direct", "bare-proxy", "bare-proxy-tuned", "switchyard", "switchyard-redis", "portkey"] as const;
export type SystemName = (typeof SYSTEM_NAMES)[number];

/** A system that could not be started, with the reason the report prints. */
export class NotAvailable extends Error {}

export interface RunningSystem {
  name: SystemName;
  /** The process whose RSS and CPU are measured; undefined for `direct` (nothing between client and upstream). */
  pid: number | undefined;
  target: Target;
  /** Facts for the report, e.g. the router.mjs size or the build time. */
  facts: Record<string, number | string>;
  /** switchyard only: the built switchyard.json (the profiler runs the router from source on it). */
  releaseFile?: string;
  /** switchyard-redis only: the redis-server the router keeps its state on, to count what it does per request. */
  redis?: { version: string; stats(): Promise<RedisStats> };
  /** switchyard only: the folder router.mjs runs in (its traces.jsonl is there). */
  routerDir?: string;
  /** The measured process, when there is one (its IPC channel when started with `ipc`). */
  managed?: Managed;
  stop(): Promise<void>;
}

export interface StartContext {
  group: ProcessGroup;
  /** `http://127.0.0.1:<port>` of the mock upstream. */
  upstreamOrigin: string;
  /** Directory holding the bundled `mock-upstream.cjs` and `bare-proxy.cjs`. */
  serversDir: string;
  /** Scratch directory for this run. */
  workDir: string;
  /** CPUs for the system's process (`taskset -c`), when pinning. */
  cpus: string | undefined;
  /** CPUs for the services a system uses (switchyard-redis's redis-server), when pinning: off the system's own, as an external service would be. */
  serviceCpus?: string | undefined;
  /** Node flags added after the system's own (e.g. `--perf-basic-prof` for the whole-process profile). */
  extraNodeFlags?: readonly string[];
  /** Environment added to the system's own (e.g. the bare proxy's pool size). */
  env?: Record<string, string>;
  /** Open an IPC channel to the system's process (the event-loop probe of the stream bench answers on it). */
  ipc?: boolean;
  /** switchyard: run this router.mjs instead of building the fixture (A/B runs; it must point at the same upstream). */
  routerFile?: string;
}

const messages = [
  { role: "system", content: "You are a terse assistant." },
  { role: "user", content: "Say hello in five words." },
];

function bodies(model: string): Pick<Target, "body" | "streamBody"> {
  return {
    body: JSON.stringify({ model, messages, max_tokens: 32 }),
    streamBody: JSON.stringify({ model, messages, max_tokens: 32, stream: true }),
  };
}

const json = { "content-type": "application/json" };

async function startDirect(ctx: StartContext): Promise<RunningSystem> {
  return {
    name: "direct",
    pid: undefined,
    target: { url: `${ctx.upstreamOrigin}/v1/chat/completions`, headers: { ...json, authorization: `Bearer ${UPSTREAM_KEY_VALUE}` }, ...bodies("gpt-4o-mini") },
    facts: {},
    stop: async () => {},
  };
}

/** The Node flags each system runs with (switchyard as deployed; bare-proxy-tuned the same, for a like-for-like comparison). */
export const NODE_FLAGS: Partial<Record<SystemName, readonly string[]>> = {
  "bare-proxy-tuned": ROUTER_NODE_FLAGS,
  switchyard: ROUTER_NODE_FLAGS,
  "switchyard-redis": ROUTER_NODE_FLAGS,
};

async function startBareProxy(ctx: StartContext, name: "bare-proxy" | "bare-proxy-tuned" = "bare-proxy"): Promise<RunningSystem> {
  const managed = ctx.group.start({
    name,
    cpus: ctx.cpus,
    command: process.execPath,
    args: [...(NODE_FLAGS[name] ?? []), ...(ctx.extraNodeFlags ?? []), join(ctx.serversDir, "bare-proxy.cjs")],
    env: { ...process.env, ...ctx.env, BENCH_UPSTREAM_ORIGIN: ctx.upstreamOrigin },
    ipc: ctx.ipc,
  });
  const port = await waitForListening(managed);
  return {
    name,
    pid: managed.pid,
    target: {
      url: `http://127.0.0.1:${port}/v1/chat/completions`,
      headers: { ...json, authorization: `Bearer ${UPSTREAM_KEY_VALUE}` },
      ...bodies("gpt-4o-mini"),
    },
    facts: {},
    managed,
    stop: () => ctx.group.stop(managed),
  };
}

/** The fixture each router system builds: the same routes.ts, in memory or with its state on Redis (`routes-redis.ts`). */
const FIXTURES = { switchyard: "routes.ts", "switchyard-redis": "routes-redis.ts" } as const;
type RouterSystem = keyof typeof FIXTURES;
/** What buildSwitchyard builds: the systems' fixtures, and the response-cache bench's (src/cache-bench.ts: routes.ts plus a cached route). */
const BUILDS = { ...FIXTURES, "switchyard-cache": "routes-cache.ts" } as const;

/** Build `fixtures/routes.ts` (or its Redis variant; pointed at the running upstream) with the compiler's `build()`, in a fresh process. */
export async function buildSwitchyard(
  ctx: Pick<StartContext, "upstreamOrigin" | "workDir">,
  name: keyof typeof BUILDS = "switchyard",
): Promise<{ routerFile: string; releaseFile: string; facts: Record<string, number | string> }> {
  // The copies sit inside test/bench so `@switchyard/sdk` resolves from them like from the fixtures.
  const dir = join(BENCH_DIR, ".work", name);
  mkdirSync(dir, { recursive: true });
  for (const fixture of new Set(["routes.ts", BUILDS[name]])) {
    const source = readFileSync(join(BENCH_DIR, "fixtures", fixture), "utf8");
    writeFileSync(join(dir, fixture), source.replaceAll(UPSTREAM_PLACEHOLDER, `${ctx.upstreamOrigin}/v1`));
  }
  const file = join(dir, BUILDS[name]);
  const outDir = join(ctx.workDir, `${name}-dist`);
  let result;
  try {
    result = await coldCompile({ mode: "build", file, outDir });
  } catch (error) {
    throw new NotAvailable(`build() failed: ${(error as Error).message}`);
  }
  if (!result.ok) throw new NotAvailable(`build() reported errors: ${result.messages.join("; ") || "(no diagnostics)"}`);
  const routerFile = join(outDir, "default", "router.mjs");
  if (!existsSync(routerFile)) throw new NotAvailable(`build() succeeded but wrote no ${routerFile} (files: ${result.files.join(", ") || "none"})`);
  const bytes = readFileSync(routerFile);
  // Run it from an empty folder, as DESIGN.md promises: no node_modules next to it, only its assets.
  const alone = join(ctx.workDir, `${name}-alone`);
  mkdirSync(alone, { recursive: true });
  copyFileSync(routerFile, join(alone, "router.mjs"));
  const assetBytes = copyRouterAssets(dirname(routerFile), alone);
  return {
    routerFile: join(alone, "router.mjs"),
    releaseFile: join(outDir, "default", "switchyard.json"),
    facts: {
      routerBytes: statSync(routerFile).size,
      routerGzipBytes: gzipSync(bytes).length,
      assetBytes,
      buildWallMs: result.wallMs,
      buildRunMs: result.runMs,
    },
  };
}

/** router.mjs's assets: the parts it imports from its own folder on first use (`switchyard-dashboard.3f9a1c2b.mjs`…). */
const ROUTER_ASSET = /^switchyard-[a-z0-9-]+\.[0-9a-f]{8}\.mjs$/;

/** Copy router.mjs's assets from its build folder to where it runs; their total size in bytes. */
function copyRouterAssets(from: string, to: string): number {
  let total = 0;
  for (const file of readdirSync(from).filter((name) => ROUTER_ASSET.test(name))) {
    copyFileSync(join(from, file), join(to, file));
    total += statSync(join(to, file)).size;
  }
  return total;
}

async function startSwitchyard(ctx: StartContext, name: RouterSystem = "switchyard"): Promise<RunningSystem> {
  const built = await buildSwitchyard(ctx, name);
  const { releaseFile, facts } = built;
  const routerFile = built.routerFile;
  if (ctx.routerFile !== undefined) {
    copyFileSync(ctx.routerFile, routerFile);
    copyRouterAssets(dirname(ctx.routerFile), dirname(routerFile));
    facts["routerFile"] = ctx.routerFile;
    facts["routerBytes"] = statSync(routerFile).size;
  }
  const redis = name === "switchyard-redis" ? await startBenchRedis(ctx.serviceCpus) : undefined;
  const port = await freePort();
  const managed = ctx.group.start({
    name,
    cpus: ctx.cpus,
    command: process.execPath,
    args: [...(NODE_FLAGS[name] ?? []), ...(ctx.extraNodeFlags ?? []), routerFile, "--port", String(port), "--host", "127.0.0.1"],
    cwd: join(routerFile, ".."),
    env: {
      ...process.env,
      ...ctx.env,
      [TEAM_KEY_ENV]: TEAM_KEY_VALUE,
      [UPSTREAM_KEY_ENV]: UPSTREAM_KEY_VALUE,
      ...(redis === undefined ? {} : { [REDIS_URL_ENV]: redis.url }),
    },
    ipc: ctx.ipc,
  });
  const stop = async (): Promise<void> => {
    await ctx.group.stop(managed);
    await redis?.stop();
  };
  try {
    await waitForHttp(managed, `http://127.0.0.1:${port}/healthz`);
  } catch (error) {
    await stop();
    throw new NotAvailable(`router.mjs did not start: ${(error as Error).message}`);
  }
  return {
    name,
    pid: managed.pid,
    target: { url: `http://127.0.0.1:${port}/v1/chat/completions`, headers: { ...json, authorization: `Bearer ${TEAM_KEY_VALUE}` }, ...bodies(BENCH_ROUTE) },
    facts: redis === undefined ? facts : { ...facts, redisServer: redis.version, redisPort: String(redis.port) },
    releaseFile,
    ...(redis === undefined ? {} : { redis: { version: redis.version, stats: () => readRedisStats(redis.port) } }),
    routerDir: join(routerFile, ".."),
    managed,
    stop,
  };
}

/**
 * A redis-server for switchyard-redis (test/helpers/redis-server.ts: 127.0.0.1, an ephemeral port, no
 * persistence; Debian's package installed when missing), killed with the bench if it exits first.
 * Pinned to `cpus` when the bench pins (with the upstream and the load generator, off the router's core).
 */
async function startBenchRedis(cpus: string | undefined): Promise<{ url: string; port: number; version: string; stop(): Promise<void> }> {
  let server;
  try {
    server = await startRedis({ cpus });
  } catch (error) {
    throw new NotAvailable(`no redis-server: ${(error as Error).message}`);
  }
  const running = server;
  const onExit = (): void => void running.kill();
  process.on("exit", onExit);
  return {
    url: running.url(),
    port: running.port,
    // "Redis server v=7.0.15 sha=… malloc=jemalloc-5.3.0 bits=64 build=…" → "redis-server 7.0.15"
    version: `${running.binary} ${/v=([\d.]+)/.exec(running.version)?.[1] ?? running.version}`,
    async stop() {
      process.off("exit", onExit);
      await running.stop();
    },
  };
}

/**
 * Portkey 1.15.2's start script listens on every interface and its streaming fails with
 * `TypeError: immutable` (Portkey-AI/gateway#1389). A copy beside the original (so its imports
 * resolve) whose `serve({...})` adds `hostname: "127.0.0.1", overrideGlobalObjects: false` fixes both.
 */
export function patchPortkey(): string {
  let packageDir: string;
  try {
    packageDir = realpathSync(join(BENCH_DIR, "node_modules", "@portkey-ai", "gateway"));
  } catch {
    throw new NotAvailable("@portkey-ai/gateway is not installed (run `npx -y pnpm@10 install`)");
  }
  const original = join(packageDir, "build", "start-server.js");
  const source = readFileSync(original, "utf8");
  const call = /(\w+)\(\{fetch:(\w+)\.fetch,port:(\w+)\}\)/g;
  const matches = source.match(call) ?? [];
  if (matches.length !== 1) throw new NotAvailable(`cannot patch Portkey's start script: expected one serve({fetch,port}) call, found ${matches.length}`);
  const patched = source.replace(call, '$1({fetch:$2.fetch,port:$3,hostname:"127.0.0.1",overrideGlobalObjects:!1})');
  const copy = join(packageDir, "build", "start-server.switchyard-bench.js");
  if (!existsSync(copy) || readFileSync(copy, "utf8") !== patched) writeFileSync(copy, patched);
  return copy;
}

async function startPortkey(ctx: StartContext): Promise<RunningSystem> {
  const script = patchPortkey();
  const port = await freePort();
  const managed = ctx.group.start({
    name: "portkey",
    cpus: ctx.cpus,
    command: process.execPath,
    args: [...(ctx.extraNodeFlags ?? []), script, `--port=${port}`, "--headless"],
    env: { ...process.env, ...ctx.env, NODE_ENV: "production" },
    ipc: ctx.ipc,
  });
  try {
    await waitForHttp(managed, `http://127.0.0.1:${port}/`);
  } catch (error) {
    await ctx.group.stop(managed, 3_000);
    throw new NotAvailable(`Portkey did not start: ${(error as Error).message}`);
  }
  return {
    name: "portkey",
    pid: managed.pid,
    target: {
      url: `http://127.0.0.1:${port}/v1/chat/completions`,
      headers: {
        ...json,
        authorization: `Bearer ${UPSTREAM_KEY_VALUE}`,
        "x-portkey-provider": "openai",
        "x-portkey-custom-host": `${ctx.upstreamOrigin}/v1`,
      },
      ...bodies("gpt-4o-mini"),
    },
    facts: {},
    managed,
    // Portkey may ignore SIGINT: SIGTERM, then SIGKILL after a grace period.
    stop: () => ctx.group.stop(managed, 3_000),
  };
}

export const starters: Record<SystemName, (ctx: StartContext) => Promise<RunningSystem>> = {
  direct: startDirect,
  "bare-proxy": (ctx) => startBareProxy(ctx),
  "bare-proxy-tuned": (ctx) => startBareProxy(ctx, "bare-proxy-tuned"),
  switchyard: (ctx) => startSwitchyard(ctx),
  "switchyard-redis": (ctx) => startSwitchyard(ctx, "switchyard-redis"),
  portkey: startPortkey,
};

/**
 * @module Interleaved A/B of router builds with their state on Redis: the bench fixture's router.mjs
 * built from several source trees (this one and, e.g., a copy of main), each against its own
 * redis-server, next to the in-memory router, in closed-loop throughput slices taken in turn. Prints
 * per system: requests/s (and its ratio to the in-memory router in the same slice cycle), the router's
 * CPU per request (utime+stime from /proc), redis-server's CPU per request and Redis round trips per
 * request (INFO cpu, commandstats). With `--rate N`, each slice cycle also sends every system an open
 * loop of N req/s (in the same rotating order) and prints its p50 and the p50 it adds over the
 * in-memory router's in the same cycle (median of the per-cycle differences). With `--pin`, each router
 * runs on CPU 1 and the upstream, the load generator and every redis-server on CPU 0 (`taskset -c`): Redis
 * as the external service it is in production, not competing with the router for its core. With `--gc`, each
 * router carries a probe (src/servers/gc-probe.ts: V8's GCProfiler) and the run ends with its garbage collector's
 * figures per request: collection time, scavenges, bytes surviving a scavenge and bytes promoted to the old generation.
 *
 *     node --import tsx test/bench/src/redis-ab.ts [--variant name=/path/to/source/tree]... [--slices 12] [--slice-ms 2000] [--connections 32] [--rate 500] [--paced-ms 2000] [--pin] [--gc] [--prof-dir D] [--node-flag F]... [--system-flag name:F]...
 *
 * A variant's tree must have its dependencies installed (or linked); its compiler builds its router.mjs.
 * Without `--variant`, only this tree is measured (`redis=.`).
 */
import { bundleBenchServers } from "./bundle-servers.ts";
import { spawn } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { ROUTER_NODE_FLAGS } from "@switchyard/router/node-flags";
import { startRedis } from "../../helpers/redis-server.ts";
import { BENCH_ROUTE, REDIS_URL_ENV, TEAM_KEY_ENV, TEAM_KEY_VALUE, UPSTREAM_KEY_ENV, UPSTREAM_KEY_VALUE, UPSTREAM_PLACEHOLDER } from "./constants.ts";
import { LoadGenerator } from "./load/client.ts";
import type { Target } from "./load/jobs.ts";
import { BENCH_DIR, REPO_ROOT } from "./paths.ts";
import { cpuTicks, freePort, ProcessGroup, TICKS_PER_SECOND, waitForHttp, waitForListening } from "./processes.ts";
import { addRedisStats, diffRedisStats, readRedisStats, type RedisStats } from "./redis-stats.ts";
import type { GcProbeReport } from "./servers/gc-probe.ts";
import { median } from "./stats.ts";

const { values } = parseArgs({
  options: {
    variant: { type: "string", multiple: true, default: [] },
    slices: { type: "string", default: "12" },
    "slice-ms": { type: "string", default: "2000" },
    connections: { type: "string", default: "32" },
    rate: { type: "string", default: "0" },
    "paced-ms": { type: "string", default: "2000" },
    "no-memory": { type: "boolean", default: false },
    pin: { type: "boolean", default: false },
    gc: { type: "boolean", default: false },
    /** Write each router's V8 CPU profile here (node --cpu-prof; written when the router exits). */
    "prof-dir": { type: "string" },
    /** Another flag for every router's node (e.g. `--heap-prof`, `--trace-gc`), after the deployed ones; repeatable. */
    "node-flag": { type: "string", multiple: true, default: [] },
    /** A flag for one system's node only, as `name:flag` (e.g. `redis:--max-semi-space-size=8`, or `memory:…`), after `--node-flag`'s; repeatable. */
    "system-flag": { type: "string", multiple: true, default: [] },
  },
});
const variants = (values.variant.length > 0 ? values.variant : ["redis=."]).map((v) => {
  const [name, dir] = v.split("=");
  return { name: name!, dir: resolve(dir ?? ".") };
});
/** `--system-flag name:flag`'s flags for the system `name`, in the order given. */
function systemFlags(name: string): string[] {
  return values["system-flag"].filter((f) => f.startsWith(`${name}:`)).map((f) => f.slice(name.length + 1));
}
const slices = Number(values.slices);
const sliceMs = Number(values["slice-ms"]);
const connections = Number(values.connections);
const rate = Number(values.rate);
const pacedMs = Number(values["paced-ms"]);
if (values.pin && availableParallelism() < 2) throw new Error("--pin needs at least 2 cores");
/** CPUs of the routers, and of everything else (upstream, load generator, redis-servers), when pinning. */
const routerCpus = values.pin ? "1" : undefined;
const serviceCpus = values.pin ? "0" : undefined;

/** Build `fixture` (from this tree's test/bench/fixtures) with the compiler of `tree`, pointed at `upstream`. */
async function buildRouter(tree: string, fixture: "routes.ts" | "routes-redis.ts", upstream: string, outDir: string): Promise<string> {
  const work = join(tree, "test", "bench", ".work", `ab-${fixture}`);
  mkdirSync(work, { recursive: true });
  for (const f of new Set(["routes.ts", fixture])) {
    writeFileSync(join(work, f), readFileSync(join(BENCH_DIR, "fixtures", f), "utf8").replaceAll(UPSTREAM_PLACEHOLDER, `${upstream}/v1`));
  }
  const worker = join(tree, "test", "bench", "src", "micro", "compile-worker.ts");
  const out = await new Promise<string>((done, fail) => {
    const child = spawn(process.execPath, ["--import", "tsx", worker, "build", join(work, fixture), outDir], { cwd: tree, stdio: ["ignore", "pipe", "pipe"] });
    let text = "";
    child.stdout.on("data", (d: Buffer) => (text += d.toString()));
    child.stderr.on("data", (d: Buffer) => (text += d.toString()));
    child.once("exit", (code) => (code === 0 ? done(text) : fail(new Error(`build in ${tree} exited ${code}: ${text.slice(-800)}`))));
  });
  if (!/@@result .*"ok":true/.test(out)) throw new Error(`build in ${tree} failed: ${out.slice(-800)}`);
  const alone = mkdtempSync(join(outDir, "alone-"));
  copyFileSync(join(outDir, "default", "router.mjs"), join(alone, "router.mjs"));
  return join(alone, "router.mjs");
}

interface System {
  name: string;
  pid: number;
  target: Target;
  redis?: { port: number; stop(): Promise<void> };
  rps: number[];
  cpu: number[];
  redisCpu: number[];
  trips: number[];
  /** Every slice's redis-server statistics and requests, for the commands per request over the run. */
  redisStats: RedisStats[];
  requests: number;
  /** Every request the router answered (warm-up and open loop included): the GC probe's figures are divided by it. */
  served: number;
  ratio: number[];
  /** Open loop at `rate`: p50 of whole replies, ms, and its difference to memory's in the same cycle. */
  p50: number[];
  addedP50: number[];
}

const messages = [
  { role: "system", content: "You are a terse assistant." },
  { role: "user", content: "Say hello in five words." },
];

const workDir = mkdtempSync(join(tmpdir(), "switchyard-redis-ab-"));
const group = new ProcessGroup();
const systems: System[] = [];
try {
  await bundleBenchServers(workDir, values.gc ? ["mock-upstream", "gc-probe"] : ["mock-upstream"]);
  const upstream = group.start({ name: "mock-upstream", command: process.execPath, args: [join(workDir, "mock-upstream.cjs")], cpus: serviceCpus });
  const origin = `http://127.0.0.1:${await waitForListening(upstream)}`;
  const load = await LoadGenerator.start(group, serviceCpus);
  const wanted: Array<{ name: string; tree: string; fixture: "routes.ts" | "routes-redis.ts" }> = [
    ...(values["no-memory"] ? [] : [{ name: "memory", tree: REPO_ROOT, fixture: "routes.ts" as const }]),
    ...variants.map((v) => ({ name: v.name, tree: v.dir, fixture: "routes-redis.ts" as const })),
  ];
  for (const w of wanted) {
    const routerFile = await buildRouter(w.tree, w.fixture, origin, mkdtempSync(join(workDir, `${w.name}-`)));
    const redis = w.fixture === "routes-redis.ts" ? await startRedis({ cpus: serviceCpus }) : undefined;
    const port = await freePort();
    const managed = group.start({
      name: w.name,
      cpus: routerCpus,
      command: process.execPath,
      args: [
        ...ROUTER_NODE_FLAGS,
        ...(values["prof-dir"] === undefined ? [] : ["--cpu-prof", `--cpu-prof-dir=${resolve(values["prof-dir"])}`, `--cpu-prof-name=${w.name}.cpuprofile`]),
        ...(values.gc ? ["--require", join(workDir, "gc-probe.cjs")] : []),
        ...values["node-flag"],
        ...systemFlags(w.name),
        routerFile,
        "--port",
        String(port),
        "--host",
        "127.0.0.1",
      ],
      cwd: join(routerFile, ".."),
      env: {
        ...process.env,
        [TEAM_KEY_ENV]: TEAM_KEY_VALUE,
        [UPSTREAM_KEY_ENV]: UPSTREAM_KEY_VALUE,
        ...(redis === undefined ? {} : { [REDIS_URL_ENV]: redis.url() }),
        ...(values.gc ? { SWITCHYARD_GC_PROBE_OUT: gcReportFile(w.name) } : {}),
      },
    });
    await waitForHttp(managed, `http://127.0.0.1:${port}/healthz`);
    const target: Target = {
      url: `http://127.0.0.1:${port}/v1/chat/completions`,
      headers: { "content-type": "application/json", authorization: `Bearer ${TEAM_KEY_VALUE}` },
      body: JSON.stringify({ model: BENCH_ROUTE, messages, max_tokens: 32 }),
      streamBody: JSON.stringify({ model: BENCH_ROUTE, messages, max_tokens: 32, stream: true }),
    };
    systems.push({
      name: w.name,
      pid: managed.pid,
      target,
      redis: redis && { port: redis.port, stop: () => redis.stop() },
      rps: [],
      cpu: [],
      redisCpu: [],
      trips: [],
      redisStats: [],
      requests: 0,
      served: 0,
      ratio: [],
      p50: [],
      addedP50: [],
    });
    console.log(`[ab] ${w.name}: ready (pid ${managed.pid}, built from ${w.tree})`);
  }
  for (const s of systems) {
    const warm = await load.run({ kind: "throughput", target: s.target, connections, durationMs: 2_000 });
    s.served += warm.ok2xx + warm.non2xx;
  }
  for (let i = 0; i < slices; i++) {
    const order = systems.map((_, k) => systems[(k + i) % systems.length]!);
    const cycle = new Map<string, number>();
    for (const s of order) {
      const before = s.redis && (await readRedisStats(s.redis.port));
      const t0 = cpuTicks(s.pid) ?? 0;
      const r = await load.run({ kind: "throughput", target: s.target, connections, durationMs: sliceMs });
      const t1 = cpuTicks(s.pid) ?? 0;
      const requests = r.ok2xx + r.non2xx;
      s.served += requests;
      if (r.non2xx + r.errors > 0) console.log(`[ab] ${s.name}: ${r.non2xx} non-2xx, ${r.errors} errors`);
      s.rps.push(r.requestsPerSecond);
      s.cpu.push((((t1 - t0) / TICKS_PER_SECOND) * 1e6) / requests);
      cycle.set(s.name, r.requestsPerSecond);
      if (s.redis && before) {
        const d: RedisStats = diffRedisStats(before, await readRedisStats(s.redis.port));
        s.redisCpu.push((d.cpuSeconds * 1e6) / requests);
        s.trips.push(((d.calls["evalsha"] ?? 0) + (d.calls["eval"] ?? 0) + (d.calls["ping"] ?? 0)) / requests);
        s.redisStats.push(d);
        s.requests += requests;
      }
    }
    const memory = cycle.get("memory");
    for (const s of systems) if (memory !== undefined) s.ratio.push(cycle.get(s.name)! / memory);
    if (rate > 0) {
      const p50s = new Map<string, number>();
      for (const s of order) {
        const r = await load.run({ kind: "paced", target: s.target, ratePerSecond: rate, durationMs: pacedMs, stream: false });
        if (r.failed > 0) console.log(`[ab] ${s.name}: ${r.failed} failed at ${rate} req/s (${r.firstError ?? ""})`);
        s.served += r.sent;
        p50s.set(s.name, r.total.p50);
        s.p50.push(r.total.p50);
      }
      const base = p50s.get("memory");
      for (const s of systems) if (base !== undefined) s.addedP50.push(p50s.get(s.name)! - base);
    }
  }
  const f = (xs: number[], d = 0): string => (xs.length === 0 ? "—" : median(xs).toFixed(d));
  console.log(
    `\n${slices} slices of ${sliceMs} ms each, ${connections} connections, systems in rotating order${values.pin ? ", routers on CPU 1, the rest (redis-servers included) on CPU 0" : ", unpinned"}; medians:`,
  );
  console.log("system | req/s | ÷ memory | router CPU µs/req | redis-server CPU µs/req | round trips/req");
  for (const s of systems) {
    console.log(
      `${s.name} | ${f(s.rps)} | ${s.ratio.length ? `${(median(s.ratio) * 100).toFixed(1)} %` : "—"} | ${f(s.cpu)} | ${f(s.redisCpu)} | ${f(s.trips, 2)}`,
    );
  }
  for (const s of systems) {
    if (s.redisStats.length === 0) continue;
    const all = addRedisStats(s.redisStats);
    const perRequest = Object.entries(all.calls)
      .sort((a, b) => b[1] - a[1])
      .map(([name, n]) => `${name} ${(n / s.requests).toFixed(2)}`);
    console.log(`${s.name}: Redis commands per request over the closed-loop slices (inside scripts included): ${perRequest.join(", ")}`);
  }
  if (rate > 0) {
    console.log(`open loop at ${rate} req/s, ${pacedMs} ms per system per cycle; medians:`);
    console.log("system | p50 ms | added p50 over memory (same cycle) ms");
    for (const s of systems) console.log(`${s.name} | ${f(s.p50, 3)} | ${f(s.addedP50, 3)}`);
  }
  console.log(`per-slice router CPU: ${systems.map((s) => `${s.name} [${s.cpu.map((x) => x.toFixed(0)).join(", ")}]`).join("; ")}`);
  if (values.gc) {
    // The probes write when their router exits.
    await group.stopAll(3_000);
    printGcReports();
  }
} finally {
  await group.stopAll(3_000);
  await Promise.all(systems.map(async (s) => s.redis?.stop()));
  rmSync(workDir, { recursive: true, force: true });
}

function gcReportFile(name: string): string {
  return join(workDir, `${name}.gc.json`);
}

/** Each router's garbage collection per request served, from its GC probe (src/servers/gc-probe.ts). */
function printGcReports(): void {
  console.log("garbage collection over each router's life, per request served (warm-up and open loop included):");
  console.log(
    "system | GC ms per 1k requests (scavenge / mark-compact) | scavenges per 1k requests | KB surviving a scavenge | bytes promoted per request | KB allocated per request",
  );
  for (const s of systems) {
    let report: GcProbeReport;
    try {
      report = JSON.parse(readFileSync(gcReportFile(s.name), "utf8")) as GcProbeReport;
    } catch {
      console.log(`${s.name} | no report (the router did not exit cleanly)`);
      continue;
    }
    const scavenge = report.kinds["Scavenge"] ?? { count: 0, costUs: 0, survivedBytes: 0, promotedBytes: 0 };
    const major = Object.entries(report.kinds)
      .filter(([kind]) => kind !== "Scavenge")
      .reduce((sum, [, k]) => sum + k.costUs, 0);
    const promoted = Object.values(report.kinds).reduce((sum, k) => sum + k.promotedBytes, 0);
    const perK = (x: number): string => ((x / s.served) * 1000).toFixed(1);
    console.log(
      `${s.name} | ${perK(scavenge.costUs / 1000)} / ${perK(major / 1000)} | ${perK(scavenge.count)} | ${scavenge.count === 0 ? "—" : (scavenge.survivedBytes / scavenge.count / 1024).toFixed(0)} | ${(promoted / s.served).toFixed(0)} | ${(report.allocatedBytes / s.served / 1024).toFixed(1)}`,
    );
  }
}

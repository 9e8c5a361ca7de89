/**
 * @module Interleaved A/B of router builds' memory under load: the bench fixture's router.mjs (routes.ts,
 * in-memory state) built from several source trees (this one and, e.g., a worktree of an older commit),
 * each run as deployed (`ROUTER_NODE_FLAGS`) against one mock upstream, in closed-loop throughput slices
 * taken in turn (rotating order). Prints per system: the peak VmRSS of each slice (/proc, sampled every
 * 100 ms), requests/s and the router's CPU per request (utime+stime), and at the end what its heap holds
 * after a full collection (a preloaded probe answering over IPC: `process.memoryUsage()`, V8's heap
 * spaces, /proc's smaps_rollup split of RSS into anonymous and file-backed pages).
 *
 *     node --import tsx test/bench/src/rss-ab.ts [--variant name=/path/to/source/tree]... [--slices 8] [--slice-ms 3000] [--connections 32]
 *
 * A variant's tree must have its dependencies installed; its compiler builds its router.mjs (assets copied
 * beside it, as deployed). Without `--variant`, only this tree is measured (`this=.`).
 */
import { bundleBenchServers } from "./bundle-servers.ts";
import { spawn } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { ROUTER_NODE_FLAGS } from "@switchyard/router/node-flags";
import { BENCH_ROUTE, TEAM_KEY_ENV, TEAM_KEY_VALUE, UPSTREAM_KEY_ENV, UPSTREAM_KEY_VALUE, UPSTREAM_PLACEHOLDER } from "./constants.ts";
import { LoadGenerator } from "./load/client.ts";
import type { Target } from "./load/jobs.ts";
import { BENCH_DIR } from "./paths.ts";
import { cpuTicks, freePort, type Managed, ProcessGroup, sampleRss, TICKS_PER_SECOND, waitForHttp, waitForListening } from "./processes.ts";
import { median } from "./stats.ts";

const { values } = parseArgs({
  options: {
    variant: { type: "string", multiple: true, default: [] },
    slices: { type: "string", default: "8" },
    "slice-ms": { type: "string", default: "3000" },
    connections: { type: "string", default: "32" },
    /** After each cycle, every system also gets the bench's paced runs (JSON at 500 req/s, streams at 200 req/s), as a full bench round does. */
    paced: { type: "boolean", default: false },
    /** Write a heap snapshot of every router here after the first and the last cycle (to compare what grew). */
    "snapshot-dir": { type: "string" },
    /** Extra node flags for every router (e.g. `--node-flag=--trace-gc`), after ROUTER_NODE_FLAGS. */
    "node-flag": { type: "string", multiple: true, default: [] },
  },
});
const variants = (values.variant.length > 0 ? values.variant : ["this=."]).map((v) => {
  const [name, dir] = v.split("=");
  return { name: name!, dir: resolve(dir ?? ".") };
});
const slices = Number(values.slices);
const sliceMs = Number(values["slice-ms"]);
const connections = Number(values.connections);

/** router.mjs's assets: the parts it imports from its own folder on first use. */
const ROUTER_ASSET = /^switchyard-[a-z0-9-]+\.[0-9a-f]{8}\.mjs$/;

/** Build routes.ts (from this tree's fixtures) with the compiler of `tree`, pointed at `upstream`; router.mjs alone with its assets. */
async function buildRouter(tree: string, upstream: string, outDir: string): Promise<string> {
  const work = join(tree, "test", "bench", ".work", "rss-ab");
  mkdirSync(work, { recursive: true });
  writeFileSync(join(work, "routes.ts"), readFileSync(join(BENCH_DIR, "fixtures", "routes.ts"), "utf8").replaceAll(UPSTREAM_PLACEHOLDER, `${upstream}/v1`));
  const worker = join(tree, "test", "bench", "src", "micro", "compile-worker.ts");
  const out = await new Promise<string>((done, fail) => {
    const child = spawn(process.execPath, ["--import", "tsx", worker, "build", join(work, "routes.ts"), outDir], {
      cwd: tree,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let text = "";
    child.stdout.on("data", (d: Buffer) => (text += d.toString()));
    child.stderr.on("data", (d: Buffer) => (text += d.toString()));
    child.once("exit", (code) => (code === 0 ? done(text) : fail(new Error(`build in ${tree} exited ${code}: ${text.slice(-800)}`))));
  });
  if (!/@@result .*"ok":true/.test(out)) throw new Error(`build in ${tree} failed: ${out.slice(-800)}`);
  const built = join(outDir, "default");
  const alone = mkdtempSync(join(outDir, "alone-"));
  for (const file of readdirSync(built).filter((f) => f === "router.mjs" || ROUTER_ASSET.test(f))) copyFileSync(join(built, file), join(alone, file));
  return join(alone, "router.mjs");
}

/**
 * Preloaded into each router (`--import`): on an IPC "probe" message, two full collections, then what is
 * left. Measurement only; nothing runs until asked, and the channel is unref'd.
 */
const PROBE = `
import v8 from "node:v8";
process.on("message", (m) => {
  if (m !== "probe") return;
  globalThis.gc(); globalThis.gc();
  const u = process.memoryUsage();
  const spaces = Object.fromEntries(v8.getHeapSpaceStatistics().map((s) => [s.space_name, { size: s.space_size, used: s.space_used_size }]));
  const h = v8.getHeapStatistics();
  process.send({ probe: { ...u, spaces, mallocedMemory: h.malloced_memory, peakMallocedMemory: h.peak_malloced_memory, externalMemory: h.external_memory } });
});
process.on("message", (m) => {
  if (typeof m !== "string" || !m.startsWith("snapshot:")) return;
  globalThis.gc();
  process.send({ snapshot: v8.writeHeapSnapshot(m.slice("snapshot:".length)) });
});
process.channel?.unref();
`;

interface System {
  name: string;
  managed: Managed;
  target: Target;
  rssPeak: number[];
  rps: number[];
  cpu: number[];
  pacedRssPeak: number[];
}

const messages = [
  { role: "system", content: "You are a terse assistant." },
  { role: "user", content: "Say hello in five words." },
];

/** Anonymous and file-backed resident kB (smaps_rollup). */
function residentSplit(pid: number): { anonKb: number; fileKb: number } {
  const text = readFileSync(`/proc/${pid}/smaps_rollup`, "utf8");
  const kb = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(text)?.[1] ?? NaN);
  return { anonKb: kb("Anonymous"), fileKb: kb("Rss") - kb("Anonymous") };
}

function probe(managed: Managed): Promise<Record<string, unknown>> {
  return new Promise((done) => {
    const onMessage = (m: { probe?: Record<string, unknown> }): void => {
      if (m.probe === undefined) return;
      managed.child.off("message", onMessage);
      done(m.probe);
    };
    managed.child.on("message", onMessage);
    managed.child.send("probe");
  });
}

function snapshot(managed: Managed, file: string): Promise<void> {
  return new Promise((done) => {
    const onMessage = (m: { snapshot?: string }): void => {
      if (m.snapshot === undefined) return;
      managed.child.off("message", onMessage);
      done();
    };
    managed.child.on("message", onMessage);
    managed.child.send(`snapshot:${file}`);
  });
}

const workDir = mkdtempSync(join(tmpdir(), "switchyard-rss-ab-"));
const group = new ProcessGroup();
const systems: System[] = [];
try {
  await bundleBenchServers(workDir, ["mock-upstream"]);
  writeFileSync(join(workDir, "probe.mjs"), PROBE);
  const upstream = group.start({ name: "mock-upstream", command: process.execPath, args: [join(workDir, "mock-upstream.cjs")] });
  const origin = `http://127.0.0.1:${await waitForListening(upstream)}`;
  const load = await LoadGenerator.start(group);
  for (const v of variants) {
    const routerFile = await buildRouter(v.dir, origin, mkdtempSync(join(workDir, `${v.name}-`)));
    const port = await freePort();
    const managed = group.start({
      name: v.name,
      command: process.execPath,
      args: [
        ...ROUTER_NODE_FLAGS,
        ...values["node-flag"],
        "--expose-gc",
        "--import",
        join(workDir, "probe.mjs"),
        routerFile,
        "--port",
        String(port),
        "--host",
        "127.0.0.1",
      ],
      cwd: join(routerFile, ".."),
      env: { ...process.env, [TEAM_KEY_ENV]: TEAM_KEY_VALUE, [UPSTREAM_KEY_ENV]: UPSTREAM_KEY_VALUE },
      ipc: true,
    });
    await waitForHttp(managed, `http://127.0.0.1:${port}/healthz`);
    const target: Target = {
      url: `http://127.0.0.1:${port}/v1/chat/completions`,
      headers: { "content-type": "application/json", authorization: `Bearer ${TEAM_KEY_VALUE}` },
      body: JSON.stringify({ model: BENCH_ROUTE, messages, max_tokens: 32 }),
      streamBody: JSON.stringify({ model: BENCH_ROUTE, messages, max_tokens: 32, stream: true }),
    };
    systems.push({ name: v.name, managed, target, rssPeak: [], rps: [], cpu: [], pacedRssPeak: [] });
    const idle = residentSplit(managed.pid);
    console.log(`[rss-ab] ${v.name}: ready (pid ${managed.pid}, built from ${v.dir}); idle RSS anon ${idle.anonKb} kB, file ${idle.fileKb} kB`);
  }
  for (let i = 0; i < slices; i++) {
    const order = systems.map((_, k) => systems[(k + i) % systems.length]!);
    for (const s of order) {
      const sampler = sampleRss(s.managed.pid);
      const t0 = cpuTicks(s.managed.pid) ?? 0;
      const r = await load.run({ kind: "throughput", target: s.target, connections, durationMs: sliceMs });
      const t1 = cpuTicks(s.managed.pid) ?? 0;
      const peak = sampler.stop() ?? NaN;
      const requests = r.ok2xx + r.non2xx;
      if (r.non2xx + r.errors > 0) console.log(`[rss-ab] ${s.name}: ${r.non2xx} non-2xx, ${r.errors} errors`);
      s.rssPeak.push(peak / 1024 / 1024);
      s.rps.push(r.requestsPerSecond);
      s.cpu.push((((t1 - t0) / TICKS_PER_SECOND) * 1e6) / requests);
    }
    if (values.paced) {
      for (const s of order) {
        const sampler = sampleRss(s.managed.pid);
        await load.run({ kind: "paced", target: s.target, ratePerSecond: 500, durationMs: 2_000, stream: false });
        await load.run({ kind: "paced", target: s.target, ratePerSecond: 200, durationMs: 1_500, stream: true });
        s.pacedRssPeak.push((sampler.stop() ?? NaN) / 1024 / 1024);
      }
    }
    const snapshotDir = values["snapshot-dir"];
    if (snapshotDir !== undefined && (i === 0 || i === slices - 1)) {
      for (const s of systems) await snapshot(s.managed, join(resolve(snapshotDir), `${s.name}-${i + 1}.heapsnapshot`));
    }
  }
  const mb = (n: unknown): string => (typeof n === "number" ? (n / 1024 / 1024).toFixed(2) : "—");
  console.log(
    `\n${slices} slices of ${sliceMs} ms each, ${connections} connections, systems in rotating order; load average ${readFileSync("/proc/loadavg", "utf8").trim()}`,
  );
  console.log("system | peak RSS MB (max / median of slices) | req/s | CPU µs/req | per-slice peak RSS MB");
  for (const s of systems) {
    console.log(
      `${s.name} | ${Math.max(...s.rssPeak).toFixed(1)} / ${median(s.rssPeak).toFixed(1)} | ${median(s.rps).toFixed(0)} | ${median(s.cpu).toFixed(0)} | ${s.rssPeak.map((x) => x.toFixed(1)).join(", ")}`,
    );
    console.log(`  ${s.name} per-slice CPU µs/req: ${s.cpu.map((x) => x.toFixed(0)).join(", ")}`);
    if (s.pacedRssPeak.length > 0) console.log(`  ${s.name} paced runs' peak RSS MB: ${s.pacedRssPeak.map((x) => x.toFixed(1)).join(", ")}`);
  }
  console.log("\nafter the load, then two full GCs (MB):");
  console.log(
    "system | RSS anon / file (before GC) | heapUsed | heapTotal | external | arrayBuffers | code space used/size | old used/size | new size | large obj | malloced",
  );
  for (const s of systems) {
    const split = residentSplit(s.managed.pid);
    const p = await probe(s.managed);
    const spaces = p["spaces"] as Record<string, { size: number; used: number }>;
    const sp = (name: string): string => `${mb(spaces[name]?.used)}/${mb(spaces[name]?.size)}`;
    console.log(
      `${s.name} | ${(split.anonKb / 1024).toFixed(1)} / ${(split.fileKb / 1024).toFixed(1)} | ${mb(p["heapUsed"])} | ${mb(p["heapTotal"])} | ${mb(p["external"])} | ${mb(p["arrayBuffers"])} | ${sp("code_space")} | ${sp("old_space")} | ${mb(spaces["new_space"]?.size)} | ${sp("large_object_space")} | ${mb(p["mallocedMemory"])}`,
    );
    console.log(
      `  ${s.name} spaces: ${Object.entries(spaces)
        .map(([n, v]) => `${n} ${mb(v.used)}/${mb(v.size)}`)
        .join(", ")}`,
    );
  }
} finally {
  await group.stopAll(3_000);
  rmSync(workDir, { recursive: true, force: true });
}

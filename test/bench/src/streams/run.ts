/**
 * @module The long-stream benchmark: thousands of concurrent streams (one chunk every 50 ms for 10 s)
 * through each system side by side, then a client-churn run against switchyard (a share of clients
 * abandon their stream part-way: is the upstream request cancelled, the budget settled on what was
 * produced, the trace a 499, and do fds and memory come back?). Every process is its own, on 127.0.0.1.
 */
import { bundleBenchServers } from "../bundle-servers.ts";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { cpuTicks, listenDrops, type Managed, ProcessGroup, rssBytes, sampleRss, TICKS_PER_SECOND, waitForListening, writeCalls } from "../processes.ts";
import { median } from "../stats.ts";
import { NotAvailable, type RunningSystem, starters } from "../systems.ts";
import { BENCH_ROUTE, TOKENS_PER_CHUNK } from "../constants.ts";
import { REPO_ROOT } from "../paths.ts";
import { describeMachine, type Machine } from "../machine.ts";
import type { StreamJob, StreamJobResult } from "./jobs.ts";

export const STREAM_SYSTEMS = ["direct", "bare-proxy", "switchyard", "portkey"] as const;
export type StreamSystem = (typeof STREAM_SYSTEMS)[number];

export const ADMIN_TOKEN = "bench-streams-admin-token-5d1e";

/** The listen backlog every system that takes one gets by default, as the mock upstream has (the kernel caps it at net.core.somaxconn). */
export const LISTEN_BACKLOG = 4096;

export interface StreamsOptions {
  systems: StreamSystem[];
  /** Concurrent streams per run, e.g. [500, 1000, 2000]. */
  counts: number[];
  /** Content chunks per stream and the upstream's gap between them. */
  chunks: number;
  interChunkMs: number;
  /** Streams of a run start evenly over this long. */
  rampMs: number;
  rounds: number;
  /** The listen backlog bare-proxy and switchyard get (the kernel caps it at net.core.somaxconn). */
  listenBacklog: number;
  /** The churn run against switchyard (undefined: skipped). */
  churn: { streams: number; abortShare: number } | undefined;
  /** Run this router.mjs as switchyard (A/B); needs `upstreamPort`, the port it was built against. */
  routerFile?: string;
  upstreamPort?: number;
  /** Extra node flags for switchyard (e.g. `--cpu-prof`), after the router's own. */
  switchyardFlags?: string[];
  /** Profile bare-proxy and switchyard with the V8 CPU profiler (`--cpu-prof`), profiles written to this folder when they stop. */
  profileDir?: string;
  log: (line: string) => void;
}

/** One system at one stream count in one round. */
export interface StreamRun {
  system: StreamSystem;
  streams: number;
  round: number;
  client: StreamJobResult;
  /** The system's process (undefined for direct). */
  rssBeforeBytes: number | undefined;
  rssPeakBytes: number | undefined;
  cpuSeconds: number | undefined;
  /** CPU of the system per content chunk delivered, µs. */
  cpuUsPerChunk: number | undefined;
  /** The system's write system calls per content chunk delivered (a proxy sending each chunk alone makes about one). */
  writesPerChunk?: number | undefined;
  /** The upstream's CPU per chunk (the same in every run unless the machine is saturated). */
  upstreamCpuUsPerChunk: number | undefined;
  eld: { p50: number; p99: number; max: number } | undefined;
  fdsPeak: number | undefined;
  /** Connections the kernel dropped during the run because an accept queue was full (whole machine: TcpExt ListenOverflows). */
  listenOverflows?: number;
}

/** Per abandoned stream: the upstream's close − the client's abort, ms (streams the upstream never saw closed are `unclosed`). */
export interface CancelDelay {
  cancelMs: { p50: number; p99: number; max: number; count: number };
  cancelledWithinInterval: number;
  unclosed: number;
}

export interface ChurnResult extends CancelDelay {
  streams: number;
  client: StreamJobResult;
  /** Upstream streams still open once every client stream had ended, and 2 s later. */
  upstreamOpenAtEnd: number;
  upstreamOpenAfter2s: number;
  /** Trace records of this run's requests by status, and of the abandoned ones. */
  traceStatuses: Record<string, number>;
  abortedWith499: number;
  abortedTraced: number;
  /** Abandoned streams whose trace's output tokens lie within two chunks below what the upstream wrote. */
  settledOnProduced: number;
  /** Output tokens: traced vs written by the upstream, over the abandoned streams. */
  abortedTokensTraced: number;
  abortedTokensProduced: number;
  /** Team `bench`'s budget: spent before/after (from /admin/state) vs the sum of this run's traced costs. */
  budgetSpentDeltaUsd: number | undefined;
  tracedCostUsd: number;
  reservedAfterUsd: number | undefined;
  fds: { before: number; peak: number; after: number };
  rssMb: { before: number; peak: number; after: number };
  heapMb: { before: number | undefined; after: number | undefined };
}

export interface StreamsResult {
  options: Omit<StreamsOptions, "log">;
  runs: StreamRun[];
  unavailable: { name: StreamSystem; reason: string }[];
  churn: ChurnResult | { error: string } | undefined;
  /**
   * The same churn with no system between client and upstream (`direct`): how long the upstream takes to see a
   * client's abort by itself, the floor under switchyard's cancel delay on this machine at that moment.
   */
  churnDirect?: CancelDelay & { aborted: number };
  fdLimit: { soft: number; hard: number; raisedFrom: number | undefined; needed: number };
  /** The machine at the end of the run (cores, load, commit). */
  machine?: Machine;
  /** The 1-minute load average sampled every 15 s through the run: lowest and highest. */
  loadDuring?: { min: number; max: number };
  facts: Record<string, number | string>;
  startedAt: string;
  elapsedMs: number;
}

const here = (file: string): string => fileURLToPath(new URL(file, import.meta.url));

function fdLimits(): { soft: number; hard: number } {
  const line = /Max open files\s+(\d+|unlimited)\s+(\d+|unlimited)/.exec(readFileSync("/proc/self/limits", "utf8"));
  const n = (v: string | undefined): number => (v === undefined || v === "unlimited" ? Number.MAX_SAFE_INTEGER : Number(v));
  return { soft: n(line?.[1]), hard: n(line?.[2]) };
}

/**
 * Each process needs an fd per socket: the proxy two per stream. When the soft limit is too low, raise
 * this process's to its hard limit with prlimit(1) (the children it starts inherit it); node has no setrlimit.
 */
function ensureFdLimit(needed: number, log: (line: string) => void): StreamsResult["fdLimit"] {
  const before = fdLimits();
  if (before.soft >= needed) return { ...before, raisedFrom: undefined, needed };
  try {
    execFileSync("prlimit", ["--pid", String(process.pid), `--nofile=${before.hard}:${before.hard}`]);
  } catch (error) {
    log(`could not raise the fd limit (prlimit): ${(error as Error).message}`);
  }
  const after = fdLimits();
  if (after.soft < needed) log(`fd limit ${after.soft} is below the ${needed} a proxy needs at the largest count; expect EMFILE failures`);
  return { ...after, raisedFrom: before.soft, needed };
}

function fdCount(pid: number): number | undefined {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return undefined;
  }
}

/** Ask the system's event-loop probe (eld-probe.ts) something over IPC. */
function probe(managed: Managed | undefined, message: "eld:reset" | "eld:read"): Promise<{ eld: StreamRun["eld"]; rss: number; heapUsed: number } | undefined> {
  if (managed === undefined || managed.child.connected !== true) return Promise.resolve(undefined);
  if (message === "eld:reset") {
    managed.child.send(message);
    return Promise.resolve(undefined);
  }
  return new Promise((resolve) => {
    const timer = setTimeout(() => finish(undefined), 2_000);
    const onMessage = (m: { probe?: { eld: StreamRun["eld"]; rss: number; heapUsed: number } }): void => {
      if (m.probe !== undefined) finish(m.probe);
    };
    function finish(value: { eld: StreamRun["eld"]; rss: number; heapUsed: number } | undefined): void {
      clearTimeout(timer);
      managed!.child.off("message", onMessage);
      resolve(value);
    }
    managed.child.on("message", onMessage);
    managed.child.send(message);
  });
}

class StreamClient {
  #next = 1;
  readonly #pending = new Map<number, { resolve(r: StreamJobResult): void; reject(e: Error): void }>();
  constructor(readonly managed: Managed) {
    managed.child.on("message", (m: { id: number; result?: StreamJobResult; error?: string }) => {
      const waiter = this.#pending.get(m.id);
      if (waiter === undefined) return;
      this.#pending.delete(m.id);
      if (m.error !== undefined) waiter.reject(new Error(m.error));
      else waiter.resolve(m.result as StreamJobResult);
    });
    void managed.exited.then((code) => {
      for (const w of this.#pending.values()) w.reject(new Error(`stream client exited (${code}): ${managed.output().slice(-500)}`));
    });
  }
  run(job: StreamJob): Promise<StreamJobResult> {
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.managed.child.send({ id, job });
    });
  }
}

interface UpstreamStats {
  openSockets: number;
  openStreams: number;
  streams: { id: string; sent: number; cutAtUs?: number; ended: boolean }[];
}

async function upstreamStats(origin: string): Promise<UpstreamStats> {
  const res = await fetch(`${origin}/__stats`);
  return (await res.json()) as UpstreamStats;
}

function body(model: string): string {
  return JSON.stringify({
    model,
    stream: true,
    max_tokens: 1024,
    messages: [
      { role: "system", content: "You are a storyteller." },
      { role: "user", content: "Tell a long story. stream-{ID}" },
    ],
  });
}

function streamJob(system: RunningSystem, streams: number, options: StreamsOptions, idPrefix: string, abortShare: number, seed: number): StreamJob {
  const model = system.name === "switchyard" ? BENCH_ROUTE : "gpt-4o-mini";
  const streamMs = options.chunks * options.interChunkMs;
  return {
    url: system.target.url,
    headers: Object.fromEntries(Object.entries(system.target.headers).filter(([k]) => k !== "content-length")),
    bodyTemplate: body(model),
    idPrefix,
    streams,
    rampMs: options.rampMs,
    expectChunks: options.chunks,
    abortShare,
    abortWindowMs: [streamMs * 0.2, streamMs * 0.8],
    deadlineMs: streamMs + 30_000,
    seed,
  };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function measure(
  system: RunningSystem,
  streams: number,
  round: number,
  options: StreamsOptions,
  client: StreamClient,
  upstream: Managed,
  upstreamOrigin: string,
): Promise<StreamRun> {
  await fetch(`${upstreamOrigin}/__reset`, { method: "POST" });
  const pid = system.managed?.pid;
  await probe(system.managed, "eld:reset");
  const rssBeforeBytes = pid === undefined ? undefined : rssBytes(pid);
  const sampler = pid === undefined ? undefined : sampleRss(pid, 200);
  let fdsPeak = 0;
  const fdTimer = pid === undefined ? undefined : setInterval(() => (fdsPeak = Math.max(fdsPeak, fdCount(pid) ?? 0)), 500);
  const ticksBefore = pid === undefined ? undefined : cpuTicks(pid);
  const writesBefore = pid === undefined ? undefined : writeCalls(pid);
  const upstreamTicksBefore = cpuTicks(upstream.pid);
  const dropsBefore = listenDrops();
  const result = await client.run(streamJob(system, streams, options, `${system.name}-${streams}-r${round}-`, 0, 1000 + round));
  const ticksAfter = pid === undefined ? undefined : cpuTicks(pid);
  const writesAfter = pid === undefined ? undefined : writeCalls(pid);
  const upstreamTicksAfter = cpuTicks(upstream.pid);
  const dropsAfter = listenDrops();
  if (fdTimer !== undefined) clearInterval(fdTimer);
  const rssPeakBytes = sampler?.stop();
  const read = await probe(system.managed, "eld:read");
  const cpuSeconds = ticksBefore !== undefined && ticksAfter !== undefined ? (ticksAfter - ticksBefore) / TICKS_PER_SECOND : undefined;
  const upstreamCpu =
    upstreamTicksBefore !== undefined && upstreamTicksAfter !== undefined ? (upstreamTicksAfter - upstreamTicksBefore) / TICKS_PER_SECOND : undefined;
  return {
    system: system.name as StreamSystem,
    streams,
    round,
    client: result,
    rssBeforeBytes,
    rssPeakBytes,
    cpuSeconds,
    cpuUsPerChunk: cpuSeconds !== undefined && result.chunks > 0 ? (cpuSeconds * 1e6) / result.chunks : undefined,
    writesPerChunk: writesBefore !== undefined && writesAfter !== undefined && result.chunks > 0 ? (writesAfter - writesBefore) / result.chunks : undefined,
    upstreamCpuUsPerChunk: upstreamCpu !== undefined && result.chunks > 0 ? (upstreamCpu * 1e6) / result.chunks : undefined,
    eld: read?.eld,
    fdsPeak: pid === undefined ? undefined : fdsPeak,
    ...(dropsBefore !== undefined && dropsAfter !== undefined ? { listenOverflows: dropsAfter.overflows - dropsBefore.overflows } : {}),
  };
}

interface TraceLine {
  requestId: string;
  status: number;
  errorCode?: string;
  outputTokens: number;
  costUsd: number;
}

function readTraces(dir: string, prefix: string): TraceLine[] {
  const out: TraceLine[] = [];
  for (const file of ["traces.jsonl.1", "traces.jsonl"]) {
    const path = join(dir, file);
    if (!existsSync(path)) continue;
    for (const line of readFileSync(path, "utf8").split("\n")) {
      if (!line.includes(`"${prefix}`)) continue;
      try {
        const record = JSON.parse(line) as TraceLine;
        if (record.requestId.startsWith(prefix)) out.push(record);
      } catch {
        // a line cut by rotation
      }
    }
  }
  return out;
}

async function budgetOf(origin: string): Promise<{ spentUsd: number; reservedUsd: number } | undefined> {
  try {
    const res = await fetch(`${origin}/admin/state`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    const state = (await res.json()) as { budgets?: Record<string, { spentUsd: number; reservedUsd: number }> };
    return state.budgets?.["bench"];
  } catch {
    return undefined;
  }
}

/** How long after each client's abort the upstream saw its response close. */
function cancelDelay(aborts: StreamJobResult["aborts"], byId: ReadonlyMap<string, UpstreamStats["streams"][number]>, interChunkMs: number): CancelDelay {
  const cancel: number[] = [];
  let unclosed = 0;
  for (const a of aborts) {
    const s = byId.get(a.id);
    if (s?.cutAtUs === undefined) unclosed++;
    else cancel.push((s.cutAtUs - a.atUs) / 1000);
  }
  cancel.sort((a, b) => a - b);
  const pct = (p: number): number => (cancel.length === 0 ? Number.NaN : cancel[Math.min(cancel.length - 1, Math.ceil((p / 100) * cancel.length) - 1)]!);
  return {
    cancelMs: { p50: pct(50), p99: pct(99), max: cancel.at(-1) ?? Number.NaN, count: cancel.length },
    cancelledWithinInterval: cancel.filter((ms) => ms <= interChunkMs).length,
    unclosed,
  };
}

/** The churn run's streams straight to the upstream (`direct`): the cancel delay with no system in between. */
async function churnDirectRun(
  system: RunningSystem,
  options: StreamsOptions,
  client: StreamClient,
  upstreamOrigin: string,
): Promise<StreamsResult["churnDirect"]> {
  const churn = options.churn!;
  await fetch(`${upstreamOrigin}/__reset`, { method: "POST" });
  const result = await client.run(streamJob(system, churn.streams, options, `churn-direct-${Date.now().toString(36)}-`, churn.abortShare, 77));
  await sleep(2_000);
  const stats = await upstreamStats(upstreamOrigin);
  return { ...cancelDelay(result.aborts, new Map(stats.streams.map((s) => [s.id, s])), options.interChunkMs), aborted: result.aborts.length };
}

async function churnRun(system: RunningSystem, options: StreamsOptions, client: StreamClient, upstreamOrigin: string): Promise<ChurnResult> {
  const churn = options.churn!;
  const pid = system.managed!.pid;
  const origin = new URL(system.target.url).origin;
  await fetch(`${upstreamOrigin}/__reset`, { method: "POST" });
  // Idle upstream connections from earlier runs close first (the router's idle timeout), so the baseline is the idle router.
  await sleep(6_000);
  const budgetBefore = await budgetOf(origin);
  const heapBefore = (await probe(system.managed, "eld:read"))?.heapUsed;
  const fdsBefore = fdCount(pid) ?? 0;
  const rssBefore = rssBytes(pid) ?? 0;
  const sampler = sampleRss(pid, 200);
  let fdsPeak = fdsBefore;
  const fdTimer = setInterval(() => (fdsPeak = Math.max(fdsPeak, fdCount(pid) ?? 0)), 250);
  const prefix = `churn-${Date.now().toString(36)}-`;
  const result = await client.run(streamJob(system, churn.streams, options, prefix, churn.abortShare, 77));
  const atEnd = await upstreamStats(upstreamOrigin);
  await sleep(2_000);
  const after2s = await upstreamStats(upstreamOrigin);
  clearInterval(fdTimer);
  const rssPeak = sampler.stop() ?? 0;
  // Back to idle: the upstream connections the streams used close after the router's idle timeout.
  await sleep(6_000);
  const fdsAfter = fdCount(pid) ?? 0;
  const rssAfter = rssBytes(pid) ?? 0;
  const heapAfter = (await probe(system.managed, "eld:read"))?.heapUsed;
  const budgetAfter = await budgetOf(origin);
  const byId = new Map(after2s.streams.map((s) => [s.id, s]));
  const traces = readTraces(system.routerDir!, prefix);
  const traceStatuses: Record<string, number> = {};
  for (const t of traces) traceStatuses[String(t.status)] = (traceStatuses[String(t.status)] ?? 0) + 1;
  const traceById = new Map(traces.map((t) => [t.requestId, t]));
  let abortedWith499 = 0;
  let abortedTraced = 0;
  let settledOnProduced = 0;
  let abortedTokensTraced = 0;
  let abortedTokensProduced = 0;
  for (const a of result.aborts) {
    const t = traceById.get(a.id);
    if (t === undefined) continue;
    abortedTraced++;
    if (t.status === 499) abortedWith499++;
    const produced = (byId.get(a.id)?.sent ?? 0) * TOKENS_PER_CHUNK;
    abortedTokensTraced += t.outputTokens;
    abortedTokensProduced += produced;
    if (t.outputTokens <= produced && t.outputTokens >= produced - 2 * TOKENS_PER_CHUNK) settledOnProduced++;
  }
  return {
    streams: churn.streams,
    client: result,
    ...cancelDelay(result.aborts, byId, options.interChunkMs),
    upstreamOpenAtEnd: atEnd.openStreams,
    upstreamOpenAfter2s: after2s.openStreams,
    traceStatuses,
    abortedWith499,
    abortedTraced,
    settledOnProduced,
    abortedTokensTraced,
    abortedTokensProduced,
    budgetSpentDeltaUsd: budgetBefore !== undefined && budgetAfter !== undefined ? budgetAfter.spentUsd - budgetBefore.spentUsd : undefined,
    tracedCostUsd: traces.reduce((sum, t) => sum + t.costUsd, 0),
    reservedAfterUsd: budgetAfter?.reservedUsd,
    fds: { before: fdsBefore, peak: fdsPeak, after: fdsAfter },
    rssMb: { before: rssBefore / 2 ** 20, peak: rssPeak / 2 ** 20, after: rssAfter / 2 ** 20 },
    heapMb: { before: heapBefore === undefined ? undefined : heapBefore / 2 ** 20, after: heapAfter === undefined ? undefined : heapAfter / 2 ** 20 },
  };
}

/** Run the stream benchmark; every process it starts is stopped before it returns or throws. */
export async function runStreamsBench(options: StreamsOptions): Promise<StreamsResult> {
  const started = Date.now();
  // The machine may be shared: the load through the run says how far the latency figures can be trusted.
  const loads: number[] = [loadavg()[0] ?? 0];
  const loadTimer = setInterval(() => loads.push(loadavg()[0] ?? 0), 15_000);
  const log = options.log;
  const workDir = mkdtempSync(join(tmpdir(), "switchyard-streams-"));
  const group = new ProcessGroup();
  const running: RunningSystem[] = [];
  const unavailable: StreamsResult["unavailable"] = [];
  const maxStreams = Math.max(...options.counts, options.churn?.streams ?? 0);
  const fdLimit = ensureFdLimit(2 * maxStreams + 1024, log);
  try {
    await bundleBenchServers(workDir, ["stream-upstream", "bare-proxy", "eld-probe"]);
    const upstream = group.start({
      name: "stream-upstream",
      command: process.execPath,
      args: [join(workDir, "stream-upstream.cjs")],
      env: {
        ...process.env,
        BENCH_STREAM_CHUNKS: String(options.chunks),
        BENCH_INTER_CHUNK_MS: String(options.interChunkMs),
        BENCH_UPSTREAM_PORT: String(options.upstreamPort ?? 0),
      },
    });
    const upstreamOrigin = `http://127.0.0.1:${await waitForListening(upstream)}`;
    log(`stream upstream on ${upstreamOrigin} (pid ${upstream.pid}): ${options.chunks} chunks ${options.interChunkMs} ms apart`);
    const clientProcess = group.start({
      name: "stream-client",
      command: process.execPath,
      args: ["--import", "tsx", here("./client-worker.ts")],
      cwd: REPO_ROOT,
      ipc: true,
    });
    await waitForListening(clientProcess, 30_000);
    const client = new StreamClient(clientProcess);
    for (const name of options.systems) {
      try {
        const system = await starters[name]({
          group,
          upstreamOrigin,
          serversDir: workDir,
          workDir,
          cpus: undefined,
          extraNodeFlags:
            name === "direct"
              ? []
              : [
                  "--import",
                  join(workDir, "eld-probe.cjs"),
                  ...(name === "switchyard" ? (options.switchyardFlags ?? []) : []),
                  ...(options.profileDir !== undefined && name !== "portkey"
                    ? ["--cpu-prof", `--cpu-prof-dir=${options.profileDir}`, `--cpu-prof-name=${name}-${process.pid}.cpuprofile`]
                    : []),
                ],
          ipc: true,
          // A long stream holds an upstream connection throughout: the bare proxy's pool must not be the limit.
          // And the accept queue must hold a run's burst of connects while a busy system is slow to accept them: with
          // Node's default 511 the kernel dropped connects at 2,000 streams (TcpExt ListenOverflows), failing streams
          // for the harness's sake. Every system that can be told gets the same (Portkey's start script cannot).
          env: {
            BENCH_POOL_CONNECTIONS: String(maxStreams + 64),
            BENCH_LISTEN_BACKLOG: String(options.listenBacklog),
            SWITCHYARD_LISTEN_BACKLOG: String(options.listenBacklog),
            SWITCHYARD_ADMIN_TOKEN: ADMIN_TOKEN,
          },
          ...(options.routerFile !== undefined ? { routerFile: options.routerFile } : {}),
        });
        running.push(system);
        log(`${name}: ready${system.pid !== undefined ? ` (pid ${system.pid})` : ""}`);
      } catch (error) {
        const reason = error instanceof NotAvailable ? error.message : `failed to start: ${(error as Error).message}`;
        unavailable.push({ name, reason });
        log(`${name}: not available: ${reason}`);
      }
    }
    // Warm-up: 20 streams each, all systems at once (JIT, pools), not measured.
    await Promise.all(
      running.map(async (system) => {
        const r = await client.run(streamJob(system, 20, options, `warm-${system.name}-`, 0, 1));
        log(`warm-up ${system.name}: ${r.ok}/20 ok${r.firstError !== undefined ? ` (${r.firstError})` : ""}`);
      }),
    );
    const runs: StreamRun[] = [];
    for (let round = 1; round <= options.rounds; round++) {
      for (const streams of options.counts) {
        const order = running.map((_, i) => running[(i + round - 1 + options.counts.indexOf(streams)) % running.length]!);
        for (const system of order) {
          const run = await measure(system, streams, round, options, client, upstream, upstreamOrigin);
          runs.push(run);
          const c = run.client;
          const f = (v: number | null | undefined, digits = 1): string => (typeof v === "number" && Number.isFinite(v) ? v.toFixed(digits) : "—");
          log(
            `round ${round} ${system.name} × ${streams}: ok ${c.ok}, failed ${c.streams - c.ok}, CPU/chunk ${f(run.cpuUsPerChunk)} µs, writes/chunk ${f(run.writesPerChunk, 2)}, ` +
              `RSS peak ${run.rssPeakBytes === undefined ? "—" : f(run.rssPeakBytes / 2 ** 20)} MB, added gap p50/p99 ${f(c.addedGapMs.p50, 2)}/${f(c.addedGapMs.p99, 2)} ms, ` +
              `TTFB p50 ${f(c.ttfbMs.p50)} ms, connect p99 ${f(c.connectMs.p99)} ms, ELD p99 ${f(run.eld?.p99)} ms, client ELD p99 ${f(c.clientEldMs.p99)} ms, ` +
              `accept-queue overflows ${run.listenOverflows ?? "—"}` +
              (c.streams > c.ok ? `; failures ${JSON.stringify(c.failures)}; first error: ${c.firstError?.slice(0, 200) ?? "—"}` : ""),
          );
          await sleep(1_000);
        }
      }
    }
    let churn: StreamsResult["churn"];
    let churnDirect: StreamsResult["churnDirect"];
    const switchyard = running.find((s) => s.name === "switchyard");
    const direct = running.find((s) => s.name === "direct");
    if (options.churn !== undefined && switchyard !== undefined && direct !== undefined) {
      log(`churn floor: ${options.churn.streams} streams straight to the upstream, ${options.churn.abortShare * 100} % abandoned part-way`);
      try {
        churnDirect = await churnDirectRun(direct, options, client, upstreamOrigin);
      } catch (error) {
        log(`churn floor failed: ${(error as Error).message}`);
      }
    }
    if (options.churn !== undefined && switchyard !== undefined) {
      log(`churn: ${options.churn.streams} streams through switchyard, ${options.churn.abortShare * 100} % abandoned part-way`);
      try {
        churn = await churnRun(switchyard, options, client, upstreamOrigin);
      } catch (error) {
        churn = { error: (error as Error).message };
      }
    }
    const facts: Record<string, number | string> = {};
    if (switchyard !== undefined) Object.assign(facts, switchyard.facts);
    const { log: _log, ...rest } = options;
    return {
      options: rest,
      runs,
      unavailable,
      churn,
      ...(churnDirect !== undefined ? { churnDirect } : {}),
      fdLimit,
      facts,
      machine: describeMachine(),
      loadDuring: { min: Math.min(...loads), max: Math.max(...loads) },
      startedAt: new Date(started).toISOString(),
      elapsedMs: Date.now() - started,
    };
  } finally {
    clearInterval(loadTimer);
    await group.stopAll(3_000);
    rmSync(workDir, { recursive: true, force: true });
  }
}

/** Median over rounds of one figure of a system at a count. */
export function medianOf(runs: readonly StreamRun[], system: StreamSystem, streams: number, pick: (r: StreamRun) => number | undefined): number {
  return median(runs.filter((r) => r.system === system && r.streams === streams).map(pick));
}

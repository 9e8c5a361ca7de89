/**
 * @module The side-by-side load benchmark: starts the mock upstream, each system and a load generator
 * as separate processes, interleaves the systems over several rounds, and returns the figures.
 */
import { bundleBenchServers } from "./bundle-servers.ts";
import { mkdtempSync, rmSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { LoadGenerator } from "./load/client.ts";
import type { PacedResult, Target, ThroughputResult } from "./load/jobs.ts";
import { cpuTicks, ProcessGroup, sampleRss, TICKS_PER_SECOND, waitForListening } from "./processes.ts";
import { median, minMax } from "./stats.ts";
import { NODE_FLAGS, NotAvailable, type RunningSystem, starters, type SystemName } from "./systems.ts";
import { UPSTREAM_MARKER } from "./constants.ts";
import { addRedisStats, diffRedisStats, type RedisStats } from "./redis-stats.ts";
import { type ProfileSummary, profileRouter, startRouterFromSource } from "./profile.ts";
import { PERF_RUNS_PER_SYSTEM, type WholeProcessProfile, perfProfile, perfUnavailable, poolProfiles } from "./perf-profile.ts";

export interface LoadOptions {
  systems: SystemName[];
  rounds: number;
  warmupMs: number;
  /** Closed-loop throughput per system per round, in total. */
  throughputMs: number;
  /**
   * The round's throughput time is cut into this many slices, run for the systems in turn (A B C, A B C, …),
   * so systems compared in a round are measured seconds apart rather than a whole round apart. Default 1.
   */
  throughputSlices?: number;
  connections: number;
  /** Open-loop latency run at `rate` requests/s. */
  latencyMs: number;
  rate: number;
  /** Open-loop streaming run (time to first byte) at `streamRate` requests/s. */
  streamMs: number;
  streamRate: number;
  /** When > 0 and switchyard runs: one more throughput run of this length against the router under the V8 CPU profiler. */
  profileMs: number;
  /** Pin the system under test to CPU 1 and the upstream, the load generator and redis-server to CPU 0 (needs 2+ cores and taskset). */
  pin: boolean;
  log: (line: string) => void;
}

export interface RoundFigures {
  round: number;
  throughput: ThroughputResult;
  /** Peak VmRSS of the system's process during the throughput run. */
  rssPeakBytes: number | undefined;
  /** CPU time of the system's process per request during the throughput run, microseconds. */
  cpuUsPerRequest: number | undefined;
  latency: PacedResult;
  stream: PacedResult;
  /** switchyard-redis: what its redis-server did during the throughput run, per request. */
  redis?: RedisPerRequest;
}

/** A redis-server's work per chat request over a throughput run (INFO commandstats and cpu, before and after). */
export interface RedisPerRequest {
  /** Calls per request by command: `evalsha` (a script: one client round trip), the commands scripts run inside, `ping`. */
  calls: Record<string, number>;
  /** Client round trips per request: scripts (evalsha, eval) and pings; the commands a script runs cost none. */
  roundTrips: number;
  /** Microseconds of the server's CPU per request (its whole process: network, parsing, scripts). */
  cpuUsPerRequest: number;
  /** Microseconds the server spent inside each script call, on average (INFO's usec for evalsha and eval). */
  usecPerScript: number;
  /** Client round trips per second the server served meanwhile. */
  roundTripsPerSecond: number;
}

export interface SystemFigures {
  name: SystemName;
  /** The measured process; undefined for `direct`. */
  pid: number | undefined;
  rounds: RoundFigures[];
  facts: Record<string, number | string>;
  requestsPerSecond: number;
  requestsPerSecondRange: [number, number];
  p50Ms: number;
  p99Ms: number;
  /** Median over rounds of (this system − direct) in the same round; NaN without `direct`. */
  addedP50Ms: number;
  addedP99Ms: number;
  ttfbP50Ms: number;
  ttfbP99Ms: number;
  addedTtfbP50Ms: number;
  addedTtfbP99Ms: number;
  /** Time to the first content token of a stream (the role-only first chunk does not count). */
  ttftP50Ms: number;
  addedTtftP50Ms: number;
  rssPeakBytes: number | undefined;
  cpuUsPerRequest: number;
  /** Non-2xx, socket errors and timeouts over all measured runs; replies that did not come from the upstream. */
  failures: number;
  unexpected: number;
  firstError: string | undefined;
  /** switchyard-redis: the median over rounds of each per-request figure, and the server's name and version. */
  redis?: RedisPerRequest & { server: string };
}

export interface LoadResult {
  options: Omit<LoadOptions, "log">;
  systems: SystemFigures[];
  unavailable: { name: SystemName; reason: string }[];
  profile: { ok: true; value: ProfileSummary } | { ok: false; reason: string } | undefined;
  /** bare-proxy-tuned and switchyard (same Node flags) under Linux perf, kernel and every thread included. */
  perf?: { ok: true; value: WholeProcessProfile[] } | { ok: false; reason: string } | undefined;
  startedAt: string;
  elapsedMs: number;
}

/** One JSON and one streamed call: the system answers 200 with the upstream's reply, or it is not measured. */
async function verify(target: Target): Promise<void> {
  for (const [label, body] of [
    ["json", target.body],
    ["stream", target.streamBody],
  ] as const) {
    const res = await fetch(target.url, { method: "POST", headers: target.headers, body, signal: AbortSignal.timeout(10_000) });
    const text = await res.text();
    if (res.status !== 200) throw new Error(`${label} call answered ${res.status}: ${text.slice(0, 300)}`);
    if (!text.includes(UPSTREAM_MARKER)) throw new Error(`${label} call's reply does not carry the upstream's text: ${text.slice(0, 300)}`);
  }
}

function rotate<T>(items: readonly T[], by: number): T[] {
  if (items.length === 0) return [];
  const k = by % items.length;
  return [...items.slice(k), ...items.slice(0, k)];
}

function summariseSystem(
  name: SystemName,
  pid: number | undefined,
  rounds: RoundFigures[],
  facts: Record<string, number | string>,
  direct: RoundFigures[] | undefined,
): SystemFigures {
  const byRound = (round: number): RoundFigures | undefined => direct?.find((r) => r.round === round);
  const added = (pick: (r: RoundFigures) => number): number =>
    median(
      rounds.map((r) => {
        const d = byRound(r.round);
        return d ? pick(r) - pick(d) : undefined;
      }),
    );
  const rss = rounds.map((r) => r.rssPeakBytes).filter((v): v is number => v !== undefined);
  let failures = 0;
  let unexpected = 0;
  let firstError: string | undefined;
  for (const r of rounds) {
    failures += r.throughput.non2xx + r.throughput.errors + r.throughput.timeouts + r.latency.failed + r.stream.failed;
    unexpected += r.latency.unexpected + r.stream.unexpected;
    firstError ??= r.latency.firstError ?? r.stream.firstError;
    if (!firstError && r.throughput.non2xx + r.throughput.errors + r.throughput.timeouts > 0) {
      firstError = `throughput run: ${r.throughput.non2xx} non-2xx, ${r.throughput.errors} errors, ${r.throughput.timeouts} timeouts`;
    }
  }
  return {
    name,
    pid,
    rounds,
    facts,
    requestsPerSecond: median(rounds.map((r) => r.throughput.requestsPerSecond)),
    requestsPerSecondRange: minMax(rounds.map((r) => r.throughput.requestsPerSecond)),
    p50Ms: median(rounds.map((r) => r.latency.total.p50)),
    p99Ms: median(rounds.map((r) => r.latency.total.p99)),
    addedP50Ms: added((r) => r.latency.total.p50),
    addedP99Ms: added((r) => r.latency.total.p99),
    ttfbP50Ms: median(rounds.map((r) => r.stream.ttfb.p50)),
    ttfbP99Ms: median(rounds.map((r) => r.stream.ttfb.p99)),
    addedTtfbP50Ms: added((r) => r.stream.ttfb.p50),
    addedTtfbP99Ms: added((r) => r.stream.ttfb.p99),
    ttftP50Ms: median(rounds.map((r) => r.stream.ttft.p50)),
    addedTtftP50Ms: added((r) => r.stream.ttft.p50),
    rssPeakBytes: rss.length ? Math.max(...rss) : undefined,
    cpuUsPerRequest: median(rounds.map((r) => r.cpuUsPerRequest)),
    failures,
    unexpected,
    firstError,
    ...redisSummary(rounds, facts),
  };
}

function redisSummary(rounds: readonly RoundFigures[], facts: Record<string, number | string>): Pick<SystemFigures, "redis"> {
  const per = rounds.map((r) => r.redis).filter((r): r is RedisPerRequest => r !== undefined);
  if (per.length === 0) return {};
  const names = [...new Set(per.flatMap((r) => Object.keys(r.calls)))].sort();
  return {
    redis: {
      server: String(facts["redisServer"] ?? "redis-server"),
      calls: Object.fromEntries(names.map((n) => [n, median(per.map((r) => r.calls[n] ?? 0))])),
      roundTrips: median(per.map((r) => r.roundTrips)),
      cpuUsPerRequest: median(per.map((r) => r.cpuUsPerRequest)),
      usecPerScript: median(per.map((r) => r.usecPerScript)),
      roundTripsPerSecond: median(per.map((r) => r.roundTripsPerSecond)),
    },
  };
}

/** One closed-loop throughput slice of a system, with its process's CPU ticks and peak RSS meanwhile. */
interface ThroughputSlice {
  result: ThroughputResult;
  ticks: number | undefined;
  rssPeakBytes: number | undefined;
  /** What the system's redis-server did during the slice. */
  redis?: RedisStats;
}

async function throughputSlice(load: LoadGenerator, system: RunningSystem, options: LoadOptions, durationMs: number): Promise<ThroughputSlice> {
  const sampler = system.pid !== undefined ? sampleRss(system.pid) : undefined;
  const redisBefore = await system.redis?.stats();
  const ticksBefore = system.pid !== undefined ? cpuTicks(system.pid) : undefined;
  const result = await load.run({ kind: "throughput", target: system.target, connections: options.connections, durationMs });
  const ticksAfter = system.pid !== undefined ? cpuTicks(system.pid) : undefined;
  const rssPeakBytes = sampler?.stop();
  // The last requests' settlements leave right after their answers: read the server once they have arrived.
  const redisAfter = redisBefore === undefined ? undefined : await delay(20).then(() => system.redis!.stats());
  return {
    result,
    ticks: ticksBefore !== undefined && ticksAfter !== undefined ? ticksAfter - ticksBefore : undefined,
    rssPeakBytes,
    ...(redisBefore !== undefined && redisAfter !== undefined ? { redis: diffRedisStats(redisBefore, redisAfter) } : {}),
  };
}

/**
 * A system's slices of one round as one throughput figure: requests and time summed (req/s is all
 * requests over all the time), CPU per request over all of them, the highest RSS, the median slice's p50
 * and the worst slice's p99.
 */
export function combineSlices(slices: readonly ThroughputSlice[]): {
  throughput: ThroughputResult;
  cpuUsPerRequest: number | undefined;
  rssPeakBytes: number | undefined;
  redis?: RedisPerRequest;
} {
  let ok2xx = 0;
  let non2xx = 0;
  let errors = 0;
  let timeouts = 0;
  let durationSeconds = 0;
  let ticks: number | undefined = 0;
  const rss: number[] = [];
  for (const { result, ticks: t, rssPeakBytes } of slices) {
    ok2xx += result.ok2xx;
    non2xx += result.non2xx;
    errors += result.errors;
    timeouts += result.timeouts;
    durationSeconds += result.durationSeconds;
    ticks = t === undefined || ticks === undefined ? undefined : ticks + t;
    if (rssPeakBytes !== undefined) rss.push(rssPeakBytes);
  }
  const requests = ok2xx + non2xx;
  return {
    throughput: {
      kind: "throughput",
      ok2xx,
      non2xx,
      errors,
      timeouts,
      durationSeconds,
      requestsPerSecond: durationSeconds > 0 ? ok2xx / durationSeconds : 0,
      p50Ms: median(slices.map((s) => s.result.p50Ms)),
      p99Ms: Math.max(...slices.map((s) => s.result.p99Ms)),
    },
    cpuUsPerRequest: ticks !== undefined && requests > 0 && slices.length > 0 ? ((ticks / TICKS_PER_SECOND) * 1e6) / requests : undefined,
    rssPeakBytes: rss.length > 0 ? Math.max(...rss) : undefined,
    ...redisPerRequest(slices, requests, durationSeconds),
  };
}

/**
 * The Redis stores send scripts (EVALSHA; EVAL after a NOSCRIPT) and their health probe's PING; every
 * other command in INFO commandstats runs inside a script and costs the client no round trip.
 */
const ROUND_TRIP_COMMANDS = new Set(["evalsha", "eval", "ping"]);

function redisPerRequest(slices: readonly ThroughputSlice[], requests: number, seconds: number): { redis?: RedisPerRequest } {
  const parts = slices.map((s) => s.redis).filter((r): r is RedisStats => r !== undefined);
  if (parts.length === 0 || requests === 0) return {};
  const total = addRedisStats(parts);
  delete total.calls["info"]; // the bench's own reads
  const roundTrips = Object.entries(total.calls)
    .filter(([name]) => ROUND_TRIP_COMMANDS.has(name))
    .reduce((sum, [, n]) => sum + n, 0);
  const scripts = (total.calls["evalsha"] ?? 0) + (total.calls["eval"] ?? 0);
  const scriptUsec = (total.usec["evalsha"] ?? 0) + (total.usec["eval"] ?? 0);
  return {
    redis: {
      calls: Object.fromEntries(Object.entries(total.calls).map(([name, n]) => [name, n / requests])),
      roundTrips: roundTrips / requests,
      cpuUsPerRequest: (total.cpuSeconds * 1e6) / requests,
      usecPerScript: scripts > 0 ? scriptUsec / scripts : 0,
      roundTripsPerSecond: seconds > 0 ? roundTrips / seconds : 0,
    },
  };
}

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * One round: the throughput slices of every system in turn, then each system's paced latency and
 * streaming runs (those measure latency at a fixed rate, so they need no slicing).
 */
async function measureRound(
  load: LoadGenerator,
  systems: readonly RunningSystem[],
  round: number,
  options: LoadOptions,
): Promise<Map<SystemName, RoundFigures>> {
  const count = Math.max(1, Math.round(options.throughputSlices ?? 1));
  const sliceMs = options.throughputMs / count;
  const slices = new Map<SystemName, ThroughputSlice[]>(systems.map((s) => [s.name, []]));
  for (let i = 0; i < count; i++) {
    for (const system of systems) slices.get(system.name)!.push(await throughputSlice(load, system, options, sliceMs));
  }
  const out = new Map<SystemName, RoundFigures>();
  for (const system of systems) {
    const latency = await load.run({ kind: "paced", target: system.target, ratePerSecond: options.rate, durationMs: options.latencyMs, stream: false });
    const stream = await load.run({ kind: "paced", target: system.target, ratePerSecond: options.streamRate, durationMs: options.streamMs, stream: true });
    out.set(system.name, { round, ...combineSlices(slices.get(system.name)!), latency, stream });
  }
  return out;
}

/**
 * bare-proxy-tuned and the router from source, each started anew with `--perf-basic-prof` next to the
 * router's Node flags (so the difference is code, not flags) and profiled by perfProfile(), PERF_RUNS_PER_SYSTEM
 * times in turn; each system's runs are pooled.
 */
async function wholeProcessProfiles(options: {
  group: ProcessGroup;
  load: LoadGenerator;
  upstreamOrigin: string;
  workDir: string;
  cpus: string | undefined;
  releaseFile: string;
  target: Target;
  connections: number;
  durationMs: number;
}): Promise<WholeProcessProfile[]> {
  const { group, load, connections, durationMs } = options;
  const logs = mkdtempSync(join(options.workDir, "v8-logs-"));
  const bare: WholeProcessProfile[] = [];
  const router: WholeProcessProfile[] = [];
  for (let run = 0; run < PERF_RUNS_PER_SYSTEM; run++) {
    const proxy = await starters["bare-proxy-tuned"]({
      group,
      upstreamOrigin: options.upstreamOrigin,
      serversDir: options.workDir,
      workDir: options.workDir,
      cpus: options.cpus,
      extraNodeFlags: perfMapFlags(logs, `bare-proxy-tuned-${run}`),
    });
    try {
      bare.push(await perfProfile({ system: "bare-proxy-tuned", pid: proxy.pid as number, load, target: proxy.target, connections, durationMs }));
    } finally {
      await proxy.stop();
      removePerfMap(proxy.pid);
    }
    const dir = mkdtempSync(join(options.workDir, "perf-router-"));
    const started = await startRouterFromSource({
      group,
      name: "switchyard-perf",
      releaseFile: options.releaseFile,
      dir,
      cpus: options.cpus,
      nodeFlags: [...(NODE_FLAGS.switchyard ?? []), ...perfMapFlags(logs, `switchyard-${run}`)],
    });
    try {
      const target = { ...options.target, url: `http://127.0.0.1:${started.port}/v1/chat/completions` };
      router.push(await perfProfile({ system: "switchyard", pid: started.managed.pid, load, target, connections, durationMs }));
    } finally {
      await group.stop(started.managed, 5_000);
      removePerfMap(started.managed.pid);
    }
  }
  return [poolProfiles(bare), poolProfiles(router)];
}

/**
 * V8 writes /tmp/perf-<pid>.map (always /tmp), the names of its JIT code, for perf to read; the flag
 * also turns on V8's event log, which would land in the working directory unless sent elsewhere.
 */
function perfMapFlags(logDir: string, name: string): string[] {
  return ["--perf-basic-prof", "--no-logfile-per-isolate", `--logfile=${join(logDir, `${name}.log`)}`];
}

function removePerfMap(pid: number | undefined): void {
  if (pid !== undefined) rmSync(`/tmp/perf-${pid}.map`, { force: true });
}

/** Run the load benchmark; every process it starts is stopped before it returns or throws. */
export async function runLoadBench(options: LoadOptions): Promise<LoadResult> {
  const started = Date.now();
  const workDir = mkdtempSync(join(tmpdir(), "switchyard-bench-"));
  const group = new ProcessGroup();
  const log = options.log;
  const running: RunningSystem[] = [];
  const unavailable: LoadResult["unavailable"] = [];
  try {
    await bundleBenchServers(workDir, ["mock-upstream", "bare-proxy"]);
    const pin = options.pin && availableParallelism() >= 2;
    if (options.pin && !pin) log("--pin needs at least 2 cores; not pinning");
    const upstream = group.start({ name: "mock-upstream", command: process.execPath, args: [join(workDir, "mock-upstream.cjs")], cpus: pin ? "0" : undefined });
    const upstreamPort = await waitForListening(upstream);
    const upstreamOrigin = `http://127.0.0.1:${upstreamPort}`;
    log(`mock upstream on ${upstreamOrigin} (pid ${upstream.pid})`);
    const load = await LoadGenerator.start(group, pin ? "0" : undefined);
    log(`load generator pid ${load.pid}`);

    for (const name of options.systems) {
      try {
        const system = await starters[name]({
          group,
          upstreamOrigin,
          serversDir: workDir,
          workDir,
          cpus: pin ? "1" : undefined,
          serviceCpus: pin ? "0" : undefined,
        });
        try {
          await verify(system.target);
        } catch (error) {
          await system.stop();
          throw new NotAvailable(`started, but ${(error as Error).message}`);
        }
        running.push(system);
        log(`${name}: ready${system.pid !== undefined ? ` (pid ${system.pid})` : ""}`);
      } catch (error) {
        const reason = error instanceof NotAvailable ? error.message : `failed to start: ${(error as Error).message}`;
        unavailable.push({ name, reason });
        log(`${name}: not available: ${reason}`);
      }
    }

    if (options.warmupMs > 0) {
      for (const system of running) {
        log(`warm-up ${system.name} (${options.warmupMs} ms)`);
        await load.run({ kind: "throughput", target: system.target, connections: options.connections, durationMs: options.warmupMs });
        await load.run({ kind: "paced", target: system.target, ratePerSecond: options.streamRate, durationMs: Math.min(options.warmupMs, 500), stream: true });
      }
    }

    const rounds = new Map<SystemName, RoundFigures[]>(running.map((s) => [s.name, []]));
    for (let round = 1; round <= options.rounds; round++) {
      const measured = await measureRound(load, rotate(running, round - 1), round, options);
      for (const system of rotate(running, round - 1)) {
        const figures = measured.get(system.name)!;
        rounds.get(system.name)!.push(figures);
        log(
          `round ${round}/${options.rounds} ${system.name}: ${figures.throughput.requestsPerSecond.toFixed(0)} req/s, ` +
            `p50 ${figures.latency.total.p50.toFixed(3)} ms, p99 ${figures.latency.total.p99.toFixed(3)} ms @ ${options.rate}/s, ` +
            `stream ttfb p50 ${figures.stream.ttfb.p50.toFixed(3)} ms, ttft p50 ${figures.stream.ttft.p50.toFixed(3)} ms`,
        );
      }
    }
    const direct = rounds.get("direct");
    const systems = running.map((s) => summariseSystem(s.name, s.pid, rounds.get(s.name)!, s.facts, direct));
    let profile: LoadResult["profile"];
    const switchyard = running.find((s) => s.name === "switchyard");
    if (options.profileMs > 0 && switchyard?.releaseFile) {
      log(`profiling switchyard (router from source under the CPU profiler, ${options.profileMs} ms)`);
      await switchyard.stop();
      try {
        profile = {
          ok: true,
          value: await profileRouter({
            group,
            load,
            cpus: pin ? "1" : undefined,
            releaseFile: switchyard.releaseFile,
            target: switchyard.target,
            connections: options.connections,
            durationMs: options.profileMs,
            nodeFlags: NODE_FLAGS.switchyard,
          }),
        };
      } catch (error) {
        profile = { ok: false, reason: (error as Error).message };
        log(`profile failed: ${(error as Error).message}`);
      }
    }
    let perf: LoadResult["perf"];
    if (options.profileMs > 0 && switchyard?.releaseFile) {
      const why = perfUnavailable();
      if (why !== undefined) {
        perf = { ok: false, reason: why };
        log(`whole-process profile skipped: ${why}`);
      } else {
        log(`whole-process profile of bare-proxy-tuned and switchyard (Linux perf, ${PERF_RUNS_PER_SYSTEM} runs of ${options.profileMs} ms each, interleaved)`);
        try {
          perf = {
            ok: true,
            value: await wholeProcessProfiles({
              group,
              load,
              upstreamOrigin,
              workDir,
              cpus: pin ? "1" : undefined,
              releaseFile: switchyard.releaseFile,
              target: switchyard.target,
              connections: options.connections,
              durationMs: options.profileMs,
            }),
          };
        } catch (error) {
          perf = { ok: false, reason: (error as Error).message };
          log(`whole-process profile failed: ${(error as Error).message}`);
        }
      }
    }
    const { log: _log, ...rest } = options;
    return { options: rest, systems, unavailable, profile, perf, startedAt: new Date(started).toISOString(), elapsedMs: Date.now() - started };
  } finally {
    // Each system's own stop() too: switchyard-redis's redis-server is not one of the group's processes.
    await Promise.all(running.map((s) => s.stop().catch(() => undefined)));
    await group.stopAll(3_000);
    rmSync(workDir, { recursive: true, force: true });
  }
}

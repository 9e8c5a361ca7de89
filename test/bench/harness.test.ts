/**
 * @module Smoke test of the bench harness: a tiny real run (direct, bare-proxy and bare-proxy-tuned, about a second each) produces figures, and stops every process it started;
 * a tiny run of switchyard-redis (its router.mjs against a real redis-server) counts the Redis work per request.
 */
import { describe, expect, it } from "vitest";
import { ROUTER_NODE_FLAGS } from "@switchyard/router/node-flags";
import { combineSlices, runLoadBench } from "./src/harness.ts";
import { describeMachine } from "./src/machine.ts";
import { renderReport, targetChecks } from "./src/report.ts";
import { percentile, summarise, median } from "./src/stats.ts";
import { routesSource } from "./src/micro/gen-config.ts";
import { countPerfSamples, poolProfiles } from "./src/perf-profile.ts";
import { REPO_ROOT } from "./src/paths.ts";
import { diffRedisStats, parseRedisInfo, readRedisStats } from "./src/redis-stats.ts";

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("bench harness", () => {
  it("combines a round's throughput slices into one figure: requests over time, CPU over requests", () => {
    const slice = (ok2xx: number, seconds: number, p50Ms: number, p99Ms: number, ticks: number | undefined, rss: number | undefined) => ({
      result: {
        kind: "throughput" as const,
        ok2xx,
        non2xx: 1,
        errors: 2,
        timeouts: 0,
        durationSeconds: seconds,
        requestsPerSecond: ok2xx / seconds,
        p50Ms,
        p99Ms,
      },
      ticks,
      rssPeakBytes: rss,
    });
    const combined = combineSlices([slice(9_999, 1, 3, 9, 50, 70e6), slice(4_999, 1, 5, 20, 30, 80e6), slice(14_999, 1, 4, 8, 20, undefined)]);
    expect(combined.throughput).toMatchObject({ ok2xx: 29_997, non2xx: 3, errors: 6, durationSeconds: 3, requestsPerSecond: 9_999, p50Ms: 4, p99Ms: 20 });
    expect(combined.cpuUsPerRequest).toBeCloseTo(((100 / 100) * 1e6) / 30_000);
    expect(combined.rssPeakBytes).toBe(80e6);
    // A slice without CPU ticks (no process) leaves CPU/req unknown rather than understated.
    expect(combineSlices([slice(10, 1, 1, 1, 5, undefined), slice(10, 1, 1, 1, undefined, undefined)]).cpuUsPerRequest).toBeUndefined();
  });

  it("measures direct, bare-proxy and bare-proxy-tuned (the router's Node flags) side by side, then stops its processes", async () => {
    const lines: string[] = [];
    const result = await runLoadBench({
      systems: ["direct", "bare-proxy", "bare-proxy-tuned"],
      rounds: 1,
      warmupMs: 0,
      throughputMs: 600,
      throughputSlices: 2,
      connections: 8,
      latencyMs: 400,
      rate: 200,
      streamMs: 300,
      streamRate: 100,
      profileMs: 0,
      pin: false,
      log: (line) => lines.push(line),
    });
    expect(result.unavailable).toEqual([]);
    expect(result.systems.map((s) => s.name)).toEqual(["direct", "bare-proxy", "bare-proxy-tuned"]);
    for (const s of result.systems) {
      expect(s.requestsPerSecond).toBeGreaterThan(50);
      expect(s.p50Ms).toBeGreaterThan(0);
      expect(s.p99Ms).toBeGreaterThanOrEqual(s.p50Ms);
      expect(s.ttfbP50Ms).toBeGreaterThan(0);
      // The first token comes after the role-only first chunk (1 ms later at the mock).
      expect(s.ttftP50Ms).toBeGreaterThan(s.ttfbP50Ms);
      expect(s.failures).toBe(0);
      expect(s.unexpected).toBe(0);
      expect(s.rounds[0]!.latency.ok).toBeGreaterThan(50);
    }
    const bare = result.systems.find((s) => s.name === "bare-proxy")!;
    expect(bare.rssPeakBytes).toBeGreaterThan(10 * 1024 * 1024);
    expect(bare.cpuUsPerRequest).toBeGreaterThan(0);
    expect(Number.isFinite(bare.addedP50Ms)).toBe(true);
    expect(alive(bare.pid!)).toBe(false);
    // Every process it started (upstream, load generator, bare proxy) is gone.
    const pids = lines.flatMap((l) => [...l.matchAll(/pid (\d+)/g)].map((m) => Number(m[1])));
    expect(pids.length).toBeGreaterThanOrEqual(3);
    for (const pid of pids) expect(alive(pid)).toBe(false);

    const report = {
      command: "test",
      machine: describeMachine(),
      load: { ok: true as const, value: result },
      decide: undefined,
      compile: undefined,
      router: undefined,
      finishedAt: "now",
    };
    const markdown = renderReport(report);
    expect(markdown).toContain("| direct |");
    expect(markdown).toContain("| bare-proxy |");
    expect(markdown).toContain("| bare-proxy-tuned |");
    expect(markdown).toContain(`bare-proxy-tuned is the same bare proxy with \`node ${ROUTER_NODE_FLAGS.join(" ")}\``);
    expect(markdown).toContain("- bare-proxy-tuned / bare-proxy (what the router's Node flags cost a bare proxy)");
    expect(markdown).toContain("run as 2 slices of 0.3 s taken by the systems in turn");
    const checks = targetChecks(report);
    expect(checks.find((c) => c.name.startsWith("switchyard throughput / bare-proxy"))?.pass).toBeUndefined();

    // The whole-process profile's table: categories side by side, with the difference and a total.
    const profile = (system: string, shares: [string, number][]) => ({
      system,
      requestsPerSecond: 10_000,
      requests: 30_000,
      samples: 3_000,
      usPerRequest: shares.reduce((a, [, v]) => a + v, 0),
      shares: shares.map(([name, usPerRequest]) => ({ name, usPerRequest })),
    });
    const perf = {
      ok: true as const,
      value: [
        profile("bare-proxy-tuned", [
          ["kernel (main thread: socket reads and writes, epoll)", 15],
          ["JS: bare-proxy.cjs", 20],
          ["tiny", 0.1],
        ]),
        profile("switchyard", [
          ["kernel (main thread: socket reads and writes, epoll)", 13],
          ["JS: packages/router/src/http/", 9],
        ]),
      ],
    };
    const withPerf = renderReport({ ...report, load: { ok: true as const, value: { ...result, perf } } });
    expect(withPerf).toContain("| kernel (main thread: socket reads and writes, epoll) | 15.0 µs | 13.0 µs | −2.0 µs |");
    expect(withPerf).toContain("| JS: packages/router/src/http/ | — | 9.0 µs | +9.0 µs |");
    expect(withPerf).toContain("| everything else (under 0.5 µs each) | 0.1 µs | — | −0.1 µs |");
    expect(withPerf).toContain("| **all** | **35.1 µs** | **22.0 µs** | **−13.1 µs** |");
    const skipped = renderReport({
      ...report,
      load: { ok: true as const, value: { ...result, perf: { ok: false as const, reason: "perf is not installed" } } },
    });
    expect(skipped).toContain("Not measured: perf is not installed.");
  });

  it("reads a redis-server's INFO: commands by name, their time, the server's CPU; a slice's work divided by its requests", () => {
    const info = (evalsha: number, hset: number, cpu: number): string =>
      [
        "# CPU",
        `used_cpu_sys:${cpu / 2}`,
        `used_cpu_user:${cpu / 2}`,
        "",
        "# Commandstats",
        `cmdstat_evalsha:calls=${evalsha},usec=${evalsha * 40},usec_per_call=40.00,rejected_calls=0,failed_calls=0`,
        `cmdstat_hset:calls=${hset},usec=${hset},usec_per_call=1.00,rejected_calls=0,failed_calls=0`,
        "cmdstat_info:calls=7,usec=700,usec_per_call=100.00,rejected_calls=0,failed_calls=0",
      ].join("\r\n");
    const before = parseRedisInfo(info(100, 200, 1));
    expect(before).toEqual({ calls: { evalsha: 100, hset: 200, info: 7 }, usec: { evalsha: 4000, hset: 200, info: 700 }, cpuSeconds: 1 });
    const diff = diffRedisStats(before, parseRedisInfo(info(500, 900, 1.1)));
    expect(diff.calls).toEqual({ evalsha: 400, hset: 700 });
    expect(diff.cpuSeconds).toBeCloseTo(0.1);
    const slice = {
      result: { kind: "throughput" as const, ok2xx: 100, non2xx: 0, errors: 0, timeouts: 0, durationSeconds: 1, requestsPerSecond: 100, p50Ms: 1, p99Ms: 2 },
      ticks: 10,
      rssPeakBytes: undefined,
      redis: diff,
    };
    const { redis } = combineSlices([slice, slice]);
    // 800 scripts and 1,400 HSETs (inside the scripts) over 200 requests: 4 round trips each, the HSETs cost none.
    expect(redis).toEqual({
      calls: { evalsha: 4, hset: 7 },
      roundTrips: 4,
      cpuUsPerRequest: expect.closeTo(1_000, 6) as number,
      usecPerScript: 40,
      roundTripsPerSecond: 400,
    });
    expect(combineSlices([{ ...slice, redis: undefined }]).redis).toBeUndefined();
  });

  it("runs switchyard-redis: the bench fixture's router.mjs with its state on a real redis-server, the Redis work per request counted", async () => {
    const lines: string[] = [];
    const result = await runLoadBench({
      systems: ["switchyard-redis"],
      rounds: 1,
      warmupMs: 0,
      throughputMs: 600,
      throughputSlices: 2,
      connections: 4,
      latencyMs: 300,
      rate: 100,
      streamMs: 200,
      streamRate: 50,
      profileMs: 0,
      pin: false,
      log: (line) => lines.push(line),
    });
    expect(result.unavailable).toEqual([]);
    const [rs] = result.systems;
    expect(rs?.name).toBe("switchyard-redis");
    expect(rs!.failures + rs!.unexpected).toBe(0);
    expect(rs!.facts["redisServer"]).toMatch(/^(redis|valkey)-server \d+\.\d+/);
    // Every request is one ADMIT (rate limits + the first reservation) before the upstream call; its settlement goes in a
    // SETTLE_ADJUST after it, shared with the other settlements of the same tick (so between 0 and 1 more per request);
    // the odd extra round trip is a refresh or an EVAL after NOSCRIPT.
    const redis = rs!.redis!;
    expect(redis.roundTrips).toBeGreaterThanOrEqual(1);
    expect(redis.roundTrips).toBeLessThan(2.2);
    expect(redis.calls["evalsha"]).toBeGreaterThanOrEqual(1);
    expect(redis.calls["hset"]).toBeGreaterThan(0);
    expect(redis.cpuUsPerRequest).toBeGreaterThan(0);
    expect(alive(rs!.pid!)).toBe(false);
    // Its redis-server is stopped with it: nothing answers on its port any more.
    await expect(readRedisStats(Number(rs!.facts["redisPort"]))).rejects.toThrow();
    const report = {
      command: "test",
      machine: describeMachine(),
      load: { ok: true as const, value: result },
      decide: undefined,
      compile: undefined,
      router: undefined,
    };
    const markdown = renderReport({ ...report, routerRedis: { bytes: 200 * 1024, gzipBytes: 70 * 1024 }, finishedAt: "now" });
    expect(markdown).toContain("### Shared state on Redis (switchyard-redis)");
    expect(markdown).toMatch(/Redis round trips per chat request: \d\.\d\d/);
    expect(markdown).toContain("| `evalsha` |");
    expect(markdown).toContain("| router.mjs minified, Redis state (bench fixture) | ≤ 240 KB | 200.0 KB | **pass**");
  }, 120_000);

  it("pools a system's perf runs by requests, so the categories still add up to the total", () => {
    const run = (requests: number, shares: Record<string, number>) => ({
      system: "s",
      requestsPerSecond: requests / 3,
      requests,
      samples: requests,
      usPerRequest: Object.values(shares).reduce((a, b) => a + b, 0),
      shares: Object.entries(shares).map(([name, usPerRequest]) => ({ name, usPerRequest })),
    });
    const pooled = poolProfiles([run(100, { kernel: 10 }), run(300, { kernel: 20, js: 4 })]);
    expect(pooled.shares).toEqual([
      { name: "kernel", usPerRequest: 17.5 },
      { name: "js", usPerRequest: 3 },
    ]);
    expect([pooled.requests, pooled.usPerRequest, pooled.samples]).toEqual([400, 20.5, 400]);
    expect(() => poolProfiles([])).toThrow("no profile runs");
  });

  it("sorts perf samples: kernel, collector, compiler, file I/O, and JavaScript by the innermost frame's area", () => {
    const src = (file: string): string => `file://${REPO_ROOT}/packages/router/src/${file}`;
    const sample = (tid: number, ...frames: [string, string][]): string =>
      `${tid} \n${frames.map(([sym, dso]) => `\t    7f00deadbeef ${sym} (${dso})`).join("\n")}\n`;
    const text = [
      sample(
        100,
        ["tcp_sendmsg_locked", "[kernel.kallsyms]"],
        ["__GI___writev", "/usr/lib/x86_64-linux-gnu/libc.so.6"],
        [`JS:*chat ${src("http/server.ts")}:200:16`, "/tmp/perf-100.map"],
      ),
      sample(100, ["v8::internal::Scavenger::ScavengePage", "/usr/bin/node"], [`JS:*chat ${src("http/server.ts")}:200:16`, "/tmp/perf-100.map"]),
      sample(
        100,
        ["v8::internal::JsonParser<unsigned char>::ParseJsonValue<false>+0x1f", "/usr/bin/node"],
        [`JS:*readCompletion ${src("adapters/openai/index.ts")}:32:1`, "/tmp/perf-100.map"],
        [`JS:*chat ${src("http/server.ts")}:200:16`, "/tmp/perf-100.map"],
      ),
      sample(100, ["JS:~emit node:events:470:28", "/tmp/perf-100.map"]),
      sample(100, ["JS:*onStreamRead node:internal/stream_base_commons:163:22", "/tmp/perf-100.map"]),
      sample(100, ["uv__io_poll", "/usr/bin/node"]),
      sample(101, ["v8::internal::ScavengerCollector::JobTask::Run", "/usr/bin/node"], ["start_thread", "/usr/lib/x86_64-linux-gnu/libc.so.6"]),
      sample(
        102,
        ["v8::internal::compiler::PipelineImpl::OptimizeGraph", "/usr/bin/node"],
        ["v8::internal::OptimizingCompileDispatcher::CompileTask::RunInternal", "/usr/bin/node"],
      ),
      sample(103, ["ext4_file_write_iter", "[kernel.kallsyms]"], ["__GI___writev", "/usr/lib/x86_64-linux-gnu/libc.so.6"], ["uv__fs_work", "/usr/bin/node"]),
    ].join("\n");
    expect(Object.fromEntries(countPerfSamples(text, 100))).toEqual({
      "kernel (main thread: socket reads and writes, epoll)": 1,
      "garbage collection (main thread)": 1,
      "JS: packages/router/src/adapters/": 1,
      "JS: node:events": 1,
      "JS: node:internal/stream_base_commons": 1,
      "native, no JavaScript frame (event loop, node:http's parser)": 1,
      "garbage collection (V8 helper threads)": 1,
      "JIT compilation (V8 helper threads)": 1,
      "file I/O (libuv threadpool)": 1,
    });
  });

  it("computes nearest-rank percentiles and medians", () => {
    const samples = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(samples, 50)).toBe(50);
    expect(percentile(samples, 99)).toBe(99);
    expect(summarise([3, 1, 2]).p50).toBe(2);
    expect(median([4, undefined, 1, Number.NaN, 3])).toBe(3);
    expect(median([1, 2, 3, 4])).toBe(2.5);
  });

  it("judges targets: a miss says by how much", () => {
    const machine = describeMachine();
    const checks = targetChecks({
      command: "test",
      machine,
      load: undefined,
      decide: { ok: true, value: [{ models: 100, shape: "typical", nsPerCall: 3000, range: [2900, 3100], calls: 1, candidates: 4 }] },
      compile: undefined,
      router: { bytes: 100 * 1024, gzipBytes: 30 * 1024 },
      finishedAt: "now",
    });
    const decide = checks.find((c) => c.name.includes("typical"))!;
    expect(decide.pass).toBe(false);
    expect(decide.margin).toContain("over by 1.00 µs");
    expect(checks.find((c) => c.name.startsWith("router.mjs minified"))!.pass).toBe(true);
  });

  it("generates a config with the requested number of routes", () => {
    const { source } = routesSource({ routes: 25, models: 200 });
    expect(source.match(/^ {4}"r\d{4}": /gm)?.length).toBe(25);
    expect(source.match(/^ {4}"m\d{3}": /gm)?.length).toBe(200);
  });
});

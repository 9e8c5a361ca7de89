/** @module Smoke test of the bench harness: a tiny real run (direct, bare-proxy and bare-proxy-tuned, about a second each) produces figures, and stops every process it started. */
import { describe, expect, it } from "vitest";
import { ROUTER_NODE_FLAGS } from "@switchyard/router/node-flags";
import { runLoadBench } from "./src/harness.ts";
import { describeMachine } from "./src/machine.ts";
import { renderReport, targetChecks } from "./src/report.ts";
import { percentile, summarise, median } from "./src/stats.ts";
import { routesSource } from "./src/micro/gen-config.ts";

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("bench harness", () => {
  it("measures direct, bare-proxy and bare-proxy-tuned (the router's Node flags) side by side, then stops its processes", async () => {
    const lines: string[] = [];
    const result = await runLoadBench({
      systems: ["direct", "bare-proxy", "bare-proxy-tuned"],
      rounds: 1,
      warmupMs: 0,
      throughputMs: 400,
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

    const report = { command: "test", machine: describeMachine(), load: { ok: true as const, value: result }, decide: undefined, compile: undefined, router: undefined, finishedAt: "now" };
    const markdown = renderReport(report);
    expect(markdown).toContain("| direct |");
    expect(markdown).toContain("| bare-proxy |");
    expect(markdown).toContain("| bare-proxy-tuned |");
    expect(markdown).toContain(`bare-proxy-tuned is the same bare proxy with \`node ${ROUTER_NODE_FLAGS.join(" ")}\``);
    expect(markdown).toContain("- bare-proxy-tuned / bare-proxy (what the router's Node flags cost a bare proxy)");
    const checks = targetChecks(report);
    expect(checks.find((c) => c.name.startsWith("switchyard throughput / bare-proxy"))?.pass).toBeUndefined();
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

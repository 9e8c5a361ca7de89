/**
 * @module The response cache side by side (issue 22): one router.mjs (the bench fixture plus `faq`, the same route with
 * a cache: fixtures/routes-cache.ts) against the mock upstream, called three ways in turn:
 *
 * - `uncached`: the fixture's `chat` route (no cache: the baseline),
 * - `miss`: `faq` with `Cache-Control: no-cache` (key, upstream call, answer stored: what a miss costs, without the
 *   lookup, which is one Map read in memory),
 * - `hit`: `faq` with the same request each time (answered from the in-memory cache, no upstream call),
 * - `no-store` (only with `--ways`): `faq` with `Cache-Control: no-store` (no key, nothing stored).
 *
 * Closed-loop throughput in slices the three take in rotating order (this machine's speed drifts over tens of
 * seconds), the router's CPU per request over each slice (/proc), then open-loop latency at a fixed rate, rotating too.
 * The mock upstream answers at once, so the hit's gain here is only the router's own work; against a real model a hit
 * also skips the model's seconds.
 *
 *     node --import tsx test/bench/src/cache-bench.ts [--slices 6] [--slice-ms 2000] [--connections 32] [--rate 300] [--paced-ms 3000] [--ways uncached,miss,hit] [--prof-dir DIR]
 */
import { bundleBenchServers } from "./bundle-servers.ts";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { ROUTER_NODE_FLAGS } from "@switchyard/router/node-flags";
import { TEAM_KEY_ENV, TEAM_KEY_VALUE, UPSTREAM_KEY_ENV, UPSTREAM_KEY_VALUE } from "./constants.ts";
import { LoadGenerator } from "./load/client.ts";
import type { Target } from "./load/jobs.ts";
import { cpuTicks, freePort, ProcessGroup, TICKS_PER_SECOND, waitForHttp, waitForListening } from "./processes.ts";
import { median } from "./stats.ts";
import { buildSwitchyard } from "./systems.ts";

const { values } = parseArgs({
  options: {
    slices: { type: "string", default: "6" },
    "slice-ms": { type: "string", default: "2000" },
    connections: { type: "string", default: "32" },
    rate: { type: "string", default: "300" },
    "paced-ms": { type: "string", default: "3000" },
    ways: { type: "string", default: "uncached,miss,hit" },
    /** Write the router's V8 CPU profile here (node --cpu-prof; written when the router exits). */
    "prof-dir": { type: "string" },
  },
});
const slices = Number(values.slices);
const sliceMs = Number(values["slice-ms"]);
const connections = Number(values.connections);
const rate = Number(values.rate);
const pacedMs = Number(values["paced-ms"]);

interface Way {
  name: "uncached" | "miss" | "hit" | "no-store";
  target: Target;
  rps: number[];
  cpuUs: number[];
  p50: number[];
  p99: number[];
  cacheHeaders: Set<string>;
}

const messages = [
  { role: "system", content: "You are a terse assistant." },
  { role: "user", content: "Say hello in five words." },
];

const workDir = mkdtempSync(join(tmpdir(), "switchyard-cache-bench-"));
const group = new ProcessGroup();
try {
  await bundleBenchServers(workDir, ["mock-upstream"]);
  const upstream = group.start({ name: "mock-upstream", command: process.execPath, args: [join(workDir, "mock-upstream.cjs")] });
  const origin = `http://127.0.0.1:${await waitForListening(upstream)}`;
  const { routerFile } = await buildSwitchyard({ upstreamOrigin: origin, workDir }, "switchyard-cache");
  const port = await freePort();
  const router = group.start({
    name: "switchyard-cache",
    command: process.execPath,
    args: [
      ...ROUTER_NODE_FLAGS,
      ...(values["prof-dir"] === undefined
        ? []
        : ["--cpu-prof", `--cpu-prof-dir=${resolve(values["prof-dir"])}`, "--cpu-prof-name=switchyard-cache.cpuprofile"]),
      routerFile,
      "--port",
      String(port),
      "--host",
      "127.0.0.1",
    ],
    cwd: dirname(routerFile),
    env: { ...process.env, [TEAM_KEY_ENV]: TEAM_KEY_VALUE, [UPSTREAM_KEY_ENV]: UPSTREAM_KEY_VALUE },
  });
  await waitForHttp(router, `http://127.0.0.1:${port}/healthz`);
  const load = await LoadGenerator.start(group);

  const url = `http://127.0.0.1:${port}/v1/chat/completions`;
  const headers = { "content-type": "application/json", authorization: `Bearer ${TEAM_KEY_VALUE}` };
  // temperature 0: a sampled request bypasses the cache unless the route says `sampled: true`.
  const target = (route: string, extra: Record<string, string> = {}): Target => ({
    url,
    headers: { ...headers, ...extra },
    body: JSON.stringify({ model: route, messages, max_tokens: 32, temperature: 0 }),
    streamBody: JSON.stringify({ model: route, messages, max_tokens: 32, temperature: 0, stream: true }),
  });
  const ways: Way[] = [
    { name: "uncached", target: target("chat") },
    { name: "miss", target: target("faq", { "cache-control": "no-cache" }) },
    { name: "hit", target: target("faq") },
    // Not run by default: the cached route with `no-store` (no key, nothing stored), to tell the key and store apart from the rest.
    { name: "no-store", target: target("faq", { "cache-control": "no-store" }) },
  ]
    .filter((w) => values.ways.split(",").includes(w.name))
    .map((w) => ({ ...w, name: w.name as Way["name"], rps: [], cpuUs: [], p50: [], p99: [], cacheHeaders: new Set<string>() }));

  // What the router says it did for each way (one request each; the `hit` way's first request stores the answer).
  for (const way of ways) {
    for (let i = 0; i < 2; i++) {
      const res = await fetch(way.target.url, { method: "POST", headers: way.target.headers, body: way.target.body });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`${way.name}: status ${res.status}`);
      if (i === 1) way.cacheHeaders.add(res.headers.get("x-switchyard-cache") ?? "none");
    }
  }
  for (const way of ways) await load.run({ kind: "throughput", target: way.target, connections, durationMs: 1_000 });

  for (let i = 0; i < slices; i++) {
    for (const way of ways.map((_, k) => ways[(k + i) % ways.length] as Way)) {
      const t0 = cpuTicks(router.pid) ?? 0;
      const r = await load.run({ kind: "throughput", target: way.target, connections, durationMs: sliceMs });
      const t1 = cpuTicks(router.pid) ?? 0;
      const requests = r.ok2xx + r.non2xx;
      if (r.non2xx + r.errors > 0) console.log(`[cache-bench] ${way.name}: ${r.non2xx} non-2xx, ${r.errors} errors`);
      way.rps.push(r.requestsPerSecond);
      way.cpuUs.push((((t1 - t0) / TICKS_PER_SECOND) * 1e6) / requests);
    }
  }
  for (let i = 0; i < 3; i++) {
    for (const way of ways.map((_, k) => ways[(k + i) % ways.length] as Way)) {
      const r = await load.run({ kind: "paced", target: way.target, ratePerSecond: rate, durationMs: pacedMs, stream: false });
      if (r.failed + r.unexpected > 0) console.log(`[cache-bench] ${way.name}: ${r.failed} failed, ${r.unexpected} unexpected (${r.firstError ?? ""})`);
      way.p50.push(r.total.p50);
      way.p99.push(r.total.p99);
    }
  }

  const base = ways.find((w) => w.name === "uncached") ?? (ways[0] as Way);
  const f = (xs: number[], d = 0): string => median(xs).toFixed(d);
  console.log(`\n${slices} throughput slices of ${sliceMs} ms per way (${connections} connections), then 3 × ${pacedMs} ms at ${rate} req/s; medians:`);
  console.log("| way | x-switchyard-cache | req/s | ÷ uncached | router CPU µs/req | p50 ms | p99 ms |");
  console.log("| --- | --- | --- | --- | --- | --- | --- |");
  for (const way of ways) {
    console.log(
      `| ${way.name} | ${[...way.cacheHeaders].join(", ")} | ${f(way.rps)} | ${((median(way.rps) / median(base.rps)) * 100).toFixed(0)} % | ${f(way.cpuUs)} | ${f(way.p50, 2)} | ${f(way.p99, 2)} |`,
    );
  }
} finally {
  await group.stopAll(3_000);
  rmSync(workDir, { recursive: true, force: true });
}

/**
 * @module Redis state micro-benchmark: Redis round trips per governed chat request through the Redis
 * stores, and what one redis-server on this machine sustains (store requests/s, Redis commands/s).
 *
 *     node --import tsx test/bench/src/micro/redis-state.ts [--seconds 5] [--concurrency 64] [--path combined|separate]
 *
 * A "governed request" is what the governor does for a chat request of a team with rpm/tpm limits and
 * a hard budget, answered on its first attempt. `combined` (what the router does): one admit() (the
 * rate-limit take and the reservation in one script) before the upstream call, one settleAndAdjust()
 * after. `separate` (the router before): take, reserve, then settle and the token correction pipelined.
 */
import { execFileSync } from "node:child_process";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { createRedisStateStores } from "../../../../packages/router/src/state/redis/index.ts";
import type { StateStores } from "../../../../packages/router/src/state/stores.ts";
import { startRedis } from "../../../helpers/redis-server.ts";

const { values } = parseArgs({
  options: { seconds: { type: "string", default: "5" }, concurrency: { type: "string", default: "64" }, path: { type: "string", default: "combined" } },
});
const seconds = Number(values.seconds);
const combined = values.path !== "separate";
const concurrency = Number(values.concurrency);

const server = await startRedis();
const stores = await createRedisStateStores({ url: server.url(), keyPrefix: "bench:", environment: "prod", onUnavailable: "refuse", commandTimeoutMs: 2_000 });
const DAY = 86_400_000;

/** One governed request; returns the ms spent on the hot path (before the upstream call). */
async function governed(s: StateStores, team: string): Promise<number> {
  return combined ? governedCombined(s, team) : governedSeparate(s, team);
}

async function governedCombined(s: StateStores, team: string): Promise<number> {
  const now = Date.now();
  const start = performance.now();
  const periodStart = Math.floor(now / DAY) * DAY;
  const a = await s.admission.admit({
    limits: { team, rpm: 1e9, tpm: 1e12, tokens: 600, now },
    budget: { team, limitUsd: 1e9, mode: "hard", period: "day", periodStart, periodEnd: periodStart + DAY, amountUsd: 0.002, now },
  });
  const hot = performance.now() - start;
  const id = a.reservation?.id;
  if (!a.rateLimit.allowed || id === undefined) throw new Error("refused");
  await s.admission.settleAndAdjust({ settle: { team, id, costUsd: 0.0015, now }, adjust: { team, rpm: 1e9, tpm: 1e12, deltaTokens: -200, now } });
  return hot;
}

async function governedSeparate(s: StateStores, team: string): Promise<number> {
  const now = Date.now();
  const start = performance.now();
  const periodStart = Math.floor(now / DAY) * DAY;
  const limit = await s.limits.take({ team, rpm: 1e9, tpm: 1e12, tokens: 600, now });
  const r = await s.budgets.reserve({ team, limitUsd: 1e9, mode: "hard", period: "day", periodStart, periodEnd: periodStart + DAY, amountUsd: 0.002, now });
  const hot = performance.now() - start;
  if (!limit.allowed || r.id === undefined) throw new Error("refused");
  await Promise.all([s.budgets.settle({ team, id: r.id, costUsd: 0.0015, now }), s.limits.adjustTokens({ team, rpm: 1e9, tpm: 1e12, deltaTokens: -200, now })]);
  return hot;
}

/** Server-side counters: scripts run (EVALSHA/EVAL: one client round trip each on this path), commands run (inside scripts too), CPU seconds. */
function counters(): { scripts: number; commands: number; cpu: number } {
  const info = server.cli("INFO", "all");
  let scripts = 0;
  let commands = 0;
  for (const m of info.matchAll(/^cmdstat_(\w+):calls=(\d+)/gm)) {
    if (m[1] === "info") continue;
    commands += Number(m[2]);
    if (m[1] === "evalsha" || m[1] === "eval") scripts += Number(m[2]);
  }
  const cpu = Number(/used_cpu_user:([\d.]+)/.exec(info)?.[1] ?? 0) + Number(/used_cpu_sys:([\d.]+)/.exec(info)?.[1] ?? 0);
  return { scripts, commands, cpu };
}

// Round trips: sequential requests, commands counted by the server.
for (let i = 0; i < 200; i++) await governed(stores, "warm");
const before = counters();
const N = 1_000;
for (let i = 0; i < N; i++) await governed(stores, `team${i % 10}`);
const after = counters();
const scriptsPerRequest = (after.scripts - before.scripts) / N;
const commandsPerRequest = (after.commands - before.commands) / N;
const cpuUsPerRequest = ((after.cpu - before.cpu) * 1e6) / N;

// Latency of the hot path, one request at a time.
const hot: number[] = [];
for (let i = 0; i < 2_000; i++) hot.push(await governed(stores, `team${i % 10}`));
hot.sort((a, b) => a - b);

// Throughput: `concurrency` requests in flight for `seconds`.
let done = 0;
const c0 = counters();
const end = Date.now() + seconds * 1_000;
const t0 = performance.now();
await Promise.all(
  Array.from({ length: concurrency }, async (_, w) => {
    while (Date.now() < end) {
      await governed(stores, `team${w % 50}`);
      done++;
    }
  }),
);
const elapsed = (performance.now() - t0) / 1_000;
const c1 = counters();
const redisCpuShare = (c1.cpu - c0.cpu) / elapsed;

let raw = "redis-benchmark not found";
try {
  raw = execFileSync("redis-benchmark", ["-p", String(server.port), "-t", "ping,set,get", "-n", "200000", "-P", "1", "-c", "50", "-q"])
    .toString()
    .replace(/\r/g, "\n")
    .split("\n")
    .filter((l) => /requests per second/.test(l))
    .map((l) => l.trim())
    .join("; ");
} catch {
  // optional
}

await stores.close();
await server.stop();
const p = (q: number) => hot[Math.min(hot.length - 1, Math.floor(q * hot.length))]!.toFixed(3);
console.log(`server: ${server.version.split(" ").slice(0, 3).join(" ")}; path: ${combined ? "combined" : "separate"}`);
const shape = combined
  ? "1 on the hot path: admit; then settle + token correction in one"
  : "2 on the hot path: rate-limit take, budget reserve; then settle + token correction";
console.log(
  `Redis round trips (scripts) per governed request: ${scriptsPerRequest.toFixed(2)} (${shape}); ${commandsPerRequest.toFixed(1)} Redis commands inside them`,
);
console.log(
  `Redis CPU per governed request: ${cpuUsPerRequest.toFixed(0)} µs (→ about ${(1e6 / cpuUsPerRequest).toFixed(0)} governed requests/s per fully used Redis core)`,
);
console.log(`hot path (${combined ? "admit" : "take + reserve"}), one at a time: p50 ${p(0.5)} ms, p99 ${p(0.99)} ms`);
console.log(
  `governed requests/s through one connection at concurrency ${concurrency}: ${(done / elapsed).toFixed(0)} (${((c1.scripts - c0.scripts) / elapsed).toFixed(0)} scripts/s, ${((c1.commands - c0.commands) / elapsed).toFixed(0)} commands/s; redis-server at ${(redisCpuShare * 100).toFixed(0)} % of a core)`,
);
console.log(`redis-benchmark (50 clients, no pipelining): ${raw}`);

/**
 * @module The floor under switchyard-redis's added latency: how long one round trip to another process
 * takes on this machine when requests come one at a time with a gap between them, as the bench's open
 * loop sends them (500 req/s is a 2 ms gap). For each gap: a PING on a raw socket (no client library),
 * an empty script through ioredis (EVALSHA, as the stores call), and the hot path itself (the stores' admit(): ADMIT on Redis; each request's
 * settlement follows it, as in the router, off the measured time).
 *
 *     node --import tsx test/bench/src/micro/redis-rtt.ts [--gaps 0,2,10] [--samples 400] [--pin]
 *
 * With `--pin`, redis-server runs on CPU 0 and this process on CPU 1 (`taskset`), as `pnpm bench --pin` places them.
 */
import { execFileSync } from "node:child_process";
import { connect } from "node:net";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import { RedisBackend } from "../../../../packages/router/src/state/redis/backend.ts";
import { createRedisStateStores } from "../../../../packages/router/src/state/redis/index.ts";
import { startRedis } from "../../../helpers/redis-server.ts";

const { values } = parseArgs({
  options: { gaps: { type: "string", default: "0,2,10" }, samples: { type: "string", default: "400" }, pin: { type: "boolean", default: false } },
});
const gaps = values.gaps.split(",").map(Number);
const samples = Number(values.samples);
if (values.pin) execFileSync("taskset", ["-cp", "1", String(process.pid)], { stdio: "ignore" });

const server = await startRedis(values.pin ? { cpus: "0" } : {});
const raw = connect(server.port, "127.0.0.1");
raw.setNoDelay(true);
await new Promise((resolve) => raw.once("connect", resolve));
const backend = new RedisBackend({ url: server.url(), commandTimeoutMs: 2_000, onUnavailable: "refuse", log: () => undefined, probeMs: 60_000 });
await backend.start(5_000);
const io = backend.client; // ioredis, as the stores use it
const stores = await createRedisStateStores({ url: server.url(), keyPrefix: "rtt:", environment: "bench", onUnavailable: "refuse", commandTimeoutMs: 2_000 });
const DAY = 86_400_000;

const rawPing = (): Promise<unknown> =>
  new Promise((resolve) => {
    raw.once("data", resolve);
    raw.write("*1\r\n$4\r\nPING\r\n");
  });

/** One governed request's hot path; returns after its settlement, which is not timed. */
async function admit(): Promise<number> {
  const now = Date.now();
  const team = "t";
  const periodStart = Math.floor(now / DAY) * DAY;
  const start = performance.now();
  const a = await stores.admission.admit({
    limits: { team, rpm: 1e9, tpm: 1e12, tokens: 600, now },
    budget: { team, limitUsd: 1e9, mode: "hard", period: "day", periodStart, periodEnd: periodStart + DAY, amountUsd: 0.002, now },
  });
  const ms = performance.now() - start;
  const id = a.reservation?.id;
  if (id === undefined) throw new Error("the bench team's admission was refused");
  await stores.admission.settleAndAdjust({ settle: { team, id, costUsd: 0.0015, now }, adjust: { team, rpm: 1e9, tpm: 1e12, deltaTokens: -200, now } });
  return ms;
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

const percentile = (xs: number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))] ?? Number.NaN;
const us = (ms: number): string => `${Math.round(ms * 1000)}`;

console.log(
  `redis-server ${server.version} on 127.0.0.1, ${samples} samples per gap${values.pin ? ", pinned (redis CPU 0, this process CPU 1)" : ""}; p50 / p90 in µs`,
);
console.log("gap between requests | raw-socket PING | ioredis EVALSHA of an empty script | stores admit() (ADMIT) | admit() − raw PING (p50)");
console.log("--- | --- | --- | --- | ---");
// An empty script through ioredis: a round trip as the stores make theirs (EVALSHA is not auto-pipelined; PING would be).
const emptySha = String(await io.script("LOAD", "return 1"));
const probes: Array<() => Promise<number>> = [() => timed(rawPing), () => timed(() => io.evalsha(emptySha, 0)), admit];
for (let i = 0; i < 200; i++) for (const probe of probes) await probe(); // warm-up
for (const gap of gaps) {
  const results: number[][] = [[], [], []];
  // Each probe in a run of its own (interleaving them would put another probe's round trip in every gap), in halves so the machine's drift hits the three alike.
  for (const half of [0, 1]) {
    for (const [k, probe] of probes.entries()) {
      for (let i = half; i < samples; i += 2) {
        if (gap > 0) await sleep(gap);
        results[k]!.push(await probe());
      }
    }
  }
  const cells = results.map((xs) => `${us(percentile(xs, 0.5))} / ${us(percentile(xs, 0.9))}`);
  console.log(`${gap} ms | ${cells.join(" | ")} | ${us(percentile(results[2]!, 0.5) - percentile(results[0]!, 0.5))}`);
}
raw.destroy();
await backend.close();
await stores.close();
await server.stop();

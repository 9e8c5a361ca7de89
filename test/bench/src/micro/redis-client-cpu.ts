/**
 * @module The router's own CPU per governed request on its state stores (client side: ioredis encoding,
 * timers, promises, reply parsing), memory vs Redis, the Redis path as the router runs it (`combined`:
 * admit + settleAndAdjust, 2 commands) and as it ran before (`separate`: take, reserve, settle, adjust,
 * 4 commands). Rounds interleave the three, so machine load hits them alike.
 *
 *     node --import tsx test/bench/src/micro/redis-client-cpu.ts [--rounds 5] [--requests 5000] [--concurrency 32] [--teams 50]
 *
 * `--teams` spreads the workers over that many teams: with 50 (more teams than workers) no two requests share an
 * ADMIT call; with 1, the admissions and settlements of a tick coalesce into one call each, as on a busy replica.
 */
import { parseArgs } from "node:util";
import { createMemoryStateStores } from "../../../../packages/router/src/state/memory/index.ts";
import { createRedisStateStores } from "../../../../packages/router/src/state/redis/index.ts";
import type { StateStores } from "../../../../packages/router/src/state/stores.ts";
import { startRedis } from "../../../helpers/redis-server.ts";

const { values } = parseArgs({
  options: {
    rounds: { type: "string", default: "5" },
    requests: { type: "string", default: "5000" },
    concurrency: { type: "string", default: "32" },
    teams: { type: "string", default: "50" },
  },
});
const rounds = Number(values.rounds);
const requests = Number(values.requests);
const concurrency = Number(values.concurrency);
const teams = Number(values.teams);
const DAY = 86_400_000;

type Path = "combined" | "separate";

async function governed(s: StateStores, team: string, path: Path): Promise<void> {
  const now = Date.now();
  const periodStart = Math.floor(now / DAY) * DAY;
  const limits = { team, rpm: 1e9, tpm: 1e12, tokens: 600, now };
  const budget = { team, limitUsd: 1e9, mode: "hard" as const, period: "day" as const, periodStart, periodEnd: periodStart + DAY, amountUsd: 0.002, now };
  const adjust = { team, rpm: 1e9, tpm: 1e12, deltaTokens: -200, now };
  if (path === "combined") {
    const a = await s.admission.admit({ limits, budget });
    const id = a.reservation?.id;
    if (id === undefined) throw new Error("refused");
    await s.admission.settleAndAdjust({ settle: { team, id, costUsd: 0.0015, now }, adjust });
    return;
  }
  await s.limits.take(limits);
  const r = await s.budgets.reserve(budget);
  if (r.id === undefined) throw new Error("refused");
  await Promise.all([s.budgets.settle({ team, id: r.id, costUsd: 0.0015, now }), s.limits.adjustTokens(adjust)]);
}

/** Client CPU µs per request over `requests` governed requests at `concurrency`. */
async function measure(s: StateStores, path: Path): Promise<number> {
  let left = requests;
  const cpu0 = process.cpuUsage();
  await Promise.all(
    Array.from({ length: concurrency }, async (_, w) => {
      while (left-- > 0) await governed(s, `team${w % teams}`, path);
    }),
  );
  const cpu = process.cpuUsage(cpu0);
  return (cpu.user + cpu.system) / requests;
}

const server = await startRedis();
const redis = await createRedisStateStores({
  url: server.url(),
  keyPrefix: "cpu:",
  environment: "prod",
  onUnavailable: "refuse",
  commandTimeoutMs: 5_000,
  log: () => undefined,
});
const memory = createMemoryStateStores();
await measure(redis, "combined");
await measure(redis, "separate");
await measure(memory, "combined");
const rows: Record<string, number[]> = { "memory (combined)": [], "memory (separate)": [], "redis combined": [], "redis separate": [] };
for (let round = 0; round < rounds; round++) {
  const order: Array<[string, StateStores, Path]> = [
    ["redis combined", redis, "combined"],
    ["redis separate", redis, "separate"],
    ["memory (combined)", memory, "combined"],
    ["memory (separate)", memory, "separate"],
  ];
  for (let i = 0; i < order.length; i++) {
    const [name, stores, path] = order[(i + round) % order.length]!;
    rows[name]!.push(await measure(stores, path));
  }
}
await redis.close();
await server.stop();
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
for (const [name, xs] of Object.entries(rows)) console.log(`${name}: median ${median(xs).toFixed(1)} µs/request [${xs.map((x) => x.toFixed(0)).join(", ")}]`);

/**
 * @module Region-aware placement's cost in decide(), side by side with decide() without it, in one process and run (so
 * the ratio holds on a loaded machine): `node --import tsx test/bench/src/micro/placement.ts [budgetMs] [models]`.
 * The config is decide-worker.ts' (N models over 4 providers in regions "us"/"eu", a typical route: 3-member weighted
 * tier + 1 fallback model; a wide route: N/2 + N/2) with a proximity table and a p95 target added. Cases per route: no
 * region (what every request without one pays), the caller's region from the request, from the team's default, and a
 * region with the route's `placement.maxP95Ms` judged against latency samples every member has: none over the target
 * (the order is proximity's; the p95 read per member is the cost), then one member over it (the general path, which
 * moves it behind the rest). Prints a table of ns per call.
 */
import type { Config } from "@switchyard/ir";
import { createMemoryStateStores } from "@switchyard/router";
import { decide, mulberry32, type RoutingRequest, type RoutingState } from "@switchyard/router/core";
import { decideConfig } from "./decide-worker.ts";

const budgetMs = Number(process.argv[2] ?? "1000");
const models = Number(process.argv[3] ?? "100");

/** decide-worker's config plus what placement reads: a proximity table, a team region, p95-targeted copies of the routes. */
function placementConfig(n: number): Config {
  const base = decideConfig(n);
  return {
    ...base,
    regions: { eu: ["us"], us: ["eu"] },
    teams: {
      ...base.teams,
      bench: { ...base.teams.bench!, routes: ["wide", "typical", "wide-p95", "typical-p95"] },
      eu: { keys: [], routes: ["wide", "typical"], region: "eu" },
    },
    routes: {
      ...base.routes,
      "wide-p95": { ...base.routes.wide!, placement: { maxP95Ms: 2_000 } },
      "typical-p95": { ...base.routes.typical!, placement: { maxP95Ms: 2_000 } },
    },
  };
}

function time(run: () => unknown): number {
  let sink = 0;
  const warm = performance.now() + budgetMs / 6;
  while (performance.now() < warm) for (let i = 0; i < 200; i++) sink += run() === undefined ? 0 : 1;
  const batches: number[] = [];
  const until = performance.now() + budgetMs;
  while (performance.now() < until || batches.length < 5) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < 200; i++) sink += run() === undefined ? 0 : 1;
    batches.push(Number(process.hrtime.bigint() - t0) / 200);
  }
  if (sink === -1) process.stdout.write("");
  batches.sort((a, b) => a - b);
  return batches[Math.floor(batches.length / 2)] as number;
}

const config = placementConfig(models);
const now = 1_764_000_000_000;
const empty = createMemoryStateStores().view(now);
// Every model has enough samples to be judged, all under the 2 s target: the p95 is read for each member, nothing yields.
// (One stats object, as the memory store returns its kept one.)
const within = { ewmaMs: 400, p95Ms: 900, samples: 100 };
const over = { ewmaMs: 2_400, p95Ms: 3_000, samples: 100 };
const measured: RoutingState = {
  breaker: (m) => empty.breaker(m),
  latency: () => within,
  inFlight: (m) => empty.inFlight(m),
  canaryPercent: (r) => empty.canaryPercent(r),
  breakersClosed: () => true,
};
// The degraded case: m1 (in "eu", the caller's region, a member of both routes' primary tiers) is over the target.
const degraded: RoutingState = { ...measured, latency: (m) => (m === "m1" ? over : within) };
const options = { rng: mulberry32(42), now };
const request = (route: string, region: string | undefined, team = "bench"): RoutingRequest => ({
  route,
  team,
  promptTokens: 200,
  maxOutputTokens: 256,
  region,
  stickyKey: undefined,
  requires: [],
});

const cases: [string, () => unknown][] = [];
for (const shape of ["typical", "wide"] as const) {
  cases.push(
    [`${shape}: no region (reference)`, () => decide(config, request(shape, undefined), empty, options)],
    [`${shape}: region from the request`, () => decide(config, request(shape, "eu"), empty, options)],
    [`${shape}: region from the team`, () => decide(config, request(shape, undefined, "eu"), empty, options)],
    [`${shape}: region + p95 target, every member within it`, () => decide(config, request(`${shape}-p95`, "eu"), measured, options)],
    [`${shape}: region + p95 target, one member over it`, () => decide(config, request(`${shape}-p95`, "eu"), degraded, options)],
  );
}

// Interleaved rounds: each case once per round, so a burst of other processes' load falls on all of them.
const rounds = 3;
const results = new Map<string, number[]>();
for (let r = 0; r < rounds; r++) for (const [name, run] of cases) results.set(name, [...(results.get(name) ?? []), time(run)]);
process.stdout.write(`${models} models; | case | ns per call (best of ${rounds} rounds' medians) | rounds | × no region |\n|---|---|---|---|\n`);
for (const [name, values] of results) {
  const reference = Math.min(...(results.get(`${name.split(":")[0]}: no region (reference)`) ?? [1]));
  const best = Math.min(...values);
  process.stdout.write(`| ${name} | ${best.toFixed(0)} | ${values.map((v) => v.toFixed(0)).join(", ")} | ${(best / reference).toFixed(2)} |\n`);
}

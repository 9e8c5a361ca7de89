/** @module Render a bench run as BENCHMARKS.md: machine, command, the side-by-side table, ratios, targets with pass/miss. */
import type { LoadResult, SystemFigures } from "./harness.ts";
import type { Machine } from "./machine.ts";
import type { CompileBench, Outcome } from "./micro/micro.ts";
import type { ProfileSummary } from "./profile.ts";
import { PERF_FREQUENCY_HZ, PERF_RUNS_PER_SYSTEM } from "./perf-profile.ts";
import { median } from "./stats.ts";
import type { DecideCase } from "./micro/decide-worker.ts";
import { NODE_FLAGS } from "./systems.ts";

/** How a system's process is started, for the report: `node <flags>` or Node's defaults. */
function launch(name: string): string {
  const flags = NODE_FLAGS[name as keyof typeof NODE_FLAGS];
  return flags === undefined || flags.length === 0 ? "Node's defaults" : `\`node ${flags.join(" ")}\``;
}

export interface BenchReport {
  command: string;
  machine: Machine;
  load: Outcome<LoadResult> | undefined;
  decide: Outcome<DecideCase[]> | undefined;
  compile: Outcome<CompileBench> | undefined;
  /** router.mjs of the bench fixture, when the switchyard system was built. */
  router: { bytes: number; gzipBytes: number } | undefined;
  /** router.mjs of the same fixture with its state on Redis (carries ioredis), when switchyard-redis was built. */
  routerRedis?: { bytes: number; gzipBytes: number } | undefined;
  finishedAt: string;
  /** 1-minute load average when the run finished (other work on the machine). */
  loadAtEnd?: number;
}

export interface TargetCheck {
  name: string;
  target: string;
  measured: string;
  /** undefined when it could not be measured. */
  pass: boolean | undefined;
  /** "by how much" for a miss, or the margin for a pass. */
  margin: string;
  /** The same figure for the reference systems, or where the time goes. */
  context?: string;
}

const ms = (v: number | undefined, digits = 3): string => (v === undefined || !Number.isFinite(v) ? "—" : `${v.toFixed(digits)} ms`);
const signedMs = (v: number | undefined): string => (v === undefined || !Number.isFinite(v) ? "—" : `${v >= 0 ? "+" : "−"}${Math.abs(v).toFixed(3)} ms`);
const num = (v: number | undefined, digits = 0): string =>
  v === undefined || !Number.isFinite(v) ? "—" : v.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
const mb = (bytes: number | undefined): string => (bytes === undefined ? "—" : `${(bytes / 1024 / 1024).toFixed(1)} MB`);
const kb = (bytes: number | undefined): string => (bytes === undefined ? "—" : `${(bytes / 1024).toFixed(1)} KB`);

/** `at most` target: measured ≤ limit. */
function atMost(name: string, measured: number | undefined, limit: number, unit: string, digits = 2): TargetCheck {
  if (measured === undefined || !Number.isFinite(measured))
    return { name, target: `≤ ${limit} ${unit}`, measured: "not measured", pass: undefined, margin: "—" };
  const pass = measured <= limit;
  const diff = Math.abs(measured - limit);
  return {
    name,
    target: `≤ ${limit} ${unit}`,
    measured: `${measured.toFixed(digits)} ${unit}`,
    pass,
    margin: pass ? `${diff.toFixed(digits)} ${unit} to spare` : `over by ${diff.toFixed(digits)} ${unit} (${(measured / limit).toFixed(2)}× the limit)`,
  };
}

/** `at least` target on a ratio. */
function atLeastRatio(name: string, ratio: number | undefined, min: number, format: (v: number) => string): TargetCheck {
  if (ratio === undefined || !Number.isFinite(ratio)) return { name, target: `≥ ${format(min)}`, measured: "not measured", pass: undefined, margin: "—" };
  const pass = ratio >= min;
  return {
    name,
    target: `≥ ${format(min)}`,
    measured: format(ratio),
    pass,
    margin: pass ? `${format(ratio - min)} above` : `reaches ${((ratio / min) * 100).toFixed(0)} % of the goal; needs ${(min / ratio).toFixed(2)}× more`,
  };
}

const pct = (v: number): string => `${(v * 100).toFixed(1)} %`;

/** router.mjs's budget when the release keeps its state on Redis (test/router/bundle-state.test.ts holds the same). */
export const REDIS_ROUTER_BUDGET_KB = 240;

/** Per-round differences a − b of a latency figure (both measured in the same round). */
export function pairedDifferences(a: SystemFigures, b: SystemFigures, pick: (r: SystemFigures["rounds"][number]) => number): number[] {
  return a.rounds.flatMap((ra) => {
    const rb = b.rounds.find((r) => r.round === ra.round);
    return rb ? [pick(ra) - pick(rb)] : [];
  });
}
const times = (v: number): string => `${v.toFixed(2)}×`;

function system(load: LoadResult | undefined, name: string): SystemFigures | undefined {
  return load?.systems.find((s) => s.name === name);
}

/** Throughput ratio a/b per round (both measured in the same round, so close in time). */
export function pairedRatios(a: SystemFigures, b: SystemFigures): number[] {
  return a.rounds.flatMap((ra) => {
    const rb = b.rounds.find((r) => r.round === ra.round);
    return rb && rb.throughput.requestsPerSecond > 0 ? [ra.throughput.requestsPerSecond / rb.throughput.requestsPerSecond] : [];
  });
}

/** The median of the per-round ratios: on a shared machine it drifts less than a ratio of medians. */
export function ratios(load: LoadResult | undefined): { vsBare: number | undefined; vsPortkey: number | undefined } {
  const sy = system(load, "switchyard");
  const bare = system(load, "bare-proxy");
  const pk = system(load, "portkey");
  const paired = (a: SystemFigures | undefined, b: SystemFigures | undefined): number | undefined => {
    if (!a || !b) return undefined;
    const r = median(pairedRatios(a, b));
    return Number.isFinite(r) ? r : a.requestsPerSecond / b.requestsPerSecond;
  };
  return { vsBare: paired(sy, bare), vsPortkey: paired(sy, pk) };
}

export function targetChecks(report: BenchReport): TargetCheck[] {
  const load = report.load?.ok ? report.load.value : undefined;
  const sy = system(load, "switchyard");
  const { vsBare, vsPortkey } = ratios(load);
  const decide = report.decide?.ok ? report.decide.value : [];
  const decideAt = (shape: "typical" | "wide" | "rules"): number | undefined => {
    const c = decide.find((d) => d.models === 100 && d.shape === shape);
    return c ? c.nsPerCall / 1000 : undefined;
  };
  const compile = report.compile?.ok ? report.compile.value.cases : [];
  const check1000 = compile.find((c) => c.routes === 1000 && c.mode === "check");
  const cli1000 = compile.find((c) => c.routes === 1000 && c.mode === "cli");
  const checkCold = cli1000 ?? check1000;
  const bare = system(load, "bare-proxy");
  const tuned = system(load, "bare-proxy-tuned");
  const pk = system(load, "portkey");
  const vsTuned = sy && tuned ? median(pairedRatios(sy, tuned)) : undefined;
  const refs = (pick: (s: SystemFigures) => string): string =>
    [bare, tuned, pk]
      .filter((s): s is SystemFigures => s !== undefined)
      .map((s) => `${s.name} ${pick(s)}`)
      .join(", ");
  const with_ = (check: TargetCheck, context: string | undefined): TargetCheck => (context ? { ...check, context } : check);
  return [
    with_(
      atLeastRatio("switchyard throughput / bare-proxy", vsBare, 0.85, pct),
      sy && bare
        ? `${num(sy.requestsPerSecond)} vs ${num(bare.requestsPerSecond)} req/s; CPU/req ${num(sy.cpuUsPerRequest)} vs ${num(bare.cpuUsPerRequest)} µs` +
            (tuned && vsTuned !== undefined && Number.isFinite(vsTuned)
              ? `; vs bare-proxy-tuned (the router's Node flags too) ${pct(vsTuned)}, CPU/req ${num(tuned.cpuUsPerRequest)} µs`
              : "")
        : undefined,
    ),
    with_(
      atLeastRatio("switchyard throughput / portkey", vsPortkey, 5, times),
      sy && pk ? `${num(sy.requestsPerSecond)} vs ${num(pk.requestsPerSecond)} req/s` : undefined,
    ),
    with_(
      atMost(`added latency over direct, p50 (at ${load?.options.rate ?? "?"} req/s)`, sy?.addedP50Ms, 0.3, "ms", 3),
      refs((s) => signedMs(s.addedP50Ms)),
    ),
    with_(
      atMost(`added latency over direct, p99 (at ${load?.options.rate ?? "?"} req/s)`, sy?.addedP99Ms, 1.5, "ms", 3),
      refs((s) => signedMs(s.addedP99Ms)),
    ),
    with_(
      atMost("streaming time to first byte added, p50", sy?.addedTtfbP50Ms, 0.5, "ms", 3),
      [
        refs((s) => signedMs(s.addedTtfbP50Ms)),
        sy
          ? `time to first token added: switchyard ${signedMs(sy.addedTtftP50Ms)}${bare ? `, bare-proxy ${signedMs(bare.addedTtftP50Ms)}` : ""} (switchyard sends its headers and the role-only first chunk as soon as the upstream's arrives, 1 ms before the mock's first token)`
          : "",
      ]
        .filter(Boolean)
        .join("; "),
    ),
    atMost("decide() per call, 100 models, typical route (3-member tier + 1 fallback)", decideAt("typical"), 2, "µs", 2),
    atMost("decide() per call, 100 models, route spanning all 100 (50 + 50 fallback)", decideAt("wide"), 2, "µs", 2),
    atMost("complexity score + decide() per call, 100 models, 3-member tier with 3 when rules (an everyday chat body)", decideAt("rules"), 10, "µs", 2),
    with_(
      atMost("router.mjs minified (bench fixture)", report.router ? report.router.bytes / 1024 : undefined, 150, "KB", 1),
      report.router ? `${kb(report.router.gzipBytes)} gzipped; the release is embedded, so it grows with the config (see the compile table)` : undefined,
    ),
    ...redisTargets(load, report),
    with_(
      atMost("switchyard RSS under load (peak)", sy?.rssPeakBytes !== undefined ? sy.rssPeakBytes / 1024 / 1024 : undefined, 80, "MB", 1),
      refs((s) => mb(s.rssPeakBytes)),
    ),
    with_(
      atMost("`switchyard check` of 1,000 routes / 200 models, cold (CLI process, spawn to exit)", checkCold ? checkCold.wallMs / 1000 : undefined, 3, "s", 2),
      check1000
        ? `a bare compile() process: ${ms(check1000.wallMs, 0)} = ${ms(check1000.importMs, 0)} loading the compiler + ${ms(check1000.runMs, 0)} in compile() + node/tsx start-up; profile below`
        : undefined,
    ),
  ];
}

/** switchyard-redis against switchyard, same run: throughput ≥ 80 %, p50 at most 0.25 ms more; its router.mjs within its budget. */
function redisTargets(load: LoadResult | undefined, report: BenchReport): TargetCheck[] {
  const sy = system(load, "switchyard");
  const rs = system(load, "switchyard-redis");
  const checks: TargetCheck[] = [];
  if (sy && rs) {
    const ratio = median(pairedRatios(rs, sy));
    const addedP50 = median(pairedDifferences(rs, sy, (r) => r.latency.total.p50));
    checks.push(
      {
        ...atLeastRatio("switchyard-redis throughput / switchyard (state on Redis vs in memory)", ratio, 0.8, pct),
        context: `${num(rs.requestsPerSecond)} vs ${num(sy.requestsPerSecond)} req/s; CPU/req ${num(rs.cpuUsPerRequest)} vs ${num(sy.cpuUsPerRequest)} µs${rs.redis ? `, redis-server ${num(rs.redis.cpuUsPerRequest)} µs` : ""}`,
      },
      {
        ...atMost(`switchyard-redis p50 over switchyard (at ${load?.options.rate ?? "?"} req/s)`, addedP50, 0.25, "ms", 3),
        context: `p50 ${ms(rs.p50Ms)} vs ${ms(sy.p50Ms)}; p99 ${ms(rs.p99Ms)} vs ${ms(sy.p99Ms)}${rs.redis ? `; ${num(rs.redis.roundTrips, 2)} Redis round trips per request` : ""}`,
      },
    );
  }
  if (report.routerRedis)
    checks.push({
      ...atMost("router.mjs minified, Redis state (bench fixture)", report.routerRedis.bytes / 1024, REDIS_ROUTER_BUDGET_KB, "KB", 1),
      context: `${kb(report.routerRedis.gzipBytes)} gzipped; ioredis rides in a brotli-compressed chunk unpacked at start-up`,
    });
  return checks;
}

function busyNote(machine: Machine): string | undefined {
  // Only the load before the bench starts says something about other work: during the run the bench keeps ~2-3 processes busy itself.
  const start = machine.loadAverage[0];
  return start > machine.cores / 2
    ? `**The machine was busy**: 1-minute load average ${start.toFixed(1)} on ${machine.cores} cores before the bench started anything (other work shares the cores). ` +
        "Absolute figures, and tail latencies most of all, are pessimistic; the side-by-side ratios are what this run can tell."
    : undefined;
}

function profileTables(p: ProfileSummary, lines: string[]): void {
  lines.push("| area | self time |", "| --- | --- |");
  for (const a of p.areas.slice(0, 12)) lines.push(`| ${a.name} | ${pct(a.share)} |`);
  lines.push("", "| function | self time |", "| --- | --- |");
  for (const f of p.functions.slice(0, 15)) lines.push(`| \`${f.name.replaceAll("|", "\\|")}\` | ${pct(f.share)} |`);
  lines.push("");
}

/** What was done to the hot path and what its cost is made of; the figures of each run are above it. */
const HOT_PATH_NOTES = [
  "#### The hot path: what was done, what remains",
  "",
  "- **Server side: the chat endpoint's own HTTP/1.1 path.** node:http's server reads every request into an `IncomingMessage` stream and answers through a `ServerResponse` " +
    "(events, a header map, per-header validation, stream state): ~10 µs of CPU per request here, as much as the router's routing, governance and tracing together. A raw `node:net` " +
    "server in front of the same undici `Pool` used 50.1 against bare-proxy's 61.7 µs per request (8 pinned rounds). So the router reads plain `POST /v1/chat/completions` requests itself " +
    "(`packages/router/src/http/fast-path.ts`: HTTP/1.1, `Host`, a `Content-Length` body within the limit, no `Transfer-Encoding`/`Expect`/`Upgrade`/repeated field, head ≤ 16 KB) and " +
    "answers them with one write per response; at the first request that is anything else it hands the connection to node:http from that request's first byte. Pinned A/B of the two builds " +
    "(`--pin`, 12 rounds of 2 s runs in turn, the router's flags on both, Nov 27 2026): CPU/req 82.1 → 67.6 µs, switchyard/bare-proxy 83.8 % → 100.2 % (bare-proxy-tuned 100.8 %). " +
    "To keep router.mjs in its budget, prom-client's metric classes left the bundle in the same change: the router's counters and gauges are collectors of its own that prom-client's " +
    "`Registry` rendered (~5 KB less; the exposition is byte-identical, property-tested); later its `Registry` left too, `/metrics` being rendered by `telemetry/exposition.ts` (~5.7 KB less, same bytes, property-tested against prom-client). Four full runs the same day with the fast path gave switchyard/bare-proxy 87.2 %, 79.0 %, 99.3 % " +
    "and 93.0 % (per-round ratios 73–117 %; the last two after trimming its parser and head writing; the last is the one in this file): on this shared machine a run's figure moves by more than the last changes did, " +
    "so read the ratio with its range of rounds, and the whole-process table below for where CPU goes.",
  "- **Upstream client.** router.mjs and `startRouter` use `http1Transport()` (`packages/router/src/adapters/transport/http1.ts`): keep-alive HTTP/1.1 over `node:net`/`node:tls`, " +
    "each request written with one `write`, responses parsed by a small state machine. Measured alternatives: node:http's agents spent about twice undici's CPU in " +
    "ClientRequest/Agent bookkeeping; undici's `Pool` alone bundles to ~284 KB minified (its llhttp WebAssembly parser twice, SIMD and not, ~72 KB each as base64, plus ~35 KB of fetch/webidl " +
    "code `Pool` pulls in), so even with one parser, compressed, it would not fit the 150 KB router.mjs budget next to the router. The own client is ~9 KB minified and cheaper than both.",
  "- **Per request, nothing the release fixes is recomputed**: route tables, key hashes, adapter URLs and header blocks (serialised once per headers object), " +
    "plan candidates (shared frozen objects per route-table target), validators, `/v1/models` bodies. Answers are the upstream's bytes (parsed once for usage and validation, never re-serialised).",
  "- **Removed from the hot path**: the latency p95 sort on every recorded attempt (now computed when read, from a ring buffer), an `AbortController` (EventTarget) per attempt " +
    "(a minimal signal with the same surface), `createHash` per key check (one-shot `crypto.hash`, and a key already verified against the active key table is answered from a map: " +
    "teamForKey 1.7 % → 0.2 % of the profile), the budget-period date arithmetic repeated per reservation (memoised per period), prom-client's label hashing for the integer counters " +
    "(requests, tokens, attempts are summed per label set and handed over when a scrape collects: metrics 3.6 % → 2.1 % of the profile), and likewise for the duration and time-to-first-token histograms (`BatchedHistogram`: buckets kept per label set, /metrics byte-identical, property-tested); the spread copy of the request body per attempt, then its re-serialisation (the upstream body is the client's own text with the model spliced in, found by a scan of the top-level keys that skips strings with `indexOf`; JSON.stringify where a splice is unsafe: 2.5 µs spread and stringified → 0.8 µs stringified → ~0.5 µs spliced, byte count included, in micro-benchmarks), a full header map per upstream response (only the framing headers are read; the map is built if something asks), a `Date` per trace timestamp (ISO text cached per second), closures per request in the transport, governor and breaker (and per attempt in the executor: an attempt object with methods), a `WeakMap` entry per governed request (the governor's state now rides on the request context: its four hooks 2.7 → 2.1 µs in an interleaved in-process A/B, and no ephemeron for the collector), trace lines waiting for their batch as strings (ropes that outlived young-generation collections; each line is now encoded into a reused off-heap chunk at once: scavenge time per request 11.4 → 5.8 µs under the router's flags), the answer's re-encoding (the upstream's bytes go to the client as they came, written beside the head rather than joined to it as one string), prom-client's label hashing for the USD cost counter (batched like the others), a microtask turn per attempt (a synchronous in-flight lease is not awaited; a completion without validators has no async wrapper), and the answering attempt's bookkeeping from before the answer (its breaker window, in-flight lease and budget settlement now run right after the completion is written: p50 at 500 req/s 0.663 → 0.622 ms and 0.705 → 0.629 ms in two 6-round paced A/Bs, bare-proxy 0.620 / 0.663 ms). Allocation per plain request: ~40 KB → ~29 KB.",
  "- **decide()** takes a whole target at once when every member is eligible (no static exclusion, context and capabilities fit) and the state vouches that every breaker is plainly closed " +
    "(`RoutingState.breakersClosed()`, kept in O(1) by the memory store): the plan part is the target's cached candidates in configured-weight order with the weighted pick moved to the front " +
    "(an array copy), no per-member breaker read, and no duplicate bookkeeping on routes whose targets share no model. Otherwise it takes the general per-member path; a property test " +
    "checks both give the same plans, exclusions, warnings and random draws.",
  "- **Before the lean HTTP path** (the analysis of the morning of Nov 27 2026, when switchyard/bare-proxy was 70-77 %): the features the fixture turns on, each a few µs, none above ~5 % of the router's CPU. " +
    "In the whole-process tables of two full runs on Nov 27 2026 the router's own JavaScript was about twice bare-proxy's own code and undici (35 vs 17 µs and 48 vs 23 µs per request; " +
    "largest first: the HTTP layer with the request's `JSON.parse`, the adapter and transport with the answer's `JSON.parse`, telemetry, the executor, governance and state, decide()), " +
    "and so was the collector (7 vs 3 and 8 vs 4 µs). The same day, with each proxy pinned to a core of its own (`--pin`, 1 s slices in turn, 24 rounds): switchyard/bare-proxy 73.0 % before that day's changes and 76.7 % after " +
    "(CPU/req 90.6 → 81.8 µs, bare-proxy 63.5 µs); bare-proxy-tuned/bare-proxy was 98.9 % pinned, which suggests the flags' cost in unpinned runs depends mostly on where the scheduler puts the processes. " +
    "A first whole-process profile with Linux `perf` (Nov 27 2026; bare-proxy with Node's defaults, switchyard with its flags) put them at ~64 and ~90 µs of CPU per request; " +
    "the whole-process table above now does this in every full run, both systems with the router's flags, and shows where the two differ. Kernel time is close in all of them: both make " +
    "the same four socket syscalls per request, and each `write` on loopback carries the TCP delivery and the wake-up of the peer process, which the V8 profile books as `writev`/`writeUtf8String`. " +
    "bare-proxy spends its JavaScript in undici and the stream plumbing around its bodies, which the router's own HTTP/1.1 client replaces. " +
    "What switchyard does on top, per request: the trace record and its JSONL line (~6 µs: `finishTrace` ~1.9, `traceJson` and encoding ~2, metrics ~1.5), governance (~4 µs: a rate-limit " +
    "take, a budget reservation and its settlement, the token adjustment, the rate-limit headers), `JSON.parse` of the request (~1.9 µs) and of the upstream answer (~2.7 µs; usage and " +
    "validators read it; a hand-written scan that parsed only `usage` cost the same), the upstream body's `JSON.stringify` with the model swapped in (~1.5 µs; now a splice, ~0.5 µs), twelve more response " +
    "headers (~3 µs of node:http's validation and head building; the lean path now writes the head itself), decide() and the attempt bookkeeping (~2 µs), and the collector (~5 µs on the main thread and V8's helper threads, " +
    "for ~29 KB allocated per request). A feature ablation at a fixed 4,000 req/s with each system pinned to one core (4 interleaved rounds): the fixture without teams and JSONL " +
    "used ~9 % more CPU per request than bare-proxy, the full fixture ~33 % more; how that splits between auth, governance and tracing moved from run to run by more than the " +
    "items themselves. **The memory flags** cost the bare proxy up to 30 % of its throughput in the runs of Nov 27 2026 (it kept 93 % in a 6-round interleaved A/B, " +
    "83 %, 70 % and 104 % in three full 5-round runs; this run's figure is in the ratios above): how much moves with how busy the shared cores are. switchyard / bare-proxy-tuned " +
    "(the targets table's last column) compares like with like: 86-88 % in two full runs that day, 68 % in a third.",
  "- **RSS**: 43 MB of a router's RSS is the node binary itself (file-backed pages; the bare proxy has the same), ~7.6 MB is the live heap after a full collection, the rest is garbage waiting " +
    "for collection. With Node's defaults, sustained load grows the young generation to 3 × 16 MB semi-spaces and lets the old generation reach ~4× its live size between full collections: ~100-115 MB. " +
    "The router is therefore deployed with `ROUTER_NODE_FLAGS` (`--max-semi-space-size=4 --heap-growing-percent=50`, the Pulumi component's command line; " +
    "`--heap-growing-percent` is a V8 flag Node does not accept in `NODE_OPTIONS`), and the bench runs it that way. Measured before this became the default (5 interleaved rounds at 32 connections, and 4 at a fixed 2,000 req/s, " +
    "Nov 2026, load average 3.5-5 from other work): RSS peak 76-83 MB with the flags, 77-95 MB with `--max-semi-space-size=4` alone, 82-91 MB with `=8`, 100-118 MB with Node's defaults. " +
    "The price is garbage-collection CPU, and it is not small: the collector's share of the main thread went from ~2-4 % to ~6 % in profiles, and CPU/req rose +9 % (4 rounds) and +29 % (6 rounds, " +
    "higher in every round) in fixed-rate runs at 2,000-2,500 req/s (`--max-semi-space-size=4` alone: +8 % and +18 %), so switchyard/bare-proxy is lower with the flags than it would be with Node's defaults. " +
    "The deployed default trades that CPU for the 80 MB target; `ROUTER_NODE_FLAGS` is the one place to change it. " +
    "A sampling allocation profile (V8, objects collected included) counted ~40 KB allocated per plain request on the bench fixture; cutting what need not be allocated (headers in one `writeHead`, " +
    "shared trace candidates, metrics counters keyed without building strings, a closure-free state view, URL parts read once, fewer closures and copies in governance and attempts) brought it to ~33 KB, " +
    "and CPU/req fell 16-19 % in interleaved 5-round A/Bs of the two builds (Nov 2026, 32 connections, same flags); a later round (request body, response heads, histograms, trace time) to ~29 KB. What remains is spread over node:http's header block and writes, " +
    "the adapter's request body and parsed answer, the trace record and its line, governance and breaker bookkeeping and the async calls between them: allocating less per request is the way to the memory target without this CPU. " +
    "`bare-proxy-tuned` shows what the same flags cost the bare proxy.",
  "- **Streaming TTFB**: switchyard commits a stream at the upstream's first event: the status, the headers and the role-only first chunk leave as soon as that chunk arrives. " +
    "An attempt that fails after it but before its first token still falls back invisibly (the fallback's own role chunk is dropped); the TTFT columns measure the first content token for every system.",
];

/** bare-proxy-tuned and switchyard side by side, CPU per request by category (Linux perf). */
function perfSection(perf: NonNullable<LoadResult["perf"]>, connections: number, lines: string[]): void {
  lines.push("### Where each system's CPU goes, kernel and threads included (Linux perf)", "");
  if (!perf.ok) {
    lines.push(`Not measured: ${perf.reason}.`, "");
    return;
  }
  const [bare, sy] = [perf.value.find((p) => p.system === "bare-proxy-tuned"), perf.value.find((p) => p.system === "switchyard")];
  if (bare === undefined || sy === undefined) {
    lines.push("Not measured: a system is missing.", "");
    return;
  }
  const us = (v: number | undefined): string => (v === undefined || v === 0 ? "—" : `${v.toFixed(1)} µs`);
  const signed = (v: number): string => `${v >= 0 ? "+" : "−"}${Math.abs(v).toFixed(1)} µs`;
  lines.push(
    `Each process started anew with \`--perf-basic-prof\` (V8 names its JIT code for perf) next to the router's Node flags, so the two differ in code only; ` +
      `\`perf record -e cpu-clock -g\` (software sampling at ${PERF_FREQUENCY_HZ} Hz, every thread, kernel included) over throughput runs at ${connections} connections after a warm-up, ${PERF_RUNS_PER_SYSTEM} per system, interleaved, pooled. ` +
      `${num(bare.requestsPerSecond)} and ${num(sy.requestsPerSecond)} req/s while recorded (mean of the runs), ${num(bare.samples)} and ${num(sy.samples)} samples. switchyard runs from source (\`node --import tsx\`), as in the V8 profile, so its JavaScript is named by folder. ` +
      "A sample on the main thread counts as kernel when it was in the kernel, as garbage collection when the collector was on the stack, and otherwise goes to the innermost JavaScript frame's file (native code a function calls, such as `JSON.parse` or a socket write's C++ side, counts with it). " +
      "Unlike the V8 profile, this shows what the kernel does inside a socket write (TCP delivery on loopback, waking the peer process) and the collector's helper threads.",
    "",
    "| CPU per request | bare-proxy-tuned | switchyard | switchyard − bare |",
    "| --- | --- | --- | --- |",
  );
  const names = [...new Set([...sy.shares.map((s) => s.name), ...bare.shares.map((s) => s.name)])];
  const of = (p: typeof sy, name: string): number => p.shares.find((s) => s.name === name)?.usPerRequest ?? 0;
  const shown = names.filter((n) => Math.max(of(bare, n), of(sy, n)) >= 0.5);
  for (const name of shown)
    lines.push(`| ${name.replaceAll("|", "\\|")} | ${us(of(bare, name))} | ${us(of(sy, name))} | ${signed(of(sy, name) - of(bare, name))} |`);
  const rest = (p: typeof sy): number => names.filter((n) => !shown.includes(n)).reduce((sum, n) => sum + of(p, n), 0);
  lines.push(`| everything else (under 0.5 µs each) | ${us(rest(bare))} | ${us(rest(sy))} | ${signed(rest(sy) - rest(bare))} |`);
  lines.push(`| **all** | **${us(bare.usPerRequest)}** | **${us(sy.usPerRequest)}** | **${signed(sy.usPerRequest - bare.usPerRequest)}** |`, "");
}

/** What switchyard-redis's redis-server did per chat request, and what that means for capacity. */
function redisSection(rs: SystemFigures, sy: SystemFigures | undefined, connections: number, lines: string[]): void {
  const r = rs.redis!;
  lines.push("### Shared state on Redis (switchyard-redis)", "");
  lines.push(
    `switchyard-redis is the same fixture compiled with \`state: { kind: "redis", url: secret("SWITCHYARD_BENCH_REDIS_URL") }\` (\`test/bench/fixtures/routes-redis.ts\`), ` +
      `served by its router.mjs against a ${r.server} the bench starts on 127.0.0.1 (\`test/helpers/redis-server.ts\`: no persistence). ` +
      `The team has a hard budget and rpm/tpm limits, so every request takes the rate limits, reserves its estimate and settles on Redis. ` +
      `Counted with \`INFO commandstats\` and \`INFO cpu\` before and after each throughput slice (${connections} connections), divided by the requests answered; median over rounds.`,
    "",
  );
  const rt = (name: string): number => r.calls[name] ?? 0;
  lines.push(
    `- **Redis round trips per chat request: ${num(r.roundTrips, 2)}** (${num(rt("evalsha") + rt("eval"), 2)} scripts, ${num(rt("ping"), 3)} health-probe PINGs). ` +
      "In request order: one round trip on the hot path, before the upstream call (`ADMIT`: the rate-limit take and the first attempt's budget reservation in one script); " +
      "after the answer is written, its settlement off it (`SETTLE_ADJUST`: the settlement and the token correction), one script for all the team's settlements a router has ready in the same tick, so less than one per request under load. " +
      "Requests still in flight when a slice ends sent their scripts but are not counted, which adds a little at low rates.",
    `- **Redis CPU per chat request: ${num(r.cpuUsPerRequest)} µs** (the server process, network and parsing included); inside scripts ${num(r.usecPerScript, 1)} µs per script call. ` +
      `One Redis core at 100 % would serve about **${num(1e6 / r.cpuUsPerRequest)} governed requests/s** (${num((1e6 / r.cpuUsPerRequest) * r.roundTrips)} round trips/s) on this machine; ` +
      `during the runs it served ${num(r.roundTripsPerSecond)} round trips/s.`,
    sy
      ? `- Router CPU per request: ${num(rs.cpuUsPerRequest)} µs with Redis state vs ${num(sy.cpuUsPerRequest)} µs in memory (the client's share: encoding scripts, parsing replies, timers).`
      : "",
  );
  while (lines.at(-1) === "") lines.pop();
  lines.push("");
  lines.push("| command (per chat request) | calls | |", "| --- | --- | --- |");
  for (const [name, calls] of Object.entries(r.calls).sort((a, b) => b[1] - a[1])) {
    lines.push(`| \`${name}\` | ${num(calls, 2)} | ${ROUND_TRIP_NOTE[name] ?? "inside a script: no round trip"} |`);
  }
  lines.push("");
}

const ROUND_TRIP_NOTE: Record<string, string> = {
  evalsha: "a script: one round trip",
  eval: "a script sent again after NOSCRIPT: one round trip",
  ping: "the backend's health probe (only while down): one round trip",
};

function loadSection(load: LoadResult, lines: string[]): void {
  const o = load.options;
  lines.push("## Side by side under load", "");
  lines.push(
    `Every system is its own process on 127.0.0.1, in front of the same mock OpenAI-compatible upstream (node:http, a fixed ~300-byte JSON reply; ` +
      `the streamed variant sends 5 SSE chunks ${"1 ms"} apart). The load generator is a third process. ` +
      `${o.pin ? "Pinned with taskset: the system under test on CPU 1, the upstream and the load generator on CPU 0. " : ""}` +
      `${o.rounds} round${o.rounds === 1 ? "" : "s"}, systems interleaved (order rotated each round), after a ${o.warmupMs / 1000} s warm-up each; each figure is the median over rounds.`,
    "",
  );
  lines.push(
    `- **req/s**: closed loop, ${o.connections} connections, ${o.throughputMs / 1000} s per round (autocannon)` +
      `${(o.throughputSlices ?? 1) > 1 ? `, run as ${o.throughputSlices} slices of ${o.throughputMs / 1000 / (o.throughputSlices ?? 1)} s taken by the systems in turn (A B C, A B C, …), so the systems a ratio compares are measured seconds apart, not a round apart` : ""}` +
      "; range = slowest–fastest round.",
    `- **p50 / p99**: open loop at a fixed ${o.rate} req/s for ${o.latencyMs / 1000} s (undici client, sub-ms timer), request sent → whole reply read; **added** = this system − \`direct\` in the same round.`,
    `- **TTFB**: streamed requests, open loop at ${o.streamRate} req/s for ${o.streamMs / 1000} s, request sent → first body byte; **TTFT**: the same requests, request sent → first content token read (the mock's role-only chunk comes 1 ms before it).`,
    `- **RSS**: peak VmRSS of the system's process during the throughput runs; **CPU/req**: its utime+stime over the throughput run ÷ requests.`,
    `- **Node flags**: switchyard runs as deployed (\`ROUTER_NODE_FLAGS\`, what the Pulumi component starts it with): ${launch("switchyard")} router.mjs. ` +
      `${load.systems.some((s) => s.name === "switchyard-redis") ? "switchyard-redis runs the same way. " : ""}bare-proxy runs with ${launch("bare-proxy")}; bare-proxy-tuned is the same bare proxy with ${launch("bare-proxy-tuned")}, so it compares like with like; portkey runs with ${launch("portkey")}. ` +
      "The throughput target is judged against bare-proxy (Node's defaults), as the issue defines it.",
    "",
  );
  lines.push(
    "| system | req/s (range) | p50 | p99 | added p50 | added p99 | TTFB p50 | added TTFB p50 | TTFT p50 | added TTFT p50 | RSS peak | CPU/req | failures |",
  );
  lines.push("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
  for (const s of load.systems) {
    const queueing = s.requestsPerSecond < o.rate * 2 ? " †" : "";
    lines.push(
      `| ${s.name} | ${num(s.requestsPerSecond)} (${num(s.requestsPerSecondRange[0])}–${num(s.requestsPerSecondRange[1])}) | ${ms(s.p50Ms)}${queueing} | ${ms(s.p99Ms)}${queueing} | ` +
        `${s.name === "direct" ? "—" : signedMs(s.addedP50Ms)} | ${s.name === "direct" ? "—" : signedMs(s.addedP99Ms)} | ${ms(s.ttfbP50Ms)} | ${s.name === "direct" ? "—" : signedMs(s.addedTtfbP50Ms)} | ` +
        `${ms(s.ttftP50Ms)} | ${s.name === "direct" ? "—" : signedMs(s.addedTtftP50Ms)} | ` +
        `${s.pid === undefined ? "— (no process)" : mb(s.rssPeakBytes)} | ${s.pid === undefined ? "—" : `${num(s.cpuUsPerRequest)} µs`} | ${s.failures + s.unexpected}${s.firstError ? ` (${s.firstError.slice(0, 80).replaceAll("|", "\\|")})` : ""} |`,
    );
  }
  if (load.systems.some((s) => s.requestsPerSecond < o.rate * 2)) {
    lines.push("", `† this system's throughput is under twice the ${o.rate} req/s latency rate, so its latency figures include queueing.`);
  }
  for (const u of load.unavailable) lines.push("", `**${u.name}: not available** — ${u.reason}`);
  lines.push("");
  const { vsBare, vsPortkey } = ratios(load);
  const bare = system(load, "bare-proxy");
  const pk = system(load, "portkey");
  const direct = system(load, "direct");
  lines.push("### Ratios (throughput, same run)", "");
  lines.push("Median of the per-round ratios (both systems measured in the same round); each round's ratio in brackets.", "");
  const sy = system(load, "switchyard");
  const each = (a: SystemFigures | undefined, b: SystemFigures | undefined, format: (v: number) => string): string =>
    a && b ? ` [${pairedRatios(a, b).map(format).join(", ")}]` : "";
  lines.push(`- switchyard / bare-proxy: ${vsBare === undefined ? "not measured (switchyard not available)" : `${pct(vsBare)}${each(sy, bare, pct)}`}`);
  const tuned = system(load, "bare-proxy-tuned");
  if (sy && tuned)
    lines.push(`- switchyard / bare-proxy-tuned (both with the router's Node flags): ${pct(median(pairedRatios(sy, tuned)))}${each(sy, tuned, pct)}`);
  const redis = system(load, "switchyard-redis");
  if (sy && redis) lines.push(`- switchyard-redis / switchyard (state on Redis vs in memory): ${pct(median(pairedRatios(redis, sy)))}${each(redis, sy, pct)}`);
  if (tuned && bare)
    lines.push(
      `- bare-proxy-tuned / bare-proxy (what the router's Node flags cost a bare proxy): ${pct(median(pairedRatios(tuned, bare)))}${each(tuned, bare, pct)}`,
    );
  lines.push(
    `- switchyard / portkey: ${vsPortkey === undefined ? "not measured (switchyard or portkey not available)" : `${times(vsPortkey)}${each(sy, pk, times)}`}`,
  );
  if (bare && pk)
    lines.push(`- bare-proxy / portkey: ${times(bare.requestsPerSecond / pk.requestsPerSecond)} (the ceiling any Node router has over Portkey here)`);
  if (bare && direct)
    lines.push(
      `- bare-proxy / direct: ${pct(bare.requestsPerSecond / direct.requestsPerSecond)} (what one proxy hop costs on this machine: the proxy, the upstream and the load generator share its cores)`,
    );
  lines.push("");
  if (redis?.redis) redisSection(redis, sy, o.connections, lines);
  if (load.profile) {
    lines.push("### Where switchyard's time goes (CPU profile)", "");
    if (!load.profile.ok) lines.push(`Profile failed: ${load.profile.reason}`, "");
    else {
      const p = load.profile.value;
      lines.push(
        `The same release run from source (\`node --import tsx\` with the router's Node flags, readable names; the same code router.mjs bundles, not minified), ` +
          `V8 sampling profiler (200 µs) started after a warm-up, ${o.connections} connections; ${num(p.requestsPerSecond)} req/s under the profiler, ${num(p.busyMs)} ms of busy samples. Self time, idle excluded. tsx compiles with esbuild's \`keepNames\`, so functions created per request pass through its \`__name\` helper (the \`__name\` and \`set name\` rows); router.mjs is bundled without it.`,
        "",
      );
      profileTables(p, lines);
    }
  }
  if (load.perf) perfSection(load.perf, o.connections, lines);
  if (load.systems.some((s) => s.name === "switchyard")) {
    lines.push(
      "switchyard runs `test/bench/fixtures/routes.ts`: a team key checked on every request (auth), a 70/30 weighted tier of two OpenAI-compatible models, " +
        "a fallback step to a model on another provider, retries and timeouts, a team budget and rate limits enforced on every request (set high enough never to refuse), " +
        "Prometheus metrics (always on) and JSONL tracing of every request to a file.",
      "",
    );
    lines.push(...HOT_PATH_NOTES, "");
  }
  const facts = load.systems.filter((s) => Object.keys(s.facts).length > 0);
  const fact = (key: string, value: number | string): string =>
    typeof value === "string" ? value : key.endsWith("Bytes") ? kb(value) : key.endsWith("Ms") ? ms(value, 0) : num(value, 1);
  for (const s of facts)
    lines.push(
      `${s.name} facts: ${Object.entries(s.facts)
        .map(([k, v]) => `${k} ${fact(k, v)}`)
        .join(", ")}`,
      "",
    );
}

export function renderReport(report: BenchReport): string {
  const m = report.machine;
  const lines: string[] = [];
  lines.push("# Benchmarks", "");
  lines.push(
    "Generated by the bench harness ([`test/bench/`](test/bench/README.md) says how it works); do not edit by hand — rerun it. Machines here are shared and noisy: " +
      "compare systems **within** one run (side by side, interleaved), read ratios before absolutes.",
    "",
  );
  lines.push("## Machine and command", "");
  lines.push(`- ${m.cores} cores (\`nproc\`), ${m.cpuModel}, ${m.memoryGiB} GiB memory, Linux ${m.kernel}, Node ${m.node}`);
  lines.push(
    `- load average (1/5/15 min) at start: ${m.loadAverage.map((v) => v.toFixed(2)).join(" / ")}${report.loadAtEnd === undefined ? "" : `, 1-min at the end: ${report.loadAtEnd.toFixed(2)} (with the bench's own processes)`}; commit ${m.commit}; finished ${report.finishedAt}`,
  );
  lines.push(`- reproduce: \`${report.command}\``, "");
  const busy = busyNote(m);
  if (busy) lines.push(busy, "");

  lines.push("## Targets", "");
  lines.push("| target | goal | measured | result | for comparison |");
  lines.push("| --- | --- | --- | --- | --- |");
  for (const t of targetChecks(report)) {
    lines.push(
      `| ${t.name} | ${t.target} | ${t.measured} | ${t.pass === undefined ? "not measured" : t.pass ? `**pass** (${t.margin})` : `**MISS** — ${t.margin}`} | ${t.context ?? ""} |`,
    );
  }
  lines.push("");

  if (report.load === undefined) lines.push("## Side by side under load", "", "Not run (`--no-load`).", "");
  else if (!report.load.ok) lines.push("## Side by side under load", "", `Failed: ${report.load.reason}`, "");
  else loadSection(report.load.value, lines);

  lines.push("## decide() per call", "");
  if (report.decide === undefined) lines.push("Not run (`--no-micro`).", "");
  else if (!report.decide.ok) lines.push(`Not available: ${report.decide.reason}`, "");
  else {
    lines.push(
      "In-process, one fresh Node process, JIT warmed; the median of timed batches. `typical`: the config holds N models, the route a 3-member weighted tier and one fallback model. " +
        "`wide`: the route's tier holds half of the N models and its fallback tier the other half, so decide() orders every model. " +
        "`rules`: the typical route with three `when` rules (tag, tokens, complexity); each call scores a typical chat body's complexity (~1,600 characters, 3 turns, a code block, a tool) and decides. Empty state (no breakers open, no latency samples).",
      "",
    );
    lines.push("| models | route | per call | fastest–slowest batch | candidates in plan | calls timed |");
    lines.push("| --- | --- | --- | --- | --- | --- |");
    for (const c of report.decide.value) {
      const us = (ns: number): string => (ns >= 10_000 ? `${(ns / 1000).toFixed(0)} µs` : `${(ns / 1000).toFixed(2)} µs`);
      lines.push(`| ${num(c.models)} | ${c.shape} | ${us(c.nsPerCall)} | ${us(c.range[0])}–${us(c.range[1])} | ${c.candidates} | ${num(c.calls)} |`);
    }
    lines.push("");
    const wide = report.decide.value.filter((c) => c.shape === "wide" && c.candidates > 0);
    if (wide.length > 0) {
      lines.push(
        `Where the time goes: ${wide.map((c) => `${num(c.nsPerCall / c.candidates, 1)} ns per planned candidate at ${num(c.models)} models`).join(", ")} on the wide route. ` +
          "With every member eligible and every breaker closed, decide() copies each target's cached, weight-ordered candidates and moves the weighted pick to the front, " +
          "so a wide plan costs an array copy plus a fixed part (the request, the plan object); the typical route stays flat because the route table is precomputed per config " +
          "and only the route's own members are looked at. With open breakers, half-open probes, slow start, capability or context exclusions, decide() looks at each member (the general path).",
        "",
      );
    }
  }

  lines.push("## Compile (cold)", "");
  if (report.compile === undefined) lines.push("Not run (`--no-micro`).", "");
  else if (!report.compile.ok) lines.push(`Not available: ${report.compile.reason}`, "");
  else {
    lines.push(
      "Generated `routes.ts` files (4 providers, 200 models, 40 weighted tiers, N routes each with a two-step fallback, retries and timeouts, 10 teams with keys, budgets and limits). " +
        "Each run is a fresh process (`node --import tsx`, as `pnpm switchyard` runs): **wall** is spawn to exit; **import** is loading `@switchyard/compiler` (esbuild, zod, the policy packs; TypeScript loads on the compiler's type-check thread, within **run**); **run** is the `compile()`/`build()` call. " +
        "The `switchyard check` rows run the CLI itself (`node --import tsx packages/cli/src/bin.ts check routes-N.ts --env prod`, where prod selects all four built-in policy packs: baseline, eu-residency, prod-safety, cost-guard), what a user waits for; the CLI starts TypeScript's thread before it loads the rest and raises V8's interrupt budget (fewer background TurboFan compiles), which the compile() rows do not.",
      "",
    );
    lines.push("| routes | models | routes.ts | step | wall (median) | wall range | import | run | ok | router.mjs |");
    lines.push("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
    for (const c of report.compile.value.cases) {
      lines.push(
        `| ${num(c.routes)} | ${c.models} | ${kb(c.sourceBytes)} | ${c.mode === "check" ? "compile()" : c.mode === "cli" ? "`switchyard check` (CLI)" : "build()"} | ${ms(c.wallMs, 0)} | ${ms(c.wallRange[0], 0)}–${ms(c.wallRange[1], 0)} | ${ms(c.importMs, 0)} | ${ms(c.runMs, 0)} | ${c.ok ? "yes" : `no: ${c.messages[0] ?? ""}`} | ${c.routerBytes === undefined ? "—" : `${kb(c.routerBytes)} (${kb(c.routerGzipBytes)} gzip)`} |`,
      );
    }
    lines.push("");
    const profile = report.compile.value.profile;
    if (profile) {
      lines.push(`### Where a cold check of ${num(profile.routes)} routes spends its time (CPU profile)`, "");
      if ("error" in profile) lines.push(`Profile failed: ${profile.error}`, "");
      else {
        lines.push(
          `One more cold \`check\`, the import of the compiler and \`compile()\` under the V8 sampling profiler (500 µs); ${num(profile.summary.busyMs)} ms of busy samples. Self time, idle excluded. The main thread only (evaluation results, validation, policies): TypeScript's checker runs on the compiler's type-check thread, which this profile does not see (\`node --cpu-prof\` on the CLI writes one profile per thread).`,
          "",
        );
        profileTables(profile.summary, lines);
      }
    }
  }
  if (report.router) lines.push(`router.mjs of the bench fixture: ${kb(report.router.bytes)} minified, ${kb(report.router.gzipBytes)} gzipped.`, "");
  if (report.routerRedis)
    lines.push(
      `router.mjs of the bench fixture with Redis state (\`state: { kind: "redis" }\`: ioredis and the Redis stores ride along): ${kb(report.routerRedis.bytes)} minified, ${kb(report.routerRedis.gzipBytes)} gzipped.`,
      "",
    );
  return `${lines.join("\n")}\n`;
}

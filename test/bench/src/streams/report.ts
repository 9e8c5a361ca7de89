/** @module The long-stream section of BENCHMARKS.md: tables per stream count, the targets at the largest, the churn checks. */
import { describeMachine } from "../machine.ts";
import { type ChurnResult, medianOf, type StreamRun, type StreamSystem, type StreamsResult } from "./run.ts";

/** The section's markers: `pnpm bench` keeps what lies between them when it rewrites BENCHMARKS.md. */
export const STREAMS_BEGIN = "<!-- bench:streams:begin -->";
export const STREAMS_END = "<!-- bench:streams:end -->";

const ms = (v: number | undefined, digits = 2): string => (v === undefined || !Number.isFinite(v) ? "—" : `${v.toFixed(digits)} ms`);
const mb = (bytes: number | undefined): string => (bytes === undefined || !Number.isFinite(bytes) ? "—" : `${(bytes / 2 ** 20).toFixed(1)} MB`);
const us = (v: number | undefined): string => (v === undefined || !Number.isFinite(v) ? "—" : `${v.toFixed(2)} µs`);

export interface StreamTarget {
  name: string;
  target: string;
  measured: string;
  pass: boolean | undefined;
}

function figure(runs: readonly StreamRun[], system: StreamSystem, n: number, pick: (r: StreamRun) => number | undefined): number {
  return medianOf(runs, system, n, pick);
}

const failures = (r: StreamRun): number => r.client.streams - r.client.ok;
const rssPerStream = (r: StreamRun): number | undefined =>
  r.rssPeakBytes === undefined || r.rssBeforeBytes === undefined ? undefined : (r.rssPeakBytes - r.rssBeforeBytes) / r.streams;

/** The issue's targets for switchyard at the largest count. */
export function streamTargets(result: StreamsResult): StreamTarget[] {
  const n = Math.max(...result.options.counts);
  const runs = result.runs;
  const has = (s: StreamSystem): boolean => runs.some((r) => r.system === s && r.streams === n);
  if (!has("switchyard")) return [];
  const sy = (pick: (r: StreamRun) => number | undefined): number => figure(runs, "switchyard", n, pick);
  const bare = (pick: (r: StreamRun) => number | undefined): number => figure(runs, "bare-proxy", n, pick);
  const failed = runs.filter((r) => r.system === "switchyard" && r.streams === n).reduce((a, r) => a + failures(r), 0);
  const rss = Math.max(...runs.filter((r) => r.system === "switchyard" && r.streams === n).map((r) => r.rssPeakBytes ?? Number.NaN));
  const cpuRatio = has("bare-proxy") ? sy((r) => r.cpuUsPerChunk) / bare((r) => r.cpuUsPerChunk) : Number.NaN;
  const gap = sy((r) => r.client.addedGapMs.p99);
  return [
    { name: `failures at ${n} streams`, target: "0", measured: String(failed), pass: failed === 0 },
    { name: `peak RSS at ${n} streams`, target: "≤ 250 MB", measured: mb(rss), pass: Number.isFinite(rss) ? rss <= 250 * 2 ** 20 : undefined },
    {
      name: `CPU per chunk at ${n} streams, ÷ bare-proxy's`,
      target: "≤ 1.2×",
      measured: Number.isFinite(cpuRatio) ? `${cpuRatio.toFixed(2)}× (${us(sy((r) => r.cpuUsPerChunk))} vs ${us(bare((r) => r.cpuUsPerChunk))})` : "—",
      pass: Number.isFinite(cpuRatio) ? cpuRatio <= 1.2 : undefined,
    },
    { name: `added inter-chunk delay p99 at ${n} streams`, target: "≤ 1 ms", measured: ms(gap), pass: Number.isFinite(gap) ? gap <= 1 : undefined },
  ];
}

function countTable(result: StreamsResult, n: number): string[] {
  const runs = result.runs.filter((r) => r.streams === n);
  const systems = result.options.systems.filter((s) => runs.some((r) => r.system === s));
  const bareCpu = figure(runs, "bare-proxy", n, (r) => r.cpuUsPerChunk);
  const lines = [
    `#### ${n.toLocaleString("en-US")} concurrent streams`,
    "",
    "| system | failures | peak RSS | RSS per open stream | CPU per chunk | ÷ bare-proxy | added inter-chunk delay p50 / p99 | chunk transit p50 / p99 | TTFB p50 / p99 | event-loop delay p99 (max) | client event-loop delay p99 | peak fds |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
  ];
  for (const s of systems) {
    const f = (pick: (r: StreamRun) => number | undefined): number => figure(runs, s, n, pick);
    const mine = runs.filter((r) => r.system === s);
    const failed = mine.reduce((a, r) => a + failures(r), 0);
    const causes = new Map<string, number>();
    for (const r of mine) for (const [cause, count] of Object.entries(r.client.failures)) causes.set(cause, (causes.get(cause) ?? 0) + count);
    const why = [...causes].map(([cause, count]) => `${cause}: ${count}`).join(", ");
    const cpu = f((r) => r.cpuUsPerChunk);
    const perStream = f(rssPerStream);
    lines.push(
      `| ${s} | ${failed}${why !== "" ? ` (${why.slice(0, 160).replaceAll("|", "/").replaceAll("\n", " ")})` : ""} | ${mb(f((r) => r.rssPeakBytes))} | ${Number.isFinite(perStream) ? `${(perStream / 1024).toFixed(1)} KB` : "—"} | ${us(cpu)} | ${
        Number.isFinite(cpu) && Number.isFinite(bareCpu) ? `${(cpu / bareCpu).toFixed(2)}×` : "—"
      } | ${ms(
        f((r) => r.client.addedGapMs.p50),
        3,
      )} / ${ms(f((r) => r.client.addedGapMs.p99))} | ${ms(f((r) => r.client.transitMs.p50))} / ${ms(f((r) => r.client.transitMs.p99))} | ${ms(
        f((r) => r.client.ttfbMs.p50),
      )} / ${ms(f((r) => r.client.ttfbMs.p99))} | ${
        s === "direct"
          ? "— (no process)"
          : `${ms(
              f((r) => r.eld?.p99),
              1,
            )} (${ms(
              f((r) => r.eld?.max),
              1,
            )})`
      } | ${ms(
        f((r) => r.client.clientEldMs.p99),
        1,
      )} | ${s === "direct" ? "—" : String(f((r) => r.fdsPeak))} |`,
    );
  }
  const overflows = systems.filter((s) => runs.some((r) => r.system === s && r.listenOverflows !== undefined));
  if (overflows.length > 0)
    lines.push(
      "",
      `Connects the kernel dropped because an accept queue was full (TcpExt ListenOverflows over each run, the whole machine): ${overflows
        .map((s) => `${s} ${runs.filter((r) => r.system === s).reduce((a, r) => a + (r.listenOverflows ?? 0), 0)}`)
        .join(", ")}. Connect time p99 (a dropped SYN is retried after 1 s, 3 s…): ${systems
        .map(
          (s) =>
            `${s} ${ms(
              figure(runs, s, n, (r) => r.client.connectMs.p99),
              1,
            )}`,
        )
        .join(", ")}.`,
    );
  const upstreamCpu = figure(runs, "bare-proxy", n, (r) => r.upstreamCpuUsPerChunk);
  if (Number.isFinite(upstreamCpu))
    lines.push("", `The mock upstream used ${us(upstreamCpu)} of CPU per chunk in the bare-proxy run (the same work in every run).`);
  return lines;
}

function churnLines(churn: ChurnResult, interChunkMs: number, floor: StreamsResult["churnDirect"]): string[] {
  const c = churn.client;
  const failed = c.streams - c.ok - c.aborted;
  const budgetOk =
    churn.budgetSpentDeltaUsd !== undefined && Math.abs(churn.budgetSpentDeltaUsd - churn.tracedCostUsd) <= Math.max(1e-9, 1e-6 * churn.tracedCostUsd);
  return [
    `### Client churn: ${churn.streams.toLocaleString("en-US")} streams through switchyard, ${c.aborted} (${((c.aborted / churn.streams) * 100).toFixed(1)} %) abandoned part-way`,
    "",
    "Each abandoned stream's socket is destroyed by the client at a uniform time between 20 % and 80 % of its length; the others run to the end. The mock upstream notes when each of its responses closed before its end and how many chunks it had written; the router's JSONL traces and `GET /admin/state` (team `bench`'s budget) are read after the run.",
    "",
    "| check | result |",
    "| --- | --- |",
    `| streams completed / abandoned / failed | ${c.ok} / ${c.aborted} / ${failed}${c.firstError !== undefined && failed > 0 ? ` (${c.firstError.slice(0, 100)})` : ""} |`,
    `| upstream request cancelled after the client's abort (upstream close − client abort) | p50 ${ms(churn.cancelMs.p50)}, p99 ${ms(churn.cancelMs.p99)}, max ${ms(churn.cancelMs.max)}; ${churn.cancelledWithinInterval} of ${c.aborted} within one chunk interval (${interChunkMs} ms); never closed: ${churn.unclosed} |`,
    ...(floor === undefined
      ? []
      : [
          `| the same with no system (\`direct\`: the client's abort reaches the upstream itself, run just before) | p50 ${ms(floor.cancelMs.p50)}, p99 ${ms(floor.cancelMs.p99)}, max ${ms(floor.cancelMs.max)}; ${floor.cancelledWithinInterval} of ${floor.aborted} within one chunk interval; never closed: ${floor.unclosed} |`,
        ]),
    `| upstream streams still open when the last client stream ended / 2 s later | ${churn.upstreamOpenAtEnd} / ${churn.upstreamOpenAfter2s} |`,
    `| traces of this run by status | ${Object.entries(churn.traceStatuses)
      .map(([s, n]) => `${s}: ${n}`)
      .join(", ")}; abandoned streams traced as 499: ${churn.abortedWith499} of ${churn.abortedTraced} traced (${c.aborted} abandoned) |`,
    `| budget settled on what was produced | abandoned streams whose traced output tokens are within two chunks of what the upstream wrote: ${churn.settledOnProduced} of ${churn.abortedTraced} (tokens traced ${churn.abortedTokensTraced}, written ${churn.abortedTokensProduced}); team budget spent +$${churn.budgetSpentDeltaUsd?.toFixed(6) ?? "?"} vs traced cost $${churn.tracedCostUsd.toFixed(6)} (${budgetOk ? "equal" : "**differ**"}); reserved after the run $${churn.reservedAfterUsd?.toFixed(6) ?? "?"} |`,
    `| open fds (before / peak / 6 s after) | ${churn.fds.before} / ${churn.fds.peak} / ${churn.fds.after} |`,
    `| RSS (before / peak / 6 s after) | ${churn.rssMb.before.toFixed(1)} / ${churn.rssMb.peak.toFixed(1)} / ${churn.rssMb.after.toFixed(1)} MB |`,
    `| heap used (before / 6 s after) | ${churn.heapMb.before?.toFixed(1) ?? "?"} / ${churn.heapMb.after?.toFixed(1) ?? "?"} MB |`,
  ];
}

/**
 * What profiles and A/B runs of Dec 7 2026 found (not measured by the run this section reports; kept
 * here so the next run carries them until someone measures again).
 */
const FINDINGS = [
  "### Findings (Dec 7 2026, by hand: profiles and A/B runs, not this run's figures)",
  "",
  "- **Upstream connections per origin were capped at 256.** The router's HTTP/1.1 client kept at most 256 connections per upstream origin; a stream holds one for its whole length, so stream 257 waited behind streams of 10 s and hit the route's first-token timeout. At 1,000 streams switchyard failed 345 (504 `no first token within 5000 ms`, and streams cut by the client deadline) where bare-proxy, its pool raised, failed none. The cap is now `SWITCHYARD_MAX_UPSTREAM_CONNECTIONS`, by default the router's own cap on client connections (`SWITCHYARD_MAX_CONNECTIONS`, 10,000), and idle upstream connections are closed by a sweep once past their idle time (4 s), so a burst's thousands of sockets and fds do not stay open.",
  "- **Client churn settled nothing.** A stream the client abandoned part-way closed its attempt as failed, and failed attempts spent nothing: the output the upstream had produced (and bills) was never charged, and the trace said `200`. Now the output forwarded so far is counted as it goes (the router's chars ÷ 4 estimate) and a stream cut before the upstream's usage report is priced on the prompt estimate plus that output; its trace records `499` (or `200` + `stream_interrupted` when the upstream broke) with those tokens and that cost, and the budget moves by exactly that.",
  "- **Where switchyard's CPU per chunk goes** (V8 profiles of bare-proxy and switchyard in one run, 300 streams × 200 chunks, share of each process's busy time): socket writes (the kernel's loopback send, booked to `writev` / `writeUtf8String`) 42.6 % vs 40.7 %; switchyard's extra is the `JSON.parse` of every upstream chunk (6.8 %: each chunk is validated and read for usage and errors), SSE parsing and UTF-8 decoding (4.9 %), more garbage collection (6.4 % vs 4.6 %) and microtasks (4.6 % vs 2.7 %: three async-iterator layers per chunk — transport body, SSE parser, adapter). Busy time over the same chunks: 28.7 s vs 26.5 s (1.08×).",
  "- **A/B of one candidate fix** (the stream loop's write without an async wrapper: one promise and one microtask turn less per chunk): three interleaved pairs of router builds, each run 300 streams through bare-proxy and switchyard (`--router A.mjs|B.mjs --upstream-port 38123`), switchyard ÷ bare-proxy CPU per chunk: A 1.15, 1.37, 1.22; B 1.13, 1.36, 1.22; medians 1.22 and 1.22. No measurable effect on this machine (load average 16–27 from other sessions), so it was not kept. The next candidates are parsing a chunk's JSON only when the router needs it (usage, errors, the first token) and folding the three iterator layers into one.",
  "- **The issue's counts on this machine (Dec 7 2026, load average 21–25 from other sessions before the bench started anything):** at 500 streams `direct` (client and upstream alone) completed 57 of 500 (TTFB p50 10.7 s), bare-proxy 251 (CPU per chunk 49.5 µs, peak RSS 108.0 MB, event-loop delay p99 455 ms), switchyard 186 (68.0 µs, 74.0 MB, 1,116 ms), Portkey 123 (136.4 µs, 150.7 MB); at 1,000 bare-proxy completed none before the client's deadline (stream + 30 s). An earlier 2,000-stream run of bare-proxy and switchyard: bare-proxy 288 of 2,000, switchyard none (its route's 5 s first-token timeout fired on all: the upstream's first chunks came later than that), switchyard's peak RSS 89.3 MB. The section above is a run at counts this machine could carry; rerun `npx -y pnpm@10 bench:streams` (500, 1,000, 2,000) on a machine with cores to spare.",
  "- **Churn, with less load** (`--only switchyard --counts 20 --churn 150`, load average ~24): 30 of 150 streams abandoned; each upstream request closed (none left open), p50 89.8 ms and p99 583 ms after the client left, 12 of 30 within one chunk interval; all 30 traced `499`; output tokens traced 9,225 vs 9,520 the upstream wrote (the difference is what it wrote between the client leaving and it seeing the close); budget moved by exactly the traced cost, nothing left reserved; fds 23 → 285 → 23, heap 8.6 → 9.2 MB. The cancel path has no timer or poll in it (the client's close fires the response's `close`, which cancels the request, whose attempt signal destroys the upstream socket in the same turn); what the delay measures here is the router's and the upstream's event loops falling behind on a saturated machine. `test/router/stream-churn.test.ts` checks the cancellation, the 499s and the settlement without timing.",
  "- **This machine cannot carry the full shape.** 2,000 streams × 20 chunks/s are 40,000 chunks/s through three processes (upstream, system, client) on 2 shared cores, at 45–90 µs of CPU per chunk per process here: several cores' worth. When it saturates, every system's TTFB grows to seconds (the accept queues and event loops fall behind), streams run long and the client's deadline or switchyard's first-token timeout fails them; `direct` (no system at all) shows the floor. Compare systems within a count, and read the client's own event-loop delay before the latency columns.",
  "",
];

export function renderStreams(result: StreamsResult, command: string): string {
  const machine = result.machine ?? describeMachine();
  const o = result.options;
  const lines = [
    STREAMS_BEGIN,
    "",
    "## Long streams: thousands of concurrent streams, client churn",
    "",
    `Written by \`${command}\` ([test/bench/README.md](test/bench/README.md#long-streams)); \`pnpm bench\` keeps this section when it rewrites the file.`,
    "",
    `- ${machine.cores} cores, ${machine.cpuModel}, Node ${machine.node}; load average at the end ${machine.loadAverage.map((v) => v.toFixed(2)).join(" / ")}; commit ${machine.commit}; ${result.startedAt}, ${(result.elapsedMs / 60_000).toFixed(1)} min`,
    `- Each stream: the mock upstream (\`src/servers/stream-upstream.ts\`, its own process) sends a role chunk, then ${o.chunks} content chunks ${o.interChunkMs} ms apart (${((o.chunks * o.interChunkMs) / 1000).toFixed(0)} s), each stamped with its write time; the ${o.counts.map((n) => n.toLocaleString("en-US")).join(" / ")} streams of a run start evenly over ${o.rampMs / 1000} s and all run at once. ${o.rounds} round${o.rounds === 1 ? "" : "s"}, systems in rotating order, figures are medians over rounds.`,
    "- The client is its own process (`src/streams/client-worker.ts`): raw node:net sockets, one request per connection; it measures its own event-loop delay and CPU, so a client that fell behind shows.",
    `- **added inter-chunk delay**: per chunk, (time between its arrival at the client and the previous chunk's) − (time between their writes at the upstream); **chunk transit**: arrival − upstream write (the path through the system and the client's own lag; \`direct\` is the floor). **TTFB**: request written → response head read. **CPU per chunk**: the system process's utime+stime (\`/proc/PID/stat\`) over the run ÷ content chunks the client read (the requests' own handling included). **RSS per open stream**: (peak VmRSS − VmRSS before the run) ÷ streams. **Event-loop delay**: \`monitorEventLoopDelay\` (10 ms resolution) in each system's process, preloaded with \`--import src/servers/eld-probe.ts\` and read over IPC (none of the three exposes it: switchyard's /metrics has no event-loop series).`,
    `- switchyard runs as deployed: \`node --max-semi-space-size=4 --heap-growing-percent=50 router.mjs\` of \`fixtures/routes.ts\` (auth, budget and rate limits, weighted tier, fallback, JSONL traces). bare-proxy: node:http + an undici Pool of ${"`BENCH_POOL_CONNECTIONS`"} = streams + 64 connections (a stream holds one throughout). Portkey 1.15.2 as in the main bench.`,
    `- fd limit: soft ${result.fdLimit.soft}, hard ${result.fdLimit.hard}${result.fdLimit.raisedFrom !== undefined ? ` (raised from ${result.fdLimit.raisedFrom} with \`prlimit --pid <bench> --nofile=hard:hard\`; the processes it starts inherit it)` : " (enough: nothing raised)"}; ${result.fdLimit.needed} needed by a proxy at the largest count.`,
    ...(result.unavailable.length > 0 ? [`- not available: ${result.unavailable.map((u) => `${u.name} (${u.reason})`).join("; ")}`] : []),
    "",
  ];
  const targets = streamTargets(result);
  if (targets.length > 0) {
    lines.push("| target (switchyard) | goal | measured | |", "| --- | --- | --- | --- |");
    for (const t of targets) lines.push(`| ${t.name} | ${t.target} | ${t.measured} | ${t.pass === undefined ? "n/a" : t.pass ? "**pass**" : "**MISS**"} |`);
    lines.push("");
  }
  for (const n of o.counts) lines.push(...countTable(result, n), "");
  if (result.churn !== undefined) {
    if ("error" in result.churn) lines.push(`### Client churn`, "", `The churn run failed: ${result.churn.error}`, "");
    else lines.push(...churnLines(result.churn, o.interChunkMs, result.churnDirect), "");
  }
  lines.push(...FINDINGS, STREAMS_END);
  return `${lines.join("\n")}\n`;
}

/** Put `section` in place of the marked one in `document` (appended when there is none). */
export function replaceStreamsSection(document: string, section: string): string {
  const begin = document.indexOf(STREAMS_BEGIN);
  const end = document.indexOf(STREAMS_END);
  if (begin === -1 || end === -1 || end < begin) return `${document.trimEnd()}\n\n${section}`;
  return `${document.slice(0, begin)}${section.trimEnd()}${document.slice(end + STREAMS_END.length)}`;
}

/** The marked section of `document`, if any (what `pnpm bench` carries over). */
export function streamsSectionOf(document: string): string | undefined {
  const begin = document.indexOf(STREAMS_BEGIN);
  const end = document.indexOf(STREAMS_END);
  return begin === -1 || end === -1 || end < begin ? undefined : document.slice(begin, end + STREAMS_END.length);
}

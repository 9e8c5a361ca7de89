/**
 * @module `npx -y pnpm@10 bench:streams [--counts 500,1000,2000] …`: the long-stream benchmark (direct,
 * bare-proxy, switchyard, Portkey side by side; client churn against switchyard); writes its section of
 * BENCHMARKS.md. Run with --help.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { REPO_ROOT } from "./src/paths.ts";
import { renderStreams, replaceStreamsSection, streamTargets } from "./src/streams/report.ts";
import { LISTEN_BACKLOG, runStreamsBench, STREAM_SYSTEMS, type StreamSystem, type StreamsResult } from "./src/streams/run.ts";

const HELP = `Usage: npx -y pnpm@10 bench:streams [options]

N concurrent long streams (a chunk every 50 ms for 10 s from a mock upstream) through each system
side by side (${STREAM_SYSTEMS.join(", ")}), each its own process on 127.0.0.1, the client a separate
process; then client churn against switchyard (20 % of the streams abandoned part-way). Writes the
"Long streams" section of BENCHMARKS.md and prints switchyard's targets at the largest count.

Options:
  --counts LIST        concurrent streams per run, comma-separated (default 500,1000,2000)
  --only LIST          systems, comma-separated (default: all of ${STREAM_SYSTEMS.join(", ")})
  --rounds N           rounds (default 1)
  --chunks N           content chunks per stream (default 200)
  --interval MS        the upstream's gap between chunks (default 50)
  --ramp MS            a run's streams start evenly over this long (default 5000)
  --churn N            streams of the churn run (default 1000; 0 skips it)
  --abort-share X      share of churn streams abandoned (default 0.2)
  --backlog N          the listen backlog of bare-proxy and switchyard (default 4096; Node's own is 511)
  --router FILE        run this router.mjs as switchyard (A/B runs; it must have been built against --upstream-port)
  --upstream-port P    the mock upstream's port (default: any free one)
  --switchyard-flag F  an extra node flag for switchyard (repeatable), e.g. --cpu-prof --cpu-prof-dir=DIR
  --profile DIR        run bare-proxy and switchyard under the V8 CPU profiler; profiles land in DIR
  --out FILE           where the section goes (default BENCHMARKS.md; a file without the section gets it appended)
  --json FILE          also write the raw figures as JSON
  --render-from FILE   write the section from a saved --json file instead of running
  -h, --help           this text
`;

function fail(message: string): never {
  process.stderr.write(`bench:streams: ${message}\nRun with --help for usage.\n`);
  process.exit(2);
}

function positive(name: string, value: string | undefined, fallback: number, allowZero = false): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || (!allowZero && n === 0)) fail(`--${name} needs a ${allowZero ? "non-negative" : "positive"} number, got "${value}"`);
  return n;
}

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: process.argv.slice(2).filter((a) => a !== "--"),
      strict: true,
      allowPositionals: false,
      options: {
        counts: { type: "string" },
        only: { type: "string" },
        rounds: { type: "string" },
        chunks: { type: "string" },
        interval: { type: "string" },
        ramp: { type: "string" },
        churn: { type: "string" },
        "abort-share": { type: "string" },
        router: { type: "string" },
        backlog: { type: "string" },
        "upstream-port": { type: "string" },
        "switchyard-flag": { type: "string", multiple: true },
        profile: { type: "string" },
        "render-from": { type: "string" },
        out: { type: "string" },
        json: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (error) {
    fail((error as Error).message);
  }
  const v = parsed.values;
  if (v.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const systems = (v.only ?? STREAM_SYSTEMS.join(",")).split(",").map((s) => s.trim());
  for (const s of systems)
    if (!(STREAM_SYSTEMS as readonly string[]).includes(s)) fail(`unknown system "${s}" in --only (systems: ${STREAM_SYSTEMS.join(", ")})`);
  const counts = (v.counts ?? "500,1000,2000").split(",").map((s) => positive("counts", s.trim(), 0));
  if (counts.some((n) => n > 5000))
    fail("--counts above 5000 streams per run are refused (bounded: one machine runs the client, the systems and the upstream)");
  const churnStreams = Math.round(positive("churn", v.churn, 1000, true));
  if (churnStreams > 5000) fail("--churn above 5000 streams is refused");
  const abortShare = positive("abort-share", v["abort-share"], 0.2, true);
  if (abortShare > 1) fail(`--abort-share must be within [0, 1], got ${abortShare}`);
  if (v.router !== undefined && v["upstream-port"] === undefined) fail("--router needs --upstream-port (the upstream the router.mjs was built against)");
  if (v.router !== undefined && !existsSync(v.router)) fail(`--router ${v.router}: no such file`);
  const log = (line: string): void => void process.stderr.write(`[bench:streams] ${line}\n`);
  const out = resolve(process.cwd(), v.out ?? resolve(REPO_ROOT, "BENCHMARKS.md"));
  if (v["render-from"] !== undefined) {
    // Re-render the section from a run's --json (e.g. after the findings changed), without running anything.
    const saved = JSON.parse(readFileSync(resolve(process.cwd(), v["render-from"]), "utf8")) as StreamsResult & { command?: string };
    const section = renderStreams(saved, saved.command ?? "npx -y pnpm@10 bench:streams");
    writeFileSync(out, replaceStreamsSection(existsSync(out) ? readFileSync(out, "utf8") : "# Benchmarks\n", section));
    process.stdout.write(`Report written to ${out}\n`);
    return 0;
  }
  const result = await runStreamsBench({
    systems: systems as StreamSystem[],
    counts: counts.map(Math.round),
    chunks: Math.round(positive("chunks", v.chunks, 200)),
    interChunkMs: positive("interval", v.interval, 50),
    rampMs: positive("ramp", v.ramp, 5000),
    rounds: Math.round(positive("rounds", v.rounds, 1)),
    listenBacklog: Math.round(positive("backlog", v.backlog, LISTEN_BACKLOG)),
    churn: churnStreams > 0 && systems.includes("switchyard") ? { streams: churnStreams, abortShare } : undefined,
    ...(v.router !== undefined ? { routerFile: resolve(process.cwd(), v.router) } : {}),
    ...(v["upstream-port"] !== undefined ? { upstreamPort: Math.round(positive("upstream-port", v["upstream-port"], 0)) } : {}),
    ...(v["switchyard-flag"] !== undefined ? { switchyardFlags: v["switchyard-flag"] } : {}),
    ...(v.profile !== undefined ? { profileDir: resolve(process.cwd(), v.profile) } : {}),
    log,
  });
  const command = ["npx -y pnpm@10 bench:streams", ...process.argv.slice(2).filter((a) => a !== "--")].join(" ");
  const section = renderStreams(result, command);
  writeFileSync(out, replaceStreamsSection(existsSync(out) ? readFileSync(out, "utf8") : "# Benchmarks\n", section));
  if (v.json !== undefined) writeFileSync(resolve(process.cwd(), v.json), `${JSON.stringify({ ...result, command }, null, 2)}\n`);
  process.stdout.write(`\nTargets (switchyard at ${Math.max(...counts)} streams):\n`);
  for (const t of streamTargets(result))
    process.stdout.write(`  ${t.pass === undefined ? "n/a " : t.pass ? "pass" : "MISS"}  ${t.name}: ${t.measured} (goal ${t.target})\n`);
  process.stdout.write(`\nReport written to ${out}\n`);
  return 0;
}

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    process.stderr.write(`\nbench:streams: ${signal}, stopping the processes it started…\n`);
    // The ProcessGroup's exit hook SIGKILLs whatever is still running.
    process.exit(130);
  });
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`bench:streams: ${(error as Error).message}\n`);
    if (process.env["SWITCHYARD_DEBUG"] === "1") process.stderr.write(`${(error as Error).stack}\n`);
    process.exit(2);
  },
);

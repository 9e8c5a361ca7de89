/**
 * @module `npx -y pnpm@10 bench [--quick] [--only a,b] …`: the side-by-side benchmark (direct, bare-proxy,
 * switchyard, portkey), decide() and compile micro-benchmarks; writes BENCHMARKS.md. Run with --help.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { runBench, presets } from "./src/bench.ts";
import { REPO_ROOT } from "./src/paths.ts";
import { targetChecks } from "./src/report.ts";
import { streamsSectionOf } from "./src/streams/report.ts";
import { SYSTEM_NAMES, type SystemName } from "./src/systems.ts";

const HELP = `Usage: npx -y pnpm@10 bench [options]

Starts a mock OpenAI-compatible upstream, each system in front of it (direct, bare-proxy,
switchyard = the router.mjs built from test/bench/fixtures/routes.ts, switchyard-redis = the same with
its state on a redis-server the bench starts, portkey = @portkey-ai/gateway)
and a load generator, each as its own process on 127.0.0.1; interleaves the systems over rounds;
then times decide() and cold compiles. Writes BENCHMARKS.md (full runs) and prints the targets.

Options:
  --quick              smoke run: 1 round of ~3 s per system, small micro-benchmarks;
                       writes test/bench/.work/BENCHMARKS.quick.md unless --out is given
  --only LIST          systems to run, comma-separated: ${SYSTEM_NAMES.join(", ")}
  --rounds N           rounds (default 5; quick 1)
  --duration SECONDS   seconds per throughput and latency run (default 5; quick 1)
  --slices N           throughput slices per round, run for the systems in turn (default 5; quick 1)
  --rate N             requests/s of the fixed-rate latency run (default 500)
  --connections N      concurrency of the throughput run (default 32)
  --pin                pin each system to CPU 1, the upstream, load generator and redis-server to CPU 0 (taskset)
  --no-load            skip the side-by-side load benchmark
  --no-micro           skip decide() and compile benchmarks
  --no-profile         skip the profiled runs (V8 and, where perf works, whole-process) of the router and of a cold check (full runs only)
  --out FILE           where to write the report (default BENCHMARKS.md at the repository root)
  --json FILE          also write the raw figures as JSON
  -h, --help           this text
`;

function fail(message: string): never {
  process.stderr.write(`bench: ${message}\nRun with --help for usage.\n`);
  process.exit(2);
}

function positiveNumber(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) fail(`--${name} needs a positive number, got "${value}"`);
  return n;
}

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: process.argv.slice(2),
      strict: true,
      allowPositionals: false,
      options: {
        quick: { type: "boolean" },
        only: { type: "string" },
        rounds: { type: "string" },
        duration: { type: "string" },
        slices: { type: "string" },
        rate: { type: "string" },
        connections: { type: "string" },
        "no-load": { type: "boolean" },
        pin: { type: "boolean" },
        "no-micro": { type: "boolean" },
        "no-profile": { type: "boolean" },
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
  const systems = (v.only ?? SYSTEM_NAMES.join(","))
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  for (const s of systems) if (!(SYSTEM_NAMES as readonly string[]).includes(s)) fail(`unknown system "${s}" in --only (systems: ${SYSTEM_NAMES.join(", ")})`);
  const quick = v.quick === true;
  const preset = presets(quick, systems as SystemName[]);
  const load = v["no-load"] ? undefined : preset.load;
  if (load) {
    const rounds = positiveNumber("rounds", v.rounds);
    const duration = positiveNumber("duration", v.duration);
    const rate = positiveNumber("rate", v.rate);
    const slices = positiveNumber("slices", v.slices);
    const connections = positiveNumber("connections", v.connections);
    if (rounds) load.rounds = Math.round(rounds);
    if (duration) {
      load.throughputMs = duration * 1000;
      load.latencyMs = duration * 1000;
      load.streamMs = Math.max(500, duration * 600);
    }
    if (rate) load.rate = rate;
    if (slices) load.throughputSlices = Math.round(slices);
    if (connections) load.connections = Math.round(connections);
    if (v["no-profile"]) load.profileMs = 0;
    if (v.pin) load.pin = true;
  }
  const command = ["npx -y pnpm@10 bench", ...process.argv.slice(2)].join(" ");
  const out = resolve(process.cwd(), v.out ?? (quick ? resolve(REPO_ROOT, "test/bench/.work/BENCHMARKS.quick.md") : resolve(REPO_ROOT, "BENCHMARKS.md")));
  const log = (line: string): void => void process.stderr.write(`[bench] ${line}\n`);
  const { report, markdown } = await runBench({
    command,
    load,
    decide: v["no-micro"] ? undefined : preset.decide,
    compile: v["no-micro"] || !preset.compile ? undefined : { ...preset.compile, profile: preset.compile.profile && !v["no-profile"] },
    log,
  });
  // The long-stream section (`pnpm bench:streams`) is another run's: kept as it is.
  const streams = existsSync(out) ? streamsSectionOf(readFileSync(out, "utf8")) : undefined;
  writeFileSync(out, streams === undefined ? markdown : `${markdown.trimEnd()}\n\n${streams}\n`);
  if (v.json) writeFileSync(resolve(process.cwd(), v.json), `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(`\nTargets:\n`);
  for (const t of targetChecks(report)) {
    process.stdout.write(`  ${t.pass === undefined ? "n/a " : t.pass ? "pass" : "MISS"}  ${t.name}: ${t.measured} (goal ${t.target})\n`);
  }
  process.stdout.write(`\nReport written to ${out}\n`);
  return 0;
}

let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (stopping) process.exit(130);
    stopping = true;
    process.stderr.write(`\nbench: ${signal}, stopping the processes it started…\n`);
    // The ProcessGroup's exit hook SIGKILLs whatever is still running.
    process.exit(130);
  });
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`bench: ${(error as Error).message}\n`);
    if (process.env["SWITCHYARD_DEBUG"] === "1") process.stderr.write(`${(error as Error).stack}\n`);
    process.exit(2);
  },
);

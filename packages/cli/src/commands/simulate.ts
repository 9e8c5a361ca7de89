/** @module commands/simulate — `switchyard simulate BASE NEW --traces FILE`: the cost, latency and routing impact of a change on recorded traffic. */
import { resolve } from "node:path";
import type { Command } from "../command.ts";
import { UsageError } from "../command.ts";
import { loadSides } from "./sides.ts";

const formats = ["pretty", "markdown", "json"] as const;
type FormatName = (typeof formats)[number];

function isFormat(value: string): value is FormatName {
  return (formats as readonly string[]).includes(value);
}

/** Malformed lines named one by one on stderr before the rest are only counted. */
const MALFORMED_SHOWN = 20;

export const command: Command = {
  name: "simulate",
  summary: "Replay recorded traffic through two releases: cost, latency, fallbacks, budgets, residency",
  usage: "switchyard simulate BASE NEW --traces FILE.jsonl [--env NAME] [--seed N] [--format pretty|markdown|json] [--strict]",
  help: `Replays every request of a router trace file (JSON Lines, as the router's telemetry.jsonl sink
writes) through the routing of two releases, with the router's own decide(), a seeded random source
and the health the trace recorded, and reports per route and per team: model mix, $ per 1,000
requests and a 30-day projection of the traced rate, expected latency from the latencies the trace
observed per model, fallback and failure rates, budgets that would run out (and when, in trace
time), residency changes, and requests NEW can no longer route (404/403/503/400).

BASE and NEW are resolved like \`switchyard diff\`'s sides: a build directory (dist/prod), a
switchyard.json, a routes.ts (compiled for --env), a git ref (main, HEAD~1) or REF:path.

The file is read as a stream, one line at a time. A line that is not a trace record is named on
stderr (file:line: why) and skipped; --strict stops at the first one instead. Records the router
answered before routing (401, 400, 413…) are not replayed. A route the trace names that neither
side has is a warning, replayed as 404 on both.

Examples:
  switchyard simulate origin/main HEAD --traces traces.jsonl --env prod
  switchyard simulate dist/prod routes.ts --env prod --traces traces.jsonl --format markdown
  switchyard traces generate --config routes.ts --requests 10000 --seed 7 --out traces.jsonl

Exit codes: 0 report printed; 1 a side does not compile, the file has no request to replay, or a
malformed line with --strict; 2 usage error, a side that does not exist, or an unreadable file.`,
  options: {
    traces: { type: "string", short: "t", description: "The JSONL trace file to replay (required)" },
    env: { type: "string", short: "e", description: 'Environment both sides are compiled for (default: none, "default")' },
    seed: { type: "string", description: "Seed of the random source (default 1)" },
    format: { type: "string", short: "f", description: "Output format: pretty (default), markdown, json" },
    strict: { type: "boolean", description: "Fail (exit 1) at the first malformed line instead of skipping it" },
  },
  async run({ positionals, values, io }) {
    if (positionals.length !== 2) throw new UsageError(`expected BASE and NEW, got ${positionals.length} argument${positionals.length === 1 ? "" : "s"}`);
    const [baseSpec = "", newSpec = ""] = positionals;
    const traces = typeof values.traces === "string" ? values.traces : undefined;
    if (traces === undefined || traces === "") throw new UsageError("--traces FILE.jsonl is required");
    const format = typeof values.format === "string" ? values.format : "pretty";
    if (!isFormat(format)) throw new UsageError(`unknown --format "${format}"; use one of ${formats.join(", ")}`);
    const seedText = typeof values.seed === "string" ? values.seed : "1";
    if (!/^\d{1,10}$/.test(seedText) || Number(seedText) > 0xffffffff)
      throw new UsageError(`--seed must be an integer from 0 to 4294967295, got "${seedText}"`);
    const env = typeof values.env === "string" ? values.env : undefined;

    const compiler = await import("@switchyard/compiler");
    const sides = await loadSides(io, baseSpec, newSpec, env, false);
    if (!sides.ok) return sides.exit;
    let malformed = 0;
    const result = await compiler.simulateTraceFile({
      path: resolve(io.cwd, traces),
      name: traces,
      base: { info: sides.old.info, config: sides.old.release.config },
      next: { info: sides.new.info, config: sides.new.release.config },
      seed: Number(seedText),
      strict: values.strict === true,
      onMalformed: (line, message) => {
        malformed++;
        if (malformed <= MALFORMED_SHOWN) io.stderr(`${traces}:${line}: skipped: ${message}\n`);
      },
    });
    if (malformed > MALFORMED_SHOWN) io.stderr(`${traces}: … and ${malformed - MALFORMED_SHOWN} more malformed lines skipped (${malformed} in all)\n`);
    if (!result.ok) {
      io.stderr(`error: ${result.message}\n`);
      return result.code === "unreadable" ? 2 : 1;
    }
    for (const unknown of result.report.unknownRoutes) {
      io.stderr(
        `${traces}:${unknown.firstLine}: warning: route "${unknown.route}" is in neither BASE nor NEW (${unknown.requests} requests, replayed as 404 on both)\n`,
      );
    }
    io.stdout(compiler.formatSimulation(result.report, format));
    return 0;
  },
};

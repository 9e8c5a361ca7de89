/** @module commands/traces — `switchyard traces generate`: synthetic router traces for tests, docs and trying `simulate`. */
import { once } from "node:events";
import { createWriteStream } from "node:fs";
import { resolve } from "node:path";
import type { Command } from "../command.ts";
import { UsageError } from "../command.ts";
import { loadSides } from "./sides.ts";

function count(values: Record<string, string | boolean | undefined>, name: string, fallback: number, max: number): number {
  const v = values[name];
  if (v === undefined) return fallback;
  if (typeof v !== "string" || !/^\d+$/.test(v.replaceAll("_", "")) || Number(v.replaceAll("_", "")) > max) {
    throw new UsageError(`--${name} must be an integer from 0 to ${max}, got "${String(v)}"`);
  }
  return Number(v.replaceAll("_", ""));
}

function fraction(values: Record<string, string | boolean | undefined>, name: string, fallback: number): number {
  const v = values[name];
  if (v === undefined) return fallback;
  const n = typeof v === "string" && /^\d*\.?\d+$/.test(v) ? Number(v) : Number.NaN;
  if (!(n >= 0 && n <= 1)) throw new UsageError(`--${name} must be a number from 0 to 1, got "${String(v)}"`);
  return n;
}

export const command: Command = {
  name: "traces",
  summary: "Generate synthetic router traces (JSONL) from a config, for trying simulate",
  usage:
    "switchyard traces generate --config CONFIG [--env NAME] [--requests N] [--seed S] [--hours H] [--error-rate R] [--long-share R] [--start ISO] [--out FILE.jsonl]",
  help: `Writes trace records as the router's JSONL sink does (one TraceRecord per line), for requests
the config's own decide() routes: teams call their own routes, prompts are mostly short (~900
tokens) with --long-share of long ones (17k–40k tokens, default 0.02), callers' regions are drawn from the providers' regions, each model has
a fixed latency and failure rate derived from its name, and a failed attempt falls back along the
plan. The same config, seed and options give the same bytes.

CONFIG is resolved like a side of \`switchyard diff\`: a routes.ts, a build directory, a
switchyard.json, or a git ref.

Examples:
  switchyard traces generate --config routes.ts --env prod --requests 10000 --seed 7 --out traces.jsonl
  switchyard traces generate --config dist/prod --requests 1000000 --hours 720 --out month.jsonl

Exit codes: 0 written; 1 the config does not compile; 2 usage error or a file that cannot be written.`,
  options: {
    config: { type: "string", short: "c", description: "The config whose routing makes the traces (required)" },
    env: { type: "string", short: "e", description: "Environment to compile for" },
    requests: { type: "string", short: "n", description: "Number of requests (default 1000)" },
    seed: { type: "string", description: "Seed (default 1)" },
    hours: { type: "string", description: "Hours the requests are spread over (default 24)" },
    "error-rate": { type: "string", description: "Mean attempt failure rate, 0..1 (default 0.01)" },
    "long-share": { type: "string", description: "Share of requests with a long prompt, 0..1 (default 0.02)" },
    start: { type: "string", description: "Time of the first request, ISO-8601 (default 2026-01-01T00:00:00Z)" },
    out: { type: "string", short: "o", description: "File to write (default: stdout)" },
  },
  async run({ positionals, values, io }) {
    if (positionals[0] !== "generate" || positionals.length !== 1) throw new UsageError('expected the action "generate"');
    const config = typeof values.config === "string" ? values.config : undefined;
    if (config === undefined || config === "") throw new UsageError("--config is required");
    const requests = count(values, "requests", 1000, 100_000_000);
    const seed = count(values, "seed", 1, 0xffffffff);
    const hours = count(values, "hours", 24, 100_000);
    const errorRate = fraction(values, "error-rate", 0.01);
    const longShare = fraction(values, "long-share", 0.02);
    const startText = typeof values.start === "string" ? values.start : undefined;
    const start = startText === undefined ? undefined : Date.parse(startText);
    if (start !== undefined && !Number.isFinite(start)) throw new UsageError(`--start must be an ISO-8601 time, got "${startText ?? ""}"`);
    const env = typeof values.env === "string" ? values.env : undefined;

    // One side, loaded the way diff and simulate load theirs.
    const sides = await loadSides(io, config, config, env, false);
    if (!sides.ok) return sides.exit;
    const { generateTraces } = await import("@switchyard/compiler");
    const lines = generateTraces(sides.new.release.config, {
      requests,
      seed,
      hours,
      errorRate,
      longShare,
      configVersion: sides.new.release.hash,
      ...(start === undefined ? {} : { start }),
    });
    const out = typeof values.out === "string" ? values.out : undefined;
    if (out === undefined) {
      let chunk = "";
      for (const line of lines) {
        chunk += `${line}\n`;
        if (chunk.length > 1 << 16) {
          io.stdout(chunk);
          chunk = "";
        }
      }
      if (chunk !== "") io.stdout(chunk);
      return 0;
    }
    const stream = createWriteStream(resolve(io.cwd, out));
    const failed = once(stream, "error").then(([error]) => error as NodeJS.ErrnoException);
    let chunk = "";
    for (const line of lines) {
      chunk += `${line}\n`;
      if (chunk.length > 1 << 16) {
        if (!stream.write(chunk)) await Promise.race([once(stream, "drain"), failed]);
        chunk = "";
      }
    }
    stream.end(chunk);
    const result = await Promise.race([once(stream, "finish").then(() => undefined), failed]);
    if (result !== undefined) {
      io.stderr(`error: cannot write ${out}: ${result.code ?? result.message}\n`);
      return 2;
    }
    io.stderr(`wrote ${requests} trace records to ${out}\n`);
    return 0;
  },
};

/** @module commands/check — `switchyard check`: type-check, validate and lint routes.ts. */
import { relative } from "node:path";
import type { CompileResult, Diagnostic } from "@switchyard/compiler";
import type { Command } from "../command.ts";
import { UsageError } from "../command.ts";
import { cliVersion } from "../main.ts";
import { configFile, consoleToStderr } from "./config-file.ts";

const formats = ["pretty", "json", "sarif", "github"] as const;
type FormatName = (typeof formats)[number];

function isFormat(value: string): value is FormatName {
  return (formats as readonly string[]).includes(value);
}

export const command: Command = {
  name: "check",
  summary: "Type-check routes.ts, validate it and run its policy packs",
  usage: "switchyard check [routes.ts] [--env NAME | --all-envs] [--format pretty|json|sarif|github]",
  help: `Checks a routes.ts without writing anything:
  1. TypeScript type-check (misspelt tiers, models, routes, teams, providers and properties
     are type errors at the misspelt literal; codes like TS2322 are TypeScript's own),
  2. evaluates the config (bounded by a timeout) with the environment's overrides merged,
  3. validates it and runs semantic checks (codes SY…, see docs/diagnostics.md),
  4. runs the policy packs the environment selects (codes are policy ids).

Every diagnostic carries file:line:column. The file defaults to ./routes.ts. --env default
(or no --env) checks the config without overrides; --all-envs checks every environment routes.ts
declares (or the default view when it declares none) and fails if any of them fails. Policy findings
waived in routes.ts (waive: [{ policy, reason, until }]) are listed, not counted; in SARIF they are
results with an in-source suppression carrying the reason.

Examples:
  switchyard check
  switchyard check examples/acme/routes.ts --env prod
  switchyard check --env prod --format sarif > switchyard.sarif
  switchyard check --all-envs --format sarif > switchyard.sarif
  switchyard check --format github          # annotations in a GitHub Actions job

Exit codes: 0 clean (warnings allowed), 1 errors, 2 usage or internal error.`,
  options: {
    env: { type: "string", short: "e", description: "Environment whose overrides and policies apply (default: none, also --env default)" },
    "all-envs": { type: "boolean", description: "Check every environment routes.ts declares; exit 1 if any fails" },
    format: { type: "string", short: "f", description: "Output format: pretty (default), json, sarif, github" },
    color: { type: "boolean", description: "Force coloured output (default: when stdout is a terminal)" },
  },
  async run({ positionals, values, io }) {
    if (positionals.length > 1) throw new UsageError(`expected at most one file, got ${positionals.length}`);
    const format = typeof values.format === "string" ? values.format : "pretty";
    if (!isFormat(format)) throw new UsageError(`unknown --format "${format}"; use one of ${formats.join(", ")}`);
    const env = typeof values.env === "string" ? values.env : undefined;
    const allEnvs = values["all-envs"] === true;
    if (allEnvs && env !== undefined) throw new UsageError("give either --env NAME or --all-envs, not both");
    const file = configFile(io.cwd, positionals[0]);

    const { compile, formatDiagnostics } = await import("@switchyard/compiler");
    const color =
      values.color === true || (format === "pretty" && io.env.FORCE_COLOR !== "0" && process.stdout.isTTY === true && io.env.NO_COLOR === undefined);
    const compileFor = (name: string | undefined) => compile({ file, ...(name === undefined ? {} : { env: name }), onConsole: consoleToStderr(io, file) });
    const first = await compileFor(env);
    const runs: { env: string | undefined; result: CompileResult }[] = [{ env, result: first }];
    if (allEnvs && first.environments.length > 0) {
      runs.length = 0;
      for (const name of first.environments) runs.push({ env: name, result: await compileFor(name) });
    }
    const formatOptions = (result: CompileResult) => ({
      cwd: io.cwd,
      color,
      toolVersion: cliVersion(),
      ...(result.notes ? { notes: result.notes } : {}),
      ...(result.warnings ? { warnings: result.warnings } : {}),
      ...(result.waived ? { waived: result.waived } : {}),
    });
    const write = (text: string): void => {
      if (text.length > 0) io.stdout(text.endsWith("\n") ? text : `${text}\n`);
    };
    if (!allEnvs || format === "pretty" || format === "json") {
      const bodies: unknown[] = [];
      for (const [index, { env: name, result }] of runs.entries()) {
        if (allEnvs && format === "pretty") io.stdout(`${index > 0 ? "\n" : ""}== environment ${name ?? "default"} ==\n`);
        const text = formatDiagnostics(result.diagnostics, format, formatOptions(result));
        if (allEnvs && format === "json") bodies.push({ environment: name ?? "default", ...(JSON.parse(text) as object) });
        else write(text);
        if (format === "pretty" && result.ok && result.release) {
          const routes = Object.keys(result.release.config.routes).length;
          const problems = result.diagnostics.length === 0 ? "no problems" : "no errors";
          const policies = result.warnings?.some((w) => w.startsWith("no policy packs")) ? ", no policies ran" : "";
          const state = result.release.config.state;
          const shared = state?.kind === "redis" ? `, state on redis (url from ${state.url.secret})` : "";
          io.stdout(
            `✓ ${relative(io.cwd, file) || file}: ${problems}${policies} (environment ${name ?? "default"}, ${routes} route${routes === 1 ? "" : "s"}${shared}, release ${result.release.hash.slice(0, 12)})\n`,
          );
        }
      }
      if (bodies.length > 0) write(`${JSON.stringify({ ok: runs.every((r) => r.result.ok), environments: bodies }, null, 2)}\n`);
    } else {
      // One SARIF run (or one annotation list) for every environment: a finding shared by several is reported once, naming them.
      const merged = mergeAcrossEnvironments(runs.map((r) => ({ env: r.env ?? "default", result: r.result })));
      write(formatDiagnostics(merged.diagnostics, format, { ...formatOptions(merged), color: false }));
    }
    return runs.every((r) => r.result.ok) ? 0 : 1;
  },
};

/** The diagnostics, notes, warnings and waivers of several environments as one result; each diagnostic not in every environment names those it is in. */
function mergeAcrossEnvironments(runs: { env: string; result: CompileResult }[]): CompileResult {
  const byKey = new Map<string, { diagnostic: Diagnostic; envs: string[] }>();
  const keyOf = (d: Diagnostic): string => JSON.stringify([d.code, d.file, d.line, d.column, d.endLine, d.endColumn, d.message]);
  for (const { env, result } of runs) {
    for (const diagnostic of result.diagnostics) {
      const entry = byKey.get(keyOf(diagnostic));
      if (entry === undefined) byKey.set(keyOf(diagnostic), { diagnostic, envs: [env] });
      else entry.envs.push(env);
    }
  }
  const diagnostics = [...byKey.values()].map(({ diagnostic, envs }) =>
    envs.length === runs.length
      ? diagnostic
      : { ...diagnostic, message: `${diagnostic.message} [environment${envs.length === 1 ? "" : "s"} ${envs.join(", ")}]` },
  );
  const unique = (lists: (string[] | undefined)[]): string[] => [...new Set(lists.flatMap((list) => list ?? []))];
  const waived = runs.flatMap((r) => r.result.waived ?? []);
  return {
    ok: runs.every((r) => r.result.ok),
    diagnostics,
    environments: runs.map((r) => r.env),
    notes: unique(runs.map((r) => r.result.notes)),
    warnings: unique(runs.map((r) => r.result.warnings)),
    waived: waived.filter((entry, index) => waived.findIndex((other) => JSON.stringify(other) === JSON.stringify(entry)) === index),
  };
}

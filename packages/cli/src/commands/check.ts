/** @module commands/check — `switchyard check`: type-check, validate and lint routes.ts. */
import { relative } from "node:path";
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
  usage: "switchyard check [routes.ts] [--env NAME] [--format pretty|json|sarif|github]",
  help: `Checks a routes.ts without writing anything:
  1. TypeScript type-check (misspelt tiers, models, routes, teams, providers and properties
     are type errors at the misspelt literal; codes like TS2322 are TypeScript's own),
  2. evaluates the config (bounded by a timeout) with the environment's overrides merged,
  3. validates it and runs semantic checks (codes SY…, see docs/diagnostics.md),
  4. runs the policy packs the environment selects (codes are policy ids).

Every diagnostic carries file:line:column. The file defaults to ./routes.ts.

Examples:
  switchyard check
  switchyard check examples/acme/routes.ts --env prod
  switchyard check --env prod --format sarif > switchyard.sarif
  switchyard check --format github          # annotations in a GitHub Actions job

Exit codes: 0 clean (warnings allowed), 1 errors, 2 usage or internal error.`,
  options: {
    env: { type: "string", short: "e", description: "Environment whose overrides and policies apply (default: none)" },
    format: { type: "string", short: "f", description: "Output format: pretty (default), json, sarif, github" },
    color: { type: "boolean", description: "Force coloured output (default: when stdout is a terminal)" },
  },
  async run({ positionals, values, io }) {
    if (positionals.length > 1) throw new UsageError(`expected at most one file, got ${positionals.length}`);
    const format = typeof values.format === "string" ? values.format : "pretty";
    if (!isFormat(format)) throw new UsageError(`unknown --format "${format}"; use one of ${formats.join(", ")}`);
    const env = typeof values.env === "string" ? values.env : undefined;
    const file = configFile(io.cwd, positionals[0]);

    const { compile, formatDiagnostics } = await import("@switchyard/compiler");
    const result = await compile({ file, ...(env === undefined ? {} : { env }), onConsole: consoleToStderr(io, file) });
    const color =
      values.color === true || (format === "pretty" && io.env.FORCE_COLOR !== "0" && process.stdout.isTTY === true && io.env.NO_COLOR === undefined);
    const text = formatDiagnostics(result.diagnostics, format, {
      cwd: io.cwd,
      color,
      toolVersion: cliVersion(),
      ...(result.notes ? { notes: result.notes } : {}),
    });
    if (text.length > 0) io.stdout(text.endsWith("\n") ? text : `${text}\n`);
    if (format === "pretty" && result.ok && result.release) {
      const routes = Object.keys(result.release.config.routes).length;
      const problems = result.diagnostics.length === 0 ? "no problems" : "no errors";
      const state = result.release.config.state;
      const shared = state?.kind === "redis" ? `, state on redis (url from ${state.url.secret})` : "";
      io.stdout(
        `✓ ${relative(io.cwd, file) || file}: ${problems} (environment ${env ?? "default"}, ${routes} route${routes === 1 ? "" : "s"}${shared}, release ${result.release.hash.slice(0, 12)})\n`,
      );
    }
    return result.ok ? 0 : 1;
  },
};

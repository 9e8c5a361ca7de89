/** @module commands/diff — `switchyard diff OLD NEW`: the semantic plan of a routing change. */
import type { Command } from "../command.ts";
import { UsageError } from "../command.ts";
import { loadSides } from "./sides.ts";

const formats = ["pretty", "json", "markdown"] as const;
type FormatName = (typeof formats)[number];

function isFormat(value: string): value is FormatName {
  return (formats as readonly string[]).includes(value);
}

/** Exit code of `--fail-on-change` when there are changes (0/1/2 keep their shared meaning). */
export const EXIT_CHANGED = 3;

export const command: Command = {
  name: "diff",
  summary: "Show what a change does: routes, tiers, models, providers, teams and policy findings",
  usage: "switchyard diff OLD NEW [--env NAME] [--format pretty|json|markdown] [--fail-on-change]",
  help: `Compares two configurations and prints a semantic plan, not a text diff: what is added,
removed or changed per route, tier, model, provider, team and policy pack, with both values
("route support-faq: fallback [frontier] → [frontier, llama-local]"), and which policy
findings newly fail or newly pass. Every route the change reaches (itself, or through a tier or
model) gets its blended $/1M tokens (primary, by weight, at 3 input : 1 output tokens), the
worst case over its whole chain and its context window, before and after. The markdown lists
the changed settings as written in routes.ts and charts the prices (Mermaid); --format json
carries a schemaVersion.

OLD and NEW are each one of:
  dist/prod                    a build directory (its switchyard.json; or dist with --env prod)
  examples/acme/routes.ts      a config file, compiled for --env
  main, HEAD~1, origin/main    a git ref: ./routes.ts as it is at that commit
  origin/main:path/routes.ts   a git ref and a path from the repository root (REF:./x is
                               relative to the current directory)

Git refs are compiled from a copy of the whole tree at that commit, so relative imports and
your own policy packs resolve as they did there. Policy deltas need both sides compiled (not
builds); pass --env to run the environment's policy packs.

Examples:
  switchyard diff main HEAD
  switchyard diff origin/main HEAD --env prod --format markdown > diff.md
  switchyard diff dist/prod examples/acme/routes.ts --env prod
  switchyard diff HEAD~1 HEAD --fail-on-change

Exit codes: 0 done (changes or not), 3 changes found with --fail-on-change, 1 a side does not
compile or is not a valid build, 2 usage error or a side that does not exist.`,
  options: {
    env: { type: "string", short: "e", description: 'Environment both sides are compiled for (default: none, "default")' },
    format: { type: "string", short: "f", description: "Output format: pretty (default), json, markdown" },
    "fail-on-change": { type: "boolean", description: `Exit ${EXIT_CHANGED} when anything changed` },
    color: { type: "boolean", description: "Force coloured output (default: when stdout is a terminal)" },
  },
  async run({ positionals, values, io }) {
    if (positionals.length !== 2) throw new UsageError(`expected OLD and NEW, got ${positionals.length} argument${positionals.length === 1 ? "" : "s"}`);
    const [oldSpec = "", newSpec = ""] = positionals;
    const format = typeof values.format === "string" ? values.format : "pretty";
    if (!isFormat(format)) throw new UsageError(`unknown --format "${format}"; use one of ${formats.join(", ")}`);
    const env = typeof values.env === "string" ? values.env : undefined;
    const color =
      values.color === true || (format === "pretty" && io.env.FORCE_COLOR !== "0" && process.stdout.isTTY === true && io.env.NO_COLOR === undefined);

    const sides = await loadSides(io, oldSpec, newSpec, env, color);
    if (!sides.ok) return sides.exit;
    const compiler = await import("@switchyard/compiler");
    const report = compiler.createDiffReport({ old: sides.old, new: sides.new });
    io.stdout(compiler.formatDiff(report, format, { color }));
    const changed = report.diff.hasChanges || compiler.hasPolicyChanges(report.policies);
    return values["fail-on-change"] === true && changed ? EXIT_CHANGED : 0;
  },
};

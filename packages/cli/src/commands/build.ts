/** @module commands/build — `switchyard build`: compile routes.ts into dist/<env>/. */
import { relative, resolve } from "node:path";
import type { Command } from "../command.ts";
import { UsageError } from "../command.ts";
import { configFile, consoleToStderr } from "./config-file.ts";

export const command: Command = {
  name: "build",
  summary: "Compile routes.ts into dist/<env>/ (switchyard.json, manifest.json, router.mjs and its assets)",
  usage: "switchyard build [routes.ts] [--env NAME] [--out dist]",
  help: `Runs every step of \`switchyard check\`, then writes, for the environment:
  <out>/<env>/switchyard.json   the canonical compiled config and its content hash
  <out>/<env>/manifest.json     IR version, hash, environment, compiler version, sizes, sha256s
  <out>/<env>/router.mjs        the router (run it with \`node router.mjs\`; no node_modules)
  <out>/<env>/switchyard-*.<hash>.mjs
                                router.mjs's assets: the dashboard and the Responses and Messages
                                dialects, which router.mjs imports from its own folder on first use

router.mjs plus its assets make the deployable folder: ship the whole <out>/<env>/ folder. A
router.mjs copied alone still serves chat completions, but answers 503 asset_missing on the
endpoints whose asset is not beside it.

Nothing is written when there are errors. Builds are deterministic: the same input gives the
same bytes. Without --env the environment is "default" (no overrides apply).

Examples:
  switchyard build
  switchyard build examples/acme/routes.ts --env prod --out dist
  node dist/prod/router.mjs --port 8787`,
  options: {
    env: { type: "string", short: "e", description: 'Environment to build (default: none, written as "default")' },
    out: { type: "string", short: "o", description: "Output directory (default: dist)" },
    color: { type: "boolean", description: "Force coloured diagnostics" },
  },
  async run({ positionals, values, io }) {
    if (positionals.length > 1) throw new UsageError(`expected at most one file, got ${positionals.length}`);
    const env = typeof values.env === "string" ? values.env : undefined;
    const file = configFile(io.cwd, positionals[0]);
    // An empty --out (an unset shell variable) would otherwise build into the current directory.
    if (values.out === "") throw new UsageError("--out must name a folder, got an empty string");
    const outDir = resolve(io.cwd, typeof values.out === "string" ? values.out : "dist");

    const { build, formatDiagnostics } = await import("@switchyard/compiler");
    const result = await build({ file, outDir, ...(env === undefined ? {} : { env }), onConsole: consoleToStderr(io, file) });
    const color = values.color === true || (io.env.FORCE_COLOR !== "0" && process.stdout.isTTY === true && io.env.NO_COLOR === undefined);
    const text = formatDiagnostics(result.diagnostics, "pretty", {
      cwd: io.cwd,
      color,
      ...(result.notes ? { notes: result.notes } : {}),
      ...(result.warnings ? { warnings: result.warnings } : {}),
      ...(result.waived ? { waived: result.waived } : {}),
    });
    if (!result.ok) {
      io.stderr(text.endsWith("\n") ? text : `${text}\n`);
      io.stderr("Nothing was written.\n");
      return 1;
    }
    if (text.length > 0) io.stderr(text.endsWith("\n") ? text : `${text}\n`);
    const written = result.files ?? [];
    io.stdout(`Built ${env ?? "default"} → ${relative(io.cwd, result.outDir ?? outDir) || "."}\n`);
    for (const path of written) io.stdout(`  ${relative(io.cwd, path)}\n`);
    if (result.release) io.stdout(`  release ${result.release.hash}\n`);
    return 0;
  },
};

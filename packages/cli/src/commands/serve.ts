/** @module commands/serve — `switchyard serve`: run a build (dist/<env>) or compile-and-run a routes.ts. */
import { readFile, readdir, stat } from "node:fs/promises";
import { join, relative, resolve } from "node:path";
import { type Release, parseRelease } from "@switchyard/ir";
import type { Command, Io } from "../command.ts";
import { UsageError } from "../command.ts";
import { consoleToStderr } from "./config-file.ts";

const isFile = (path: string): Promise<boolean> =>
  stat(path).then(
    (s) => s.isFile(),
    () => false,
  );

/** The usage message for a directory with nothing to serve, naming the builds below it (a dist folder without --env). */
async function nothingToServeIn(directory: string, env: string | undefined, cwd: string): Promise<string> {
  const shown = relative(cwd, directory) || ".";
  const builds: string[] = [];
  for (const entry of await readdir(directory, { withFileTypes: true }).catch(() => [])) {
    if (entry.isDirectory() && (await isFile(join(directory, entry.name, "switchyard.json")))) builds.push(entry.name);
  }
  const looked = `${shown} holds no switchyard.json${env === undefined ? "" : `, no ${env}/switchyard.json`} and no routes.ts`;
  if (builds.length > 0) return `${looked}; it has builds for ${builds.sort().join(", ")}: pass ${join(shown, builds[0] ?? "")} or --env ${builds[0] ?? ""}`;
  return `${looked}: build first with \`switchyard build\`, or give a routes.ts`;
}

/** A release loaded for serving, or the exit code to return (diagnostics already printed). */
export type LoadedRelease = { release: Release; source: string } | { exitCode: number };

/**
 * Load what `serve` was pointed at: a build directory (its switchyard.json), a dist directory with
 * `env` (`<env>/switchyard.json`), a project directory (its routes.ts), a switchyard.json file, or a
 * routes.ts (compiled with the compiler; diagnostics printed, exit 1 on errors).
 */
export async function loadRelease(
  given: string,
  options: {
    env: string | undefined;
    io: Io;
    color: boolean;
    /** The environment to compile a routes.ts for when `env` is not given (push: the router's own). */
    sourceEnv?: () => Promise<string>;
  },
): Promise<LoadedRelease> {
  let target = given;
  const { io } = options;
  let info;
  try {
    info = await stat(target);
  } catch {
    throw new UsageError(`${relative(io.cwd, target) || target} does not exist (give a build directory such as dist/prod, a switchyard.json, or a routes.ts)`);
  }
  if (info.isDirectory()) {
    // The same rule as diff's (a build, dist with --env, a project).
    const { releaseOrConfigIn } = await import("@switchyard/compiler");
    const found = releaseOrConfigIn(target, options.env);
    if (found === undefined) throw new UsageError(await nothingToServeIn(target, options.env, io.cwd));
    target = found.file;
  }
  if (target.endsWith(".json")) {
    const file = target;
    let text: string;
    try {
      text = await readFile(file, "utf8");
    } catch (error) {
      throw new UsageError(`cannot read ${relative(io.cwd, file) || file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
    const parsed = parseRelease(text);
    if (!parsed.success) {
      for (const issue of parsed.issues) io.stderr(`${relative(io.cwd, file)}: ${issue.path.join(".") || "(root)"}: ${issue.message} [${issue.code}]\n`);
      return { exitCode: 1 };
    }
    if (options.env !== undefined && parsed.data.config.environment !== options.env) {
      throw new UsageError(`${relative(io.cwd, file)} is the "${parsed.data.config.environment}" build, not "${options.env}"`);
    }
    return { release: parsed.data, source: relative(io.cwd, file) };
  }
  const { compile, formatDiagnostics } = await import("@switchyard/compiler");
  const env = options.env ?? (await options.sourceEnv?.());
  const result = await compile({ file: target, ...(env === undefined ? {} : { env }), onConsole: consoleToStderr(io, target) });
  if (result.diagnostics.length > 0) {
    const text = formatDiagnostics(result.diagnostics, "pretty", { cwd: io.cwd, color: options.color });
    io.stderr(text.endsWith("\n") ? text : `${text}\n`);
  }
  if (!result.ok || result.release === undefined) return { exitCode: 1 };
  return { release: result.release, source: relative(io.cwd, target) };
}

export function parsePort(value: string | boolean | undefined, fallback: number): number {
  if (value === undefined || typeof value === "boolean") return fallback;
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) throw new UsageError(`--port must be an integer 0..65535, got "${value}"`);
  return port;
}

/** Resolve when the process gets SIGINT or SIGTERM (Ctrl-C). */
export function untilSignal(): Promise<string> {
  return new Promise((resolvePromise) => {
    const onSignal = (signal: string): void => {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
      resolvePromise(signal);
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
  });
}

export const command: Command = {
  name: "serve",
  summary: "Run the router for a build (dist/<env>) or compile-and-run a routes.ts",
  usage: "switchyard serve [dist/<env> | switchyard.json | routes.ts] [--env NAME] [--port 8787] [--host 127.0.0.1]",
  help: `Serves the OpenAI-compatible endpoint (POST /v1/chat/completions, GET /v1/models, /healthz,
/readyz) for one release until Ctrl-C, then drains in-flight requests and exits.

Given a build directory (or its switchyard.json, or dist with --env) it serves that release as
built; given a routes.ts (or a directory holding one) it compiles it first (diagnostics are
printed; errors exit 1). Provider and team keys come from the
environment variables routes.ts names. Without teams in the config the router is open (no key).

Examples:
  switchyard serve dist/prod --port 8787
  switchyard serve routes.ts --env dev
  curl localhost:8787/v1/models -H "Authorization: Bearer $SUPPORT_KEY"`,
  options: {
    env: { type: "string", short: "e", description: "Environment to compile (routes.ts) or expect (build)" },
    port: { type: "string", short: "p", description: "Port (default 8787; 0 picks a free one)" },
    host: { type: "string", description: "Interface to listen on (default 127.0.0.1)" },
    color: { type: "boolean", description: "Force coloured diagnostics" },
  },
  async run({ positionals, values, io }) {
    if (positionals.length > 1) throw new UsageError(`expected at most one build directory or file, got ${positionals.length}`);
    const env = typeof values.env === "string" ? values.env : undefined;
    const port = parsePort(values.port, 8787);
    if (values.host === "") throw new UsageError("--host must not be empty (default 127.0.0.1)");
    const host = typeof values.host === "string" ? values.host : "127.0.0.1";
    const target = resolve(io.cwd, positionals[0] ?? "routes.ts");
    const color = values.color === true || (io.env.FORCE_COLOR !== "0" && process.stderr.isTTY === true && io.env.NO_COLOR === undefined);
    const loaded = await loadRelease(target, { env, io, color });
    if ("exitCode" in loaded) return loaded.exitCode;

    const { startRouter, RouterStartError, builtinAdapters, builtinValidators, undiciTransport } = await import("@switchyard/router");
    let router;
    try {
      // The OpenTelemetry SDK is loaded only for releases that export spans.
      const otlp = loaded.release.config.telemetry?.otlp === undefined ? undefined : (await import("@switchyard/router/otlp")).otlpSink;
      // So is the Redis client, for releases that keep their state on Redis.
      const redis = loaded.release.config.state?.kind === "redis" ? (await import("@switchyard/router/redis")).redisState : undefined;
      router = await startRouter({
        release: loaded.release,
        port,
        host,
        env: io.env,
        adapters: builtinAdapters,
        validators: builtinValidators,
        transport: undiciTransport(),
        ...(otlp !== undefined ? { telemetry: { otlp } } : {}),
        ...(redis !== undefined ? { redis } : {}),
      });
    } catch (error) {
      if (error instanceof RouterStartError) {
        io.stderr(`switchyard serve: ${error.message}\n`);
        return 1;
      }
      throw error;
    }
    for (const warning of router.warnings) io.stderr(`warning: ${warning}\n`);
    io.stdout(`Serving ${loaded.source} (environment ${loaded.release.config.environment}, release ${loaded.release.hash.slice(0, 12)})\n`);
    io.stdout(`switchyard router listening on ${router.url}  —  Ctrl-C to stop\n`);
    const signal = await untilSignal();
    io.stdout(`${signal}: draining ${router.inFlight()} in-flight request(s)…\n`);
    await router.close();
    io.stdout("stopped\n");
    return 0;
  },
};

/** @module The router process entry (what router.mjs runs): flags, env, start, graceful shutdown on SIGTERM/SIGINT. */
import { parseArgs } from "node:util";
import type { Release } from "@switchyard/ir";
import type { AdapterRegistry, Transport } from "./adapters/types.ts";
import type { ValidatorRegistry } from "./validators/types.ts";
import { RouterStartError, type RunningRouter, startRouter } from "./http/server.ts";
import type { RedisStateSupport } from "./state/redis/start.ts";
import type { TelemetryOptions } from "./telemetry/telemetry.ts";

export interface RunMainOptions {
  release: Release;
  adapters: AdapterRegistry;
  validators: ValidatorRegistry;
  transport?: Transport;
  argv?: string[];
  env?: NodeJS.ProcessEnv;
  stdout?: (line: string) => void;
  stderr?: (line: string) => void;
  /** Install SIGTERM/SIGINT handlers that drain and exit, and the unhandledRejection/uncaughtException guards that log and keep serving (default true). */
  signals?: boolean;
  /** The OTLP sink factory (router.mjs passes it only when the release configures `telemetry.otlp`). */
  telemetry?: TelemetryOptions;
  /** Redis state (router.mjs passes it only when the release declares `state: { kind: "redis" }`). */
  redis?: RedisStateSupport;
}

const USAGE = "usage: node router.mjs [--port N] [--host H]   (or PORT / HOST; default 127.0.0.1:8787)";

/** Parse `--port`/`--host` (falling back to PORT/HOST); returns a message on bad input. */
export function parseListenArgs(argv: string[], env: NodeJS.ProcessEnv): { port: number; host: string } | { error: string } {
  let values: { port?: string; host?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { port: { type: "string", short: "p" }, host: { type: "string" }, help: { type: "boolean", short: "h" } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    return { error: (error as Error).message.split("\n")[0] ?? "bad arguments" };
  }
  if (values.help === true) return { error: "help" };
  const portText = values.port ?? env["PORT"] ?? "8787";
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || !Number.isInteger(port) || port < 0 || port > 65535) return { error: `--port must be an integer 0..65535, got "${portText}"` };
  const host = values.host ?? env["HOST"] ?? "127.0.0.1";
  if (host === "") return { error: "--host must not be empty" };
  return { port, host };
}

/**
 * Run the router as a process. Resolves with the running router; on bad flags or a failed start it
 * prints one line and sets `process.exitCode` (2 usage, 1 start failure) and resolves undefined.
 */
export async function runMain(options: RunMainOptions): Promise<RunningRouter | undefined> {
  const env = options.env ?? process.env;
  const out = options.stdout ?? ((line: string) => process.stdout.write(`${line}\n`));
  const err = options.stderr ?? ((line: string) => process.stderr.write(`${line}\n`));
  const listen = parseListenArgs(options.argv ?? process.argv.slice(2), env);
  if ("error" in listen) {
    if (listen.error === "help") {
      out(USAGE);
      return undefined;
    }
    err(`switchyard router: ${listen.error}`);
    err(USAGE);
    process.exitCode = 2;
    return undefined;
  }
  let router: RunningRouter;
  try {
    router = await startRouter({
      release: options.release,
      port: listen.port,
      host: listen.host,
      env,
      adapters: options.adapters,
      validators: options.validators,
      ...(options.transport !== undefined ? { transport: options.transport } : {}),
      ...(options.telemetry !== undefined ? { telemetry: options.telemetry } : {}),
      ...(options.redis !== undefined ? { redis: options.redis } : {}),
    });
  } catch (error) {
    err(`switchyard router: ${error instanceof RouterStartError ? error.message : `failed to start: ${(error as Error).message}`}`);
    if (env["SWITCHYARD_DEBUG"] === "1") err(String((error as Error).stack));
    process.exitCode = 1;
    return undefined;
  }
  for (const warning of router.warnings) err(`switchyard router: warning: ${warning}`);
  out(`switchyard router listening on ${router.url} (environment ${options.release.config.environment}, release ${options.release.hash.slice(0, 12)})`);
  if (options.signals !== false) {
    // A stray rejection or throw outside any request (requests have their own boundary in server.ts) is logged
    // in one line and the router keeps serving: one bug must not take every tenant's traffic down. The line
    // holds the error's name and the first line of its message, never a stack (SWITCHYARD_DEBUG=1 adds it).
    const survive =
      (what: string) =>
      (error: unknown): void => {
        const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
        err(`switchyard router: ${what} (still serving): ${text.split("\n")[0]?.slice(0, 200)}`);
        if (env["SWITCHYARD_DEBUG"] === "1") err(String((error as Error).stack));
      };
    process.on("unhandledRejection", survive("unhandled rejection"));
    process.on("uncaughtException", survive("uncaught exception"));
    let stopping = false;
    const stop = (signal: string): void => {
      if (stopping) {
        err(`switchyard router: ${signal} again, exiting now`);
        process.exit(1);
      }
      stopping = true;
      const unreadyMs = Number(env["SWITCHYARD_SHUTDOWN_DELAY_MS"] ?? "0");
      out(`switchyard router: ${signal}: draining ${router.inFlight()} in-flight request(s)…`);
      router.close({ unreadyMs: Number.isFinite(unreadyMs) && unreadyMs > 0 ? unreadyMs : 0 }).then(
        () => {
          out("switchyard router: stopped");
          process.exit(0);
        },
        (error: unknown) => {
          err(`switchyard router: error while stopping: ${(error as Error).message}`);
          process.exit(1);
        },
      );
    };
    process.on("SIGTERM", () => stop("SIGTERM"));
    process.on("SIGINT", () => stop("SIGINT"));
  }
  return router;
}

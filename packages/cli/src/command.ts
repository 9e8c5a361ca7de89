/** @module command — the shape of one `switchyard` verb and the I/O it is given. */

/** One option of a verb, as `node:util` parseArgs understands it. */
export interface OptionSpec {
  type: "string" | "boolean";
  short?: string;
  description: string;
}

/** Where a verb writes and what it may read from the process; injected so verbs are testable. */
export interface Io {
  stdout(text: string): void;
  stderr(text: string): void;
  cwd: string;
  env: NodeJS.ProcessEnv;
}

/** Arguments a verb's `run` receives once parseArgs accepted them. */
export interface RunArgs {
  positionals: string[];
  values: Record<string, string | boolean | undefined>;
  io: Io;
}

/**
 * A verb of the CLI. `run` returns the exit code: 0 clean, 1 errors or mandatory policy
 * violations, 2 usage or internal error.
 *
 * @example
 * export const command: Command = {
 *   name: "hello", summary: "Say hello", usage: "switchyard hello [NAME]", help: "Prints a greeting.",
 *   options: { loud: { type: "boolean", short: "l", description: "Shout" } },
 *   async run({ positionals, values, io }) { io.stdout(`hello ${positionals[0] ?? "world"}${values.loud ? "!" : ""}\n`); return 0; },
 * };
 */
export interface Command {
  name: string;
  summary: string;
  usage: string;
  help: string;
  options: Record<string, OptionSpec>;
  run(args: RunArgs): Promise<number>;
}

/** Exit codes shared by every verb. */
export const ExitCode = { ok: 0, failed: 1, usage: 2 } as const;

/** A usage error thrown by a verb: the CLI prints the message plus the verb's usage and exits 2. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/** @module main — argument parsing, dispatch, help and exit codes of the `switchyard` CLI. */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import type { Command, Io, OptionSpec } from "./command.ts";
import { ExitCode, UsageError } from "./command.ts";

/** The CLI's own version, read from its package.json. */
export function cliVersion(): string {
  try {
    const text = readFileSync(new URL("../package.json", import.meta.url), "utf8");
    const parsed: unknown = JSON.parse(text);
    if (parsed !== null && typeof parsed === "object" && "version" in parsed && typeof parsed.version === "string") {
      return parsed.version;
    }
  } catch {
    // fall through: a version is informative only
  }
  return "0.0.0";
}

/** Options of `runCli`; `commands` defaults to the registered verb table. */
export interface RunCliOptions {
  argv: readonly string[];
  io: Io;
  /** The verbs to dispatch to; default: the registered table. */
  commands?: readonly Command[];
  /** The full table for suggestions when `commands` is a subset. */
  allCommands?: () => Promise<readonly Command[]>;
}

/** Levenshtein distance, used to suggest the verb a user probably meant. */
export function editDistance(a: string, b: string): number {
  const previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = previous[0] ?? 0;
    previous[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = previous[j] ?? 0;
      const left = previous[j - 1] ?? 0;
      previous[j] = Math.min(above + 1, left + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return previous[b.length] ?? 0;
}

/** The closest known name within a small distance, or undefined. */
export function suggest(input: string, names: readonly string[]): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const name of names) {
    const distance = name.startsWith(input) && input.length >= 2 ? 0 : editDistance(input, name);
    if (best === undefined || distance < best.distance) best = { name, distance };
  }
  if (best === undefined) return undefined;
  return best.distance <= Math.max(2, Math.floor(best.name.length / 3)) ? best.name : undefined;
}

function formatOptions(options: Record<string, OptionSpec>): string {
  const rows: [string, string][] = Object.entries(options).map(([name, spec]) => {
    const flag = `${spec.short ? `-${spec.short}, ` : "    "}--${name}${spec.type === "string" ? ` ${name.toUpperCase()}` : ""}`;
    return [flag, spec.description];
  });
  rows.push(["-h, --help", "Show this help"]);
  const width = Math.max(...rows.map(([flag]) => flag.length));
  return rows.map(([flag, description]) => `  ${flag.padEnd(width)}  ${description}`).join("\n");
}

/** Help text of one verb. */
export function commandHelp(command: Command): string {
  return [`Usage: ${command.usage}`, "", command.summary, "", command.help.trimEnd(), "", "Options:", formatOptions(command.options), ""].join("\n");
}

/** Top-level help: what Switchyard is and every verb. */
export function topHelp(commands: readonly Command[]): string {
  const width = Math.max(0, ...commands.map((command) => command.name.length));
  return [
    "switchyard — multi-model LLM routing as code",
    "",
    "Usage: switchyard <command> [options]",
    "",
    "Commands:",
    ...commands.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`),
    "",
    "Options:",
    "  -h, --help     Show help (also: switchyard <command> --help)",
    "  -v, --version  Print the version",
    "",
    "Exit codes: 0 clean (warnings allowed), 1 errors or mandatory policy violations, 2 usage or internal error.",
    "Run `switchyard check` in a directory with a routes.ts to start.",
    "",
  ].join("\n");
}

/**
 * One plain line for a `parseArgs` failure: Node's own wording is several lines and speaks of
 * "ambiguous" arguments where the user simply gave a negative number or forgot a value.
 */
export function optionErrorMessage(error: unknown, optionNames: readonly string[]): string {
  const message = errorMessage(error);
  const code = (error as { code?: unknown }).code;
  const option = /'(?:-\w, )?(--[\w-]+)/.exec(message)?.[1];
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION" && option !== undefined) {
    const guess = suggest(option.slice(2), optionNames);
    return `unknown option ${option}.${guess ? ` Did you mean --${guess}?` : ""}`;
  }
  if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE" && option !== undefined) {
    if (message.includes("argument is ambiguous")) return `${option} needs a value; for a value starting with "-", write ${option}=-5.`;
    if (message.includes("argument missing")) return `${option} needs a value.`;
    if (message.includes("does not take an argument")) return `${option} takes no value.`;
  }
  return message.split("\n")[0] ?? message;
}

function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

/**
 * Runs the CLI and resolves to the exit code; never throws and never calls process.exit.
 *
 * @example
 * const code = await runCli({ argv: ["check", "routes.ts"], io });
 */
export async function runCli(options: RunCliOptions): Promise<number> {
  const { argv, io } = options;
  // The verb table is loaded on demand so a caller that already picked its verb (bin.ts) skips the rest.
  const commands = options.commands ?? (await import("./commands/index.ts")).commands;
  const [first, ...rest] = argv;

  if (first === undefined || first === "-h" || first === "--help" || first === "help") {
    const topic = first === "help" ? rest[0] : undefined;
    const command = topic === undefined ? undefined : commands.find((candidate) => candidate.name === topic);
    if (first === undefined) {
      io.stderr(topHelp(commands));
      return ExitCode.usage;
    }
    if (topic !== undefined && !command) {
      const guess = suggest(
        topic,
        commands.map((candidate) => candidate.name),
      );
      const hint = guess ? ` Did you mean \`switchyard help ${guess}\`?` : "";
      io.stderr(`switchyard: no help for unknown command "${topic}".${hint}\nRun \`switchyard --help\` to see the commands.\n`);
      return ExitCode.usage;
    }
    io.stdout(command ? commandHelp(command) : topHelp(commands));
    return ExitCode.ok;
  }
  if (first === "-v" || first === "--version") {
    io.stdout(`${cliVersion()}\n`);
    return ExitCode.ok;
  }

  const command = commands.find((candidate) => candidate.name === first);
  if (!command) {
    const all = options.allCommands ? await options.allCommands() : commands;
    const guess = suggest(
      first,
      all.map((candidate) => candidate.name),
    );
    const hint = guess ? ` Did you mean \`switchyard ${guess}\`?` : "";
    io.stderr(`switchyard: unknown command "${first}".${hint}\nRun \`switchyard --help\` to see the commands.\n`);
    return ExitCode.usage;
  }

  let parsed: { positionals: string[]; values: Record<string, string | boolean | undefined> };
  try {
    const result = parseArgs({
      args: [...rest],
      options: { ...command.options, help: { type: "boolean", short: "h" } },
      allowPositionals: true,
      strict: true,
    });
    parsed = { positionals: result.positionals, values: result.values as Record<string, string | boolean | undefined> };
  } catch (error) {
    io.stderr(
      `switchyard ${command.name}: ${optionErrorMessage(error, Object.keys(command.options))}\nUsage: ${command.usage}\nRun \`switchyard ${command.name} --help\` for details.\n`,
    );
    return ExitCode.usage;
  }

  if (parsed.values.help === true) {
    io.stdout(commandHelp(command));
    return ExitCode.ok;
  }
  const { help: _help, ...values } = parsed.values;

  try {
    return await command.run({ positionals: parsed.positionals, values, io });
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`switchyard ${command.name}: ${error.message}\nUsage: ${command.usage}\n`);
      return ExitCode.usage;
    }
    io.stderr(`switchyard ${command.name}: internal error: ${errorMessage(error).split("\n")[0] ?? ""}\n`);
    if (io.env.SWITCHYARD_DEBUG === "1" && error instanceof Error && error.stack) io.stderr(`${error.stack}\n`);
    else io.stderr("Set SWITCHYARD_DEBUG=1 to see the stack trace.\n");
    return ExitCode.usage;
  }
}

/**
 * Where the user ran the command. `pnpm switchyard …` runs the script from the workspace root, so
 * relative paths would resolve there; pnpm and npm pass the caller's directory as INIT_CWD.
 */
function invocationDirectory(): string {
  const initCwd = process.env.INIT_CWD;
  return process.env.npm_lifecycle_event === "switchyard" && initCwd ? initCwd : process.cwd();
}

/** The process-backed Io used by the real binary. */
export function processIo(): Io {
  return {
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
    cwd: invocationDirectory(),
    env: process.env,
  };
}

/** @module @switchyard/cli — the `switchyard` command as a library (for tests and embedding). */
export type { Command, Io, OptionSpec, RunArgs } from "./command.ts";
export { ExitCode, UsageError } from "./command.ts";
export { runCli, processIo, cliVersion, commandHelp, topHelp, suggest } from "./main.ts";
export { commands } from "./commands/index.ts";

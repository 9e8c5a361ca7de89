/** @module bin — entry point of the `switchyard` command: runs the CLI and sets the exit code. */
import { readFileSync } from "node:fs";
import type { Command } from "./command.ts";
import { processIo, runCli } from "./main.ts";

/**
 * `switchyard check …` loads only the check verb (not every verb's dependencies): a verb registered
 * in commands/index.ts as `./<verb>.ts` is imported alone. Help, --version and unknown verbs use the table.
 */
async function fastPath(verb: string | undefined): Promise<{ commands?: readonly Command[]; allCommands?: () => Promise<readonly Command[]> }> {
  if (verb === undefined || !/^[a-z][a-z-]*$/.test(verb) || verb === "help") return {};
  try {
    // `.ts` from the sources (the repo), `.js` from the published package's dist/ (tsc rewrites the table's specifiers).
    const ext = import.meta.url.endsWith(".ts") ? ".ts" : ".js";
    const table = readFileSync(new URL(`./commands/index${ext}`, import.meta.url), "utf8");
    if (!table.includes(`"./${verb}${ext}"`)) return {};
    const module = (await import(`./commands/${verb}${ext}`)) as { command?: Command };
    if (module.command?.name !== verb) return {};
    return { commands: [module.command], allCommands: async () => (await import("./commands/index.ts")).commands };
  } catch {
    return {};
  }
}

const io = processIo();
// `switchyard check | head`: a closed pipe is not an error of ours.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw error;
  });
}
process.on("uncaughtException", (error) => {
  io.stderr(`switchyard: internal error: ${error.message.split("\n")[0] ?? ""}\n`);
  if (process.env.SWITCHYARD_DEBUG === "1" && error.stack) io.stderr(`${error.stack}\n`);
  process.exit(2);
});

process.on("unhandledRejection", (reason) => {
  const message = reason instanceof Error ? reason.message : String(reason);
  io.stderr(`switchyard: internal error: ${message.split("\n")[0] ?? ""}\n`);
  if (process.env.SWITCHYARD_DEBUG === "1" && reason instanceof Error && reason.stack) io.stderr(`${reason.stack}\n`);
  process.exit(2);
});

const argv = process.argv.slice(2);
// check and build spend most of their time in TypeScript's checker: its thread starts (and loads
// TypeScript) now, while the rest of the CLI and the compiler load.
if (argv[0] === "check" || argv[0] === "build") {
  try {
    // A few seconds of CPU-bound work: V8's default budget has TurboFan compile, on background
    // threads, ~0.5 s of CPU (1,000 routes) for functions that never repay it.
    (await import("@switchyard/compiler/typecheck-thread")).startTypeCheckThread({ interruptBudget: 600_000 });
  } catch {
    // compile() starts it then.
  }
}
const code = await runCli({ argv, io, ...(await fastPath(argv[0])) });
// exitCode (not exit()) lets stdout drain when piped.
process.exitCode = code;

/** @module bin — entry point of the `switchyard` command: runs the CLI and sets the exit code. */
import { processIo, runCli } from "./main.ts";

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

const code = await runCli({ argv: process.argv.slice(2), io });
// exitCode (not exit()) lets stdout drain when piped.
process.exitCode = code;

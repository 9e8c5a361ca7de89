/** @module Run the real `switchyard` CLI as its own process (the TypeScript sources through tsx), as a user would. */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const root = join(import.meta.dirname, "..", "..");
const bin = join(root, "packages", "cli", "src", "bin.ts");
// `--import tsx` resolves from the working directory, which may be a temporary folder: the repository's loader by path.
const tsx = pathToFileURL(join(root, "node_modules", "tsx", "dist", "loader.mjs")).href;

/** A finished command: its exit code (-1 when it did not exit with one) and output. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * `switchyard ...args` in `cwd`, without colours.
 *
 * @example const { code, stdout } = await switchyard(dir, "diff", "HEAD~1", "HEAD", "--format", "markdown");
 */
export function switchyard(cwd: string, ...args: string[]): Promise<CliRun> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      ["--import", tsx, bin, ...args],
      { cwd, env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" }, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => done({ code: error === null ? 0 : typeof error.code === "number" ? error.code : -1, stdout, stderr }),
    );
  });
}

/** @module Run compile-worker.ts in a fresh process and read its result; the wall time includes node and tsx start-up. */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { REPO_ROOT } from "../paths.ts";
import { killOnExit } from "../processes.ts";
import type { CompileWorkerResult } from "./compile-worker.ts";

export interface ColdCompile extends CompileWorkerResult {
  /** Spawn to exit, milliseconds: what a user waits for. */
  wallMs: number;
}

/** `switchyard check <file> --env prod` (all four built-in policy packs) exactly as a user runs it (`node --import tsx packages/cli/src/bin.ts`): wall time and exit code. */
export function cliCheck(options: { file: string; timeoutMs?: number }): Promise<{ wallMs: number; exitCode: number | null; output: string }> {
  const started = process.hrtime.bigint();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", "packages/cli/src/bin.ts", "check", options.file, "--env", "prod"], {
      cwd: REPO_ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    killOnExit(child);
    let output = "";
    const keep = (d: Buffer): void => void (output = (output + d.toString("utf8")).slice(-2000));
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 120_000);
    child.once("exit", (code) => {
      clearTimeout(timer);
      resolve({ wallMs: Number(process.hrtime.bigint() - started) / 1e6, exitCode: code, output });
    });
  });
}

export function coldCompile(options: {
  mode: "check" | "build";
  file: string;
  outDir?: string;
  timeoutMs?: number;
  profileFile?: string;
}): Promise<ColdCompile> {
  const worker = fileURLToPath(new URL("./compile-worker.ts", import.meta.url));
  const args = ["--import", "tsx", worker, options.mode, options.file, ...(options.outDir ? [options.outDir] : [])];
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const env = options.profileFile ? { ...process.env, BENCH_PROFILE_FILE: options.profileFile } : process.env;
    const child = spawn(process.execPath, args, { cwd: REPO_ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    killOnExit(child);
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString("utf8")));
    child.stderr.on("data", (d: Buffer) => (err = (err + d.toString("utf8")).slice(-2000)));
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 120_000);
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
      const result = /@@result (.*)$/m.exec(out);
      if (result) {
        resolve({ ...(JSON.parse(result[1]!) as CompileWorkerResult), wallMs });
        return;
      }
      const failure = /@@error (.*)$/m.exec(out);
      const reason = failure ? (JSON.parse(failure[1]!) as string) : `exited ${code ?? signal}: ${(err || out).trim().slice(-400)}`;
      reject(new Error(reason));
    });
  });
}

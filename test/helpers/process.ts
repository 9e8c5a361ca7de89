/** @module Spawn a router process and wait for its "listening on" line. */
import { type ChildProcess, spawn } from "node:child_process";

export interface RouterProcess {
  child: ChildProcess;
  url: string;
  stdout(): string;
  stderr(): string;
  exited: Promise<number | null>;
}

/** Run `node <args>` in `cwd` and resolve once it prints its URL (rejects with its output if it exits first). */
export function spawnRouter(args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number; pattern?: RegExp }): Promise<RouterProcess> {
  const child = spawn(process.execPath, args, {
    cwd: options.cwd,
    env: { PATH: process.env["PATH"] ?? "", ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout?.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const pattern = options.pattern ?? /listening on (http:\/\/\S+)/;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`router did not start in time\nstdout: ${out}\nstderr: ${err}`));
    }, options.timeoutMs ?? 20_000);
    const check = (): void => {
      const m = pattern.exec(out);
      if (m?.[1] !== undefined) {
        clearTimeout(timer);
        child.stdout?.off("data", check);
        resolve({ child, url: m[1], stdout: () => out, stderr: () => err, exited });
      }
    };
    child.stdout?.on("data", check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`router exited with ${code} before listening\nstdout: ${out}\nstderr: ${err}`));
    });
  });
}

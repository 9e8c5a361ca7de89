/** @module What machine a run was on: printed at the top of BENCHMARKS.md. */
import { execFileSync } from "node:child_process";
import { availableParallelism, cpus, loadavg, release, totalmem } from "node:os";
import { REPO_ROOT } from "./paths.ts";

export interface Machine {
  cores: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  kernel: string;
  loadAverage: [number, number, number];
  commit: string;
}

function git(args: string[]): string {
  try {
    return execFileSync("git", args, { cwd: REPO_ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return "";
  }
}

export function describeMachine(): Machine {
  const dirty = git(["status", "--porcelain", "--untracked-files=no"]) !== "";
  const [a, b, c] = loadavg();
  return {
    cores: availableParallelism(),
    cpuModel: cpus()[0]?.model.trim() ?? "unknown",
    memoryGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    kernel: release(),
    loadAverage: [a ?? 0, b ?? 0, c ?? 0],
    commit: `${git(["rev-parse", "--short", "HEAD"]) || "unknown"}${dirty ? " (with uncommitted changes)" : ""}`,
  };
}

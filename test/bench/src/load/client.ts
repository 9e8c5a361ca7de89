/** @module The harness's side of the load generator: starts `worker.ts` in its own process and sends it jobs. */
import { fileURLToPath } from "node:url";
import type { ProcessGroup } from "../processes.ts";
import { type Managed, waitForListening } from "../processes.ts";
import type { Job, JobResult, PacedJob, PacedResult, ThroughputJob, ThroughputResult, WorkerMessage } from "./jobs.ts";
import { REPO_ROOT } from "../paths.ts";

export class LoadGenerator {
  readonly #managed: Managed;
  #next = 1;
  readonly #pending = new Map<number, { resolve(result: JobResult): void; reject(error: Error): void }>();

  private constructor(managed: Managed) {
    this.#managed = managed;
    managed.child.on("message", (message: WorkerMessage) => {
      const waiter = this.#pending.get(message.id);
      if (!waiter) return;
      this.#pending.delete(message.id);
      if ("error" in message) waiter.reject(new Error(message.error));
      else waiter.resolve(message.result);
    });
    void managed.exited.then((code) => {
      for (const waiter of this.#pending.values()) waiter.reject(new Error(`load generator exited (${code}): ${managed.output().slice(-500)}`));
      this.#pending.clear();
    });
  }

  static async start(group: ProcessGroup, cpus?: string): Promise<LoadGenerator> {
    const managed = group.start({
      name: "load-generator",
      cpus,
      command: process.execPath,
      args: ["--import", "tsx", fileURLToPath(new URL("./worker.ts", import.meta.url))],
      cwd: REPO_ROOT,
      ipc: true,
    });
    await waitForListening(managed, 30_000);
    return new LoadGenerator(managed);
  }

  get pid(): number {
    return this.#managed.pid;
  }

  run(job: ThroughputJob): Promise<ThroughputResult>;
  run(job: PacedJob): Promise<PacedResult>;
  run(job: Job): Promise<JobResult> {
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#managed.child.send({ id, job });
    });
  }
}

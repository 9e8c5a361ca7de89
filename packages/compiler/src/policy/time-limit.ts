/**
 * @module policy/time-limit — runs synchronous code (a policy's check, a user pack's top level)
 * with a time limit, in this thread.
 *
 * Policies hold functions, so they cannot cross to a worker; `vm`'s `timeout` stops whatever runs
 * during the script, including functions of this realm that it calls, and Node cancels the
 * termination afterwards, so the process carries on and reports the policy.
 */
import { createContext, Script } from "node:vm";

/** The error a policy or pack that ran past its time limit fails with. */
export class TimeLimitError extends Error {
  override readonly name = "TimeLimitError";
  constructor(readonly timeLimitMs: number) {
    super(`did not finish within ${timeLimitMs} ms (an endless loop?)`);
  }
}

const sandbox = createContext({ task: undefined as (() => unknown) | undefined });
const runner = new Script("task()", { filename: "switchyard-time-limit" });

/**
 * Calls `task` and returns its result, or throws `TimeLimitError` when it runs longer than
 * `timeLimitMs`. Errors the task throws pass through unchanged.
 *
 * @example runWithTimeLimit(() => policy.check(context), 2_000)
 */
export function runWithTimeLimit<T>(task: () => T, timeLimitMs: number): T {
  const outer = sandbox.task;
  sandbox.task = task;
  try {
    return runner.runInContext(sandbox, { timeout: timeLimitMs }) as T;
  } catch (error) {
    if ((error as { code?: unknown } | null)?.code === "ERR_SCRIPT_EXECUTION_TIMEOUT") throw new TimeLimitError(timeLimitMs);
    throw error;
  } finally {
    sandbox.task = outer;
  }
}

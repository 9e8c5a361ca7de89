/**
 * @module A prompt canary's guard window: each finished request that drew an arm is counted on it, as a model canary's
 * attempts are. Part of the prompts chunk (./chunk.ts): only a request that named a prompt (so loaded the chunk) has an arm.
 */
import type { RequestContext } from "../execute/context.ts";
import type { RolloutStore } from "../state/index.ts";
import { promptArmModel, promptCanaryKey } from "./keys.ts";
import type { PromptUse } from "./render.ts";

/**
 * Count a finished request into its prompt canary's guard window, on the arm it drew: one outcome per request (its
 * last attempt's error class, its whole latency, its cost). Client faults count on neither arm, as for model canaries.
 */
export function recordPromptOutcome(rollout: RolloutStore, use: PromptUse | undefined, ctx: RequestContext | undefined, status: number, now: number): void {
  if (use?.arm === undefined || ctx === undefined || ctx.plan === undefined) return;
  const ok = status === 200 && ctx.answered !== undefined;
  const last = ctx.attempts[ctx.attempts.length - 1];
  const failure = last?.errorClass;
  // A request that failed before any attempt (refused by a budget, no candidate) tells nothing about the prompt.
  if (!ok && (last === undefined || failure === "4xx" || failure === "rejected")) return;
  const errorClass = ok
    ? undefined
    : failure === "validation"
      ? "validation"
      : failure === "429" || failure === "5xx" || failure === "timeout" || failure === "connection"
        ? failure
        : "other";
  try {
    const result = rollout.recordCanaryAttempt(promptCanaryKey(use.id), {
      model: promptArmModel(use.id, use.version),
      arm: use.arm,
      ok,
      ...(errorClass === undefined ? {} : { errorClass }),
      ...(ok && ctx.costUsd !== undefined ? { costUsd: ctx.costUsd } : {}),
      latencyMs: Math.max(0, now - ctx.startedAt),
      now,
    });
    if (result instanceof Promise) result.catch(() => undefined);
  } catch {
    // The state store must never fail a request.
  }
}

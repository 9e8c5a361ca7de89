/**
 * @module Prompt canaries ride on the model canaries' machinery: each canaried prompt appears to the rollout store and
 * the canary controller as one more canary, keyed `prompt:<id>` (never a route id), whose "model" is the canary
 * version. So a prompt canary starts, steps, is guarded (error rate, p95, validator failures, cost ratio against the
 * baseline version) and rolls back exactly as a model canary does, on memory or Redis state alike.
 */
import { type Config, type Route, promptVersion } from "@switchyard/ir";
import type { RequestContext } from "../execute/context.ts";
import type { RolloutStore } from "../state/index.ts";
import type { PromptUse } from "./render.ts";

/** The key of a prompt's canary in the rollout store: not a valid route id, so it never meets one. */
export function promptCanaryKey(id: string): string {
  return `prompt:${id}`;
}

/** The "model" a prompt version stands for in its canary's state: the id and the version. */
export function promptArmModel(id: string, version: string): string {
  return `${id}@${version}`;
}

const withCanaries = new WeakMap<Config, Config>();

/**
 * `config` with a pseudo-route per canaried prompt (only its `canary` is read), for the rollout store's `activate`
 * and the canary controller. The same config object when no prompt is canaried.
 */
export function withPromptCanaries(config: Config): Config {
  const known = withCanaries.get(config);
  if (known !== undefined) return known;
  let out = config;
  for (const [id, prompt] of Object.entries(config.prompts ?? {})) {
    const canary = prompt.canary;
    if (canary === undefined) continue;
    if (out === config) out = { ...config, routes: { ...config.routes } };
    // Only `canary` is read of it (rollout stores, canary controller); a new canary text is a new "model": it starts over.
    out.routes[promptCanaryKey(id)] = { canary: { ...canary, model: promptArmModel(id, promptVersion(canary.messages)) } } as unknown as Route;
  }
  withCanaries.set(config, out);
  return out;
}

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

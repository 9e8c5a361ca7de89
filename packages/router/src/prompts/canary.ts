/**
 * @module Prompt canaries ride on the model canaries' machinery: each canaried prompt appears to the rollout store and
 * the canary controller as one more canary, keyed `prompt:<id>` (never a route id), whose "model" is the canary
 * version. So a prompt canary starts, steps, is guarded (error rate, p95, validator failures, cost ratio against the
 * baseline version) and rolls back exactly as a model canary does, on memory or Redis state alike.
 */
import { type Config, type Route, promptVersion } from "@switchyard/ir";
import { promptArmModel, promptCanaryKey } from "./keys.ts";

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

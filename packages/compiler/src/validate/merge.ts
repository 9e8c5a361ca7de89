/** @module validate/merge — the config as seen by one environment: base deep-merged with its overrides. */
import { deepMerge, dict, isDict, type Dict } from "./view.ts";

const SECTIONS = ["providers", "models", "tiers", "routes", "teams", "router", "telemetry"] as const;

/**
 * Applies `environments[env]` to the base config. Objects merge key by key at every depth, arrays (and
 * scalars) replace; `policies` and `state` of the environment replace the top-level ones (a state of another kind shares no
 * properties); its `production` is kept.
 * The result has no `environments` key.
 */
export function mergeEnvironment(config: unknown, env: string | undefined): Dict {
  const base = dict(config);
  const out: Dict = {};
  for (const [key, value] of Object.entries(base)) if (key !== "environments") out[key] = value;
  if (env === undefined) return out;
  const override = dict(dict(base.environments)[env]);
  for (const section of SECTIONS) {
    if (section in override) {
      if (section === "router" || section === "telemetry") {
        out[section] = deepMerge(out[section] ?? {}, override[section]);
        continue;
      }
      // Overrides only change existing entries (unknown ones are reported, not added).
      const merged: Dict = { ...dict(out[section]) };
      for (const [id, value] of Object.entries(dict(override[section]))) {
        if (id in merged && isDict(value)) merged[id] = deepMerge(merged[id], value);
      }
      out[section] = merged;
    }
  }
  if ("policies" in override) out.policies = override.policies;
  if ("production" in override) out.production = override.production;
  if ("state" in override) out.state = override.state;
  return out;
}

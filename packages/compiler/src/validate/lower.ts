/**
 * @module validate/lower — turns the merged DSL into IR input for `parseConfig`: durations to
 * milliseconds, tier members to `{ model, weight }`, fallback names to `{ tier } | { model }`,
 * policy refs to selections. Tolerant: it never throws on odd shapes (validation reports them).
 */
import { IR_VERSION, type PolicySelection } from "@switchyard/ir";
import { parseDuration } from "./duration.ts";
import { lowerPrompts } from "./lower-prompts.ts";
import { dict, isDict, list, str, type Dict } from "./view.ts";

function setIf(target: Dict, key: string, value: unknown): void {
  if (value !== undefined) target[key] = value;
}

function durationMs(value: unknown): unknown {
  if (value === undefined) return undefined;
  return parseDuration(value) ?? value;
}

/** A route's `cache`: `ttl` becomes `ttlMs`. */
function lowerCache(cache: Dict): Dict {
  const { ttl, ...rest } = cache;
  const out: Dict = { ...rest };
  setIf(out, "ttlMs", durationMs(ttl));
  return out;
}

/** Lowers each entry of a section; `waive` stays in the DSL (waivers apply to findings, they are not part of the release). */
function mapEntries(value: unknown, lowerOne: (entry: Dict, id: string) => Dict = (entry) => entry): Dict {
  const out: Dict = {};
  for (const [id, entry] of Object.entries(dict(value))) {
    if (!isDict(entry)) {
      out[id] = entry;
      continue;
    }
    const { waive: _waive, ...rest } = entry;
    out[id] = lowerOne(rest, id);
  }
  return out;
}

/** The sections whose entries may declare `waive`, with the NodeRef kind of their entries. */
export const WAIVABLE_SECTIONS = { providers: "provider", models: "model", tiers: "tier", routes: "route", teams: "team" } as const;

/** A waiver as declared on an entry of the environment's merged config. */
export interface DeclaredWaiver {
  kind: (typeof WAIVABLE_SECTIONS)[keyof typeof WAIVABLE_SECTIONS];
  id: string;
  /** Index in the entry's `waive` list (for locating it). */
  index: number;
  policy: string;
  reason: string;
  until: string;
}

/** The waivers declared in a merged (environment-applied) DSL config, in section and declaration order. */
export function declaredWaivers(merged: Dict): DeclaredWaiver[] {
  const out: DeclaredWaiver[] = [];
  for (const [section, kind] of Object.entries(WAIVABLE_SECTIONS)) {
    for (const [id, entry] of Object.entries(dict(merged[section]))) {
      list(dict(entry).waive).forEach((waiver, index) => {
        const { policy, reason, until } = dict(waiver);
        if (typeof policy === "string" && typeof reason === "string" && typeof until === "string") out.push({ kind, id, index, policy, reason, until });
      });
    }
  }
  return out;
}

/** IR property names that differ from the DSL's, for mapping IR paths back to source. */
export const IR_TO_DSL_KEY: Record<string, string> = {
  ttftMs: "ttft",
  interChunkMs: "interChunk",
  firstTokenMs: "firstToken",
  totalMs: "total",
  backoffMs: "backoff",
  maxRetryAfterMs: "maxRetryAfter",
  everyMs: "every",
  maxP95Ms: "maxP95",
  timeoutMs: "timeout",
};

/** A DSL path for an IR path below a node. */
export function irPathToDsl(path: (string | number)[]): (string | number)[] {
  return path.map((segment) => (typeof segment === "string" ? (IR_TO_DSL_KEY[segment] ?? segment) : segment));
}

/** Normalises `"baseline"` and `{ pack }` to a PolicySelection input. */
export function policySelections(value: unknown): PolicySelection[] {
  return list(value).flatMap((ref): PolicySelection[] => {
    if (typeof ref === "string") return [{ pack: ref, severities: {}, options: {} }];
    if (isDict(ref) && typeof ref.pack === "string") {
      return [{ pack: ref.pack, severities: dict(ref.severities) as PolicySelection["severities"], options: dict(ref.options) }];
    }
    return [];
  });
}

/** An embedding model's price has no output tokens: the IR's `price.output` is 0 for it. */
function lowerModel(model: Dict): Dict {
  if (model.kind !== "embedding" || !isDict(model.price) || model.price.output !== undefined) return model;
  return { ...model, price: { ...model.price, output: 0 } };
}

/** Lowers the environment-merged DSL config to IR input (defaults are applied by the IR schema). */
export function lowerConfig(merged: Dict, environment: string): Dict {
  const tierNames = new Set(Object.keys(dict(merged.tiers)));
  const target = (name: unknown): unknown => {
    const id = str(name);
    if (id === undefined) return name;
    return tierNames.has(id) ? { tier: id } : { model: id };
  };

  const providers = mapEntries(merged.providers, (provider) => {
    const out: Dict = { ...provider };
    if (isDict(provider.mock)) {
      const { ttft, interChunk, ...rest } = provider.mock;
      const mock: Dict = { ...rest };
      setIf(mock, "ttftMs", durationMs(ttft));
      setIf(mock, "interChunkMs", durationMs(interChunk));
      out.mock = mock;
    }
    return out;
  });

  const tiers = mapEntries(merged.tiers, (tier) => ({
    ...tier,
    models: list(tier.models).map((member) => {
      if (typeof member === "string") return { model: member, weight: 1 };
      if (isDict(member)) return { ...member, weight: member.weight ?? 1 };
      return member;
    }),
  }));

  const routes = mapEntries(merged.routes, (route) => {
    const out: Dict = { ...route };
    if (Array.isArray(route.fallback)) out.fallback = route.fallback.map(target);
    if (isDict(route.timeout)) {
      const timeout: Dict = {};
      for (const [key, value] of Object.entries(route.timeout))
        timeout[key === "firstToken" ? "firstTokenMs" : key === "total" ? "totalMs" : key] = durationMs(value);
      out.timeout = timeout;
    }
    if (isDict(route.retry)) {
      const { backoff, maxRetryAfter, ...rest } = route.retry;
      const retry: Dict = { ...rest };
      setIf(retry, "backoffMs", durationMs(backoff));
      setIf(retry, "maxRetryAfterMs", durationMs(maxRetryAfter));
      out.retry = retry;
    }
    if (isDict(route.longContext)) out.longContext = { ...route.longContext, use: target(route.longContext.use) };
    if (isDict(route.canary)) {
      const { every, guard, ...rest } = route.canary;
      const canary: Dict = { ...rest };
      setIf(canary, "everyMs", durationMs(every));
      if (isDict(guard)) {
        const { maxP95, ...guardRest } = guard;
        const loweredGuard: Dict = { ...guardRest };
        setIf(loweredGuard, "maxP95Ms", durationMs(maxP95));
        canary.guard = loweredGuard;
      }
      out.canary = canary;
    }
    if (isDict(route.cache)) out.cache = lowerCache(route.cache);
    if (isDict(route.placement)) {
      const { maxP95, ...rest } = route.placement;
      const placement: Dict = { ...rest };
      setIf(placement, "maxP95Ms", durationMs(maxP95));
      out.placement = placement;
    }
    return out;
  });

  const out: Dict = {
    irVersion: IR_VERSION,
    environment,
    providers,
    models: mapEntries(merged.models, lowerModel),
    tiers,
    routes,
    teams: mapEntries(merged.teams),
    policies: policySelections(merged.policies),
  };
  if (merged.prompts !== undefined) out.prompts = lowerPrompts(merged.prompts);
  setIf(out, "router", merged.router);
  setIf(out, "regions", merged.regions);
  if (typeof merged.production === "boolean") out.production = merged.production;
  if (isDict(merged.telemetry)) {
    const telemetry: Dict = { ...merged.telemetry };
    if (isDict(merged.telemetry.otlp)) {
      const { timeout, ...rest } = merged.telemetry.otlp;
      const otlp: Dict = { ...rest };
      setIf(otlp, "timeoutMs", durationMs(timeout));
      telemetry.otlp = otlp;
    }
    out.telemetry = telemetry;
  }
  // In memory is what a release without `state` means: leaving it out keeps such releases' hashes as they were.
  if (merged.state !== undefined && !(isDict(merged.state) && merged.state.kind === "memory" && Object.keys(merged.state).length === 1))
    out.state = merged.state;
  return out;
}

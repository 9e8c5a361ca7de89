/**
 * @module The IR's semantic rules: what a schema-valid config must also satisfy (references resolve, canary steps
 * increase, upstream URLs avoid metadata and link-local hosts, secrets sent upstream are not the router's own
 * secret settings, the admin token and the state store's URL). Plain code without zod, so the router runs it on every upload and the compiler on every build.
 */
import type { Config, SecretRef } from "./schema.ts";

/** One broken rule; `path` points into the config (`["routes", "chat", "tier"]`). */
export interface RuleProblem {
  code: "unknown_reference" | "route_target" | "canary_steps_order" | "invalid_url" | "blocked_host" | "reserved_secret";
  path: (string | number)[];
  message: string;
}

/**
 * A secret a config names; `upstream` when its value is sent to a model provider or a telemetry sink (provider
 * key/headers, sink headers). Team keys and the state store's URL (`state.url`) stay in the router.
 */
export interface SecretUse {
  name: string;
  path: (string | number)[];
  upstream: boolean;
}

/** Visit every value under the config's providers, teams, telemetry and state (where secrets and URLs live), with its path. */
function walk(config: Config, visit: (value: unknown, path: (string | number)[]) => void): void {
  const go = (value: unknown, path: (string | number)[]): void => {
    visit(value, path);
    if (typeof value === "object" && value !== null)
      for (const [key, sub] of Object.entries(value)) go(sub, [...path, Array.isArray(value) ? Number(key) : key]);
  };
  go(config.providers, ["providers"]);
  go(config.teams, ["teams"]);
  go(config.telemetry, ["telemetry"]);
  go(config.state, ["state"]);
}

/** Every secret reference in a config, with where it is and whether its value is sent out (all but team keys). */
export function secretUses(config: Config): SecretUse[] {
  const out: SecretUse[] = [];
  walk(config, (value, path) => {
    const name = (value as Partial<SecretRef> | null)?.secret;
    if (typeof name === "string") out.push({ name, path, upstream: path[0] !== "teams" && path[0] !== "state" });
  });
  return out;
}

/** Every URL the router sends requests to (provider base URLs, OTLP endpoint, alert webhook). */
export function upstreamUrls(config: Config): Array<{ url: string; path: (string | number)[] }> {
  const out: Array<{ url: string; path: (string | number)[] }> = [];
  walk(config, (url, path) => {
    const key = path[path.length - 1];
    if (typeof url === "string" && (key === "baseUrl" || key === "endpoint" || key === "url") && !path.includes("headers")) out.push({ url, path });
  });
  return out;
}

/**
 * Whether a URL's host (WHATWG `URL.hostname`, so `0xa9fea9fe` already reads 169.254.169.254) is a cloud
 * metadata service or link-local (169.254.0.0/16, fe80::/10, and 169.254/16 mapped into IPv6): no model lives
 * there, and an upstream pointed there would hand the machine's metadata (or the router's keys) to a release.
 */
export function blockedHost(hostname: string): boolean {
  return /^(?:169\.254\.\d+\.\d+|\[fe[89ab][0-9a-f]:.*|\[::ffff:a9fe:.*|metadata(?:\.google\.internal|\.goog)?|instance-data|100\.100\.100\.200|\[fd00:ec2::254\])\.?$/i.test(
    hostname,
  );
}

/**
 * The rules a schema-valid config must also satisfy, every problem reported (never stops at the first).
 *
 * @example configRuleProblems(config) // [] for anything `switchyard build` wrote
 */
export function configRuleProblems(config: Config): RuleProblem[] {
  const out: RuleProblem[] = [];
  /** [where, the section the name must be declared in, the name]: checked together below. */
  const refs: Array<[(string | number)[], "providers" | "models" | "tiers" | "routes", string]> = [];
  const target = (path: (string | number)[], ref: { tier: string } | { model: string }): number =>
    refs.push("tier" in ref ? [[...path, "tier"], "tiers", ref.tier] : [[...path, "model"], "models", ref.model]);
  for (const [id, model] of Object.entries(config.models)) refs.push([["models", id, "provider"], "providers", model.provider]);
  for (const [id, tier] of Object.entries(config.tiers)) tier.models.forEach((m, i) => refs.push([["tiers", id, "models", i, "model"], "models", m.model]));
  for (const [id, route] of Object.entries(config.routes)) {
    const at = ["routes", id];
    if ((route.tier === undefined) === (route.model === undefined))
      out.push({ code: "route_target", path: at, message: "a route names exactly one of `tier` and `model`" });
    if (route.tier !== undefined) target(at, { tier: route.tier });
    if (route.model !== undefined) target(at, { model: route.model });
    route.fallback.forEach((step, i) => target([...at, "fallback", i], step));
    if (route.longContext !== undefined) target([...at, "longContext", "use"], route.longContext.use);
    const steps = route.canary?.steps ?? [];
    if (route.canary !== undefined) target([...at, "canary"], { model: route.canary.model });
    steps.forEach((step, i) => {
      const before = steps[i - 1];
      if (before !== undefined && step <= before)
        out.push({ code: "canary_steps_order", path: [...at, "canary", "steps", i], message: `canary step ${step} does not increase on ${before}` });
    });
  }
  for (const [id, team] of Object.entries(config.teams)) team.routes.forEach((r, i) => refs.push([["teams", id, "routes", i], "routes", r]));
  for (const [path, section, name] of refs)
    if (!Object.hasOwn(config[section], name)) out.push({ code: "unknown_reference", path, message: `${section.slice(0, -1)} "${name}" is not declared` });
  for (const { url, path } of upstreamUrls(config)) {
    let host: string;
    try {
      host = new URL(url).hostname;
    } catch {
      // zod's z.url() says so too; the JSON Schema the router checks with has only the http(s) pattern.
      out.push({ code: "invalid_url", path, message: "is not a valid URL" });
      continue;
    }
    if (blockedHost(host)) out.push({ code: "blocked_host", path, message: `${host} is link-local or cloud metadata` });
  }
  // The state store's URL carries Redis's password: like the router's own settings, never sent to an upstream.
  const stateUrl = config.state?.kind === "redis" ? config.state.url.secret : undefined;
  for (const use of secretUses(config)) {
    if (use.upstream && /^SWITCHYARD_(?:ADMIN_TOKEN|REDIS_URL)$/.test(use.name))
      out.push({ code: "reserved_secret", path: use.path, message: `${use.name} is the router's own setting, never sent out` });
    else if (use.upstream && use.name === stateUrl)
      out.push({ code: "reserved_secret", path: use.path, message: `${use.name} is the state store's URL (state.url), never sent out` });
  }
  if (stateUrl === "SWITCHYARD_ADMIN_TOKEN")
    out.push({ code: "reserved_secret", path: ["state", "url"], message: "SWITCHYARD_ADMIN_TOKEN is the admin token, not a Redis URL" });
  return out;
}

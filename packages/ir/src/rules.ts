/**
 * @module The IR's semantic rules: what a schema-valid config must also satisfy (references resolve, canary steps
 * increase, upstream URLs avoid metadata and link-local hosts, secrets sent upstream are not the router's own
 * secret settings, the admin token and the state store's URL). Plain code without zod, so the router runs it on every upload and the compiler on every build.
 */
import type { Config, Model, ModelKind, Route, SecretRef } from "./schema.ts";
import { promptProblems } from "./prompts.ts";

/** One broken rule; `path` points into the config (`["routes", "chat", "tier"]`). */
export interface RuleProblem {
  code:
    | "unknown_reference"
    | "route_target"
    | "canary_steps_order"
    | "invalid_url"
    | "blocked_host"
    | "reserved_secret"
    | "model_kind"
    | "embedding_dimensions"
    | "provider_needs"
    | "provider_foreign"
    | "provider_value"
    | "prompt_template";
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
  out.push(...promptProblems(config.prompts, config.routes));
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
  out.push(...embeddingRuleProblems(config));
  out.push(...providerFieldProblems(config));
  return out;
}

/** Provider kinds that can serve `POST /v1/embeddings` (an embedding model elsewhere is refused). */
export const EMBEDDING_PROVIDER_KINDS: ReadonlySet<string> = new Set(["openai", "mock", "azure", "gemini"]);

/** A Google Cloud location as Vertex AI's endpoints name it (`us-central1`, `europe-west4`, `global`): it is part of a host name. */
const GCP_LOCATION = /^[a-z][a-z0-9-]{0,62}$/;
/**
 * An AWS region as Bedrock's endpoints name it (`us-east-1`, `eu-central-2`, `us-gov-west-1`): one host label, for it is
 * part of the endpoint's host name (`x@169.254.169.254:80/` would move the signed requests to another host).
 */
const AWS_REGION = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * What each provider kind needs and takes: `azure` needs its resource endpoint (`baseUrl`) and is the only kind with
 * `apiVersion` and `auth`; `bedrock` needs `region` (requests are signed for it) and takes no `apiKey` (credentials
 * come from the standard AWS environment variables; its region is one host label); `vertex` needs `region` (a Google Cloud location: it names the
 * endpoint) and `project`, the only kind with it. The SDK's types say the same at the literal.
 */
export function providerFieldProblems(config: Config): RuleProblem[] {
  const out: RuleProblem[] = [];
  for (const [id, p] of Object.entries(config.providers)) {
    const at = ["providers", id];
    if (p.kind === "azure" && p.baseUrl === undefined)
      out.push({
        code: "provider_needs",
        path: at,
        message: `azure provider "${id}" needs \`baseUrl\`: its resource endpoint, e.g. https://acme.openai.azure.com`,
      });
    if (p.kind !== "azure" && p.apiVersion !== undefined)
      out.push({ code: "provider_foreign", path: [...at, "apiVersion"], message: `\`apiVersion\` is an azure provider's setting; "${id}" is ${p.kind}` });
    if (p.kind !== "azure" && p.auth !== undefined)
      out.push({ code: "provider_foreign", path: [...at, "auth"], message: `\`auth\` is an azure provider's setting; "${id}" is ${p.kind}` });
    if (p.kind === "bedrock" && p.region === undefined)
      out.push({ code: "provider_needs", path: at, message: `bedrock provider "${id}" needs \`region\`: the AWS region its requests are signed for` });
    else if (p.kind === "bedrock" && p.region !== undefined && !AWS_REGION.test(p.region))
      out.push({
        code: "provider_value",
        path: [...at, "region"],
        message: `bedrock provider "${id}" has region "${p.region}", which is not an AWS region (lowercase letters, digits and hyphens, e.g. us-east-1)`,
      });
    if (p.kind === "vertex" && p.region === undefined)
      out.push({
        code: "provider_needs",
        path: at,
        message: `vertex provider "${id}" needs \`region\`: the Google Cloud location of its endpoint, e.g. us-central1, europe-west4 or global`,
      });
    else if (p.kind === "vertex" && p.region !== undefined && !GCP_LOCATION.test(p.region))
      out.push({
        code: "provider_value",
        path: [...at, "region"],
        message: `vertex provider "${id}" has region "${p.region}", which is not a Google Cloud location (lowercase, e.g. us-central1, europe-west4 or global)`,
      });
    if (p.kind === "vertex" && p.project === undefined)
      out.push({
        code: "provider_needs",
        path: at,
        message: `vertex provider "${id}" needs \`project\`: the Google Cloud project id its requests are made in`,
      });
    if (p.kind !== "vertex" && p.project !== undefined)
      out.push({ code: "provider_foreign", path: [...at, "project"], message: `\`project\` is a vertex provider's setting; "${id}" is ${p.kind}` });
  }
  return out;
}

// ---- Embeddings (issue 20) ----

/** A model's kind: `chat` unless it says `embedding`. */
export function modelKind(model: Pick<Model, "kind">): ModelKind {
  return model.kind ?? "chat";
}

/** A route's kind: `chat` unless it says `embedding`. */
export function routeKind(route: Pick<Route, "kind">): ModelKind {
  return route.kind ?? "chat";
}

/** The route properties only a chat route has (they read or shape generated text). */
const CHAT_ONLY_ROUTE_PROPERTIES = ["longContext", "canary", "validate", "requires", "cache"] as const;

/**
 * Embedding rules: an embedding model declares `dimensions` (a chat model does not) and is not on an anthropic-kind
 * provider (Anthropic has no embeddings API); a tier holds models of one kind; a route reaches only models of its own
 * kind; an embedding route takes none of the chat-only properties, and every model it may answer with (primary and
 * fallback steps) makes vectors of one length — a client's index cannot mix lengths.
 */
export function embeddingRuleProblems(config: Config): RuleProblem[] {
  const out: RuleProblem[] = [];
  const kindOf = (id: string): ModelKind | undefined => (Object.hasOwn(config.models, id) ? modelKind(config.models[id] as Model) : undefined);
  for (const [id, model] of Object.entries(config.models)) {
    const embedding = modelKind(model) === "embedding";
    if (embedding && model.dimensions === undefined)
      out.push({ code: "model_kind", path: ["models", id], message: `embedding model "${id}" does not declare \`dimensions\`` });
    if (!embedding && model.dimensions !== undefined)
      out.push({ code: "model_kind", path: ["models", id, "dimensions"], message: `model "${id}" declares \`dimensions\` but is not \`kind: "embedding"\`` });
    const providerKind = config.providers[model.provider]?.kind;
    if (embedding && providerKind !== undefined && !EMBEDDING_PROVIDER_KINDS.has(providerKind))
      out.push({
        code: "model_kind",
        path: ["models", id, "provider"],
        message: `embedding model "${id}" is on ${providerKind}-kind provider "${model.provider}", which has no embeddings API`,
      });
  }
  const tierKind = new Map<string, ModelKind>();
  for (const [id, tier] of Object.entries(config.tiers)) {
    const first = tier.models[0] === undefined ? undefined : kindOf(tier.models[0].model);
    if (first !== undefined) tierKind.set(id, first);
    tier.models.forEach((member, i) => {
      const kind = kindOf(member.model);
      if (kind !== undefined && first !== undefined && kind !== first)
        out.push({
          code: "model_kind",
          path: ["tiers", id, "models", i, "model"],
          message: `tier "${id}" mixes ${first} and ${kind} models ("${member.model}")`,
        });
    });
  }
  const membersOf = (ref: { tier: string } | { model: string }): string[] =>
    "tier" in ref ? (Object.hasOwn(config.tiers, ref.tier) ? (config.tiers[ref.tier]?.models.map((m) => m.model) ?? []) : []) : [ref.model];
  for (const [id, route] of Object.entries(config.routes)) {
    const kind = routeKind(route);
    const at = ["routes", id];
    const refs: Array<[(string | number)[], { tier: string } | { model: string }]> = [];
    if (route.tier !== undefined) refs.push([[...at, "tier"], { tier: route.tier }]);
    if (route.model !== undefined) refs.push([[...at, "model"], { model: route.model }]);
    route.fallback.forEach((step, i) => refs.push([[...at, "fallback", i], step]));
    if (route.longContext !== undefined) refs.push([[...at, "longContext", "use"], route.longContext.use]);
    if (route.canary !== undefined) refs.push([[...at, "canary", "model"], { model: route.canary.model }]);
    let dimensions: { value: number; model: string } | undefined;
    for (const [path, ref] of refs) {
      for (const member of membersOf(ref)) {
        const memberKind = kindOf(member);
        if (memberKind !== undefined && memberKind !== kind) {
          out.push({
            code: "model_kind",
            path,
            message: `${kind} route "${id}" reaches ${memberKind} model "${member}"; a route is served by models of its own kind`,
          });
          continue;
        }
        const size = kind === "embedding" ? config.models[member]?.dimensions : undefined;
        if (size === undefined) continue;
        if (dimensions === undefined) dimensions = { value: size, model: member };
        else if (size !== dimensions.value)
          out.push({
            code: "embedding_dimensions",
            path,
            message: `embedding route "${id}" falls back from "${dimensions.model}" (${dimensions.value} dimensions) to "${member}" (${size}); every model of an embedding route makes vectors of one length`,
          });
      }
    }
    if (kind === "embedding")
      for (const property of CHAT_ONLY_ROUTE_PROPERTIES) {
        const value = route[property];
        if (value !== undefined && !(Array.isArray(value) && value.length === 0))
          out.push({ code: "model_kind", path: [...at, property], message: `embedding route "${id}" cannot take \`${property}\` (a chat route's property)` });
      }
  }
  return out;
}

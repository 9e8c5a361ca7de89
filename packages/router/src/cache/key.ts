/**
 * @module Whether a request may use its route's cache, and under which key. Pure: the route's `cache`, the internal
 * request, the caller's team and `Cache-Control` in; a bypass with its reason, or a key, out.
 *
 * The key is a SHA-256 over the canonical JSON of: the route, who may share the answer (the team, or everyone for
 * `scope: "route"`), the route's definition and the models it can reach (a release that changes them starts afresh),
 * and the normalised request — messages, tools, sampling parameters, response format and every other field that
 * shapes the answer; fields that do not (`stream`, `stream_options`, `user`, `metadata`, `store`…) are left out, so a
 * streamed and a plain request, in any dialect, share an answer.
 */
import { createHash } from "node:crypto";
import { type Config, type Route, type RouteCache, canonicalJson } from "@switchyard/ir";
import type { ChatBody, ChatMessage } from "../protocol/chat.ts";
import { TOOL_ERROR } from "../protocol/tool-error.ts";

/** Why a request was not looked up: the client said so, or it samples on a route that caches deterministic requests only. */
export type BypassReason = "no-store" | "no-cache" | "sampled";

export type CacheDecision =
  | { use: true; key: string }
  /** `key` set: the fresh answer may still be kept (`no-cache` asks for a fresh answer, not for none to be kept). */
  | { use: false; reason: BypassReason; key: string | undefined };

/** Request fields that never change the answer: left out of the key. */
const IGNORED_FIELDS = new Set(["model", "stream", "stream_options", "user", "metadata", "store", "service_tier", "safety_identifier", "prompt_cache_key"]);

/** The directives of `Cache-Control` request headers, lower case (`no-cache`, `no-store`, `max-age=0` → `max-age`). */
export function cacheControlDirectives(header: string | string[] | undefined): Set<string> {
  const out = new Set<string>();
  if (header === undefined) return out;
  for (const line of Array.isArray(header) ? header : [header])
    for (const part of line.split(",")) {
      const name = part.split("=")[0]?.trim().toLowerCase();
      if (name !== undefined && name !== "") out.add(name);
    }
  return out;
}

/** True when the request samples: temperature absent (the providers' default is 1) or above 0. */
export function samples(body: ChatBody): boolean {
  const t = body.temperature;
  return typeof t !== "number" || t > 0;
}

/** A message as the key sees it: null fields dropped, content of one text part read as that text. */
function normaliseMessage(message: ChatMessage): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(message)) if (value !== null && value !== undefined) out[name] = value;
  // A tool result that is an error is another request than the same text as a success.
  if (message[TOOL_ERROR] === true) out["is_error"] = true;
  const content = message.content;
  if (
    Array.isArray(content) &&
    content.length === 1 &&
    content[0]?.type === "text" &&
    typeof content[0].text === "string" &&
    Object.keys(content[0]).length === 2
  )
    out["content"] = content[0].text;
  return out;
}

/** The request as the key sees it (see the module's note). */
export function normalisedRequest(body: ChatBody): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(body)) {
    if (IGNORED_FIELDS.has(name) || value === null || value === undefined) continue;
    out[name] = name === "messages" ? body.messages.map(normaliseMessage) : value;
  }
  return out;
}

/** The models a route can reach (primary members, fallbacks, long-context target, canary), sorted, as config entries. */
function reachableModels(config: Config, route: Route): Record<string, unknown> {
  const ids = new Set<string>();
  const add = (ref: { tier?: string; model?: string }): void => {
    if (ref.model !== undefined) ids.add(ref.model);
    if (ref.tier !== undefined) for (const member of config.tiers[ref.tier]?.models ?? []) ids.add(member.model);
  };
  add(route);
  for (const step of route.fallback) add(step);
  if (route.longContext !== undefined) add(route.longContext.use);
  if (route.canary !== undefined) ids.add(route.canary.model);
  const out: Record<string, unknown> = {};
  for (const id of [...ids].sort()) {
    const model = config.models[id];
    out[id] = model === undefined ? null : { provider: model.provider, name: model.name, kind: config.providers[model.provider]?.kind ?? null };
  }
  return out;
}

/** Fingerprints per config and route: computed on a route's first cached request after an activation. */
const fingerprints = new WeakMap<Config, Map<string, string>>();

/** What of the release a route's answers depend on: its definition and the models it reaches. */
export function routeFingerprint(config: Config, routeName: string, route: Route): string {
  let perRoute = fingerprints.get(config);
  if (perRoute === undefined) fingerprints.set(config, (perRoute = new Map()));
  let fingerprint = perRoute.get(routeName);
  if (fingerprint === undefined) {
    fingerprint = sha256(canonicalJson({ route, models: reachableModels(config, route) }));
    perRoute.set(routeName, fingerprint);
  }
  return fingerprint;
}

function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

export interface CacheKeyInput {
  config: Config;
  routeName: string;
  route: Route;
  cache: RouteCache;
  /** The caller's team (undefined on an open router: one "team" then). */
  team: string | undefined;
  body: ChatBody;
  cacheControl: string | string[] | undefined;
}

/**
 * Whether and how a request uses its route's cache.
 *
 * @example cacheDecision({ config, routeName: "faq", route, cache: route.cache!, team: "support", body, cacheControl: undefined }) // → { use: true, key: "…" }
 */
export function cacheDecision(input: CacheKeyInput): CacheDecision {
  const directives = cacheControlDirectives(input.cacheControl);
  if (directives.has("no-store")) return { use: false, reason: "no-store", key: undefined };
  if (!input.cache.sampled && samples(input.body)) return { use: false, reason: "sampled", key: undefined };
  const keyOf = (request: Record<string, unknown>): string =>
    sha256(
      canonicalJson({
        v: 1,
        route: input.routeName,
        // A team's answers are its own; a route-scoped answer is anyone's who may call the route.
        scope: input.cache.scope === "team" ? { team: input.team ?? null } : "route",
        release: routeFingerprint(input.config, input.routeName, input.route),
        request,
      }),
    );
  let key: string;
  try {
    key = keyOf(normalisedRequest(input.body));
  } catch {
    // A number JSON cannot hold (`1e999` parses to Infinity, in a field the router passes through) reaches the
    // upstream as `null`, which is what JSON.stringify writes: the key is that of the body the upstream sees.
    key = keyOf(normalisedRequest(JSON.parse(JSON.stringify(input.body)) as ChatBody));
  }
  if (directives.has("no-cache") || (directives.has("max-age") && /max-age\s*=\s*0\b/i.test(String(input.cacheControl))))
    return { use: false, reason: "no-cache", key };
  return { use: true, key };
}

/** @module commands/explain — `switchyard explain`: print decide()'s plan and reasons for one request shape. */
import { resolve } from "node:path";
import type { Capability, Config } from "@switchyard/ir";
import { CapabilitySchema } from "@switchyard/ir";
import { createMemoryStateStores, type Decision, type RoutingRequest, type RoutingState } from "@switchyard/router";
import { decide, formatPlan, mulberry32, stickyBucket } from "@switchyard/router/core";
import type { Command } from "../command.ts";
import { UsageError } from "../command.ts";
import { suggest } from "../main.ts";
import { configFile, consoleToStderr } from "./config-file.ts";
import {
  complexityOption,
  parseMetadataOption,
  parseTagOption,
  promptFileFacts,
  renderRules,
  ruleVerdicts,
  type RuleFacts,
  type RuleVerdict,
} from "./explain-rules.ts";

/** One request shape to explain; everything but the route is optional. */
export interface ExplainInput {
  config: Config;
  route: string;
  team?: string;
  /** Prompt tokens (default 1,000). */
  tokens?: number;
  maxTokens?: number;
  region?: string;
  /** Sticky key for the canary (the request's `user`); without it assignment is per request. */
  user?: string;
  requires?: Capability[];
  /** Seed of the random source (default 1): the same seed gives the same plan. */
  seed?: number;
  /** Epoch ms the decision is made at (default: now). */
  now?: number;
  /** Force the route's canary arm (its share read as 100 %), as a request drawn onto the canary would be planned. */
  forceCanary?: boolean;
  /** What `when` rules read: tags, metadata, complexity (see explain-rules.ts). */
  rules?: RuleFacts;
}

export interface ExplainResult {
  request: RoutingRequest;
  decision: Decision;
  /** Canary share the fresh state starts the route at (its first step), in percent (100 when forced). */
  canaryPercent: number;
  /** True when `--canary` forced the canary arm. */
  forcedCanary: boolean;
  /** Each `when` rule of the route and whether it holds for this request (empty: the route has none). */
  rules: RuleVerdict[];
  /** --prompt-file's complexity features, when given. */
  features?: RuleFacts["features"];
}

/**
 * Decide against a fresh in-memory state (closed breakers, no latency samples, canaries at their
 * first step) with a seeded random source: what a new router replica would plan for this request.
 *
 * @example
 * const { decision } = explain({ config, route: "support-faq", team: "support", tokens: 20_000 });
 */
export function explain(input: ExplainInput): ExplainResult {
  const now = input.now ?? Date.now();
  const stores = createMemoryStateStores();
  stores.rollout.activate(input.config, now);
  const view = stores.view(now);
  const forced = input.forceCanary === true;
  if (forced && input.config.routes[input.route]?.canary === undefined) {
    throw new UsageError(`--canary: route "${input.route}" has no canary in this environment`);
  }
  // Every bucket is below 100 %: the canary is drawn, then filtered like any candidate (team, residency, breaker).
  const state: RoutingState = forced
    ? {
        breaker: (model) => view.breaker(model),
        latency: (model) => view.latency(model),
        inFlight: (model) => view.inFlight(model),
        canaryPercent: (route) => (route === input.route ? 100 : view.canaryPercent(route)),
      }
    : view;
  const request: RoutingRequest = {
    route: input.route,
    team: input.team,
    promptTokens: input.tokens ?? 1_000,
    maxOutputTokens: input.maxTokens,
    region: input.region,
    stickyKey: input.user,
    requires: input.requires ?? [],
  };
  const facts = input.rules;
  if (facts?.tags !== undefined) request.tags = facts.tags;
  if (facts?.metadata !== undefined) request.metadata = facts.metadata;
  if (facts?.complexity !== undefined) request.complexity = facts.complexity;
  const decision = decide(input.config, request, state, { rng: mulberry32(input.seed ?? 1), now, explain: true });
  return {
    request,
    decision,
    canaryPercent: state.canaryPercent(input.route),
    forcedCanary: forced,
    rules: ruleVerdicts(input.config, request),
    ...(facts?.features === undefined ? {} : { features: facts.features }),
  };
}

/** Text for the terminal: the request shape, then formatPlan(); unknown routes/teams get a hint listing what exists. */
export function renderExplain(result: ExplainResult, config: Config): string {
  const r = result.request;
  const head = [
    `request: route ${r.route}${r.team !== undefined ? `, team ${r.team}` : ""}, ~${r.promptTokens} prompt tokens` +
      `${r.maxOutputTokens !== undefined ? `, max ${r.maxOutputTokens} output` : ""}${r.region !== undefined ? `, region ${r.region}` : ""}` +
      `${r.stickyKey !== undefined ? `, user ${r.stickyKey}` : ""}${r.requires.length > 0 ? `, needs ${r.requires.join("+")}` : ""}` +
      `${
        r.tags !== undefined
          ? `, tags ${Object.entries(r.tags)
              .map(([k, v]) => `${k}:${v}`)
              .join(",")}`
          : ""
      }` +
      `${
        r.metadata != null
          ? `, metadata ${Object.entries(r.metadata)
              .map(([k, v]) => `${k}=${v}`)
              .join(",")}`
          : ""
      }`,
    ...renderRules(config, r, result.rules, result.features),
  ];
  const route = config.routes[r.route];
  if (route?.kind === "embedding") {
    const model = route.model === undefined ? undefined : config.models[route.model];
    head.push(`embedding route, served on POST /v1/embeddings${model?.dimensions !== undefined ? `: vectors of ${model.dimensions} dimensions` : ""}`);
  }
  const canary = route?.canary;
  if (canary !== undefined) {
    const bucket = r.stickyKey === undefined ? undefined : stickyBucket(r.stickyKey, `${r.route}/${canary.model}`);
    const side =
      bucket === undefined
        ? "no --user: assigned per request"
        : `user ${r.stickyKey} is in bucket ${bucket.toFixed(1)} → ${bucket < result.canaryPercent ? "on the canary" : "not on the canary"}`;
    head.push(
      result.forcedCanary
        ? `canary ${canary.model} forced (--canary): the plan of a request drawn onto the canary`
        : `canary ${canary.model} at its first step, ${result.canaryPercent}%; ${side}`,
    );
  }
  if (config.state?.kind === "redis")
    head.push(
      "state on redis, shared by every replica (canary steps, budgets, rate limits); the plan below is a fresh state's: breakers closed, canaries at their first step",
    );
  let text = `${head.join("\n")}\n\n${formatPlan(result.decision, config)}`;
  if (!result.decision.ok) {
    if (result.decision.code === "route_not_found") text += hint("route", r.route, Object.keys(config.routes));
    else if (result.decision.code === "route_not_allowed" && r.team !== undefined && config.teams[r.team] === undefined) {
      text += hint("team", r.team, Object.keys(config.teams));
    } else if (result.decision.code === "route_not_allowed" && r.team !== undefined) {
      text += `hint: team ${r.team} may use: ${[...(config.teams[r.team]?.routes ?? [])].sort().join(", ") || "(no routes)"}\n`;
    }
  }
  return text;
}

function hint(kind: "route" | "team", given: string, names: string[]): string {
  const guess = suggest(given, names);
  const list = `${kind}s: ${names.sort().join(", ") || "(none)"}`;
  return guess !== undefined ? `hint: did you mean ${kind} "${guess}"? (${list})\n` : `hint: ${list}\n`;
}

function intOption(values: Record<string, string | boolean | undefined>, name: string): number | undefined {
  const v = values[name];
  if (typeof v !== "string") return undefined;
  if (!/^\d+$/.test(v.replaceAll("_", ""))) throw new UsageError(`--${name} must be a non-negative integer, got "${v}"`);
  return Number(v.replaceAll("_", ""));
}

function stringOption(values: Record<string, string | boolean | undefined>, name: string): string | undefined {
  const v = values[name];
  return typeof v === "string" ? v : undefined;
}

export const command: Command = {
  name: "explain",
  summary: "Show the plan the router would follow for a route, team, prompt size and region",
  usage:
    "switchyard explain [routes.ts] --env NAME --route R [--team T] [--tokens N] [--region X] [--tag k:v,…] [--metadata k=v,…] [--complexity L | --prompt-file F] [--tools] [--images] [--canary] [--format pretty|json]",
  help: `Compiles routes.ts for the environment and runs the routing core (decide()) for one request
shape against a fresh state: breakers closed, no latency samples yet, canaries at their first step.
Prints the candidates in the order the router would try them, the reason each is there, every
excluded model with its reason (residency, data class, lifecycle, capability, context window,
breaker), and warnings (deprecated models). The random source is seeded, so the output is stable.
--canary plans the request as one drawn onto the route's canary (whatever its current share), to
check the canary arm's candidates, fallbacks and exclusions before it takes traffic.
On a route with \`when\` rules it prints each rule, whether it holds and which one replaced the
primary: --tag and --metadata set what x-switchyard-tags and the body's metadata would, --tools and
--images what tools and image parts would, --complexity a level (or a 0-100 score), and
--prompt-file a chat body (JSON) or plain text whose complexity, tokens and capabilities are computed.

Examples:
  switchyard explain --env prod --route support-faq --team support
  switchyard explain examples/acme/routes.ts --env prod --route support-faq --tokens 20000
  switchyard explain --env prod --route legal-review --team legal --user alice --format json
  switchyard explain --env prod --route legal-review --team legal --canary
  switchyard explain examples/rules --route support --tag risk:high
  switchyard explain examples/rules --route support --prompt-file examples/rules/hard-prompt.json

Exit codes: 0 a plan exists, 1 config errors or no plan (unknown route or team, not allowed,
nothing eligible), 2 usage or internal error.`,
  options: {
    env: { type: "string", short: "e", description: "Environment to compile for (default: none)" },
    route: { type: "string", short: "r", description: "Route to explain (required)" },
    team: { type: "string", short: "t", description: "Caller's team (checks route permission)" },
    tokens: { type: "string", description: "Prompt tokens (default 1000)" },
    "max-tokens": { type: "string", description: "The request's max_tokens" },
    region: { type: "string", description: "Caller's region hint" },
    user: { type: "string", description: "Sticky key for canary assignment (the request's user field)" },
    requires: { type: "string", description: "Comma-separated capabilities the request needs (tools,vision,json,…)" },
    seed: { type: "string", description: "Seed of the random source (default 1)" },
    canary: { type: "boolean", description: "Force the route's canary arm" },
    tag: { type: "string", description: "Request tags as x-switchyard-tags sends them (risk:high,feature:search)" },
    metadata: { type: "string", description: "The body's metadata as key=value pairs (tenant=acme,plan=pro)" },
    complexity: { type: "string", description: "Complexity level the request has: low, medium, high (or a 0-100 score)" },
    "prompt-file": { type: "string", description: "A chat body (JSON) or plain text: its complexity, tokens and capabilities" },
    tools: { type: "boolean", description: "The request declares tools (adds the tools requirement)" },
    images: { type: "boolean", description: "The request holds image parts (adds the vision requirement)" },
    format: { type: "string", short: "f", description: "Output format: pretty (default) or json" },
  },
  async run({ positionals, values, io }) {
    if (positionals.length > 1) throw new UsageError(`expected at most one file, got ${positionals.length}`);
    const route = stringOption(values, "route");
    if (route === undefined || route === "") throw new UsageError("--route is required");
    const format = stringOption(values, "format") ?? "pretty";
    if (format !== "pretty" && format !== "json") throw new UsageError(`unknown --format "${format}"; use pretty or json`);
    const requiresRaw = stringOption(values, "requires");
    const requires: Capability[] = [];
    for (const cap of requiresRaw === undefined
      ? []
      : requiresRaw
          .split(",")
          .map((s) => s.trim())
          .filter((s) => s !== "")) {
      const parsed = CapabilitySchema.safeParse(cap);
      if (!parsed.success) throw new UsageError(`unknown capability "${cap}" in --requires; use ${CapabilitySchema.options.join(", ")}`);
      requires.push(parsed.data);
    }
    if (values.tools === true && !requires.includes("tools")) requires.push("tools");
    if (values.images === true && !requires.includes("vision")) requires.push("vision");
    const tokens = intOption(values, "tokens");
    const maxTokens = intOption(values, "max-tokens");
    const seed = intOption(values, "seed");
    const env = stringOption(values, "env");
    const file = configFile(io.cwd, positionals[0]);

    const { compile, formatDiagnostics } = await import("@switchyard/compiler");
    const compiled = await compile({ file, ...(env === undefined ? {} : { env }), onConsole: consoleToStderr(io, file) });
    if (compiled.diagnostics.length > 0) {
      const text = formatDiagnostics(compiled.diagnostics, "pretty", { cwd: io.cwd, color: false });
      io.stderr(text.endsWith("\n") ? text : `${text}\n`);
    }
    if (compiled.release === undefined) return 1;
    // A config with only policy errors still has a release: explain it (that is often why one runs explain), exit 1 after.
    if (!compiled.ok) io.stderr("note: the config has errors (above); the plan below is what it would route\n\n");
    const config = compiled.release.config;
    const rules: RuleFacts = {};
    const tagText = stringOption(values, "tag");
    if (tagText !== undefined) rules.tags = parseTagOption(tagText);
    const metadataText = stringOption(values, "metadata");
    if (metadataText !== undefined) rules.metadata = parseMetadataOption(metadataText);
    const promptFile = stringOption(values, "prompt-file");
    const complexityText = stringOption(values, "complexity");
    if (promptFile !== undefined && complexityText !== undefined) throw new UsageError("--complexity and --prompt-file both set the complexity; pass one");
    if (promptFile !== undefined) {
      const facts = await promptFileFacts(io.cwd, promptFile);
      Object.assign(rules, { complexity: facts.complexity, features: facts.features });
      for (const cap of facts.requires) if (!requires.includes(cap)) requires.push(cap);
      rules.promptTokens = facts.promptTokens;
    }
    if (complexityText !== undefined) rules.complexity = complexityOption(complexityText, config, route);
    const result = explain({
      config,
      route,
      ...(stringOption(values, "team") === undefined ? {} : { team: stringOption(values, "team") as string }),
      ...(tokens === undefined ? (rules.promptTokens === undefined ? {} : { tokens: rules.promptTokens }) : { tokens }),
      ...(maxTokens === undefined ? {} : { maxTokens }),
      ...(stringOption(values, "region") === undefined ? {} : { region: stringOption(values, "region") as string }),
      ...(stringOption(values, "user") === undefined ? {} : { user: stringOption(values, "user") as string }),
      ...(seed === undefined ? {} : { seed }),
      ...(values.canary === true ? { forceCanary: true } : {}),
      requires,
      rules,
    });
    if (format === "json") {
      io.stdout(
        `${JSON.stringify({ environment: config.environment, release: compiled.release.hash, request: result.request, canaryPercent: result.canaryPercent, forcedCanary: result.forcedCanary, rules: result.rules, ...(result.features === undefined ? {} : { complexityFeatures: result.features }), ...result.decision }, null, 2)}\n`,
      );
    } else {
      const text = renderExplain(result, config);
      if (result.decision.ok) io.stdout(text);
      else io.stderr(text);
    }
    return result.decision.ok && compiled.ok ? 0 : 1;
  },
};

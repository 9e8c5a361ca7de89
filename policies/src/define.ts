/** @module The policy API: a policy is data (id, description, severity, messages, options) plus a pure check. */
import type { Config, Severity } from "@switchyard/ir";

/**
 * The IR node a report points at; the compiler maps it back to the line in routes.ts that declared it.
 *
 * `kind` names the section (`provider` → `providers`, …) and `id` the key in it. `path` is the path
 * *below* that node as written in routes.ts (DSL spelling, e.g. `["timeout", "firstToken"]`,
 * `["fallback", 2]`, `["canary", "steps", 0]`); when the exact property is absent the compiler
 * points at the nearest ancestor that exists.
 *
 * `environment` points at `environments.<id>` in routes.ts (`id` is the environment's name; `path` below it,
 * e.g. `["production"]`); when the environment is not declared there, at the config itself.
 *
 * `selection` is used only by the engine itself (never by policies) for problems in a policy
 * selection — unknown pack, misspelt severity key, invalid options, a crashed policy: `id` is the
 * index of the selection in the environment's effective `policies` list, as a string.
 */
export interface NodeRef {
  kind: "provider" | "model" | "tier" | "route" | "team" | "prompt" | "environment" | "selection";
  id: string;
  /** Path below the node, e.g. `["fallback", 2]` or `["canary", "steps", 0]`. */
  path?: (string | number)[];
}

export interface PolicyReport<MessageId extends string = string> {
  node: NodeRef;
  /** A key of the policy's `messages` (a misspelt id is a type error). */
  messageId: MessageId;
  data?: Record<string, string | number>;
}

export interface PolicyContext<Options, MessageId extends string = string> {
  config: Config;
  /** The environment being checked. */
  environment: string;
  /**
   * Whether production protections apply: the environment's declared `production`, else whether its name
   * reads as production (`isProduction` of @switchyard/ir). Scope production-only rules on this, not on the name.
   */
  production: boolean;
  /** `defaultOptions` with the selection's options merged over them, validated by `optionsSchema`. */
  options: Options;
  /** Today, injected so checks stay pure. */
  now: Date;
  report(report: PolicyReport<MessageId>): void;
}

/**
 * The part of the Standard Schema interface (https://standardschema.dev) the engine uses to
 * validate options. zod 4, valibot and arktype schemas all satisfy it; only synchronous validation
 * is supported.
 */
export interface OptionsSchema<Output> {
  readonly "~standard": {
    readonly version: 1;
    readonly vendor: string;
    readonly validate: (
      value: unknown,
    ) =>
      | { readonly value: Output; readonly issues?: undefined }
      | { readonly issues: ReadonlyArray<{ readonly message: string; readonly path?: ReadonlyArray<PropertyKey | { readonly key: PropertyKey }> | undefined }> }
      | Promise<unknown>;
  };
}

export interface Policy<Options = Record<string, unknown>, MessageId extends string = string> {
  /** `pack/name`, e.g. `baseline/fallback-required`. Stable: users set severities by it. */
  id: string;
  description: string;
  /** Why the policy exists, one line, shown in docs and `--help`. */
  rationale: string;
  defaultSeverity: Severity;
  /** Message templates by id; `{{name}}` is replaced from the report's data. */
  messages: Record<MessageId, string>;
  /** Defaults for the options; users override them per pack selection. */
  defaultOptions: Options;
  /**
   * Validates the merged options (defaults, then the selection's options). Without a schema the
   * engine only rejects option keys that `defaultOptions` does not declare.
   */
  optionsSchema?: OptionsSchema<Options>;
  check(context: PolicyContext<Options, MessageId>): void;
}

export interface PolicyPack {
  id: string;
  description: string;
  /** Policies with different option types (`check` is a method, so each keeps its own option type). */
  policies: Policy[];
}

/**
 * Declare a policy; returns it unchanged (its value is the types). Does no I/O.
 *
 * @example
 * export default definePolicy({
 *   id: "acme/route-description",
 *   description: "Every route has a description.",
 *   rationale: "On-call engineers read it when a route pages them.",
 *   defaultSeverity: "warning",
 *   messages: { missing: "route {{route}} has no description" },
 *   defaultOptions: {},
 *   check({ config, report }) {
 *     for (const [id, route] of Object.entries(config.routes)) {
 *       if (!route.description) report({ node: { kind: "route", id }, messageId: "missing", data: { route: id } });
 *     }
 *   },
 * });
 */
export function definePolicy<Options extends Record<string, unknown>, MessageId extends string>(
  policy: Policy<Options, MessageId>,
): Policy<Options, MessageId> {
  return policy;
}

/**
 * Declare a pack of policies. Does no I/O.
 *
 * @example export default definePack({ id: "acme", description: "Acme house rules", policies: [routeDescription] });
 */
export function definePack(pack: PolicyPack): PolicyPack {
  return pack;
}

/** @module The policy API: a policy is data (id, description, severity, messages, options) plus a pure check. */
import type { Config, Severity } from "@switchyard/ir";

/** The IR node a report points at; the compiler maps it back to the line in routes.ts that declared it. */
export interface NodeRef {
  kind: "provider" | "model" | "tier" | "route" | "team";
  id: string;
  /** Path below the node, e.g. `["fallback", 2]` or `["canary", "steps", 0]`. */
  path?: (string | number)[];
}

export interface PolicyReport {
  node: NodeRef;
  messageId: string;
  data?: Record<string, string | number>;
}

export interface PolicyContext<Options> {
  config: Config;
  /** The environment being checked. */
  environment: string;
  options: Options;
  /** Today, injected so checks stay pure. */
  now: Date;
  report(report: PolicyReport): void;
}

export interface Policy<Options = Record<string, unknown>> {
  /** `pack/name`, e.g. `baseline/fallback-required`. Stable: users set severities by it. */
  id: string;
  description: string;
  /** Why the policy exists, one line, shown in docs and `--help`. */
  rationale: string;
  defaultSeverity: Severity;
  /** Message templates by id; `{{name}}` is replaced from the report's data. */
  messages: Record<string, string>;
  /** Defaults for the options; users override them per pack selection. */
  defaultOptions: Options;
  check(context: PolicyContext<Options>): void;
}

export interface PolicyPack {
  id: string;
  description: string;
  policies: Policy<any>[];
}

/** Declare a policy; returns it unchanged (its value is the types). Does no I/O. */
export function definePolicy<Options extends Record<string, unknown>>(policy: Policy<Options>): Policy<Options> {
  return policy;
}

/** Declare a pack of policies. Does no I/O. */
export function definePack(pack: PolicyPack): PolicyPack {
  return pack;
}

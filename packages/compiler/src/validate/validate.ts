/**
 * @module validate/validate — the pure half of the compiler: a config value (as evaluated) →
 * findings and, when valid, the IR Config for an environment. Never throws.
 */
import { parseConfig, type Config } from "@switchyard/ir";
import type { z } from "zod";
import { type Code, catalogue, isCode } from "../diagnostics/catalogue.ts";
import { runSemanticChecks } from "../checks/semantic.ts";
import { showPath, type Finding } from "../checks/report.ts";
import { suggestName } from "../checks/suggest.ts";
import { ConfigDsl, knownKeysAt } from "./dsl-schema.ts";
import { declaredWaivers, irPathToDsl, lowerConfig, type DeclaredWaiver } from "./lower.ts";
import { mergeEnvironment } from "./merge.ts";
import { isDict } from "./view.ts";

/** Maps a zod issue of the DSL schema to findings (one per unknown key). */
function issueFindings(issue: z.core.$ZodIssue, value: unknown): Finding[] {
  const path = issue.path.map((segment) => (typeof segment === "symbol" ? String(segment) : segment));
  const where = showPath(path) || "the config";
  if (issue.code === "unrecognized_keys") {
    const known = knownKeysAt(path, valueAt(value, path)) ?? [];
    return issue.keys.map((key): Finding => {
      const guess = suggestName(key, known);
      return {
        code: "SY0101",
        path: [...path, key],
        prefer: "key",
        message: `unknown property "${key}" in ${where}`,
        hint: guess ? `Did you mean "${guess}"?` : known.length > 0 ? `Known properties: ${known.join(", ")}.` : "",
      };
    });
  }
  const custom = issue.code === "custom" ? (issue.params as { sy?: string } | undefined)?.sy : undefined;
  if (custom !== undefined && isCode(custom)) return [{ code: custom, path, message: `${where}: ${issue.message}` }];
  if (issue.code === "invalid_type" && valueAt(value, path) === undefined) {
    const name = path[path.length - 1];
    return [{ code: "SY0104", path, message: `${showPath(path.slice(0, -1)) || "the config"} is missing required property "${String(name)}"` }];
  }
  if (issue.code === "invalid_key") return [{ code: "SY0102", path, prefer: "key", message: `${where}: ${issue.issues[0]?.message ?? issue.message}` }];
  if (issue.code === "invalid_union") {
    // A tier member `{ model, weight: "70" }` fails the string branch at its root ("expected string, received
    // object") and the object branch at `weight`: the branch of the value's own shape says what is wrong.
    const own = issue.errors.find((branch) => branch.length > 0 && !branch.some((inner) => inner.code === "invalid_type" && inner.path.length === 0));
    if (own !== undefined && issue.errors.length > 1) {
      return own.flatMap((inner) => issueFindings({ ...inner, path: [...issue.path, ...inner.path] } as z.core.$ZodIssue, value));
    }
    return [{ code: "SY0102", path, message: `${where}: ${unionMessage(issue)}` }];
  }
  return [{ code: "SY0102", path, message: `${where}: ${issue.message}` }];
}

function unionMessage(issue: z.core.$ZodIssueInvalidUnion): string {
  const first = issue.errors.map((branch) => branch[0]).find((inner) => inner !== undefined && inner.path.length === 0);
  return first ? first.message : issue.message;
}

function valueAt(root: unknown, path: (string | number)[]): unknown {
  let current = root;
  for (const segment of path) {
    if (Array.isArray(current) && typeof segment === "number") current = current[segment];
    else if (isDict(current) && typeof segment === "string") current = current[segment];
    else return undefined;
  }
  return current;
}

export interface ValidateInput {
  /** The evaluated default export of routes.ts. */
  value: unknown;
  /** Environment to merge; none means "default" without overrides. */
  env?: string;
}

export interface ValidateOutput {
  findings: Finding[];
  /** The IR config, when there is no error finding. */
  config?: Config;
  /**
   * With `config`: the environment's view of the config as the author wrote it (overrides merged, before
   * lowering: durations as `"2h"`, tier members as written, no defaults filled in), for showing changes in
   * the words of routes.ts.
   */
  authored?: Record<string, unknown>;
  /** Waivers declared on the environment's entries (applied to policy findings; not part of the IR). */
  waivers?: DeclaredWaiver[];
}

/**
 * Validates a config value: DSL schema (as written, every environment), semantic checks on the
 * environment's merged view, lowering, IR schema. Pure; never throws.
 *
 * @example validateConfigValue({ value: { providers: {}, models: {}, routes: {} } }).findings // []
 */
export function validateConfigValue(input: ValidateInput): ValidateOutput {
  const findings: Finding[] = [];
  const report = (finding: Finding): void => void findings.push(finding);
  const { value } = input;
  if (!isDict(value)) {
    return { findings: [{ code: "SY0002", path: [], message: "the default export is not a config object" }] };
  }
  const parsed = ConfigDsl.safeParse(value);
  if (!parsed.success) for (const issue of parsed.error.issues) for (const finding of issueFindings(issue, value)) report({ ...finding, raw: true });
  const merged = mergeEnvironment(value, input.env);
  runSemanticChecks({ merged, raw: value }, report);
  if (!parsed.success || findings.some((f) => severityOf(f) === "error")) return { findings };
  const ir = parseConfig(lowerConfig(merged, input.env ?? "default"));
  if (!ir.success) {
    for (const issue of ir.issues) {
      const path = irPathToDsl(issue.path);
      const hint = RULE_HINTS[issue.code];
      report({
        code: ruleCode(issue.code, issue.path),
        path,
        message: `${showPath(path) || "config"}: ${issue.message}`,
        ...(hint === undefined ? {} : { hint }),
      });
    }
    return { findings };
  }
  return { findings, config: ir.data, authored: merged, waivers: declaredWaivers(merged) };
}

/** How to fix what an IR rule found, where the message alone does not say. */
const RULE_HINTS: Record<string, string> = {
  model_kind:
    'A chat route lists chat models; an embedding route (`kind: "embedding"`) lists embedding models (`kind: "embedding"`, with `dimensions`), on an openai- or mock-kind provider.',
  embedding_dimensions:
    "Fall back only to an embedding model with the same `dimensions`, or serve the other model on a route of its own: an index holds vectors of one length.",
  prompt_template:
    "A placeholder is `{{name}}` with an identifier inside; a prompt that declares `variables` declares every one its messages (and its canary's) use, or leave `variables` out to infer them. See docs/prompts.md.",
};

/**
 * The diagnostic code of an IR issue. The IR's rules (`configRuleProblems`, shared with the router's upload
 * check) keep the codes the semantic checks give the same mistakes; schema issues are SY0901.
 */
function ruleCode(code: string, path: (string | number)[]): Code {
  switch (code) {
    case "unknown_reference": {
      const what = path[0] === "models" ? "provider" : path[0] === "teams" ? "route" : path[path.length - 1];
      return what === "provider"
        ? "SY0201"
        : what === "route"
          ? "SY0204"
          : what === "tier"
            ? path.includes("fallback") || path.includes("longContext")
              ? "SY0203"
              : "SY0205"
            : path.includes("fallback") || path.includes("longContext")
              ? "SY0203"
              : "SY0202";
    }
    case "route_target":
      return "SY0207";
    case "canary_steps_order":
      return "SY0401";
    case "model_kind":
      return "SY0208";
    case "embedding_dimensions":
      return "SY0306";
    case "provider_needs":
      return "SY0104";
    case "provider_foreign":
      return "SY0101";
    case "invalid_url":
    case "provider_value":
    case "blocked_host":
    case "reserved_secret":
      return "SY0102";
    default:
      return "SY0901";
  }
}

/** A finding's severity: its own, or the catalogue's default for its code. */
export function severityOf(finding: Finding): "error" | "warning" {
  return finding.severity ?? catalogue[finding.code].severity;
}

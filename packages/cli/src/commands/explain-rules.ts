/**
 * @module commands/explain-rules — what `switchyard explain` adds for `when` rules: the request facts rules read
 * (--tag, --metadata, --complexity, --prompt-file, --tools, --images), each rule's verdict, and the complexity score
 * with the features it is made of. Pure apart from reading the prompt file.
 */
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import type { Capability, ComplexityLevel, Config } from "@switchyard/ir";
import { ComplexityLevelSchema } from "@switchyard/ir";
import type { RoutingRequest } from "@switchyard/router";
import {
  chatRequestFeatures,
  compileCondition,
  complexityFeatures,
  complexityLevel,
  conditionHolds,
  DEFAULT_COMPLEXITY_THRESHOLDS,
  scoreOf,
  type ComplexityFeatures,
} from "@switchyard/router/core";
import { UsageError } from "../command.ts";

/** What the rule flags set on the explained request. */
export interface RuleFacts {
  tags?: Record<string, string>;
  metadata?: Record<string, string>;
  /** Complexity score 0-100 (from --complexity, or computed from --prompt-file). */
  complexity?: number;
  /** The features of --prompt-file's body, when given (printed with the score). */
  features?: ComplexityFeatures;
  /** From --prompt-file: its token estimate and capabilities (--tokens and --requires still win / add). */
  promptTokens?: number;
  requires?: Capability[];
}

/** One rule's verdict for the explained request. */
export interface RuleVerdict {
  /** 1-based. */
  index: number;
  condition: string;
  /** `tier frontier` / `model big`. */
  target: string;
  holds: boolean;
  /** The first rule that holds: its target replaced the primary. */
  used: boolean;
}

/** `risk:high,feature:search` → `{ risk: "high", feature: "search" }` (as the `x-switchyard-tags` header reads). */
export function parseTagOption(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of splitList(text)) {
    const colon = item.indexOf(":");
    if (colon <= 0 || colon === item.length - 1) throw new UsageError(`--tag "${item}" is not key:value (e.g. --tag risk:high)`);
    out[item.slice(0, colon)] = item.slice(colon + 1);
  }
  return out;
}

/** `tenant=acme,plan=pro` → `{ tenant: "acme", plan: "pro" }` (the body's `metadata`). */
export function parseMetadataOption(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of splitList(text)) {
    const eq = item.indexOf("=");
    if (eq <= 0) throw new UsageError(`--metadata "${item}" is not key=value (e.g. --metadata tenant=acme)`);
    out[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return out;
}

/**
 * `--complexity low|medium|high|0-100` as a score under the route's thresholds: a level is the lowest score that has it
 * (low 0, medium the route's `complexity.medium`, high its `complexity.high`).
 */
export function complexityOption(text: string, config: Config, route: string): number {
  const thresholds = config.routes[route]?.complexity ?? DEFAULT_COMPLEXITY_THRESHOLDS;
  const level = ComplexityLevelSchema.safeParse(text);
  if (level.success) return level.data === "low" ? 0 : thresholds[level.data];
  if (/^\d+(\.\d+)?$/.test(text) && Number(text) <= 100) return Number(text);
  throw new UsageError(`--complexity must be low, medium, high or a score from 0 to 100, got "${text}"`);
}

/**
 * Read --prompt-file: a chat request body as JSON (`{ messages, tools? }`), or any other text as one user message.
 * Its complexity features, score, token estimate and capabilities.
 */
export async function promptFileFacts(cwd: string, file: string): Promise<Required<Pick<RuleFacts, "features" | "complexity" | "promptTokens" | "requires">>> {
  let text: string;
  try {
    text = await readFile(resolve(cwd, file), "utf8");
  } catch (error) {
    throw new UsageError(`--prompt-file ${file}: ${(error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (error as Error).message}`);
  }
  let body: unknown = { messages: [{ role: "user", content: text }] };
  if (/^\s*\{/.test(text)) {
    try {
      body = JSON.parse(text) as unknown;
    } catch (error) {
      throw new UsageError(`--prompt-file ${file}: not valid JSON (${(error as Error).message}); pass a chat body { "messages": [...] } or plain text`);
    }
    if (!Array.isArray((body as { messages?: unknown }).messages)) throw new UsageError(`--prompt-file ${file}: a JSON body needs a "messages" list`);
  }
  const features = complexityFeatures(body);
  const request = chatRequestFeatures(body);
  return { features, complexity: scoreOf(features), promptTokens: request.promptTokens, requires: request.requires };
}

/** Each rule of the route, evaluated against the request as decide() evaluates it. */
export function ruleVerdicts(config: Config, request: RoutingRequest): RuleVerdict[] {
  const route = config.routes[request.route];
  if (route?.when === undefined) return [];
  const input = { request, thresholds: route.complexity ?? DEFAULT_COMPLEXITY_THRESHOLDS };
  let used = false;
  return route.when.map((rule, i) => {
    const compiled = compileCondition(rule.if);
    const holds = conditionHolds(compiled, input);
    const verdict = {
      index: i + 1,
      condition: compiled.text,
      target: "tier" in rule.use ? `tier ${rule.use.tier}` : `model ${rule.use.model}`,
      holds,
      used: holds && !used,
    };
    used ||= holds;
    return verdict;
  });
}

/** The lines explain prints about rules and complexity (none for a route without rules and no complexity asked). */
export function renderRules(config: Config, request: RoutingRequest, verdicts: readonly RuleVerdict[], features: ComplexityFeatures | undefined): string[] {
  const route = config.routes[request.route];
  const lines: string[] = [];
  const thresholds = route?.complexity ?? DEFAULT_COMPLEXITY_THRESHOLDS;
  if (request.complexity !== undefined || features !== undefined) {
    const score = request.complexity ?? 0;
    const level: ComplexityLevel = complexityLevel(score, thresholds);
    const made =
      features === undefined
        ? ""
        : `: ${features.chars} chars, ${features.userTurns} user turn${features.userTurns === 1 ? "" : "s"}, ${features.codeBlocks} code block${features.codeBlocks === 1 ? "" : "s"}, ` +
          `${features.tools} tool${features.tools === 1 ? "" : "s"}, ${features.images} image${features.images === 1 ? "" : "s"}, ${Math.round(features.nonAscii * 100)}% non-ASCII letters`;
    lines.push(`complexity ${score} → ${level} (medium ≥ ${thresholds.medium}, high ≥ ${thresholds.high})${made}`);
  }
  if (verdicts.length === 0) return lines;
  const primary = route?.tier !== undefined ? `tier ${route.tier}` : `model ${route?.model ?? "?"}`;
  const used = verdicts.find((v) => v.used);
  lines.push(
    used === undefined
      ? `when rules: none matched; the primary (${primary}) stands`
      : `when rules: rule ${used.index} matched (${used.condition}): ${used.target} in place of the primary (${primary}); the fallback chain is the route's`,
  );
  for (const v of verdicts) {
    const verdict = v.used ? "matched, used" : v.holds ? `holds, but rule ${used?.index ?? "?"} came first` : "does not hold";
    lines.push(`  ${String(v.index).padStart(2)}. if ${v.condition} → ${v.target}: ${verdict}`);
  }
  return lines;
}

function splitList(text: string): string[] {
  return text
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

/**
 * @module Conditional rules (`when`): a route's ordered `{ if, use }` list, compiled once per release and evaluated per
 * request. Pure: the first rule whose condition holds replaces the route's primary target (decide.ts); the fallback
 * chain stays as declared.
 */
import type { ComplexityLevel, ComplexityThresholds, Route, RuleCondition } from "@switchyard/ir";
import { complexityLevel, DEFAULT_COMPLEXITY_THRESHOLDS } from "./complexity.ts";
import type { RoutingRequest } from "./types.ts";

type Tests = Omit<RuleCondition, "any">;

/** One condition's tests, pre-split (`tag: "risk:high"` → key `risk`, value `high`). */
interface CompiledTests {
  tagKey: string | undefined;
  /** undefined: the tag's key must be present (any value). */
  tagValue: string | undefined;
  metadata: readonly (readonly [string, string])[] | undefined;
  team: string | undefined;
  region: string | undefined;
  over: number | undefined;
  under: number | undefined;
  tools: boolean | undefined;
  images: boolean | undefined;
  complexity: ComplexityLevel | undefined;
}

/** A rule ready to evaluate: its tests, its alternatives (`any`), and how it reads (`tag risk:high and tokens over 4000`). */
export interface CompiledCondition {
  all: CompiledTests;
  any: readonly CompiledTests[] | undefined;
  text: string;
  /** Some test (here or in `any`) reads the complexity level. */
  usesComplexity: boolean;
}

/** The request facts rules read beyond RoutingRequest's own fields, derived lazily per decision. */
export interface RuleInput {
  request: RoutingRequest;
  thresholds: ComplexityThresholds;
  /** Memo of the complexity level (computed at most once per decision). */
  level?: ComplexityLevel;
}

/** Compile one condition. */
export function compileCondition(c: RuleCondition): CompiledCondition {
  const all = compileTests(c);
  const any = c.any?.map(compileTests);
  const parts = [describeTests(c)].filter((s) => s !== "");
  if (c.any !== undefined) parts.push(`any of (${c.any.map((t) => describeTests(t) || "always").join(" | ")})`);
  return {
    all,
    any,
    text: parts.length === 0 ? "always" : parts.join(" and "),
    usesComplexity: all.complexity !== undefined || (any?.some((t) => t.complexity !== undefined) ?? false),
  };
}

/** The thresholds a route's rules use (its own, or the defaults). */
export function routeThresholds(route: Route): ComplexityThresholds {
  return route.complexity ?? DEFAULT_COMPLEXITY_THRESHOLDS;
}

/** True when the condition holds for the request. */
export function conditionHolds(c: CompiledCondition, input: RuleInput): boolean {
  if (!testsHold(c.all, input)) return false;
  if (c.any === undefined) return true;
  for (const t of c.any) if (testsHold(t, input)) return true;
  return false;
}

/** The level a rule sees: from the request's score (absent: 0, low) under the route's thresholds. */
export function ruleComplexity(input: RuleInput): ComplexityLevel {
  input.level ??= complexityLevel(input.request.complexity ?? 0, input.thresholds);
  return input.level;
}

function testsHold(t: CompiledTests, input: RuleInput): boolean {
  const r = input.request;
  if (t.team !== undefined && r.team !== t.team) return false;
  if (t.region !== undefined && r.region !== t.region) return false;
  if (t.over !== undefined && !(r.promptTokens > t.over)) return false;
  if (t.under !== undefined && !(r.promptTokens < t.under)) return false;
  if (t.tools !== undefined && r.requires.includes("tools") !== t.tools) return false;
  if (t.images !== undefined && r.requires.includes("vision") !== t.images) return false;
  if (t.tagKey !== undefined && !attributeHolds(r, t.tagKey, t.tagValue)) return false;
  if (t.metadata !== undefined) for (const [k, v] of t.metadata) if (!attributeHolds(r, k, v)) return false;
  if (t.complexity !== undefined && ruleComplexity(input) !== t.complexity) return false;
  return true;
}

/** A tag or metadata pair: `key` equals `value` in the request's tags or its metadata (value undefined: the key is present). */
function attributeHolds(r: RoutingRequest, key: string, value: string | undefined): boolean {
  const tag = r.tags === undefined || !Object.hasOwn(r.tags, key) ? undefined : r.tags[key];
  if (tag !== undefined && (value === undefined || tag === value)) return true;
  const metadata = r.metadata;
  const meta = metadata === undefined || metadata === null || !Object.hasOwn(metadata, key) ? undefined : metadata[key];
  return meta !== undefined && (value === undefined || meta === value);
}

function compileTests(t: Tests): CompiledTests {
  const colon = t.tag === undefined ? -1 : t.tag.indexOf(":");
  return {
    tagKey: t.tag === undefined ? undefined : colon < 0 ? t.tag : t.tag.slice(0, colon),
    tagValue: t.tag === undefined || colon < 0 ? undefined : t.tag.slice(colon + 1),
    metadata: t.metadata === undefined ? undefined : Object.entries(t.metadata),
    team: t.team,
    region: t.region,
    over: t.tokens?.over,
    under: t.tokens?.under,
    tools: t.tools,
    images: t.images,
    complexity: t.complexity,
  };
}

/** How a condition's tests read, in routes.ts words: `tag risk:high and tokens over 4000`. */
export function describeTests(t: Tests): string {
  const out: string[] = [];
  if (t.tag !== undefined) out.push(`tag ${t.tag}`);
  if (t.metadata !== undefined) for (const [k, v] of Object.entries(t.metadata)) out.push(`metadata ${k}=${v}`);
  if (t.team !== undefined) out.push(`team ${t.team}`);
  if (t.region !== undefined) out.push(`region ${t.region}`);
  if (t.tokens?.over !== undefined) out.push(`tokens over ${t.tokens.over}`);
  if (t.tokens?.under !== undefined) out.push(`tokens under ${t.tokens.under}`);
  if (t.tools !== undefined) out.push(t.tools ? "with tools" : "without tools");
  if (t.images !== undefined) out.push(t.images ? "with images" : "without images");
  if (t.complexity !== undefined) out.push(`complexity ${t.complexity}`);
  return out.join(" and ");
}

/** How a whole condition reads (its tests and its `any` alternatives). */
export function describeCondition(c: RuleCondition): string {
  return compileCondition(c).text;
}

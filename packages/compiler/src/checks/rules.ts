/**
 * @module checks/rules — checks of a route's `when` rules: their targets and teams exist (as TypeScript also says,
 * unless bypassed), and no rule is unreachable: never satisfiable, or shadowed by earlier rules that already match
 * every request it would (SY0405). Tolerant views, never throws.
 */
import { suggestName } from "./suggest.ts";
import type { Report } from "./report.ts";
import { dict, list, num, str, type Dict } from "../validate/view.ts";

/** One conjunction of tests (a condition, or its base AND one `any` alternative), normalised. */
interface Conjunction {
  /** Tag and metadata tests: key → value (undefined: the key is present). */
  attrs: Map<string, string | undefined>;
  single: Map<"team" | "region" | "tools" | "images" | "complexity", unknown>;
  over: number | undefined;
  under: number | undefined;
}

const SINGLE = ["team", "region", "tools", "images", "complexity"] as const;

/** Checks every route's `when` list of the environment-merged config. */
export function checkRouteRules(merged: Dict, report: Report): void {
  const tiers = new Set(Object.keys(dict(merged.tiers)));
  const models = new Set(Object.keys(dict(merged.models)));
  const teams = Object.keys(dict(merged.teams));
  for (const [id, routeValue] of Object.entries(dict(merged.routes))) {
    const rules = list(dict(routeValue).when);
    const earlier: { number: number; text: string; dnf: Conjunction[] }[] = [];
    rules.forEach((ruleValue, index) => {
      const rule = dict(ruleValue);
      const path = ["routes", id, "when", index];
      const number = index + 1;
      checkTarget(dict(rule.use), { id, number, path, tiers, models }, report);
      const condition = dict(rule.if);
      for (const [at, tests] of [[[], condition] as const, ...list(condition.any).map((alt, k) => [["any", k], dict(alt)] as const)]) {
        const team = str(tests.team);
        if (team !== undefined && !teams.includes(team)) {
          const guess = suggestName(team, teams);
          report({
            code: "SY0406",
            path: [...path, "if", ...at, "team"],
            message: `rule ${number} of route "${id}" tests team "${team}", which is not declared`,
            ...(guess === undefined ? {} : { hint: `Did you mean "${guess}"?` }),
          });
        }
      }
      const dnf = normalise(condition);
      if (dnf.length === 0) {
        report({
          code: "SY0405",
          severity: "warning",
          path: [...path, "if"],
          message: `rule ${number} of route "${id}" can never apply: its tests contradict each other`,
        });
      } else {
        const shadows = new Set<number>();
        const covered = dnf.every((c) => {
          const by = earlier.find((e) => e.dnf.some((d) => implies(c, d)));
          if (by !== undefined) shadows.add(by.number);
          return by !== undefined;
        });
        if (covered && earlier.length > 0) {
          const names = [...shadows].map((n) => `rule ${n} (${earlier[n - 1]?.text ?? ""})`).join(" and ");
          report({
            code: "SY0405",
            severity: "warning",
            path: [...path, "if"],
            message: `rule ${number} of route "${id}" can never apply: ${names} already match${shadows.size === 1 ? "es" : ""} every request it would`,
          });
        }
      }
      earlier.push({ number, text: describe(condition), dnf });
    });
  }
}

function checkTarget(use: Dict, at: { id: string; number: number; path: (string | number)[]; tiers: Set<string>; models: Set<string> }, report: Report): void {
  const tier = str(use.tier);
  const model = str(use.model);
  if (tier !== undefined && !at.tiers.has(tier)) {
    const guess = at.models.has(tier) ? `"${tier}" is a model: write \`use: { model: "${tier}" }\`.` : didYouMean(tier, [...at.tiers]);
    report({
      code: "SY0205",
      path: [...at.path, "use", "tier"],
      message: `rule ${at.number} of route "${at.id}" uses tier "${tier}", which is not declared`,
      ...(guess === undefined ? {} : { hint: guess }),
    });
  }
  if (model !== undefined && !at.models.has(model)) {
    const guess = at.tiers.has(model) ? `"${model}" is a tier: write \`use: { tier: "${model}" }\`.` : didYouMean(model, [...at.models]);
    report({
      code: "SY0202",
      path: [...at.path, "use", "model"],
      message: `rule ${at.number} of route "${at.id}" uses model "${model}", which is not declared`,
      ...(guess === undefined ? {} : { hint: guess }),
    });
  }
}

function didYouMean(name: string, candidates: string[]): string | undefined {
  const guess = suggestName(name, candidates);
  return guess === undefined ? undefined : `Did you mean "${guess}"?`;
}

/** The condition as alternatives of conjunctions (base AND each `any` alternative); contradictory ones dropped. */
function normalise(condition: Dict): Conjunction[] {
  const base = conjunction(condition);
  if (base === undefined) return [];
  const alternatives = list(condition.any);
  if (!Array.isArray(condition.any)) return [base];
  const out: Conjunction[] = [];
  for (const alt of alternatives) {
    const c = conjunction(dict(alt), base);
    if (c !== undefined) out.push(c);
  }
  return out;
}

/** The tests of one object (added to `base`'s), or undefined when they contradict each other. */
function conjunction(tests: Dict, base?: Conjunction): Conjunction | undefined {
  const c: Conjunction = {
    attrs: new Map(base?.attrs),
    single: new Map(base?.single),
    over: base?.over,
    under: base?.under,
  };
  const attr = (key: string, value: string | undefined): void => {
    // A key may hold different values in tags and metadata, so differing values are not a contradiction: keep the first.
    if (!c.attrs.has(key) || c.attrs.get(key) === undefined) c.attrs.set(key, value);
  };
  const tag = str(tests.tag);
  if (tag !== undefined) {
    const colon = tag.indexOf(":");
    attr(colon < 0 ? tag : tag.slice(0, colon), colon < 0 ? undefined : tag.slice(colon + 1));
  }
  for (const [key, value] of Object.entries(dict(tests.metadata))) if (typeof value === "string") attr(key, value);
  for (const key of SINGLE) {
    const value = tests[key];
    if (value === undefined) continue;
    if (c.single.has(key) && c.single.get(key) !== value) return undefined;
    c.single.set(key, value);
  }
  const tokens = dict(tests.tokens);
  const over = num(tokens.over);
  const under = num(tokens.under);
  if (over !== undefined) c.over = c.over === undefined ? over : Math.max(c.over, over);
  if (under !== undefined) c.under = c.under === undefined ? under : Math.min(c.under, under);
  // Whole tokens: `over a and under b` needs an integer strictly between them.
  if (c.over !== undefined && c.under !== undefined && c.under - c.over < 2) return undefined;
  return c;
}

/** True when every request `c` matches is matched by `d` (d's tests are all implied by c's). */
function implies(c: Conjunction, d: Conjunction): boolean {
  for (const [key, value] of d.attrs) {
    if (!c.attrs.has(key)) return false;
    if (value !== undefined && c.attrs.get(key) !== value) return false;
  }
  for (const [key, value] of d.single) if (c.single.get(key) !== value) return false;
  if (d.over !== undefined && (c.over === undefined || c.over < d.over)) return false;
  if (d.under !== undefined && (c.under === undefined || c.under > d.under)) return false;
  return true;
}

/** How a condition reads in a message (`tag risk:high and tokens over 4000`; `always` for `{}`). */
function describe(condition: Dict): string {
  const parts: string[] = [];
  const one = (t: Dict): string[] => {
    const out: string[] = [];
    if (str(t.tag) !== undefined) out.push(`tag ${str(t.tag)}`);
    for (const [k, v] of Object.entries(dict(t.metadata))) out.push(`metadata ${k}=${String(v)}`);
    for (const key of SINGLE) if (t[key] !== undefined) out.push(`${key} ${String(t[key])}`);
    const tokens = dict(t.tokens);
    if (num(tokens.over) !== undefined) out.push(`tokens over ${num(tokens.over)}`);
    if (num(tokens.under) !== undefined) out.push(`tokens under ${num(tokens.under)}`);
    return out;
  };
  parts.push(...one(condition));
  if (Array.isArray(condition.any))
    parts.push(
      `any of (${list(condition.any)
        .map((a) => one(dict(a)).join(" and ") || "always")
        .join(" | ")})`,
    );
  return parts.length === 0 ? "always" : parts.join(" and ");
}

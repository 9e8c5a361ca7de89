/**
 * @module checks/semantic — checks TypeScript cannot do (or that `as any` bypassed): references,
 * fallback chains, weights, canaries, long-context windows, overrides, budgets, secrets (the state URL's too).
 * Runs on tolerant views so it works even when the shape is partly wrong; never throws.
 */
import { checkRouteRules } from "./rules.ts";
import { checkRegions } from "./regions.ts";
import { suggestName } from "./suggest.ts";
import { showPath, type Report } from "./report.ts";
import { dict, isDict, keys, list, num, str, type Dict } from "../validate/view.ts";

const SECRET_NAME = /^[A-Z_][A-Z0-9_]*$/;
const CREDENTIAL_HEADER = /authorization|api[-_]?key|token|secret|password/i;

export interface SemanticInput {
  /** The config merged for the environment (no `environments` key). */
  merged: Dict;
  /** The config as written (for override checks). */
  raw: Dict;
}

function didYouMean(name: string, candidates: string[]): string | undefined {
  const guess = suggestName(name, candidates);
  return guess === undefined ? undefined : `Did you mean "${guess}"?`;
}

/** Runs every semantic check, reporting findings; independent checks all run. */
export function runSemanticChecks(input: SemanticInput, report: Report): void {
  const { merged, raw } = input;
  const providers = dict(merged.providers);
  const models = dict(merged.models);
  const tiers = dict(merged.tiers);
  const routes = dict(merged.routes);
  const teams = dict(merged.teams);
  const providerIds = Object.keys(providers);
  const modelIds = Object.keys(models);
  const tierIds = Object.keys(tiers);
  const routeIds = Object.keys(routes);
  const modelSet = new Set(modelIds);
  const tierSet = new Set(tierIds);
  const targets = [...tierIds, ...modelIds];

  // Ambiguous names.
  for (const id of tierIds) {
    if (modelSet.has(id))
      report({ code: "SY0206", path: ["tiers", id], prefer: "key", message: `"${id}" is both a tier and a model, so a reference to it is ambiguous` });
  }

  /** The models a tier-or-model name stands for. */
  const membersOf = (name: string): string[] => {
    if (tierSet.has(name))
      return list(dict(tiers[name]).models)
        .map((member) => str(member) ?? str(dict(member).model) ?? "")
        .filter((m) => m.length > 0);
    if (modelSet.has(name)) return [name];
    return [];
  };

  // Providers: secrets and credential headers.
  for (const [id, provider] of Object.entries(providers)) {
    const p = dict(provider);
    checkSecret(p.apiKey, ["providers", id, "apiKey"], report);
    for (const [header, value] of Object.entries(dict(p.headers))) {
      if (isDict(value)) checkSecret(value, ["providers", id, "headers", header], report);
      else if (typeof value === "string" && CREDENTIAL_HEADER.test(header)) {
        report({
          code: "SY0703",
          severity: "warning",
          path: ["providers", id, "headers", header],
          message: `header "${header}" of provider "${id}" has a literal value; it usually carries a credential`,
          hint: 'Use secret("ENV_VAR_NAME") for the value.',
        });
      }
    }
  }

  // Models → providers.
  for (const [id, model] of Object.entries(models)) {
    const provider = dict(model).provider;
    if (typeof provider === "string" && !(provider in providers)) {
      report({
        code: "SY0201",
        path: ["models", id, "provider"],
        message: `model "${id}" names provider "${provider}", which is not declared`,
        ...hint(didYouMean(provider, providerIds)),
      });
    }
  }

  // A chat model's price names output tokens too (an embedding model's has none; the IR's rules check the rest of embeddings).
  for (const [id, model] of Object.entries(models)) {
    const m = dict(model);
    if (m.kind !== "embedding" && isDict(m.price) && m.price.output === undefined)
      report({ code: "SY0104", path: ["models", id, "price"], message: `models.${id}.price is missing required property "output"` });
  }

  // Tiers → models, weights, duplicates.
  for (const [id, tier] of Object.entries(tiers)) {
    const seen = new Set<string>();
    list(dict(tier).models).forEach((member, index) => {
      const isObject = isDict(member);
      const name = isObject ? str(member.model) : str(member);
      const namePath = isObject ? ["tiers", id, "models", index, "model"] : ["tiers", id, "models", index];
      if (name !== undefined) {
        if (!modelSet.has(name)) {
          report({ code: "SY0202", path: namePath, message: `tier "${id}" lists model "${name}", which is not declared`, ...hint(didYouMean(name, modelIds)) });
        } else if (seen.has(name)) {
          report({ code: "SY0305", path: namePath, message: `tier "${id}" lists model "${name}" more than once` });
        }
        seen.add(name);
      }
      if (isObject) {
        const weight = num(member.weight);
        if (weight !== undefined && weight <= 0)
          report({
            code: "SY0304",
            path: ["tiers", id, "models", index, "weight"],
            message: `tier "${id}": weight of "${name ?? "?"}" is ${weight}; weights must be positive`,
          });
      }
    });
  }

  // Routes.
  for (const [id, routeValue] of Object.entries(routes)) {
    const route = dict(routeValue);
    const tier = str(route.tier);
    const model = str(route.model);
    if (tier !== undefined && model !== undefined) {
      report({
        code: "SY0207",
        path: ["routes", id, "model"],
        prefer: "key",
        message: `route "${id}" names both a tier ("${tier}") and a model ("${model}"); keep one`,
      });
    } else if (tier === undefined && model === undefined && !("tier" in route) && !("model" in route)) {
      report({ code: "SY0207", path: ["routes", id], prefer: "key", message: `route "${id}" names neither a tier nor a model` });
    }
    if (tier !== undefined && !tierSet.has(tier)) {
      const extra = modelSet.has(tier) ? `"${tier}" is a model: write \`model: "${tier}"\`.` : didYouMean(tier, tierIds);
      report({ code: "SY0205", path: ["routes", id, "tier"], message: `route "${id}" uses tier "${tier}", which is not declared`, ...hint(extra) });
    }
    if (model !== undefined && !modelSet.has(model)) {
      const extra = tierSet.has(model) ? `"${model}" is a tier: write \`tier: "${model}"\`.` : didYouMean(model, modelIds);
      report({ code: "SY0202", path: ["routes", id, "model"], message: `route "${id}" uses model "${model}", which is not declared`, ...hint(extra) });
    }
    const primary = tier ?? model;
    // What each branch has tried before a fallback step: the primary's, and each `when` rule target's (a rule replaces the primary).
    const ruleTargets = list(route.when)
      .map((rule) => dict(dict(rule).use))
      .map((use) => str(use.tier) ?? str(use.model));
    const branches = [primary, ...ruleTargets].map((head) => new Set(head === undefined ? [] : membersOf(head)));

    // Fallback chain.
    const steps = new Set<string>();
    list(route.fallback).forEach((stepValue, index) => {
      const step = str(stepValue);
      if (step === undefined) return;
      const path = ["routes", id, "fallback", index];
      if (!tierSet.has(step) && !modelSet.has(step)) {
        report({
          code: "SY0203",
          path,
          message: `route "${id}" falls back to "${step}", which is neither a tier nor a model`,
          ...hint(didYouMean(step, targets)),
        });
      } else if (step === primary) {
        report({ code: "SY0302", path, message: `route "${id}" falls back to its own ${tier !== undefined ? "tier" : "model"} "${step}"` });
      } else if (steps.has(step)) {
        report({ code: "SY0301", path, message: `route "${id}" repeats fallback step "${step}" (a cycle in the chain)` });
      } else {
        const members = membersOf(step);
        if (members.length > 0 && branches.every((tried) => members.every((member) => tried.has(member)))) {
          report({ code: "SY0303", severity: "warning", path, message: `fallback step "${step}" of route "${id}" only has models the route already tried` });
        }
        for (const tried of branches) for (const member of members) tried.add(member);
      }
      steps.add(step);
    });

    // Long-context rule.
    const longContext = dict(route.longContext);
    const use = str(longContext.use);
    const over = num(longContext.over);
    if (use !== undefined) {
      if (!tierSet.has(use) && !modelSet.has(use)) {
        report({
          code: "SY0203",
          path: ["routes", id, "longContext", "use"],
          message: `route "${id}": long-context rule uses "${use}", which is neither a tier nor a model`,
          ...hint(didYouMean(use, targets)),
        });
      } else if (over !== undefined) {
        const small = membersOf(use).filter((member) => {
          const context = num(dict(models[member]).context);
          return context !== undefined && context <= over;
        });
        if (small.length > 0) {
          const windows = small.map((member) => `"${member}" (${num(dict(models[member]).context) ?? "?"})`).join(", ");
          report({
            code: "SY0404",
            path: ["routes", id, "longContext", "use"],
            message: `route "${id}" sends prompts over ${over} tokens to "${use}", but ${windows} ${small.length === 1 ? "has" : "have"} a context window of at most ${over} tokens`,
          });
        }
      }
    }

    // Canary.
    if (isDict(route.canary)) {
      const canary = route.canary;
      const canaryModel = str(canary.model);
      if (canaryModel !== undefined) {
        if (!modelSet.has(canaryModel)) {
          report({
            code: "SY0202",
            path: ["routes", id, "canary", "model"],
            message: `route "${id}" canaries model "${canaryModel}", which is not declared`,
            ...hint(didYouMean(canaryModel, modelIds)),
          });
        } else if (primary !== undefined && membersOf(primary).includes(canaryModel)) {
          report({
            code: "SY0403",
            path: ["routes", id, "canary", "model"],
            message: `route "${id}" canaries "${canaryModel}", which already serves the route`,
          });
        }
      }
      let previous: number | undefined;
      list(canary.steps).forEach((stepValue, index) => {
        const step = num(stepValue);
        if (step === undefined) return;
        const path = ["routes", id, "canary", "steps", index];
        if (step <= 0 || step > 100) report({ code: "SY0402", path, message: `route "${id}": canary step ${step} is outside (0, 100] percent` });
        else if (previous !== undefined && step <= previous)
          report({ code: "SY0401", path, message: `route "${id}": canary step ${step} does not increase on ${previous}` });
        previous = step;
      });
    }
  }

  // `when` rules (issue 24): targets, teams, unreachable rules.
  checkRouteRules(merged, report);

  // Teams.
  const keyOwners = new Map<string, string>();
  for (const [id, teamValue] of Object.entries(teams)) {
    const team = dict(teamValue);
    const listed = new Set<string>();
    list(team.routes).forEach((routeValue, index) => {
      const route = str(routeValue);
      if (route === undefined) return;
      if (!(route in routes))
        report({
          code: "SY0204",
          path: ["teams", id, "routes", index],
          message: `team "${id}" lists route "${route}", which is not declared`,
          ...hint(didYouMean(route, routeIds)),
        });
      else if (listed.has(route))
        report({ code: "SY0503", severity: "warning", path: ["teams", id, "routes", index], message: `team "${id}" lists route "${route}" twice` });
      listed.add(route);
    });
    list(team.keys).forEach((key, index) => {
      const path = ["teams", id, "keys", index];
      checkSecret(key, path, report);
      const name = isDict(key) ? str(key.secret) : undefined;
      if (name !== undefined) {
        const owner = keyOwners.get(name);
        if (owner !== undefined && owner !== id)
          report({ code: "SY0502", path, message: `teams "${owner}" and "${id}" both use key secret("${name}"); a request's team would be ambiguous` });
        keyOwners.set(name, id);
      }
    });
    const budget = dict(team.budget);
    const usd = num(budget.usd);
    if (usd !== undefined && usd < 0)
      report({ code: "SY0601", path: ["teams", id, "budget", "usd"], message: `team "${id}" has a negative budget (${usd} USD)` });
    list(budget.alertAt).forEach((value, index) => {
      const fraction = num(value);
      if (fraction !== undefined && (fraction <= 0 || fraction > 1))
        report({
          code: "SY0601",
          path: ["teams", id, "budget", "alertAt", index],
          message: `team "${id}": alert threshold ${fraction} is outside (0, 1]`,
          hint: "Alert thresholds are fractions of the budget, e.g. 0.8 for 80 %.",
        });
    });
    const limits = dict(team.limits);
    for (const limit of ["rpm", "tpm"] as const) {
      const value = num(limits[limit]);
      if (value !== undefined && value <= 0)
        report({ code: "SY0602", path: ["teams", id, "limits", limit], message: `team "${id}": ${limit} limit is ${value}; limits must be positive` });
    }
  }

  // State: the Redis URL carries its password, so it is a secret reference. Checked as written, at the top level and in
  // every environment (an environment's state replaces the top-level one, so each is written in one place only).
  const states: Array<[(string | number)[], unknown]> = [[["state"], raw.state]];
  for (const [env, override] of Object.entries(dict(raw.environments))) states.push([["environments", env, "state"], dict(override).state]);
  for (const [path, state] of states) {
    if (isDict(state) && state.kind === "redis" && "url" in state)
      checkSecret(state.url, [...path, "url"], (finding) => report({ ...finding, raw: true }), {
        plain:
          'Write url: secret("REDIS_URL") and put the redis:// or rediss:// URL, with its user:password@, in that environment variable. If this URL held a real password, rotate it.',
        name: 'Name the environment variable that holds the URL: url: secret("REDIS_URL"). If the string was a real URL with a password, rotate it.',
      });
  }

  checkRegions(merged, report);

  // Overrides naming unknown entries (every environment, as written).
  const baseSections: Record<string, Dict> = {
    providers: dict(raw.providers),
    models: dict(raw.models),
    tiers: dict(raw.tiers),
    routes: dict(raw.routes),
    teams: dict(raw.teams),
  };
  const singular: Record<string, string> = { providers: "provider", models: "model", tiers: "tier", routes: "route", teams: "team" };
  for (const [env, overrideValue] of Object.entries(dict(raw.environments))) {
    const override = dict(overrideValue);
    for (const section of Object.keys(baseSections)) {
      const declared = baseSections[section] ?? {};
      for (const id of keys(override[section])) {
        if (!(id in declared)) {
          report({
            code: "SY0501",
            raw: true,
            prefer: "key",
            path: ["environments", env, section, id],
            message: `environment "${env}" overrides ${singular[section] ?? section} "${id}", which the base config does not declare`,
            ...hint(didYouMean(id, Object.keys(declared))),
          });
        }
      }
    }
  }
}

function hint(text: string | undefined): { hint?: string } {
  return text === undefined ? {} : { hint: text };
}

/**
 * A secret position holds a plain string (an inline secret) or a badly named reference; never echoes the value.
 * `hints` replaces the generic hints where the position knows better (the state store's URL).
 */
function checkSecret(value: unknown, path: (string | number)[], report: Report, hints?: { plain: string; name: string }): void {
  if (typeof value === "string") {
    report({
      code: "SY0701",
      path,
      message: `${showPath(path)} is a plain string; secrets must be references, never values`,
      hint: hints?.plain ?? 'Write secret("ENV_VAR_NAME") and put the value in that environment variable. If this string was a real key, rotate it.',
    });
  } else if (isDict(value) && typeof value.secret === "string" && !SECRET_NAME.test(value.secret)) {
    report({
      code: "SY0702",
      path,
      message: `${showPath(path)}: secret(...) must name an environment variable in UPPER_SNAKE_CASE, not a value`,
      hint: hints?.name ?? 'e.g. secret("OPENAI_API_KEY"). If the string was a real key, rotate it.',
    });
  }
}

/** @module diff/diff-configs — the pure semantic diff of two compiled configs (routes, tiers, models, providers, teams, policies). */
import { canonicalJson, type Config, type RuleCondition } from "@switchyard/ir";
import { describeCondition } from "@switchyard/router/core";
import { bytes, duration, fractionPercent, groupDigits, list, percent, secretName, show, target, tokens, usd } from "./show.ts";
import { type Change, type ChangeKind, type ConfigDiff, type EntityChange, SECTIONS, type Section, type SectionDiff } from "./types.ts";
import { promptMessageChanges } from "./prompts.ts";

type Rec = Record<string, unknown>;

function isRecord(value: unknown): value is Rec {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function same(a: unknown, b: unknown): boolean {
  if (a === undefined || b === undefined) return a === b;
  return canonicalJson(a) === canonicalJson(b);
}

/** Code-point order, so the result never depends on the machine's locale. */
function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function kindOf(old: unknown, now: unknown): ChangeKind {
  if (old === undefined) return "add";
  if (now === undefined) return "delete";
  return "update";
}

/** What a handler needs to record changes for one entity. */
interface Scope {
  section: Section;
  id: string;
  /** `route support-faq`; the summary prefix. */
  noun: string;
  changes: Change[];
}

function record(scope: Scope, path: readonly string[], kind: ChangeKind, old: unknown, now: unknown, phrase: string): void {
  const segments = [scope.section, ...(scope.id === "" ? [] : [scope.id]), ...path];
  const change: Change = { key: segments.join("."), path: segments, kind, summary: `${scope.noun}: ${phrase}`, section: scope.section, id: scope.id, phrase };
  if (old !== undefined) change.old = old;
  if (now !== undefined) change.new = now;
  scope.changes.push(change);
}

/** How one field of an entity is compared and phrased. */
interface FieldSpec {
  label?: string;
  /** Renders one value of the field inside the default phrase `label old → new`. */
  fmt?: (value: unknown) => string;
  /** Replaces the default phrase entirely; `parents` are the objects holding the field on each side. */
  phrase?: (old: unknown, now: unknown, parents: { old?: Rec; new?: Rec }) => string;
  /** Compare the field as one value even when both sides are objects. */
  whole?: boolean;
  /** Takes over the comparison (lists keyed by member, secrets…). */
  custom?: (scope: Scope, path: readonly string[], old: unknown, now: unknown) => void;
}

/** Field specs keyed by dotted path below the entity, in the order changes are listed. */
type FieldSpecs = Record<string, FieldSpec>;

function arrow(label: string, fmt: (value: unknown) => string): (old: unknown, now: unknown) => string {
  return (old, now) => `${label} ${fmt(old)} → ${fmt(now)}`;
}

/** Child keys of `path` in spec order first, then any other keys (fields added to the IR later) sorted. */
function orderedKeys(specs: FieldSpecs, path: readonly string[], old: Rec, now: Rec): string[] {
  const prefix = path.length === 0 ? "" : `${path.join(".")}.`;
  const known: string[] = [];
  for (const specPath of Object.keys(specs)) {
    if (!specPath.startsWith(prefix)) continue;
    const child = specPath.slice(prefix.length).split(".")[0];
    if (child !== undefined && child !== "" && !known.includes(child)) known.push(child);
  }
  const present = new Set([...Object.keys(old), ...Object.keys(now)]);
  const rest = [...present].filter((key) => !known.includes(key)).sort(byCodePoint);
  return [...known.filter((key) => present.has(key)), ...rest];
}

function walk(scope: Scope, specs: FieldSpecs, path: readonly string[], old: unknown, now: unknown, parents: { old?: Rec; new?: Rec } = {}): void {
  const spec = specs[path.join(".")];
  if (spec?.custom) {
    spec.custom(scope, path, old, now);
    return;
  }
  if (same(old, now)) return;
  if (spec?.whole !== true && isRecord(old) && isRecord(now)) {
    for (const key of orderedKeys(specs, path, old, now)) walk(scope, specs, [...path, key], old[key], now[key], { old, new: now });
    return;
  }
  const label = spec?.label ?? path.join(".");
  const phrase = spec?.phrase ? spec.phrase(old, now, parents) : arrow(label, spec?.fmt ?? show)(old, now);
  record(scope, path, kindOf(old, now), old, now, phrase);
}

// ---------------------------------------------------------------------------------------------
// Keyed lists: tier members, team routes and keys, provider headers

function tierMembers(scope: Scope, path: readonly string[], old: unknown, now: unknown): void {
  const before = Array.isArray(old) ? old.filter(isRecord) : [];
  const after = Array.isArray(now) ? now.filter(isRecord) : [];
  const ids = (members: Rec[]): string[] => members.map((m) => String(m.model));
  const unique = (members: Rec[]): boolean => new Set(ids(members)).size === members.length;
  if (!unique(before) || !unique(after)) {
    // A model listed twice in one tier cannot be keyed by model; compare the list whole.
    if (!same(old, now)) record(scope, path, kindOf(old, now), old, now, `members ${members(old)} → ${members(now)}`);
    return;
  }
  const oldBy = new Map(before.map((m) => [String(m.model), m]));
  const newBy = new Map(after.map((m) => [String(m.model), m]));
  const all = [...new Set([...oldBy.keys(), ...newBy.keys()])].sort(byCodePoint);
  for (const model of all) {
    const o = oldBy.get(model);
    const n = newBy.get(model);
    if (o === undefined && n !== undefined) record(scope, [...path, model], "add", undefined, n, `${model} added (weight ${show(n.weight)})`);
    else if (n === undefined && o !== undefined) record(scope, [...path, model], "delete", o, undefined, `${model} removed (was weight ${show(o.weight)})`);
    else if (o !== undefined && n !== undefined && !same(o, n)) {
      record(scope, [...path, model], "update", o, n, `${model} weight ${show(o.weight)} → ${show(n.weight)}`);
    }
  }
  const commonOld = ids(before).filter((id) => newBy.has(id));
  const commonNew = ids(after).filter((id) => oldBy.has(id));
  if (!same(commonOld, commonNew)) {
    record(scope, path, "update", ids(before), ids(after), `member order ${list(ids(before))} → ${list(ids(after))}`);
  }
}

function members(value: unknown): string {
  return list(value, (m) => (isRecord(m) ? `${show(m.model)} ${show(m.weight)}` : show(m)));
}

/** A list of names where membership matters, not order: each added or removed name is a change. */
function nameSet(options: { name: (item: unknown) => string; added: (name: string) => string; removed: (name: string) => string }) {
  return (scope: Scope, path: readonly string[], old: unknown, now: unknown): void => {
    const before = (Array.isArray(old) ? old : []).map(options.name);
    const after = (Array.isArray(now) ? now : []).map(options.name);
    const all = [...new Set([...before, ...after])].sort(byCodePoint);
    for (const name of all) {
      if (!before.includes(name)) record(scope, [...path, name], "add", undefined, name, options.added(name));
      else if (!after.includes(name)) record(scope, [...path, name], "delete", name, undefined, options.removed(name));
    }
  };
}

const secretVar = (item: unknown): string => (isRecord(item) && typeof item.secret === "string" ? item.secret : show(item));

/** Header values may be literal strings (possibly credentials): only names and secret names are shown. */
function redactHeader(value: unknown): unknown {
  if (value === undefined) return undefined;
  return isRecord(value) ? value : "(literal value)";
}

function headers(scope: Scope, path: readonly string[], old: unknown, now: unknown): void {
  const before = isRecord(old) ? old : {};
  const after = isRecord(now) ? now : {};
  const names = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort(byCodePoint);
  for (const name of names) {
    const o = before[name];
    const n = after[name];
    if (same(o, n)) continue;
    const kind = kindOf(o, n);
    const phrase =
      kind === "add"
        ? `header ${name} added`
        : kind === "delete"
          ? `header ${name} removed`
          : isRecord(o) || isRecord(n)
            ? `header ${name} ${showHeader(o)} → ${showHeader(n)}`
            : `header ${name} value changed`;
    record(scope, [...path, name], kind, redactHeader(o), redactHeader(n), phrase);
  }
}

function showHeader(value: unknown): string {
  return isRecord(value) ? secretName(value) : "(literal value)";
}

// ---------------------------------------------------------------------------------------------
// Per-section field specs

function canaryPhrase(old: unknown, now: unknown): string {
  if (!isRecord(now)) return `canary ${show(isRecord(old) ? old.model : undefined)} removed`;
  const steps = list(now.steps, percent)
    .replace(/^\[|\]$/g, "")
    .replaceAll(", ", " → ");
  return `canary ${show(now.model)} added: ${steps} every ${duration(now.everyMs)}`;
}

function stepsPhrase(old: unknown, now: unknown, model: unknown): string {
  const first = (value: unknown): unknown => (Array.isArray(value) ? value[0] : undefined);
  const steps = (value: unknown): string => (Array.isArray(value) ? `${value.map(show).join("/")} %` : show(value));
  const full = `${steps(old)} → ${steps(now)}`;
  return first(old) === first(now)
    ? `canary ${show(model)} steps ${full}`
    : `canary ${show(model)} ${percent(first(old))} → ${percent(first(now))} (steps ${full})`;
}

function longContextPhrase(old: unknown, now: unknown): string {
  if (!isRecord(now)) return "long-context rule removed";
  const rule = `over ${tokens(now.over)} use ${target(now.use)}`;
  return isRecord(old) ? `long-context rule → ${rule}` : `long-context rule added: ${rule}`;
}

/** A `when` rule in routes.ts words: `if tag risk:high → tier frontier`. */
function ruleText(value: unknown): string {
  if (!isRecord(value)) return show(value);
  const use = isRecord(value.use) ? (typeof value.use.tier === "string" ? `tier ${value.use.tier}` : `model ${target(value.use)}`) : show(value.use);
  return `if ${isRecord(value.if) ? describeCondition(value.if as RuleCondition) : show(value.if)} → ${use}`;
}

/** `when` rules: a reorder (first match wins, so order is behaviour) is one change; otherwise each rule by position. */
function whenRules(scope: Scope, path: readonly string[], old: unknown, now: unknown): void {
  if (same(old, now)) return;
  const before = (Array.isArray(old) ? old : []).map(ruleText);
  const after = (Array.isArray(now) ? now : []).map(ruleText);
  if (before.length === after.length && before.length > 1 && same([...before].sort(byCodePoint), [...after].sort(byCodePoint))) {
    record(
      scope,
      path,
      "update",
      old,
      now,
      `when rules reordered (first match wins): ${before.map((r, i) => `${i + 1}. ${r}`).join("; ")} → ${after.map((r, i) => `${i + 1}. ${r}`).join("; ")}`,
    );
    return;
  }
  const o = Array.isArray(old) ? old : [];
  const n = Array.isArray(now) ? now : [];
  for (let i = 0; i < Math.max(o.length, n.length); i++) {
    if (same(o[i], n[i])) continue;
    const at = [...path, String(i)];
    const kind = kindOf(o[i], n[i]);
    const phrase =
      kind === "add"
        ? `rule ${i + 1} added: ${after[i]}`
        : kind === "delete"
          ? `rule ${i + 1} removed (was ${before[i]})`
          : `rule ${i + 1} ${before[i]} → ${after[i]}`;
    record(scope, at, kind, o[i], n[i], phrase);
  }
}

function validator(value: unknown): string {
  if (!isRecord(value)) return show(value);
  if (value.kind === "regex") return `regex /${show(value.pattern)}/${typeof value.flags === "string" ? value.flags : ""}`;
  return show(value.kind);
}

function validatorsPhrase(old: unknown, now: unknown): string {
  const before = list(old, validator);
  const after = list(now, validator);
  // A JSON schema is too long for a phrase: say that it changed; the values carry it.
  return before === after ? `validators ${after}: schema changed` : `validators ${before} → ${after}`;
}

function budgetText(budget: Rec): string {
  return `${usd(budget.usd)}/${show(budget.per)} (${show(budget.mode)})`;
}

function limitsText(limits: unknown): string {
  if (!isRecord(limits)) return "none";
  const parts = [
    limits.rpm === undefined ? undefined : `${groupDigits(Number(limits.rpm))} rpm`,
    limits.tpm === undefined ? undefined : `${groupDigits(Number(limits.tpm))} tpm`,
  ].filter((part) => part !== undefined);
  return parts.length === 0 ? "none" : parts.join(", ");
}

const routeSpecs: FieldSpecs = {
  tier: { label: "tier" },
  model: { label: "model" },
  optimize: { label: "optimize" },
  dataClass: { label: "data class" },
  residency: { label: "residency" },
  fallback: { label: "fallback", fmt: (v) => list(v, target) },
  "retry.attempts": { label: "retry attempts" },
  "retry.on": { label: "retry on" },
  "retry.backoffMs": { label: "retry backoff", fmt: duration },
  "retry.maxRetryAfterMs": { label: "max Retry-After", fmt: duration },
  "timeout.firstTokenMs": { label: "first-token timeout", fmt: duration },
  "timeout.totalMs": { label: "total timeout", fmt: duration },
  longContext: { phrase: longContextPhrase },
  "longContext.over": { label: "long-context threshold", fmt: tokens },
  "longContext.use": { label: "long-context target", whole: true, fmt: target },
  validate: { whole: true, phrase: validatorsPhrase },
  // Conditional rules (issue 24).
  when: { custom: whenRules },
  complexity: { label: "complexity thresholds", whole: true, fmt: (v) => (isRecord(v) ? `medium ≥ ${show(v.medium)}, high ≥ ${show(v.high)}` : "default") },
  canary: { phrase: canaryPhrase },
  "canary.model": { phrase: (o, n) => `canary model ${show(o)} → ${show(n)}` },
  // Reads best with the model: "canary claude-next 5 % → 25 % (steps 5/25/100 % → 25/50/100 %)".
  "canary.steps": { phrase: (o, n, parents) => stepsPhrase(o, n, parents.new?.model) },
  "canary.everyMs": { label: "canary step interval", fmt: duration },
  "canary.guard.maxErrorRate": { label: "canary max error rate", fmt: fractionPercent },
  "canary.guard.maxP95Ms": { label: "canary max p95", fmt: duration },
  "canary.guard.minRequests": { label: "canary min requests" },
  "canary.guard.maxP95Ratio": { label: "canary max p95 ratio to baseline" },
  "canary.guard.maxValidationFailureRate": { label: "canary max validation failure rate", fmt: fractionPercent },
  "canary.guard.maxCostRatio": { label: "canary max cost ratio to baseline" },
  "canary.guard.minScore": { label: "canary min feedback score" },
  "canary.guard.minSamples": { label: "canary min feedback samples" },
  "canary.stickyBy": { label: "canary sticky by", whole: true, fmt: (v) => (isRecord(v) ? `header ${show(v.header)}` : show(v)) },
  requires: { label: "requires" },
  owner: { label: "owner" },
  description: { label: "description", fmt: (v) => (typeof v === "string" ? JSON.stringify(v) : show(v)) },
  "placement.maxP95Ms": { label: "placement p95 target", fmt: duration },
  logPayloads: { label: "payload logging", fmt: (v) => (v === true ? "on" : v === false ? "off" : show(v)) },
};

/** A prompt's messages (and its canary's) word by word, with the version they make (./prompts.ts). */
function promptMessages(scope: Scope, path: readonly string[], old: unknown, now: unknown): void {
  if (same(old, now)) return;
  for (const c of promptMessageChanges(path, old, now)) record(scope, c.path, c.kind, c.old, c.new, c.phrase);
}

const promptSpecs: FieldSpecs = {
  route: { label: "route" },
  messages: { custom: promptMessages },
  variables: { label: "variables", whole: true, fmt: (v) => (isRecord(v) ? list(Object.keys(v)) : show(v)) },
  params: {
    label: "sampling params",
    fmt: (v) =>
      isRecord(v)
        ? [
            v.temperature === undefined ? "" : `temperature ${show(v.temperature)}`,
            v.topP === undefined ? "" : `top_p ${show(v.topP)}`,
            v.maxTokens === undefined ? "" : `max tokens ${tokens(v.maxTokens)}`,
          ]
            .filter((p) => p !== "")
            .join(", ") || "none"
        : "none",
  },
  "params.temperature": { label: "temperature" },
  "params.topP": { label: "top_p" },
  "params.maxTokens": { label: "max tokens", fmt: tokens },
  canary: {
    phrase: (o, n) =>
      n === undefined ? "canary removed" : o === undefined ? `canary added (${isRecord(n) ? list(n.steps, percent) : show(n)})` : "canary changed",
  },
  "canary.messages": { custom: promptMessages },
  "canary.steps": { label: "canary steps", fmt: (v) => list(v, percent) },
  "canary.everyMs": { label: "canary step interval", fmt: duration },
  owner: { label: "owner" },
  description: { label: "description", fmt: (v) => (typeof v === "string" ? JSON.stringify(v) : show(v)) },
};

const tierSpecs: FieldSpecs = {
  models: { custom: tierMembers },
  strategy: { label: "strategy", fmt: (v) => (v === undefined ? "default" : show(v)) },
};

const modelSpecs: FieldSpecs = {
  provider: { label: "provider" },
  name: { label: "upstream name" },
  context: { label: "context window", fmt: tokens },
  maxOutput: { label: "max output", fmt: tokens },
  "price.input": { label: "input price", fmt: (v) => `${usd(v)}/1M` },
  "price.output": { label: "output price", fmt: (v) => `${usd(v)}/1M` },
  "price.cachedInput": { label: "cached input price", fmt: (v) => (v === undefined ? "the input price" : `${usd(v)}/1M`) },
  "price.cacheWrite": { label: "cache write price", fmt: (v) => (v === undefined ? "the input price" : `${usd(v)}/1M`) },
  lifecycle: { label: "lifecycle" },
  sunset: { label: "sunset" },
  owner: { label: "owner" },
  capabilities: { label: "capabilities" },
};

const providerSpecs: FieldSpecs = {
  kind: { label: "kind" },
  baseUrl: { label: "base URL" },
  apiKey: { label: "API key", fmt: secretName },
  headers: { custom: headers },
  region: { label: "region" },
  residency: { label: "residency" },
  selfHosted: { label: "self-hosted" },
  // A mock present on both sides is compared field by field.
  mock: { custom: mockBehaviour },
};

function mockBehaviour(scope: Scope, path: readonly string[], old: unknown, now: unknown): void {
  if (same(old, now)) return;
  if (isRecord(old) && isRecord(now)) {
    for (const key of [...new Set([...Object.keys(old), ...Object.keys(now)])].sort(byCodePoint)) {
      const fmt = key.endsWith("Ms") ? duration : key === "failRate" ? fractionPercent : show;
      if (!same(old[key], now[key]))
        record(scope, [...path, key], kindOf(old[key], now[key]), old[key], now[key], `mock ${key} ${fmt(old[key])} → ${fmt(now[key])}`);
    }
    return;
  }
  record(scope, path, kindOf(old, now), old, now, isRecord(now) ? "mock behaviour added" : "mock behaviour removed");
}

const teamSpecs: FieldSpecs = {
  routes: {
    custom: nameSet({ name: show, added: (name) => `route ${name} granted`, removed: (name) => `route ${name} revoked` }),
  },
  keys: {
    custom: nameSet({ name: secretVar, added: (name) => `key secret(${name}) added`, removed: (name) => `key secret(${name}) removed` }),
  },
  budget: {
    phrase: (o, n) =>
      isRecord(n)
        ? isRecord(o)
          ? `budget → ${budgetText(n)}`
          : `budget added: ${budgetText(n)}`
        : isRecord(o)
          ? `budget removed (was ${budgetText(o)})`
          : "budget changed",
  },
  // The amount reads best with its period: "budget $2,000 → $3,000/month".
  "budget.usd": { phrase: (o, n, parents) => `budget ${usd(o)} → ${usd(n)}/${show(parents.new?.per)}` },
  "budget.per": { label: "budget period" },
  "budget.mode": { label: "budget mode" },
  "budget.alertAt": { label: "budget alerts at", fmt: (v) => list(v, fractionPercent) },
  limits: { phrase: (o, n) => `limits ${limitsText(o)} → ${limitsText(n)}` },
  "limits.rpm": { label: "rate limit", fmt: (v) => (v === undefined ? "unset" : `${show(v)} rpm`) },
  "limits.tpm": { label: "token limit", fmt: (v) => (v === undefined ? "unset" : `${show(v)} tpm`) },
  owner: { label: "owner" },
  region: { label: "region" },
};

const policySpecs: FieldSpecs = {
  severities: {
    custom: (scope, path, old, now) => {
      const before = isRecord(old) ? old : {};
      const after = isRecord(now) ? now : {};
      for (const policy of [...new Set([...Object.keys(before), ...Object.keys(after)])].sort(byCodePoint)) {
        const o = before[policy];
        const n = after[policy];
        if (same(o, n)) continue;
        const fmt = (v: unknown): string => (v === undefined ? "default" : show(v));
        record(scope, [...path, policy], kindOf(o, n), o, n, `${policy} severity ${fmt(o)} → ${fmt(n)}`);
      }
    },
  },
  options: {},
};

const routerSpecs: FieldSpecs = {
  maxBodyBytes: { label: "max body size", fmt: bytes },
  requestIdHeader: { label: "request-id header" },
  regionHeader: { label: "region header" },
};

/** Telemetry sinks and the alert webhook, leaf by leaf under the router section (header values redacted as for providers). */
function telemetryChanges(scope: Scope, old: unknown, now: unknown): void {
  const leaves = (value: unknown, path: string[], out: Map<string, { path: string[]; value: unknown }>): Map<string, { path: string[]; value: unknown }> => {
    if (!isRecord(value)) return out;
    for (const [key, child] of Object.entries(value)) {
      const at = [...path, key];
      if (key !== "headers" && isRecord(child)) leaves(child, at, out);
      else out.set(at.join("."), { path: at, value: child });
    }
    return out;
  };
  const before = leaves(old, ["telemetry"], new Map());
  const after = leaves(now, ["telemetry"], new Map());
  for (const key of [...new Set([...before.keys(), ...after.keys()])].sort(byCodePoint)) {
    const o = before.get(key);
    const n = after.get(key);
    const path = o?.path ?? n?.path ?? [key];
    if (path.at(-1) === "headers") headers(scope, path, o?.value, n?.value);
    else if (!same(o?.value, n?.value)) record(scope, path, kindOf(o?.value, n?.value), o?.value, n?.value, arrow(key, show)(o?.value, n?.value));
  }
}

/** The state store in one phrase: `memory`, or `redis (url secret REDIS_URL, key prefix switchyard, serve-local)`. */
function stateText(state: unknown): string {
  if (!isRecord(state) || state.kind !== "redis") return "memory";
  const url = isRecord(state.url) ? show(state.url.secret) : "?";
  return `redis (url secret ${url}, key prefix ${show(state.keyPrefix)}, ${show(state.onUnavailable)})`;
}

/** Region-aware placement: each caller region whose nearest-first list changed, as `regions eu-central [eu-west] → [us-east, eu-west]`. */
function proximityChanges(scope: Scope, old: Config["regions"], now: Config["regions"]): void {
  const callers = [...new Set([...Object.keys(old ?? {}), ...Object.keys(now ?? {})])].sort(byCodePoint);
  for (const caller of callers) {
    const before = old?.[caller];
    const after = now?.[caller];
    if (!same(before, after)) record(scope, ["regions", caller], kindOf(before, after), before, after, `regions ${caller} ${list(before)} → ${list(after)}`);
  }
}

/** A change of the state store, as one change under the router section (it takes a new deployment, not an upload). */
function stateChanges(scope: Scope, old: unknown, now: unknown): void {
  const before = stateText(old);
  const after = stateText(now);
  if (before !== after) record(scope, ["state"], kindOf(old, now), old, now, `state ${before} → ${after}`);
}

// ---------------------------------------------------------------------------------------------
// Whole entities

function describe(section: Section, value: unknown): string {
  if (!isRecord(value)) return show(value);
  switch (section) {
    case "routes": {
      const parts = [value.tier !== undefined ? `tier ${show(value.tier)}` : `model ${show(value.model)}`];
      if (Array.isArray(value.fallback) && value.fallback.length > 0) parts.push(`fallback ${list(value.fallback, target)}`);
      if (Array.isArray(value.when) && value.when.length > 0) parts.push(`${value.when.length} when rule${value.when.length === 1 ? "" : "s"}`);
      if (isRecord(value.canary)) parts.push(`canary ${show(value.canary.model)} ${list(value.canary.steps, percent)}`);
      return parts.join(", ");
    }
    case "tiers":
      return `${members(value.models)}${value.strategy === undefined ? "" : `, ${show(value.strategy)}`}`;
    case "models":
      return `${show(value.provider)}/${show(value.name)}, ${tokens(value.context)}${isRecord(value.price) ? `, ${usd(value.price.input)}/${usd(value.price.output)} per 1M` : ""}`;
    case "providers":
      return [
        show(value.kind),
        value.region === undefined ? undefined : `region ${show(value.region)}`,
        value.residency === undefined ? undefined : `residency ${show(value.residency)}`,
      ]
        .filter((part) => part !== undefined)
        .join(", ");
    case "teams": {
      const parts = [`routes ${list(value.routes)}`];
      if (isRecord(value.budget)) parts.push(`budget ${budgetText(value.budget)}`);
      if (isRecord(value.limits)) parts.push(`limits ${limitsText(value.limits)}`);
      return parts.join(", ");
    }
    case "policies": {
      const overrides = isRecord(value.severities) ? Object.keys(value.severities).length : 0;
      return overrides === 0 ? "default severities" : `${overrides} severity override${overrides === 1 ? "" : "s"}`;
    }
    case "prompts":
      return `${Array.isArray(value.messages) ? value.messages.length : 0} message(s)${value.route === undefined ? "" : `, route ${show(value.route)}`}${isRecord(value.canary) ? `, canary ${list(value.canary.steps, percent)}` : ""}`;
    case "environment":
    case "router":
      return show(value);
  }
}

const NOUN: Record<Section, string> = {
  routes: "route",
  tiers: "tier",
  models: "model",
  providers: "provider",
  teams: "team",
  prompts: "prompt",
  policies: "policy pack",
  router: "router",
  environment: "environment",
};

const SPECS: Record<Section, FieldSpecs> = {
  routes: routeSpecs,
  tiers: tierSpecs,
  models: modelSpecs,
  providers: providerSpecs,
  teams: teamSpecs,
  prompts: promptSpecs,
  policies: policySpecs,
  router: routerSpecs,
  environment: {},
};

function diffEntities(section: Section, old: Rec, now: Rec): EntityChange[] {
  const ids = [...new Set([...Object.keys(old), ...Object.keys(now)])].sort(byCodePoint);
  const entities: EntityChange[] = [];
  for (const id of ids) {
    const o = old[id];
    const n = now[id];
    const scope: Scope = { section, id, noun: `${NOUN[section]} ${id}`, changes: [] };
    const kind = kindOf(o, n);
    if (kind === "add") record(scope, [], "add", undefined, n, `added (${describe(section, n)})`);
    else if (kind === "delete") record(scope, [], "delete", o, undefined, `removed (was ${describe(section, o)})`);
    else walk(scope, SPECS[section], [], o, n);
    if (scope.changes.length > 0) entities.push({ section, id, kind, changes: scope.changes });
  }
  return entities;
}

/** Policy selections keyed by pack; a pack selected twice gets `#2`, `#3`… */
function packsById(config: Config): Rec {
  const byId: Rec = {};
  for (const selection of config.policies) {
    let id = selection.pack;
    for (let n = 2; id in byId; n++) id = `${selection.pack}#${n}`;
    byId[id] = selection;
  }
  return byId;
}

/**
 * Diff two compiled configs into a semantic plan: per section (routes, tiers, models, providers,
 * teams, policy packs, router settings, environment) the entities added, removed or changed, each
 * change with both values and a phrase. Pure and deterministic; secret values never appear (the IR
 * holds only secret names, and literal header values are redacted).
 *
 * @example
 * const diff = diffConfigs(before, after);
 * diff.changes.map((c) => c.summary);
 * // ["route support-faq: fallback [frontier] → [frontier, llama-local]", "team support: budget $2,000 → $3,000"]
 */
export function diffConfigs(old: Config, now: Config): ConfigDiff {
  const bySection: Record<Section, EntityChange[]> = {
    routes: diffEntities("routes", old.routes, now.routes),
    tiers: diffEntities("tiers", old.tiers, now.tiers),
    models: diffEntities("models", old.models, now.models),
    providers: diffEntities("providers", old.providers, now.providers),
    teams: diffEntities("teams", old.teams, now.teams),
    prompts: diffEntities("prompts", old.prompts ?? {}, now.prompts ?? {}),
    policies: diffEntities("policies", packsById(old), packsById(now)),
    router: [],
    environment: [],
  };
  const routerScope: Scope = { section: "router", id: "", noun: "router", changes: [] };
  walk(routerScope, routerSpecs, [], old.router, now.router);
  telemetryChanges(routerScope, old.telemetry, now.telemetry);
  stateChanges(routerScope, old.state, now.state);
  proximityChanges(routerScope, old.regions, now.regions);
  if (routerScope.changes.length > 0) bySection.router.push({ section: "router", id: "", kind: "update", changes: routerScope.changes });
  if (old.environment !== now.environment) {
    const scope: Scope = { section: "environment", id: "", noun: "environment", changes: [] };
    record(scope, [], "update", old.environment, now.environment, `${old.environment} → ${now.environment}`);
    bySection.environment.push({ section: "environment", id: "", kind: "update", changes: scope.changes });
  }

  const sections: SectionDiff[] = SECTIONS.filter((section) => bySection[section].length > 0).map((section) => ({ section, entities: bySection[section] }));
  const entities = sections.flatMap((s) => s.entities);
  const changes = entities.flatMap((e) => e.changes);
  return {
    hasChanges: changes.length > 0,
    environment: { old: old.environment, new: now.environment },
    sections,
    changes,
    counts: {
      added: entities.filter((e) => e.kind === "add").length,
      removed: entities.filter((e) => e.kind === "delete").length,
      changed: entities.filter((e) => e.kind === "update").length,
    },
  };
}

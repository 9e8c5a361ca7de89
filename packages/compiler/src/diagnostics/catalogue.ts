/**
 * @module diagnostics/catalogue — every compiler diagnostic code, in one place. Codes are stable:
 * tooling and docs refer to them. TypeScript's own codes (TS2322…) and policy ids are not listed here.
 */

export type Code =
  | "SY0001"
  | "SY0002"
  | "SY0003"
  | "SY0004"
  | "SY0005"
  | "SY0006"
  | "SY0007"
  | "SY0008"
  | "SY0009"
  | "SY0010"
  | "SY0011"
  | "SY0101"
  | "SY0102"
  | "SY0103"
  | "SY0104"
  | "SY0201"
  | "SY0202"
  | "SY0203"
  | "SY0204"
  | "SY0205"
  | "SY0206"
  | "SY0207"
  | "SY0208"
  | "SY0209"
  | "SY0301"
  | "SY0302"
  | "SY0303"
  | "SY0304"
  | "SY0305"
  | "SY0306"
  | "SY0401"
  | "SY0402"
  | "SY0403"
  | "SY0404"
  | "SY0405"
  | "SY0406"
  | "SY0501"
  | "SY0502"
  | "SY0503"
  | "SY0601"
  | "SY0602"
  | "SY0701"
  | "SY0702"
  | "SY0703"
  | "SY0801"
  | "SY0802"
  | "SY0803"
  | "SY0804"
  | "SY0901";

export interface CatalogueEntry {
  /** Short kebab-case name, used in SARIF rule ids and docs anchors. */
  name: string;
  severity: "error" | "warning";
  /** One line: what the diagnostic means. */
  title: string;
  /** What to do about it. */
  fix: string;
}

export const catalogue = {
  SY0001: {
    name: "file-not-found",
    severity: "error",
    title: "The config file does not exist or cannot be read.",
    fix: "Pass the path of your routes.ts, or run the command in the directory that holds it.",
  },
  SY0002: {
    name: "bad-default-export",
    severity: "error",
    title: "routes.ts has no default export, or it is not a config object.",
    fix: "End routes.ts with `export default defineConfig({ ... })`.",
  },
  SY0003: {
    name: "unknown-environment",
    severity: "error",
    title: "The environment given with --env is not declared in `environments`.",
    fix: "Use one of the declared environments, or add it under `environments`.",
  },
  SY0004: {
    name: "config-threw",
    severity: "error",
    title: "Evaluating routes.ts threw an error.",
    fix: "Fix the code at the reported line; routes.ts must evaluate without throwing.",
  },
  SY0005: {
    name: "config-timeout",
    severity: "error",
    title: "Evaluating routes.ts did not finish within the time limit (an endless loop?).",
    fix: "Remove loops or waits that never end; routes.ts should evaluate in milliseconds.",
  },
  SY0006: {
    name: "config-never-settled",
    severity: "error",
    title: "routes.ts awaits a promise that never settles, so the config has no value.",
    fix: "Remove the top-level await (or resolve the promise); the default export must be a config object.",
  },
  SY0007: {
    name: "unsupported-value",
    severity: "error",
    title: "The config holds a value that cannot be compiled (a function, class instance, symbol, bigint, NaN or a cycle).",
    fix: "Use plain objects, arrays, strings, numbers and booleans only.",
  },
  SY0008: {
    name: "bundle-error",
    severity: "error",
    title: "routes.ts or a module it imports could not be bundled.",
    fix: "Fix the reported syntax or import.",
  },
  SY0009: { name: "internal-error", severity: "error", title: "The compiler failed unexpectedly.", fix: "Please report it, with SWITCHYARD_DEBUG=1 output." },
  SY0010: {
    name: "build-write-failed",
    severity: "error",
    title: "`build` could not write its output folder (a file in the way, no permission, a full disk).",
    fix: "Pass a writable folder with --out; nothing was written.",
  },
  SY0011: {
    name: "not-typescript",
    severity: "error",
    title: "The config file is not a TypeScript or JavaScript module (.ts, .mts, .cts, .js, .mjs, .cjs).",
    fix: "Pass the path of your routes.ts (or the directory that holds it).",
  },
  SY0101: {
    name: "unknown-property",
    severity: "error",
    title: "A property that does not exist at this place (often a misspelling).",
    fix: "Remove it or fix the spelling; the hint names the closest known property.",
  },
  SY0102: {
    name: "invalid-value",
    severity: "error",
    title: "A value of the wrong type or outside the allowed set.",
    fix: "Use a value of the type the message names.",
  },
  SY0103: {
    name: "invalid-duration",
    severity: "error",
    title: 'A duration that is not a positive number of milliseconds or a string like "250ms", "3s", "5m", "1h", "1d".',
    fix: 'Write durations as "3s" or as milliseconds.',
  },
  SY0104: { name: "missing-property", severity: "error", title: "A required property is missing.", fix: "Add the property the message names." },
  SY0201: {
    name: "unknown-provider",
    severity: "error",
    title: "A model names a provider that is not declared.",
    fix: "Declare the provider under `providers` or fix the name.",
  },
  SY0202: {
    name: "unknown-model",
    severity: "error",
    title: "A reference to a model that is not declared.",
    fix: "Declare the model under `models` or fix the name.",
  },
  SY0203: {
    name: "unknown-target",
    severity: "error",
    title: "A route, fallback step or long-context rule names neither a declared tier nor a declared model.",
    fix: "Name a tier or a model declared in this file.",
  },
  SY0204: {
    name: "unknown-route",
    severity: "error",
    title: "A team lists a route that is not declared.",
    fix: "Declare the route under `routes` or fix the name.",
  },
  SY0205: {
    name: "unknown-tier",
    severity: "error",
    title: "A route's `tier` names a tier that is not declared.",
    fix: "Declare the tier under `tiers` or fix the name.",
  },
  SY0206: {
    name: "ambiguous-name",
    severity: "error",
    title: "A name is both a tier and a model, so references to it are ambiguous.",
    fix: "Rename the tier or the model.",
  },
  SY0207: { name: "route-target", severity: "error", title: "A route must name exactly one of `tier` or `model`.", fix: "Keep one of `tier` and `model`." },
  SY0208: {
    name: "model-kind",
    severity: "error",
    title: "A chat route reaches an embedding model, an embedding route a chat model, or an embedding model is declared wrongly.",
    fix: 'Give the route models of its own kind; an embedding model declares `kind: "embedding"` and `dimensions`, on an openai- or mock-kind provider.',
  },
  SY0209: {
    name: "unknown-region",
    severity: "error",
    title: "The `regions` proximity table prefers a region no provider serves, or a team's `region` is neither a provider region nor a table key.",
    fix: "Name a region a provider declares (`providers.<id>.region`), or add the team's region to `regions`.",
  },
  SY0301: { name: "fallback-repeated", severity: "error", title: "A fallback chain names the same step twice (a cycle).", fix: "Remove the repeated step." },
  SY0302: {
    name: "fallback-to-self",
    severity: "error",
    title: "A fallback step is the route's own primary target.",
    fix: "Fall back to a different tier or model.",
  },
  SY0303: {
    name: "fallback-no-new-model",
    severity: "warning",
    title: "A fallback step only contains models the route already tried, after its primary and after each `when` rule's target.",
    fix: "Fall back to a model or tier with different models (ideally another provider).",
  },
  SY0304: {
    name: "non-positive-weight",
    severity: "error",
    title: "A tier member's weight is zero or negative.",
    fix: "Use a positive weight, or remove the member.",
  },
  SY0305: { name: "duplicate-member", severity: "error", title: "A tier lists the same model twice.", fix: "List each model once and adjust its weight." },
  SY0306: {
    name: "embedding-dimensions",
    severity: "error",
    title: "An embedding route's models make vectors of different lengths.",
    fix: "Fall back only to embedding models of the same `dimensions` (vectors of another length cannot share an index).",
  },
  SY0401: { name: "canary-steps-order", severity: "error", title: "Canary steps must be strictly increasing.", fix: "Order the steps, e.g. [5, 25, 100]." },
  SY0402: {
    name: "canary-step-range",
    severity: "error",
    title: "A canary step is not within (0, 100] percent.",
    fix: "Use percentages above 0 and at most 100.",
  },
  SY0403: {
    name: "canary-is-target",
    severity: "error",
    title: "The canary model is already the route's own target.",
    fix: "Canary a different model than the one the route serves.",
  },
  SY0404: {
    name: "long-context-window",
    severity: "error",
    title: "A long-context rule sends prompts over N tokens to a model whose context window is N or less.",
    fix: "Point the rule at models with a larger context window, or lower `over`.",
  },
  SY0405: {
    name: "rule-unreachable",
    severity: "warning",
    title: "A route's `when` rule can never apply: its tests contradict each other, or earlier rules already match every request it would.",
    fix: "Move the rule above the rules that shadow it, narrow those rules, or remove it.",
  },
  SY0406: {
    name: "rule-unknown-team",
    severity: "error",
    title: "A `when` rule tests a team that is not declared.",
    fix: "Declare the team under `teams` or fix the name.",
  },
  SY0501: {
    name: "override-unknown",
    severity: "error",
    title: "An environment override names something the base config does not declare.",
    fix: "Overrides change existing entries; declare the entry in the base config first.",
  },
  SY0502: {
    name: "duplicate-key",
    severity: "error",
    title: "Two teams use the same key, so a request's team is ambiguous.",
    fix: "Give each team its own key.",
  },
  SY0503: { name: "duplicate-entry", severity: "warning", title: "A list names the same entry twice.", fix: "Remove the duplicate." },
  SY0601: {
    name: "negative-budget",
    severity: "error",
    title: "A budget is negative or its alert thresholds are outside (0, 1].",
    fix: "Use a budget ≥ 0 and alert fractions such as 0.5 or 0.8.",
  },
  SY0602: {
    name: "non-positive-limit",
    severity: "error",
    title: "A rate limit is zero or negative.",
    fix: "Use a positive limit, or remove it for no limit.",
  },
  SY0701: {
    name: "inline-secret",
    severity: "error",
    title: "A plain string where a secret reference belongs: secrets must never be written in routes.ts.",
    fix: 'Use secret("ENV_VAR_NAME") and keep the value in that environment variable.',
  },
  SY0702: {
    name: "bad-secret-name",
    severity: "error",
    title: "secret(...) must name an environment variable in UPPER_SNAKE_CASE (it looks like a value instead).",
    fix: 'Put the value in an environment variable and pass its name: secret("OPENAI_API_KEY").',
  },
  SY0703: {
    name: "inline-credential-header",
    severity: "warning",
    title: "A header that usually carries a credential has a literal value.",
    fix: 'Use secret("ENV_VAR_NAME") for the header value.',
  },
  SY0801: {
    name: "unknown-policy-pack",
    severity: "error",
    title: "A policy pack is neither a built-in pack nor a file that exists.",
    fix: "Use a built-in pack id (baseline, eu-residency, prod-safety, cost-guard) or a path relative to routes.ts.",
  },
  SY0802: {
    name: "policy-pack-load",
    severity: "error",
    title: "A user policy pack could not be loaded or does not default-export a pack.",
    fix: "Default-export definePack({ id, description, policies }).",
  },
  SY0803: {
    name: "waiver-expired",
    severity: "error",
    title: "A policy waiver (`waive: [{ policy, reason, until }]`) is past its `until` date, so the finding it waived is back.",
    fix: "Fix what the policy reports and remove the waiver, or review the exemption again and move `until` forward.",
  },
  SY0804: {
    name: "waiver-unknown-policy",
    severity: "error",
    title: "A waiver names a policy that no selected pack of this environment has (often a misspelling), so it would waive nothing.",
    fix: "Use the full id of a policy of a selected pack, e.g. `baseline/multi-provider`; the hint names the closest one.",
  },
  SY0901: {
    name: "ir-invalid",
    severity: "error",
    title: "The compiled configuration does not satisfy the IR schema.",
    fix: "Fix the value at the reported place.",
  },
} as const satisfies Record<Code, CatalogueEntry>;

export function isCode(value: string): value is Code {
  return Object.hasOwn(catalogue, value);
}

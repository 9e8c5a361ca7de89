/** @module The policy engine: resolve selections, apply severities and options, run checks, render messages. Pure. */
import { isProduction, type Config, type PolicySelection, type Severity } from "@switchyard/ir";
import type { NodeRef, Policy, PolicyPack, PolicyReport } from "./define.ts";

/** One report of a policy at its effective severity, with its message rendered. */
export interface PolicyFinding {
  /** The policy's full id (`baseline/owners-set`), or `policies/<problem>` for selection problems. */
  policyId: string;
  severity: "error" | "warning";
  node: NodeRef;
  message: string;
  messageId: string;
}

export interface RunPoliciesInput {
  config: Config;
  environment: string;
  /** The environment's effective policy selections, in order. */
  selections: PolicySelection[];
  /** Packs by the string a selection names (`baseline`, `./policies/acme.ts`); merged over `builtinPacks`. */
  packs: Record<string, PolicyPack>;
  now: Date;
}

/** Policy ids the engine itself reports under (selection problems, not policy reports). */
export const ENGINE_POLICY_IDS = {
  unknownPack: "policies/unknown-pack",
  unknownPolicy: "policies/unknown-policy",
  unknownOption: "policies/unknown-option",
} as const;

/** Replace `{{name}}` with `data.name`; unknown names stay as written (a meta-test keeps them out). */
export function renderMessage(template: string, data: Record<string, string | number> | undefined): string {
  return template.replace(/\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g, (whole, name: string) => {
    const value = data?.[name];
    return value === undefined ? whole : String(value);
  });
}

/** The short name of a policy: its id after the pack prefix (`owners-set` for `baseline/owners-set`). */
export function shortName(policyId: string): string {
  const slash = policyId.lastIndexOf("/");
  return slash === -1 ? policyId : policyId.slice(slash + 1);
}

/**
 * A policy's effective severity under a selection: the full id wins over the short name, both win
 * over the policy's default.
 */
export function effectiveSeverity(policy: Policy, severities: Record<string, Severity>): Severity {
  return severities[policy.id] ?? severities[shortName(policy.id)] ?? policy.defaultSeverity;
}

type OptionsResult = { ok: true; options: Record<string, unknown> } | { ok: false; problems: { path: (string | number)[]; message: string }[] };

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Merge the selection's options over the defaults (shallow) and validate them. Never throws. */
export function resolveOptions(policy: Policy, given: Record<string, unknown>): OptionsResult {
  const defaults = isPlainObject(policy.defaultOptions) ? policy.defaultOptions : {};
  const merged: Record<string, unknown> = { ...defaults, ...given };
  if (policy.optionsSchema === undefined) {
    const unknown = Object.keys(given).filter((key) => !(key in defaults));
    if (unknown.length === 0) return { ok: true, options: merged };
    const known = Object.keys(defaults);
    return {
      ok: false,
      problems: unknown.map((key) => ({
        path: [key],
        message: `unknown option "${key}"${known.length > 0 ? ` (options: ${known.join(", ")})` : " (the policy takes no options)"}`,
      })),
    };
  }
  let result: ReturnType<NonNullable<Policy["optionsSchema"]>["~standard"]["validate"]>;
  try {
    result = policy.optionsSchema["~standard"].validate(merged);
  } catch (error) {
    return { ok: false, problems: [{ path: [], message: `options schema threw: ${errorMessage(error)}` }] };
  }
  if (result instanceof Promise) {
    return { ok: false, problems: [{ path: [], message: "the options schema is asynchronous; policies need a synchronous schema" }] };
  }
  if (result.issues === undefined) return { ok: true, options: (result as { value: Record<string, unknown> }).value };
  return {
    ok: false,
    problems: result.issues.map((issue) => ({
      path: (issue.path ?? []).map((segment) => {
        const key = typeof segment === "object" && segment !== null && "key" in segment ? segment.key : segment;
        return typeof key === "number" ? key : String(key);
      }),
      message: issue.message,
    })),
  };
}

/** Edit distance, for "did you mean" on misspelt severity and option keys. */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/** ` Did you mean "x"?` for the closest candidate within a third of the word's length, else nothing. */
export function suggestion(word: string, candidates: readonly string[]): string {
  let best: { candidate: string; score: number } | undefined;
  for (const candidate of candidates) {
    const score = distance(word.toLowerCase(), candidate.toLowerCase());
    if (score <= Math.max(1, Math.floor(word.length / 3)) && (best === undefined || score < best.score)) best = { candidate, score };
  }
  return best === undefined ? "" : ` Did you mean "${best.candidate}"?`;
}

function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message.split("\n")[0] ?? "";
  return typeof error === "string" ? error : "non-Error value thrown";
}

/** A frozen deep copy: a policy that writes to the config crashes (and is reported) instead of changing the release. */
function frozenCopy<T>(value: T): T {
  const copy = structuredClone(value);
  const freeze = (node: unknown): void => {
    if (typeof node !== "object" || node === null || Object.isFrozen(node)) return;
    Object.freeze(node);
    for (const child of Object.values(node)) freeze(child);
  };
  freeze(copy);
  return copy;
}

function findingKey(finding: PolicyFinding): string {
  return JSON.stringify([finding.policyId, finding.severity, finding.node.kind, finding.node.id, finding.node.path ?? [], finding.messageId, finding.message]);
}

/**
 * Run the selected packs over a config. Pure and total: it never throws.
 *
 * - Each selection's `pack` is looked up in `packs` merged over `builtinPacks` (the caller's entry
 *   wins). An unknown pack yields an error finding `policies/unknown-pack` at the selection node.
 * - A key in `severities` that names no policy of the pack (by full id or short name) yields an error
 *   finding `policies/unknown-policy` at `["severities", key]` of the selection.
 * - A policy at severity `off` does not run. A selection's options are shared by the pack's
 *   policies: each policy gets its `defaultOptions` with the selection's values for the keys it
 *   declares merged over them (shallow), validated by its `optionsSchema`; a key no policy of the
 *   pack declares yields `policies/unknown-option` at `["options", key]`; invalid options yield one error finding per
 *   problem with messageId `invalid-options` at `["options", …path]` of the selection, and the
 *   policy does not run.
 * - A policy whose check throws (including by writing to the config, which it receives as a frozen
 *   copy, or by calling `report` with a malformed report) yields an error finding with messageId
 *   `crashed` at the selection node (`["pack"]`), keeping the reports it made before it threw.
 * - Findings keep selection, policy and report order; exact duplicates are dropped.
 */
export function runPolicies(input: RunPoliciesInput, builtins: Record<string, PolicyPack> = {}): PolicyFinding[] {
  const packs: Record<string, PolicyPack> = { ...builtins, ...input.packs };
  const config = frozenCopy(input.config);
  const findings: PolicyFinding[] = [];
  const seen = new Set<string>();
  const add = (finding: PolicyFinding): void => {
    const key = findingKey(finding);
    if (seen.has(key)) return;
    seen.add(key);
    findings.push(finding);
  };

  input.selections.forEach((selection, index) => {
    const selectionNode = (path: (string | number)[]): NodeRef => ({ kind: "selection", id: String(index), path });
    const pack = Object.hasOwn(packs, selection.pack) ? packs[selection.pack] : undefined;
    if (pack === undefined) {
      const known = Object.keys(packs).sort();
      add({
        policyId: ENGINE_POLICY_IDS.unknownPack,
        severity: "error",
        node: selectionNode(["pack"]),
        messageId: "unknown-pack",
        message: `unknown policy pack "${selection.pack}"; known packs: ${known.join(", ")} (a user pack is a path such as "./policies/acme.ts")`,
      });
      return;
    }
    const severities = selection.severities ?? {};
    for (const key of Object.keys(severities)) {
      const matches = pack.policies.some((policy) => policy.id === key || shortName(policy.id) === key);
      if (!matches) {
        add({
          policyId: ENGINE_POLICY_IDS.unknownPolicy,
          severity: "error",
          node: selectionNode(["severities", key]),
          messageId: "unknown-policy",
          message: `pack "${pack.id}" has no policy "${key}"; its policies: ${pack.policies.map((p) => shortName(p.id)).join(", ")}.${suggestion(
            shortName(key),
            pack.policies.map((p) => shortName(p.id)),
          )}`,
        });
      }
    }
    for (const policy of pack.policies) {
      if (typeof policy !== "object" || policy === null || typeof policy.id !== "string" || typeof policy.check !== "function") {
        add({
          policyId: pack.id,
          severity: "error",
          node: selectionNode(["pack"]),
          messageId: "crashed",
          message: `pack ${pack.id} holds something that is not a policy (a policy has an id, messages and a check)`,
        });
        continue;
      }
      const severity = effectiveSeverity(policy, severities);
      if (severity === "off") continue;
      const given = selection.options ?? {};
      // Options belong to the pack selection: each policy sees the keys its defaultOptions declare
      // (keys for a sibling policy are not its concern; keys nobody declares are reported below).
      const declared = isPlainObject(policy.defaultOptions) ? policy.defaultOptions : {};
      const ownKeys = Object.fromEntries(Object.entries(given).filter(([key]) => Object.hasOwn(declared, key)));
      const resolved = resolveOptions(policy, ownKeys);
      if (!resolved.ok) {
        for (const problem of resolved.problems) {
          add({
            policyId: policy.id,
            severity: "error",
            node: selectionNode(["options", ...problem.path]),
            messageId: "invalid-options",
            message: `invalid options for policy ${policy.id}: ${problem.path.length > 0 ? `${problem.path.join(".")}: ` : ""}${problem.message}`,
          });
        }
        continue;
      }
      const reports: PolicyFinding[] = [];
      try {
        policy.check({
          config,
          environment: input.environment,
          production: isProduction({ environment: input.environment, production: config.production }),
          options: resolved.options,
          now: input.now,
          // Rendered as reported, so a malformed report surfaces as a crash of its policy.
          report: (report) => {
            reports.push(renderFinding(policy, severity, report));
          },
        });
      } catch (error) {
        for (const finding of reports) add(finding);
        add({
          policyId: policy.id,
          severity: "error",
          node: selectionNode(["pack"]),
          messageId: "crashed",
          message: `policy ${policy.id} crashed: ${errorMessage(error)}`,
        });
        continue;
      }
      for (const finding of reports) add(finding);
    }
    // Option keys that no policy of the pack declares are misspellings: report them once.
    const allDeclared = new Set(pack.policies.flatMap((policy) => (isPlainObject(policy.defaultOptions) ? Object.keys(policy.defaultOptions) : [])));
    for (const key of Object.keys(selection.options ?? {})) {
      if (allDeclared.has(key)) continue;
      add({
        policyId: ENGINE_POLICY_IDS.unknownOption,
        severity: "error",
        node: selectionNode(["options", key]),
        messageId: "unknown-option",
        message: `pack "${pack.id}" has no option "${key}"${allDeclared.size > 0 ? `; its options: ${[...allDeclared].sort().join(", ")}.${suggestion(key, [...allDeclared])}` : "."}`,
      });
    }
  });
  return findings;
}

function renderFinding(policy: Policy, severity: "error" | "warning", report: PolicyReport): PolicyFinding {
  if (typeof report !== "object" || report === null || typeof report.node !== "object" || report.node === null || typeof report.node.id !== "string") {
    throw new Error("report() needs { node: { kind, id, path? }, messageId, data? }");
  }
  const template = policy.messages?.[report.messageId];
  const message = template === undefined ? `policy ${policy.id} reported an undeclared message "${report.messageId}"` : renderMessage(template, report.data);
  const node: NodeRef =
    report.node.path === undefined
      ? { kind: report.node.kind, id: report.node.id }
      : { kind: report.node.kind, id: report.node.id, path: [...report.node.path] };
  return { policyId: policy.id, severity, node, message, messageId: report.messageId };
}

/** @module diff/policy-delta — which findings newly fail or newly pass between two compilations (matched by code and path, never by line). */
import type { FindingLike, PolicyDelta, PolicyFindingChange } from "./types.ts";

/** `["routes", "x", "fallback", 2]` → `routes.x.fallback[2]`. */
export function formatDslPath(path: readonly (string | number)[] | undefined): string {
  if (path === undefined) return "";
  let text = "";
  for (const part of path) text += typeof part === "number" ? `[${part}]` : text === "" ? part : `.${part}`;
  return text;
}

/**
 * The identity of a finding across two versions of a file: its code and IR/DSL path. Lines move
 * when unrelated lines are edited, so they are not part of it. A finding without a path falls back
 * to its message.
 */
function identity(finding: FindingLike): string {
  return finding.path === undefined || finding.path.length === 0
    ? `${finding.code}\u0000msg\u0000${finding.message}`
    : `${finding.code}\u0000path\u0000${JSON.stringify(finding.path)}`;
}

function view(finding: FindingLike): PolicyFindingChange {
  const change: PolicyFindingChange = { code: finding.code, severity: finding.severity, message: finding.message, where: formatDslPath(finding.path) };
  if (finding.file !== undefined && finding.line !== undefined) change.location = `${finding.file}:${finding.line}:${finding.column ?? 1}`;
  return change;
}

function order(a: PolicyFindingChange, b: PolicyFindingChange): number {
  const key = (c: PolicyFindingChange): string => `${c.severity === "error" ? 0 : 1}\u0000${c.code}\u0000${c.where}\u0000${c.message}`;
  const ka = key(a);
  const kb = key(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/**
 * Compare the diagnostics of OLD and NEW. A finding present only in NEW newly fails; present only
 * in OLD newly passes; present in both with another severity changed severity. Findings are
 * matched as multisets, so two identical findings on one side need two on the other.
 *
 * @example
 * policyDelta([], [{ code: "prod-safety/canary-first-step", severity: "error", message: "…", path: ["routes", "x", "canary"] }])
 * // { newlyFailing: [{ code: "prod-safety/canary-first-step", where: "routes.x.canary", … }], newlyPassing: [], severityChanged: [] }
 */
export function policyDelta(old: readonly FindingLike[], now: readonly FindingLike[]): PolicyDelta {
  const remaining = new Map<string, FindingLike[]>();
  for (const finding of old) {
    const key = identity(finding);
    remaining.set(key, [...(remaining.get(key) ?? []), finding]);
  }
  const delta: PolicyDelta = { newlyFailing: [], newlyPassing: [], severityChanged: [] };
  for (const finding of now) {
    const candidates = remaining.get(identity(finding));
    if (candidates === undefined || candidates.length === 0) {
      delta.newlyFailing.push(view(finding));
      continue;
    }
    const sameSeverity = candidates.findIndex((c) => c.severity === finding.severity);
    const [matched] = candidates.splice(sameSeverity === -1 ? 0 : sameSeverity, 1);
    if (matched !== undefined && matched.severity !== finding.severity) delta.severityChanged.push({ ...view(finding), oldSeverity: matched.severity });
  }
  for (const rest of remaining.values()) for (const finding of rest) delta.newlyPassing.push(view(finding));
  delta.newlyFailing.sort(order);
  delta.newlyPassing.sort(order);
  delta.severityChanged.sort(order);
  return delta;
}

/** True when the delta holds anything to report. */
export function hasPolicyChanges(delta: PolicyDelta | undefined): boolean {
  return delta !== undefined && delta.newlyFailing.length + delta.newlyPassing.length + delta.severityChanged.length > 0;
}

/** @module formatPlan(): a plain-text rendering of a decision for `switchyard explain`. */
import type { Config } from "@switchyard/ir";
import type { Decision, Exclusion } from "./types.ts";

/**
 * Render a decision as text: the candidates in the order the router tries them (with provider,
 * region and the reason each is there), then what was excluded and why, then warnings. Pure.
 *
 * @example
 * console.log(formatPlan(decide(config, request, state, { rng, now }), config));
 */
export function formatPlan(decision: Decision, config: Config): string {
  const lines: string[] = [];
  if (!decision.ok) {
    lines.push(`error ${decision.code}: ${decision.message}`);
    if (decision.excluded.length > 0) lines.push("", "excluded:", ...decision.excluded.map(exclusionLine));
    return lines.join("\n") + "\n";
  }
  const { plan } = decision;
  const route = config.routes[plan.route];
  const target = route?.tier !== undefined ? `tier ${route.tier}` : `model ${route?.model ?? "?"}`;
  lines.push(`route ${plan.route} (environment ${config.environment}): ${target}${plan.strategy !== undefined ? `, strategy ${plan.strategy}` : ""}`);
  const flags: string[] = [];
  if (plan.canary) flags.push("canary chosen");
  if (plan.longContext) flags.push("long-context rule applied");
  if (flags.length > 0) lines.push(flags.join("; "));
  const placed = plan.placement;
  if (placed !== undefined) {
    const from = placed.source === "team" ? "the team's region" : "the request's region";
    lines.push(
      placed.nearest.length === 0
        ? `placement: caller region ${placed.region} (${from}) is no provider's region and has no \`regions\` entry: the strategies order alone`
        : `placement: caller region ${placed.region} (${from}); nearest first: ${placed.nearest.join(", ")}, then the rest`,
    );
  }
  lines.push("", "plan (tried in this order):");
  const width = Math.max(...plan.candidates.map((c) => c.model.length));
  plan.candidates.forEach((c, i) => {
    const provider = config.providers[c.provider];
    const where = [c.provider, provider?.region, provider?.residency !== undefined ? `residency ${provider.residency}` : undefined]
      .filter((x) => x !== undefined)
      .join(", ");
    lines.push(`  ${String(i + 1).padStart(2)}. ${c.model.padEnd(width)}  (${where})${c.probe === true ? "  PROBE" : ""}`);
    lines.push(`      ${c.reason}`);
  });
  if (plan.excluded.length > 0) lines.push("", "excluded:", ...plan.excluded.map(exclusionLine));
  if (plan.warnings.length > 0) lines.push("", "warnings:", ...plan.warnings.map((w) => `  ! ${w.message}`));
  return lines.join("\n") + "\n";
}

function exclusionLine(e: Exclusion): string {
  return `  - ${e.model} (step ${e.step}) ${e.code}: ${e.reason}`;
}

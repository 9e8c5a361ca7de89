/** @module diff/report — put two loaded sides together: config diff plus (when both were compiled) the policy delta. */
import { diffAuthored } from "./authored.ts";
import { diffConfigs } from "./diff-configs.ts";
import { diffImpact } from "./impact.ts";
import type { LoadedSide } from "./load.ts";
import { policyDelta } from "./policy-delta.ts";
import type { DiffReport } from "./types.ts";

/**
 * The report the formatters render. The policy delta needs diagnostics on both sides, so it is
 * absent when either side is a build.
 *
 * @example formatDiff(createDiffReport({ old, new: now }), "markdown")
 */
export function createDiffReport(sides: { old: LoadedSide; new: LoadedSide }): DiffReport {
  const diff = diffConfigs(sides.old.release.config, sides.new.release.config);
  const report: DiffReport = {
    old: sides.old.info,
    new: sides.new.info,
    diff,
    impact: diffImpact(sides.old.release.config, sides.new.release.config, diff),
  };
  if (sides.old.authored !== undefined && sides.new.authored !== undefined) report.authored = diffAuthored(sides.old.authored, sides.new.authored);
  if (sides.old.diagnostics !== undefined && sides.new.diagnostics !== undefined) {
    report.policies = policyDelta(sides.old.diagnostics, sides.new.diagnostics);
  }
  return report;
}

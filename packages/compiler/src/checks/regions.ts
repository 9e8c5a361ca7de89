/**
 * @module checks/regions — region-aware placement (issue 24): every region the `regions` proximity table prefers is
 * a region some provider serves, and every team's default region is one placement knows (a provider region or a
 * table key). TypeScript says so at the literal; this covers environment overrides and configs that bypassed it.
 */
import { showPath, type Report } from "./report.ts";
import { suggestName } from "./suggest.ts";
import { dict, list, str, type Dict } from "../validate/view.ts";

/** The regions the config's providers declare, in declaration order. */
export function providerRegions(merged: Dict): string[] {
  const out = new Set<string>();
  for (const provider of Object.values(dict(merged.providers))) {
    const region = str(dict(provider).region);
    if (region !== undefined) out.add(region);
  }
  return [...out];
}

/** Reports SY0209 for a proximity-table region no provider serves and a team region placement does not know. */
export function checkRegions(merged: Dict, report: Report): void {
  const served = providerRegions(merged);
  const servedSet = new Set(served);
  const table = dict(merged.regions);
  const didYouMean = (name: string, candidates: string[]): { hint?: string } => {
    const guess = suggestName(name, candidates);
    return guess === undefined ? {} : { hint: `Did you mean "${guess}"?` };
  };
  for (const [caller, near] of Object.entries(table)) {
    list(near).forEach((value, index) => {
      const region = str(value);
      if (region === undefined || servedSet.has(region)) return;
      const path = ["regions", caller, index];
      report({
        code: "SY0209",
        path,
        message: `${showPath(path)}: no provider serves region "${region}" (provider regions: ${served.join(", ") || "none"})`,
        ...didYouMean(region, served),
      });
    });
  }
  const known = [...served, ...Object.keys(table).filter((k) => !servedSet.has(k))];
  for (const [id, team] of Object.entries(dict(merged.teams))) {
    const region = str(dict(team).region);
    if (region === undefined || known.includes(region)) continue;
    report({
      code: "SY0209",
      path: ["teams", id, "region"],
      message: `team "${id}" sits in region "${region}", which is neither a provider's region nor a key of \`regions\`, so placement could not use it`,
      ...didYouMean(region, known),
    });
  }
}

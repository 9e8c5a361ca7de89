import { describe, expect, it } from "vitest";
import { createRelease, type Config } from "@switchyard/ir";
import { formatDiff, summaryLine } from "./format.ts";
import { acmeIr } from "./fixtures.test-helper.ts";
import { createDiffReport } from "./report.ts";
import type { LoadedSide } from "./load.ts";
import type { FindingLike } from "./types.ts";

function side(label: string, config: Config, diagnostics?: FindingLike[]): LoadedSide {
  const release = createRelease(config);
  const loaded: LoadedSide = { info: { label, kind: "git", environment: config.environment, hash: release.hash }, release };
  if (diagnostics !== undefined) loaded.diagnostics = diagnostics.map((d) => ({ file: "routes.ts", line: 1, column: 1, endLine: 1, endColumn: 2, ...d }));
  return loaded;
}

function edited(): Config {
  const config = acmeIr();
  config.routes["support-faq"]!.fallback.push({ model: "claude" });
  config.teams.support!.budget!.usd = 3000;
  config.routes["legal-review"]!.description = "a | pipe and <b>html</b>";
  delete config.teams.legal;
  return config;
}

const failing: FindingLike = {
  code: "prod-safety/canary-first-step",
  severity: "error",
  message: "canary starts at 25 % (max 10 %)",
  path: ["routes", "legal-review", "canary", "steps", 0],
};

describe("formatDiff", () => {
  it("says no changes for equal sides in every format", () => {
    const report = createDiffReport({ old: side("HEAD", acmeIr(), []), new: side("HEAD", acmeIr(), []) });
    expect(summaryLine(report)).toBe("no changes");
    expect(formatDiff(report, "pretty")).toContain("No changes.");
    expect(formatDiff(report, "markdown")).toContain("**No changes** to the compiled configuration.");
    expect(JSON.parse(formatDiff(report, "json"))).toMatchObject({ hasChanges: false, summary: "no changes", changes: [] });
  });

  it("renders pretty output grouped by section, without colour by default", () => {
    const report = createDiffReport({ old: side("main", acmeIr(), []), new: side("HEAD", edited(), [failing]) });
    const text = formatDiff(report, "pretty");
    expect(text).not.toContain("\u001b[");
    expect(text).toBe(
      [
        "switchyard diff main → HEAD (env default)",
        "",
        "Routes",
        '  ~ legal-review: description unset → "a | pipe and <b>html</b>"',
        "  ~ support-faq: fallback [frontier, llama-local] → [frontier, llama-local, claude]",
        "",
        "Teams",
        "  - legal: removed (was routes [legal-review], budget $500/month (hard))",
        "  ~ support: budget $2,000 → $3,000/month",
        "",
        "Policies",
        "  ✗ newly failing (error) prod-safety/canary-first-step at routes.legal-review.canary.steps[0]: canary starts at 25 % (max 10 %)",
        "",
        "Changes: 2 routes changed, 1 team removed, 1 team changed; policies: 1 newly failing, 0 newly passing",
        "",
      ].join("\n"),
    );
    expect(formatDiff(report, "pretty", { color: true })).toContain("\u001b[31m");
  });

  it("renders markdown for a PR comment: summary, tables per section, policy delta, collapsible keys", () => {
    const report = createDiffReport({ old: side("main", acmeIr(), [failing]), new: side("HEAD", edited(), []) });
    const md = formatDiff(report, "markdown");
    expect(md).toContain("### Switchyard: routing changes `main` → `HEAD` (env `default`)");
    expect(md).toContain("**2 routes changed, 1 team removed, 1 team changed** · policies: 0 newly failing, 1 newly passing");
    expect(md).toContain("| ✏️ | `support-faq` | fallback [frontier, llama-local] → [frontier, llama-local, claude] |");
    expect(md).toContain('| ✏️ | `legal-review` | description unset → "a \\| pipe and &lt;b&gt;html&lt;/b&gt;" |');
    expect(md).toContain("| ✅ newly passing | `prod-safety/canary-first-step` | `routes.legal-review.canary.steps[0]` | canary starts at 25 % (max 10 %) |");
    expect(md).toContain("<details><summary>Changed keys (4)</summary>");
    expect(md).toContain("| `teams.support.budget.usd` | changed | `2000` | `3000` |");
    expect(md).toContain("</details>");
  });

  it("renders json with the flat change list and the policy delta", () => {
    const report = createDiffReport({ old: side("main", acmeIr(), []), new: side("HEAD", edited(), [failing]) });
    const json = JSON.parse(formatDiff(report, "json")) as { changes: { key: string; kind: string }[]; policies: { newlyFailing: unknown[] } };
    expect(json.changes.map((c) => [c.key, c.kind])).toEqual([
      ["routes.legal-review.description", "add"],
      ["routes.support-faq.fallback", "update"],
      ["teams.legal", "delete"],
      ["teams.support.budget.usd", "update"],
    ]);
    expect(json.policies.newlyFailing).toHaveLength(1);
  });

  it("keeps markdown under the comment size limit: first without the key table, then cutting rows", () => {
    const big = acmeIr();
    for (let i = 0; i < 400; i++) big.routes[`r${String(i).padStart(3, "0")}`] = { ...big.routes["support-faq"]!, description: "x".repeat(100) };
    const report = createDiffReport({ old: side("main", acmeIr(), []), new: side("HEAD", big, []) });
    const full = formatDiff(report, "markdown", { maxLength: 1_000_000 });
    expect(full).toContain("<details>");
    const medium = formatDiff(report, "markdown", { maxLength: full.length - 1 });
    expect(medium.length).toBeLessThanOrEqual(full.length - 1);
    expect(medium).not.toContain("<details>");
    expect(medium).toContain("| ➕ | `r399` |");
    expect(medium).toContain("_The table of changed keys is left out to fit a comment; `--format json` lists every key with both values._");
    const small = formatDiff(report, "markdown", { maxLength: 5_000 });
    expect(small.length).toBeLessThanOrEqual(5_000);
    expect(small).toContain("**400 routes added** · policies: no findings changed");
    // Each added route is a row of the impact table (its price and context window) and of the Routes table.
    const shown = small.split("\n").filter((line) => line.startsWith("| ➕")).length;
    expect(small).toContain(`_… and ${800 - shown} more rows not shown: the comment would exceed GitHub's size limit.`);
    expect(small.trimEnd().endsWith("generated by `switchyard diff`</sub>")).toBe(true);
  });

  it("omits the policy delta when a side is a build", () => {
    const report = createDiffReport({ old: side("dist/prod", acmeIr()), new: side("HEAD", edited(), [failing]) });
    expect(report.policies).toBeUndefined();
    expect(formatDiff(report, "markdown")).not.toContain("policies:");
  });
});

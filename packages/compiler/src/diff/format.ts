/** @module diff/format — pure renderers of a diff report: pretty (terminal), json, markdown (PR comment). */
import { mermaidBeforeAfter } from "../simulate/chart.ts";
import type { DiffImpact, RouteImpact, WorstCase } from "./impact.ts";
import { hasPolicyChanges } from "./policy-delta.ts";
import { groupDigits } from "./show.ts";
import type { Change, ChangeKind, DiffReport, DiffSideInfo, EntityChange, PolicyDelta, PolicyFindingChange, Section } from "./types.ts";

export const DIFF_FORMATS = ["pretty", "json", "markdown"] as const;
/** Bumped when a field of `--format json` changes meaning (1: `impact` added). */
export const DIFF_SCHEMA_VERSION = 1 as const;
export type DiffFormat = (typeof DIFF_FORMATS)[number];

export interface FormatDiffOptions {
  /** ANSI colours in `pretty` (default false). */
  color?: boolean;
  /** Longest `markdown` output, in characters (default `MARKDOWN_MAX_LENGTH`, below GitHub's comment limit). */
  maxLength?: number;
}

const TITLE: Record<Section, string> = {
  routes: "Routes",
  tiers: "Tiers",
  models: "Models",
  providers: "Providers",
  teams: "Teams",
  prompts: "Prompts",
  policies: "Policy packs",
  router: "Router settings",
  environment: "Environment",
};

const SINGULAR: Record<Section, string> = {
  routes: "route",
  tiers: "tier",
  models: "model",
  providers: "provider",
  teams: "team",
  prompts: "prompt",
  policies: "policy pack",
  router: "router setting",
  environment: "environment",
};

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? "" : "s"}`;
}

/** `2 routes changed, 1 model added, 1 team removed` — entity counts per section, in section order. */
export function summaryLine(report: DiffReport): string {
  if (!report.diff.hasChanges) return "no changes";
  const parts: string[] = [];
  const verbs: [ChangeKind, string][] = [
    ["add", "added"],
    ["delete", "removed"],
    ["update", "changed"],
  ];
  for (const { section, entities } of report.diff.sections) {
    if (section === "router" || section === "environment") {
      parts.push(section === "router" ? `${plural(entities.flatMap((e) => e.changes).length, "router setting")} changed` : "environment changed");
      continue;
    }
    for (const [kind, verb] of verbs) {
      const count = entities.filter((e) => e.kind === kind).length;
      if (count > 0) parts.push(`${plural(count, SINGULAR[section])} ${verb}`);
    }
  }
  return parts.join(", ");
}

function policySummary(delta: PolicyDelta): string {
  const parts = [`${delta.newlyFailing.length} newly failing`, `${delta.newlyPassing.length} newly passing`];
  if (delta.severityChanged.length > 0) parts.push(`${delta.severityChanged.length} changed severity`);
  return parts.join(", ");
}

function sideText(side: DiffSideInfo): string {
  return side.label;
}

function envText(report: DiffReport): string {
  const { old, new: now } = report.diff.environment;
  return old === now ? old : `${old} → ${now}`;
}

// ---------------------------------------------------------------------------------------------
// impact

/** USD per 1M tokens: `$0.26`, `$6.00`, `$1,250`. */
function per1M(value: number | null): string {
  if (value === null) return "—";
  return value >= 1000 ? `$${groupDigits(Math.round(value))}` : `$${value.toFixed(2)}`;
}

/** `×22.9`, `+12 %`, `−40 %`, or nothing when equal. */
function factor(old: number | null, now: number | null): string {
  if (old === null || now === null || old === now) return "";
  if (old === 0) return "";
  const ratio = now / old;
  if (ratio >= 2) return ` (×${ratio.toFixed(1)})`;
  const change = (ratio - 1) * 100;
  return Math.abs(change) < 0.5 ? "" : ` (${change > 0 ? "+" : "−"}${Math.abs(change).toFixed(0)} %)`;
}

function worstText(worst: WorstCase | null): string {
  return worst === null ? "—" : `${per1M(worst.usdPer1M)} (${worst.model}, ${worst.via})`;
}

function contextText(value: number | null): string {
  return value === null ? "—" : groupDigits(value);
}

/** `before → after`, or the one value when equal. */
function fromTo(old: string, now: string): string {
  return old === now ? `${now} (same)` : `${old} → ${now}`;
}

function impactCells(route: RouteImpact): { blended: string; worst: string; context: string } {
  return {
    blended: `${fromTo(per1M(route.blended.old), per1M(route.blended.new))}${factor(route.blended.old, route.blended.new)}`,
    worst: `${fromTo(worstText(route.worst.old), worstText(route.worst.new))}${factor(route.worst.old?.usdPer1M ?? null, route.worst.new?.usdPer1M ?? null)}`,
    context: `${fromTo(contextText(route.context.old), contextText(route.context.new)).replace(" (same)", "")} tokens${route.context.old === route.context.new ? " (same)" : ""}`,
  };
}

function mixText(impact: DiffImpact): string {
  return `input:output ${impact.mix.input}:${impact.mix.output}`;
}

function impactChart(impact: DiffImpact): string | undefined {
  return mermaidBeforeAfter({
    title: `Blended USD per 1M tokens by route (${mixText(impact)}), before and after`,
    yAxis: "USD per 1M tokens",
    bars: impact.routes.map((r) => ({ label: r.route, before: r.blended.old ?? 0, after: r.blended.new ?? 0 })),
  });
}

// ---------------------------------------------------------------------------------------------
// pretty

const ANSI = { red: 31, green: 32, yellow: 33, dim: 2, bold: 1 } as const;

function painter(color: boolean) {
  return (code: keyof typeof ANSI, text: string): string => (color ? `\u001b[${ANSI[code]}m${text}\u001b[0m` : text);
}

const SIGN: Record<ChangeKind, string> = { add: "+", delete: "-", update: "~" };

function entityLabel(entity: EntityChange): string {
  return entity.id === "" ? SINGULAR[entity.section] : entity.id;
}

function formatPretty(report: DiffReport, options: FormatDiffOptions): string {
  const paint = painter(options.color === true);
  const tint = (kind: ChangeKind, text: string): string => paint(kind === "add" ? "green" : kind === "delete" ? "red" : "yellow", text);
  const lines: string[] = [];
  lines.push(`${paint("bold", "switchyard diff")} ${sideText(report.old)} → ${sideText(report.new)} ${paint("dim", `(env ${envText(report)})`)}`);
  lines.push("");
  if (!report.diff.hasChanges) lines.push("No changes.");
  for (const { section, entities } of report.diff.sections) {
    lines.push(paint("bold", TITLE[section]));
    for (const entity of entities) {
      if (entity.kind !== "update" || entity.changes.length === 1) {
        // The sign is the entity's: a field set on a changed route is still a changed route.
        for (const change of entity.changes) lines.push(`  ${tint(entity.kind, SIGN[entity.kind])} ${entityLabel(entity)}: ${change.phrase}`);
        continue;
      }
      lines.push(`  ${tint("update", SIGN.update)} ${entityLabel(entity)}`);
      for (const change of entity.changes) lines.push(`      ${tint(change.kind, SIGN[change.kind])} ${change.phrase}`);
    }
    lines.push("");
  }
  if (report.impact !== undefined && report.impact.routes.length > 0) {
    lines.push(paint("bold", `Impact on routes (USD per 1M tokens, ${mixText(report.impact)})`));
    for (const route of report.impact.routes) {
      const cells = impactCells(route);
      lines.push(`  ${tint(route.kind, SIGN[route.kind])} ${route.route} (${route.because.join(", ")})`);
      lines.push(`      blended ${cells.blended}`, `      worst case ${cells.worst}`, `      context window ${cells.context}`);
    }
    lines.push("");
  }
  if (report.policies !== undefined) {
    const delta = report.policies;
    if (hasPolicyChanges(delta)) {
      lines.push(paint("bold", "Policies"));
      const finding = (mark: string, f: PolicyFindingChange, extra = ""): string =>
        `  ${mark} ${f.code}${f.where === "" ? "" : ` at ${f.where}`}${extra}: ${f.message}`;
      for (const f of delta.newlyFailing) lines.push(finding(paint("red", `✗ newly failing (${f.severity})`), f));
      for (const f of delta.newlyPassing) lines.push(finding(paint("green", `✓ newly passing (was ${f.severity})`), f));
      for (const f of delta.severityChanged) lines.push(finding(paint("yellow", `~ severity ${f.oldSeverity} → ${f.severity}`), f));
      lines.push("");
    } else if (report.diff.hasChanges) {
      lines.push(paint("dim", "Policies: no findings changed."), "");
    }
  }
  const summary = [summaryLine(report)];
  if (hasPolicyChanges(report.policies) && report.policies !== undefined) summary.push(`policies: ${policySummary(report.policies)}`);
  lines.push(`${report.diff.hasChanges ? "Changes" : "Summary"}: ${summary.join("; ")}`);
  return `${lines.join("\n")}\n`;
}

// ---------------------------------------------------------------------------------------------
// markdown

/** Text safe inside a table cell: pipes escaped, newlines flattened, HTML-ish brackets escaped. */
function cell(text: string): string {
  return text.replaceAll("\\", "\\\\").replaceAll("|", "\\|").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replace(/\r?\n/g, " ");
}

/** Inline code that survives backticks in the content. */
function code(text: string): string {
  const fence = text.includes("`") ? "``" : "`";
  const pad = text.startsWith("`") || text.endsWith("`") ? " " : "";
  return `${fence}${pad}${text.replaceAll("|", "\\|")}${pad}${fence}`;
}

function jsonValue(value: unknown): string {
  return value === undefined ? "—" : code(JSON.stringify(value));
}

const KIND_WORD: Record<ChangeKind, string> = { add: "added", delete: "removed", update: "changed" };
const KIND_MARK: Record<ChangeKind, string> = { add: "➕", delete: "➖", update: "✏️" };

/** A line of the markdown, and whether it is a data row (counted when rows are cut to fit). */
interface MdLine {
  text: string;
  row?: boolean;
}

/** GitHub rejects comments over 65,536 characters; stay below with room for a sticky-comment marker. */
export const MARKDOWN_MAX_LENGTH = 60_000;

function formatMarkdown(report: DiffReport, maxLength: number): string {
  const head: MdLine[] = [];
  head.push({ text: `### Switchyard: routing changes ${code(report.old.label)} → ${code(report.new.label)} (env ${code(envText(report))})` }, { text: "" });
  const summary = report.diff.hasChanges ? `**${summaryLine(report)}**` : "**No changes** to the compiled configuration.";
  const policy =
    report.policies === undefined
      ? ""
      : hasPolicyChanges(report.policies)
        ? ` · policies: ${policySummary(report.policies)}`
        : " · policies: no findings changed";
  head.push({ text: `${summary}${policy}` }, { text: "" });

  const body: MdLine[] = [];
  if (report.impact !== undefined && report.impact.routes.length > 0) {
    body.push({ text: `#### Impact on routes` }, { text: "" });
    body.push({
      text: `_Blended: the primary's models by weight; worst case: the dearest model the route can reach (primary, when rules, fallbacks, long-context, canary). USD per 1M tokens at ${mixText(report.impact)}._`,
    });
    body.push({ text: "" }, { text: "| | Route | Because of | Blended $/1M | Worst case $/1M | Context window |" }, { text: "|---|---|---|---|---|---|" });
    for (const route of report.impact.routes) {
      const cells = impactCells(route);
      body.push({
        text: `| ${KIND_MARK[route.kind]} | ${code(route.route)} | ${cell(route.because.join(", "))} | ${cell(cells.blended)} | ${cell(cells.worst)} | ${cell(cells.context)} |`,
        row: true,
      });
    }
    body.push({ text: "" });
    const chart = impactChart(report.impact);
    if (chart !== undefined)
      body.push({ text: "_For each route the first bar is before the change, the second after._" }, { text: "" }, { text: chart }, { text: "" });
  }
  for (const { section, entities } of report.diff.sections) {
    body.push({ text: `#### ${TITLE[section]}` }, { text: "" });
    body.push({
      text: `| | ${section === "router" || section === "environment" ? "Setting" : SINGULAR[section][0]?.toUpperCase() + SINGULAR[section].slice(1)} | Change |`,
    });
    body.push({ text: "|---|---|---|" });
    for (const entity of entities) {
      for (const change of entity.changes) {
        body.push({ text: `| ${KIND_MARK[entity.kind]} | ${entity.id === "" ? code(change.key) : code(entity.id)} | ${cell(change.phrase)} |`, row: true });
      }
    }
    body.push({ text: "" });
  }
  if (report.policies !== undefined && hasPolicyChanges(report.policies)) {
    const delta = report.policies;
    body.push({ text: "#### Policies" }, { text: "" });
    body.push({ text: "| | Policy | Where | Finding |" }, { text: "|---|---|---|---|" });
    const row = (mark: string, f: PolicyFindingChange): MdLine => ({
      text: `| ${mark} | ${code(f.code)} | ${f.where === "" ? "—" : code(f.where)} | ${cell(f.message)} |`,
      row: true,
    });
    for (const f of delta.newlyFailing) body.push(row(f.severity === "error" ? "❌ newly failing" : "⚠️ new warning", f));
    for (const f of delta.newlyPassing) body.push(row("✅ newly passing", f));
    for (const f of delta.severityChanged) body.push(row(`↕️ ${f.oldSeverity} → ${f.severity}`, f));
    body.push({ text: "" });
  }
  const details: MdLine[] = [];
  if (report.diff.hasChanges && report.authored !== undefined && report.authored.length > 0) {
    // Both sides came from source: the settings as the author wrote them, no defaults nobody wrote.
    details.push({ text: `<details><summary>Changed settings, as written in routes.ts (${report.authored.length})</summary>` }, { text: "" });
    details.push({ text: "| Setting | Change | Old | New |" }, { text: "|---|---|---|---|" });
    for (const change of report.authored) {
      // `—`: the side does not write the setting (absent, or left to its default).
      const value = (text: string | undefined): string => (text === undefined ? "—" : code(text));
      details.push({ text: `| ${code(change.key)} | ${KIND_WORD[change.kind]} | ${value(change.old)} | ${value(change.new)} |`, row: true });
    }
    details.push({ text: "" }, { text: "</details>" }, { text: "" });
  } else if (report.diff.hasChanges) {
    details.push({ text: `<details><summary>Changed keys (${report.diff.changes.length})</summary>` }, { text: "" });
    details.push({ text: "| Key | Change | Old | New |" }, { text: "|---|---|---|---|" });
    for (const change of report.diff.changes)
      details.push({ text: `| ${code(change.key)} | ${KIND_WORD[change.kind]} | ${jsonValue(change.old)} | ${jsonValue(change.new)} |`, row: true });
    details.push({ text: "" }, { text: "</details>" }, { text: "" });
  }
  const footer: MdLine = {
    text: `<sub>old ${code(report.old.hash.slice(0, 12))} · new ${code(report.new.hash.slice(0, 12))} · generated by \`switchyard diff\`</sub>`,
  };
  const render = (lines: MdLine[]): string => `${lines.map((line) => line.text).join("\n")}\n`;

  const full = render([...head, ...body, ...details, footer]);
  if (full.length <= maxLength) return full;
  const detailsNote: MdLine = { text: "_The table of changed keys is left out to fit a comment; `--format json` lists every key with both values._" };
  const withoutDetails = render([...head, ...body, detailsNote, { text: "" }, footer]);
  if (withoutDetails.length <= maxLength) return withoutDetails;

  // Still too long: keep rows while they fit and say how many were left out.
  const kept: MdLine[] = [...head];
  const reserve = footer.text.length + detailsNote.text.length + 200;
  let length = render(head).length;
  let dropped = 0;
  for (const line of body) {
    if (dropped === 0 && length + line.text.length + 1 + reserve <= maxLength) {
      kept.push(line);
      length += line.text.length + 1;
    } else if (line.row === true) dropped++;
  }
  kept.push(
    { text: "" },
    {
      text: `_… and ${dropped} more row${dropped === 1 ? "" : "s"} not shown: the comment would exceed GitHub's size limit. Run \`switchyard diff\` locally for the whole plan._`,
    },
    { text: "" },
    detailsNote,
    { text: "" },
    footer,
  );
  return render(kept);
}

// ---------------------------------------------------------------------------------------------
// json

function formatJson(report: DiffReport): string {
  const body = {
    schemaVersion: DIFF_SCHEMA_VERSION,
    old: report.old,
    new: report.new,
    hasChanges: report.diff.hasChanges,
    summary: summaryLine(report),
    environment: report.diff.environment,
    counts: report.diff.counts,
    changes: report.diff.changes.map((c: Change) => ({
      key: c.key,
      path: c.path,
      kind: c.kind,
      section: c.section,
      id: c.id,
      old: c.old,
      new: c.new,
      summary: c.summary,
    })),
    sections: report.diff.sections.map((s) => ({
      section: s.section,
      entities: s.entities.map((e) => ({ id: e.id, kind: e.kind, changes: e.changes.map((c) => c.key) })),
    })),
    policies: report.policies ?? null,
    impact: report.impact ?? null,
    authored: report.authored ?? null,
  };
  return `${JSON.stringify(body, null, 2)}\n`;
}

/**
 * Render a diff report. Pure: no I/O, no clock.
 *
 * @example process.stdout.write(formatDiff(report, "markdown"));
 */
export function formatDiff(report: DiffReport, format: DiffFormat, options: FormatDiffOptions = {}): string {
  switch (format) {
    case "pretty":
      return formatPretty(report, options);
    case "json":
      return formatJson(report);
    case "markdown":
      return formatMarkdown(report, options.maxLength ?? MARKDOWN_MAX_LENGTH);
  }
}

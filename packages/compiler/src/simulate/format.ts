/** @module simulate/format — pure renderers of a simulation report: pretty (terminal), markdown (PR comment, with a chart), json. */
import type { DecideErrorCode } from "@switchyard/router";
import { groupDigits } from "../diff/show.ts";
import { mermaidBeforeAfter } from "./chart.ts";
import type { BudgetSide, GroupFigures, ShareRow, SideFigures, SimulationReport } from "./report.ts";

export const SIMULATE_FORMATS = ["pretty", "markdown", "json"] as const;
export type SimulateFormat = (typeof SIMULATE_FORMATS)[number];

/** The HTTP answer each decide() refusal becomes, as the router sends it. */
const STATUS: Record<DecideErrorCode, string> = {
  route_not_found: "404 route_not_found",
  route_not_allowed: "403 route_not_allowed",
  no_candidates: "503 no_candidates",
  context_length_exceeded: "400 context_length_exceeded",
};

export function usd(value: number | null): string {
  if (value === null) return "—";
  if (value === 0) return "$0";
  if (value >= 1000) return `$${groupDigits(Math.round(value))}`;
  if (value >= 1) return `$${value.toFixed(2)}`;
  return `$${value.toFixed(4)}`;
}

/** `after` relative to `before`: `=`, `×22.9`, `+12.0 %`, `−40.0 %`, `new`. */
export function change(before: number | null, after: number | null): string {
  if (before === null || after === null) return "—";
  if (before === after) return "=";
  if (before === 0) return "new";
  const ratio = after / before;
  if (ratio >= 2) return `×${ratio.toFixed(1)}`;
  const percent = (ratio - 1) * 100;
  if (Math.abs(percent) < 0.05) return "=";
  return `${percent > 0 ? "+" : "−"}${Math.abs(percent).toFixed(1)} %`;
}

const percent = (share: number): string => `${(share * 100).toFixed(1)} %`;
const ms = (value: number | null): string => (value === null ? "—" : `${groupDigits(Math.round(value))} ms`);
const int = (value: number): string => groupDigits(value);
const arrow = (before: string, after: string): string => (before === after ? before : `${before} → ${after}`);

function rate(count: number, requests: number): string {
  return requests === 0 ? "—" : percent(count / requests);
}

function unroutable(side: SideFigures): number {
  return Object.values(side.unroutable).reduce((sum, n) => sum + (n ?? 0), 0);
}

function sharesText(rows: readonly ShareRow[]): string {
  return rows.length === 0 ? "(none)" : rows.map((row) => `${row.key} ${percent(row.share)}`).join(", ");
}

/** A table: header, rows; rendered aligned for a terminal or as GitHub markdown. */
interface Table {
  title: string;
  header: string[];
  rows: string[][];
  /** A line after the table (what a figure means). */
  note?: string;
}

function costTable(kind: "route" | "team", groups: readonly GroupFigures[]): Table {
  return {
    title: `Cost by ${kind}`,
    header: [kind, "requests", "$/1K req before", "after", "change", "monthly before", "after"],
    rows: groups.map((g) => [
      g.id,
      int(g.requests),
      usd(g.base.usdPer1kRequests),
      usd(g.new.usdPer1kRequests),
      change(g.base.usdPer1kRequests, g.new.usdPer1kRequests),
      usd(g.base.monthlyUsd),
      usd(g.new.monthlyUsd),
    ]),
  };
}

/** Expected latency, saying when models the trace never saw answer take part (they are left out of the figure). */
function latencyText(side: SideFigures, field: "meanMs" | "p95Ms"): string {
  const value = side.latency[field];
  if (value === null) return side.served === 0 ? "—" : "no samples";
  return side.latency.unknownShare > 0 ? `${ms(value)} (${percent(side.latency.unknownShare)} unsampled)` : ms(value);
}

function serviceTable(kind: "route" | "team", groups: readonly GroupFigures[]): Table {
  return {
    title: `Latency and reliability by ${kind}`,
    header: [kind, "mean latency", "p95", "fallback", "failed", "unroutable", "budget-refused"],
    note: "Latency is what the trace observed per model; `no samples`: the answering model never answered in the trace, so its latency is unknown.",
    rows: groups.map((g) => [
      g.id,
      arrow(latencyText(g.base, "meanMs"), latencyText(g.new, "meanMs")),
      arrow(latencyText(g.base, "p95Ms"), latencyText(g.new, "p95Ms")),
      arrow(rate(g.base.fallback, g.requests), rate(g.new.fallback, g.requests)),
      arrow(rate(g.base.failed, g.requests), rate(g.new.failed, g.requests)),
      arrow(int(unroutable(g.base)), int(unroutable(g.new))),
      arrow(int(g.base.refusedByBudget), int(g.new.refusedByBudget)),
    ]),
  };
}

function mixTable(kind: "route" | "team", groups: readonly GroupFigures[]): Table {
  return {
    title: `Model mix by ${kind} (share of requests answered by each model)`,
    header: [kind, "before", "after"],
    rows: groups.map((g) => [g.id, sharesText(g.base.mix), g.mixChanged ? sharesText(g.new.mix) : "(unchanged)"]),
  };
}

function residencyTable(groups: readonly GroupFigures[]): Table | undefined {
  const changed = groups.filter((g) => g.residencyChanged);
  if (changed.length === 0) return undefined;
  return {
    title: "Residency changes by route (where served requests run: provider region, residency)",
    header: ["route", "regions before", "after", "residency before", "after"],
    rows: changed.map((g) => [g.id, sharesText(g.base.regions), sharesText(g.new.regions), sharesText(g.base.residency), sharesText(g.new.residency)]),
  };
}

function budgetTerms(side: BudgetSide | null): string {
  return side === null ? "none" : `$${groupDigits(side.usd)}/${side.per} (${side.mode})`;
}

function runsOut(side: BudgetSide | null): string {
  if (side === null) return "—";
  return side.exhaustedAt === null ? "no" : `${side.exhaustedAt.replace(/:\d\d\.\d{3}Z$/, "Z")} (line ${side.exhaustedLine ?? "?"})`;
}

function projected(side: BudgetSide | null): string {
  if (side === null || side.projectedDays === null) return "—";
  return side.projectedDays >= side.periodDays ? `lasts the ${side.per}` : `after ${side.projectedDays.toFixed(1)} of ${side.periodDays} days`;
}

function budgetTable(report: SimulationReport): Table | undefined {
  if (report.budgets.length === 0) return undefined;
  return {
    title: "Budgets",
    header: ["team", "budget", "spent in trace", "runs out in trace: before", "after", "at the traced rate: before", "after", "refused"],
    rows: report.budgets.map((b) => [
      b.team,
      arrow(budgetTerms(b.base), budgetTerms(b.new)),
      arrow(usd(b.base?.spentUsd ?? null), usd(b.new?.spentUsd ?? null)),
      runsOut(b.base),
      runsOut(b.new),
      projected(b.base),
      projected(b.new),
      arrow(int(b.base?.refused ?? 0), int(b.new?.refused ?? 0)),
    ]),
    note: "Spend starts at zero at the trace's start; `at the traced rate` is when one period's budget would be spent if traffic went on as traced.",
  };
}

function unroutableTable(report: SimulationReport): Table | undefined {
  const rows: string[][] = [];
  for (const g of report.routes) {
    for (const [code, count] of Object.entries(g.becameUnroutable) as [DecideErrorCode, number][]) {
      rows.push([g.id, int(count), STATUS[code], g.firstUnroutableLine === null ? "—" : `${report.traces.file}:${g.firstUnroutableLine}`]);
    }
  }
  if (rows.length === 0) return undefined;
  return { title: "Requests NEW cannot route (BASE could)", header: ["route", "requests", "NEW answers", "first in trace"], rows };
}

function tables(report: SimulationReport): Table[] {
  const out: (Table | undefined)[] = [
    costTable("route", report.routes),
    serviceTable("route", report.routes),
    mixTable("route", report.routes),
    residencyTable(report.routes),
    unroutableTable(report),
    costTable("team", report.teams),
    serviceTable("team", report.teams),
    mixTable("team", report.teams),
    budgetTable(report),
  ];
  return out.filter((t): t is Table => t !== undefined);
}

function headline(report: SimulationReport): string[] {
  const t = report.total;
  const lines = [
    `${int(report.traces.replayed)} requests replayed from ${report.traces.file}` +
      (report.traces.firstTime === null ? "" : `, ${report.traces.firstTime} → ${report.traces.lastTime ?? ""}`) +
      (report.traces.spanDays === null ? " (under a minute: no monthly projection)" : ` (${report.traces.spanDays.toFixed(2)} days)`) +
      `, seed ${report.seed}`,
    `All requests: ${usd(t.base.usdPer1kRequests)} → ${usd(t.new.usdPer1kRequests)} per 1,000 requests (${change(t.base.usdPer1kRequests, t.new.usdPer1kRequests)}); ` +
      `monthly ${usd(t.base.monthlyUsd)} → ${usd(t.new.monthlyUsd)}; mean latency ${arrow(latencyText(t.base, "meanMs"), latencyText(t.new, "meanMs"))}`,
  ];
  const skipped = report.traces.skipped.noRoute + report.traces.skipped.notRouted;
  if (skipped + report.traces.malformed > 0) {
    lines.push(
      `Not replayed: ${int(report.traces.skipped.notRouted)} answered before routing (400/401/413…), ${int(report.traces.skipped.noRoute)} without a route, ${int(report.traces.malformed)} malformed line${report.traces.malformed === 1 ? "" : "s"}`,
    );
  }
  for (const unknown of report.unknownRoutes) {
    lines.push(
      `Warning: ${report.traces.file}:${unknown.firstLine}: route "${unknown.route}" is in neither BASE nor NEW (${int(unknown.requests)} requests, replayed as 404 on both)`,
    );
  }
  return lines;
}

function chart(report: SimulationReport): string | undefined {
  return mermaidBeforeAfter({
    title: "USD per 1,000 requests by route, before and after",
    yAxis: "USD per 1,000 requests",
    bars: report.routes.map((g) => ({ label: g.id, before: g.base.usdPer1kRequests, after: g.new.usdPer1kRequests })),
  });
}

function prettyTable(table: Table): string {
  const widths = table.header.map((h, i) => Math.max(h.length, ...table.rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0)))
      .join("  ")
      .trimEnd();
  const out = [table.title, line(table.header), widths.map((w) => "─".repeat(w)).join("  "), ...table.rows.map(line)];
  if (table.note !== undefined) out.push(table.note);
  return out.join("\n");
}

function cell(text: string): string {
  return text.replaceAll("|", "\\|").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}

function markdownTable(table: Table): string {
  const out = [
    `#### ${table.title}`,
    "",
    `| ${table.header.map(cell).join(" | ")} |`,
    `|${table.header.map((_, i) => (i === 0 ? "---" : "---:")).join("|")}|`,
    ...table.rows.map((r) => `| ${r.map((c, i) => (i === 0 ? `\`${c}\`` : cell(c))).join(" | ")} |`),
  ];
  if (table.note !== undefined) out.push("", `_${table.note}_`);
  return out.join("\n");
}

function sideLabel(report: SimulationReport): string {
  const env = report.base.environment === report.new.environment ? report.base.environment : `${report.base.environment} → ${report.new.environment}`;
  return `${report.base.label} → ${report.new.label} (env ${env})`;
}

function formatPretty(report: SimulationReport): string {
  const parts = [[`switchyard simulate ${sideLabel(report)}`, ...headline(report)].join("\n")];
  for (const table of tables(report)) parts.push(prettyTable(table));
  parts.push(
    `How: ${Object.entries(report.method)
      .map(([k, v]) => `${k}: ${v}`)
      .join("; ")}.`,
  );
  return `${parts.join("\n\n")}\n`;
}

/** GitHub refuses comments over 65,536 characters; stay below with room for a sticky-comment marker (as `diff` does). */
export const SIMULATE_MARKDOWN_MAX_LENGTH = 60_000;

function formatMarkdown(report: SimulationReport, maxLength: number): string {
  const head = [
    `### Switchyard: traffic impact \`${report.base.label}\` → \`${report.new.label}\` (env \`${report.base.environment === report.new.environment ? report.base.environment : `${report.base.environment} → ${report.new.environment}`}\`)`,
    headline(report)
      .map((line, i) => (i === 1 ? `**${line}**` : line))
      .join("  \n"),
  ];
  const drawn = chart(report);
  if (drawn !== undefined) head.push("_$ per 1,000 requests per route: for each route the first bar is before the change, the second after._", drawn);
  const method = [
    "<details><summary>How these figures are made</summary>",
    "",
    ...Object.entries(report.method).map(([k, v]) => `- **${k}**: ${cell(v)}`),
    "",
    "</details>",
  ].join("\n");
  const footer = `<sub>base \`${report.base.hash.slice(0, 12)}\` · new \`${report.new.hash.slice(0, 12)}\` · generated by \`switchyard simulate\`</sub>`;
  const render = (parts: readonly string[]): string => `${parts.join("\n\n")}\n`;
  const all = tables(report);
  const full = render([...head, ...all.map(markdownTable), method, footer]);
  if (full.length <= maxLength) return full;
  // Too long for a comment (hundreds of routes): the tables that fit, in order, then rows of the next one.
  const kept: string[] = [...head];
  const note = "_The rest is left out to fit a PR comment; `--format json` has every route and team._";
  const reserve = note.length + footer.length + 16;
  let length = render(kept).length;
  for (const table of all) {
    const text = markdownTable(table);
    if (length + text.length + 2 + reserve <= maxLength) {
      kept.push(text);
      length += text.length + 2;
      continue;
    }
    const rows: string[][] = [];
    for (const row of table.rows) {
      const next = markdownTable({ ...table, rows: [...rows, row] });
      if (length + next.length + 2 + reserve > maxLength) break;
      rows.push(row);
    }
    if (rows.length > 0) kept.push(markdownTable({ ...table, rows, note: `… and ${table.rows.length - rows.length} more rows.` }));
    break;
  }
  return render([...kept, note, footer]);
}

/**
 * Render a simulation report. Pure: the same report gives the same bytes.
 *
 * @example process.stdout.write(formatSimulation(report, "markdown"));
 */
export function formatSimulation(report: SimulationReport, format: SimulateFormat, options: { maxLength?: number } = {}): string {
  switch (format) {
    case "pretty":
      return formatPretty(report);
    case "markdown":
      return formatMarkdown(report, options.maxLength ?? SIMULATE_MARKDOWN_MAX_LENGTH);
    case "json":
      return `${JSON.stringify(report, null, 2)}\n`;
  }
}

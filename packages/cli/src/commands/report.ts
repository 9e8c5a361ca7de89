/** @module commands/report — `switchyard report`: spend, latency and fallback tables from a JSONL trace file. */
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import type { TraceRecord } from "@switchyard/router";
import type { Command } from "../command.ts";
import { ExitCode, UsageError } from "../command.ts";

/**
 * What rows are keyed by: a record field, the route's `when` rule that chose the target (`rule`: `support: rule 2`,
 * `support: no rule`), every `key:value` tag (`tag`: a request with several tags counts in each of its rows), or the
 * values of one tag key (`tag:KEY`).
 */
export type ReportGrouping = "route" | "team" | "model" | "rule" | "tag" | `tag:${string}`;
export type ReportFormat = "pretty" | "json" | "markdown";

/** A line of the file that is not a trace record, with its 1-based line number. */
export interface BadLine {
  line: number;
  message: string;
}

/** The fields the report reads; checked per line so one bad line never stops the report. */
type ReportRecord = Pick<TraceRecord, "requestId" | "status" | "outcome" | "inputTokens" | "outputTokens" | "costUsd" | "fallback" | "retries" | "latencyMs"> &
  Partial<Pick<TraceRecord, "route" | "team" | "model" | "ttftMs" | "attempts" | "tags" | "cachedInputTokens" | "rule">>;

export interface SpendRow {
  key: string;
  requests: number;
  errors: number;
  inputTokens: number;
  /** Of inputTokens, read from a prompt cache. */
  cachedInputTokens: number;
  outputTokens: number;
  costUsd: number;
}

export interface LatencyRow {
  key: string;
  /** Successful requests the percentiles are computed over. */
  ok: number;
  p50Ms: number | undefined;
  p95Ms: number | undefined;
  ttftP50Ms: number | undefined;
  ttftP95Ms: number | undefined;
}

export interface FallbackRow {
  key: string;
  requests: number;
  fallbacks: number;
  /** fallbacks / requests. */
  rate: number;
  retries: number;
  /** Failure classes that caused moves to the next candidate, most frequent first. */
  reasons: { reason: string; count: number }[];
}

export interface GroupReport {
  spend: SpendRow[];
  /** Every record of the grouping once (with `--by tag` a request with two tags is in two rows, and once here). */
  total: Omit<SpendRow, "key">;
  latency: LatencyRow[];
  fallbacks: FallbackRow[];
}

export interface TraceReport {
  records: number;
  badLines: BadLine[];
  by: Partial<Record<ReportGrouping, GroupReport>>;
}

const NUMBER_FIELDS = ["status", "inputTokens", "outputTokens", "costUsd", "retries", "latencyMs"] as const;

/** Parse JSONL text into records; every other line becomes a BadLine (never a throw). */
export function parseTraceLines(text: string): { records: ReportRecord[]; badLines: BadLine[] } {
  const records: ReportRecord[] = [];
  const badLines: BadLine[] = [];
  const lines = text.split("\n");
  for (const [index, raw] of lines.entries()) {
    const line = raw.trim();
    if (line === "") continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      badLines.push({ line: index + 1, message: "not JSON" });
      continue;
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      badLines.push({ line: index + 1, message: "not a JSON object" });
      continue;
    }
    const r = value as Record<string, unknown>;
    if (r["v"] !== 1) {
      badLines.push({
        line: index + 1,
        message: r["v"] === undefined ? "not a trace record (no `v`)" : `unsupported trace schema version ${JSON.stringify(r["v"])}`,
      });
      continue;
    }
    // A router event (a canary decision, `"kind":"canary"`) shares the file but is not a request.
    if (r["kind"] !== undefined) continue;
    const wrong = NUMBER_FIELDS.find((f) => typeof r[f] !== "number" || !Number.isFinite(r[f]));
    if (wrong !== undefined || typeof r["requestId"] !== "string") {
      badLines.push({ line: index + 1, message: `field \`${wrong ?? "requestId"}\` is missing or has the wrong type` });
      continue;
    }
    records.push(value as ReportRecord);
  }
  return { records, badLines };
}

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: readonly number[], p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** The record's tags, when it carries a map of strings (a line of the file is untrusted). */
function tagsOf(record: ReportRecord): [string, string][] {
  const tags: unknown = record.tags;
  if (typeof tags !== "object" || tags === null || Array.isArray(tags)) return [];
  return Object.entries(tags).filter((entry): entry is [string, string] => typeof entry[1] === "string");
}

/** The row keys a record counts in: one, or with `--by tag` one per tag. */
function keysOf(record: ReportRecord, by: ReportGrouping): string[] {
  if (by === "tag") {
    const tags = tagsOf(record);
    return tags.length === 0 ? ["(no tag)"] : tags.map(([key, value]) => `${key}:${value}`);
  }
  if (by.startsWith("tag:")) {
    const wanted = by.slice(4);
    const found = tagsOf(record).find(([key]) => key === wanted);
    return [found === undefined ? `(no ${wanted} tag)` : found[1]];
  }
  if (by === "rule") {
    // A rule's number is its route's: rows are per route.
    const route = typeof record.route === "string" ? record.route : "(no route)";
    return [typeof record.rule === "number" && Number.isInteger(record.rule) && record.rule > 0 ? `${route}: rule ${record.rule}` : `${route}: no rule`];
  }
  const value = by === "route" ? record.route : by === "team" ? record.team : record.model;
  return [typeof value === "string" ? value : by === "route" ? "(no route)" : by === "team" ? "(no team)" : "(no answer)"];
}

const count = (value: unknown): number => (typeof value === "number" && Number.isFinite(value) && value >= 0 ? value : 0);

/** Requests, errors, tokens and cost of some records. */
function spendOf(list: readonly ReportRecord[]): Omit<SpendRow, "key"> {
  return {
    requests: list.length,
    errors: list.filter((r) => r.outcome !== "ok").length,
    inputTokens: list.reduce((a, r) => a + r.inputTokens, 0),
    cachedInputTokens: list.reduce((a, r) => a + count(r.cachedInputTokens), 0),
    outputTokens: list.reduce((a, r) => a + r.outputTokens, 0),
    costUsd: list.reduce((a, r) => a + r.costUsd, 0),
  };
}

/** Group and total the records by one key. Rows are sorted by cost, then requests, then key. */
export function groupReport(records: readonly ReportRecord[], by: ReportGrouping): GroupReport {
  const groups = new Map<string, ReportRecord[]>();
  for (const r of records) {
    for (const key of keysOf(r, by)) {
      const list = groups.get(key);
      if (list === undefined) groups.set(key, [r]);
      else list.push(r);
    }
  }
  const spend: SpendRow[] = [];
  const latency: LatencyRow[] = [];
  const fallbacks: FallbackRow[] = [];
  for (const [key, list] of groups) {
    spend.push({ key, ...spendOf(list) });
    const ok = list.filter((r) => r.outcome === "ok");
    const lat = ok.map((r) => r.latencyMs).sort((a, b) => a - b);
    const ttft = ok.flatMap((r) => (typeof r.ttftMs === "number" ? [r.ttftMs] : [])).sort((a, b) => a - b);
    latency.push({
      key,
      ok: ok.length,
      p50Ms: percentile(lat, 50),
      p95Ms: percentile(lat, 95),
      ttftP50Ms: percentile(ttft, 50),
      ttftP95Ms: percentile(ttft, 95),
    });
    const reasons = new Map<string, number>();
    for (const r of list) {
      for (const a of Array.isArray(r.attempts) ? r.attempts : []) {
        if (a.reason === "fallback") reasons.set(a.after ?? "unknown", (reasons.get(a.after ?? "unknown") ?? 0) + 1);
      }
    }
    const count = list.filter((r) => r.fallback === true).length;
    fallbacks.push({
      key,
      requests: list.length,
      fallbacks: count,
      rate: count / list.length,
      retries: list.reduce((a, r) => a + r.retries, 0),
      reasons: [...reasons].map(([reason, n]) => ({ reason, count: n })).sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason)),
    });
  }
  const order = new Map(spend.sort((a, b) => b.costUsd - a.costUsd || b.requests - a.requests || a.key.localeCompare(b.key)).map((row, i) => [row.key, i]));
  const byOrder = (a: { key: string }, b: { key: string }) => (order.get(a.key) ?? 0) - (order.get(b.key) ?? 0);
  return { spend, total: spendOf(records), latency: latency.sort(byOrder), fallbacks: fallbacks.sort(byOrder) };
}

/**
 * Build the report of a JSONL trace file's text.
 *
 * @example const report = buildReport(await readFile("traces.jsonl", "utf8"), ["route"]);
 */
export function buildReport(text: string, groupings: readonly ReportGrouping[]): TraceReport {
  const { records, badLines } = parseTraceLines(text);
  const by: TraceReport["by"] = {};
  for (const g of groupings) by[g] = groupReport(records, g);
  return { records: records.length, badLines, by };
}

const usd = (v: number): string => `$${v >= 100 ? v.toFixed(2) : v.toFixed(4)}`;
const ms = (v: number | undefined): string => (v === undefined ? "–" : `${Math.round(v)} ms`);
const pct = (v: number): string => `${(v * 100).toFixed(1)}%`;
const int = (v: number): string => v.toLocaleString("en-US");

/** Table cells of one grouping: [title, header, rows]. */
function tables(by: ReportGrouping, g: GroupReport): [string, string[], string[][]][] {
  const total = g.total;
  return [
    [
      `Spend by ${by}`,
      [by, "requests", "errors", "input tokens", "cached", "output tokens", "cost"],
      [
        ...g.spend.map((r) => [r.key, int(r.requests), int(r.errors), int(r.inputTokens), int(r.cachedInputTokens), int(r.outputTokens), usd(r.costUsd)]),
        ["total", int(total.requests), int(total.errors), int(total.inputTokens), int(total.cachedInputTokens), int(total.outputTokens), usd(total.costUsd)],
      ],
    ],
    [
      `Latency by ${by} (successful requests)`,
      [by, "ok", "p50", "p95", "ttft p50", "ttft p95"],
      g.latency.map((r) => [r.key, int(r.ok), ms(r.p50Ms), ms(r.p95Ms), ms(r.ttftP50Ms), ms(r.ttftP95Ms)]),
    ],
    [
      `Fallbacks by ${by}`,
      [by, "requests", "fallbacks", "rate", "retries", "top reasons"],
      g.fallbacks.map((r) => [
        r.key,
        int(r.requests),
        int(r.fallbacks),
        pct(r.rate),
        int(r.retries),
        r.reasons
          .slice(0, 3)
          .map((x) => `${x.reason} ×${x.count}`)
          .join(", ") || "–",
      ]),
    ],
  ];
}

function prettyTable(title: string, header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0)))
      .join("  ")
      .trimEnd();
  return [title, line(header), widths.map((w) => "─".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

function markdownTable(title: string, header: string[], rows: string[][]): string {
  const esc = (c: string) => c.replace(/\|/g, "\\|");
  return [
    `### ${title}`,
    "",
    `| ${header.map(esc).join(" | ")} |`,
    `|${header.map((_, i) => (i === 0 ? " --- " : " ---: ")).join("|")}|`,
    ...rows.map((r) => `| ${r.map(esc).join(" | ")} |`),
  ].join("\n");
}

/** Render a report; pure. `json` is the TraceReport itself. */
export function renderReport(report: TraceReport, format: ReportFormat, file: string): string {
  if (format === "json") return `${JSON.stringify({ file, ...report }, null, 2)}\n`;
  const parts: string[] = [];
  const head = `${report.records} trace record${report.records === 1 ? "" : "s"} from ${file}${report.badLines.length > 0 ? ` (${report.badLines.length} bad line${report.badLines.length === 1 ? "" : "s"} skipped)` : ""}`;
  parts.push(format === "markdown" ? `## Switchyard report\n\n${head}` : head);
  for (const [by, g] of Object.entries(report.by) as [ReportGrouping, GroupReport][]) {
    for (const [title, header, rows] of tables(by, g))
      parts.push(format === "markdown" ? markdownTable(title, header, rows) : prettyTable(title, header, rows));
  }
  return `${parts.join("\n\n")}\n`;
}

const FORMATS: readonly ReportFormat[] = ["pretty", "json", "markdown"];
/** The groupings printed without `--by`. */
const GROUPINGS: readonly ReportGrouping[] = ["route", "team", "model"];
/** A tag key as `x-switchyard-tags` allows it. */
const TAG_KEY_RE = /^[A-Za-z0-9_.-]+$/;

function isGrouping(by: string): by is ReportGrouping {
  return by === "route" || by === "team" || by === "model" || by === "rule" || by === "tag" || (by.startsWith("tag:") && TAG_KEY_RE.test(by.slice(4)));
}

export const command: Command = {
  name: "report",
  summary: "Spend, latency and fallback tables from a JSONL trace file",
  usage: "switchyard report FILE.jsonl [--format pretty|json|markdown] [--by route|team|model|rule|tag|tag:KEY]",
  help:
    "Reads trace records written by the router's JSONL sink (telemetry.jsonl in routes.ts) and prints spend\n" +
    "(requests, errors, tokens, cost), latency (p50/p95 of successful requests and of time to first token)\n" +
    "and fallback (rate, retries, top reasons) tables, by route, team and model (or only --by one of them).\n" +
    "--by tag groups by the x-switchyard-tags of each request (a request with two tags counts in both rows;\n" +
    "the total counts it once); --by tag:KEY groups by the values of one tag key.\n" +
    "Lines that are not trace records are reported on stderr with their line number and skipped.\n" +
    "Exit codes: 0 report printed, 1 the file holds no trace record, 2 usage error or unreadable file.",
  options: {
    format: { type: "string", short: "f", description: "pretty (default), json or markdown" },
    by: { type: "string", description: "route, team, model, rule, tag or tag:KEY (default: route, team and model)" },
  },
  async run({ positionals, values, io }) {
    if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? "report needs a JSONL trace file" : "report takes one file");
    const format = (values["format"] ?? "pretty") as string;
    if (!FORMATS.includes(format as ReportFormat)) throw new UsageError(`--format must be one of ${FORMATS.join(", ")}, got "${format}"`);
    const by = values["by"] as string | undefined;
    if (by !== undefined && !isGrouping(by))
      throw new UsageError(`--by must be route, team, model, rule, tag or tag:KEY (KEY: letters, digits, _ . -), got "${by}"`);
    const file = positionals[0] ?? "";
    let text: string;
    try {
      text = await readFile(resolve(io.cwd, file), "utf8");
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      io.stderr(
        `switchyard report: cannot read ${file}: ${code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a directory" : (code ?? "read error")}\n`,
      );
      return ExitCode.usage;
    }
    const report = buildReport(text, by === undefined ? GROUPINGS : [by]);
    if (format !== "json") for (const bad of report.badLines) io.stderr(`${file}:${bad.line}: skipped: ${bad.message}\n`);
    io.stdout(renderReport(report, format as ReportFormat, file));
    return report.records === 0 ? ExitCode.failed : ExitCode.ok;
  },
};

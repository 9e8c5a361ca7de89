/** @module `switchyard report`: spend, latency and fallback tables from JSONL traces, in three formats; bad lines reported by number. */
import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Io, runCli } from "@switchyard/cli";
import { TRACE_SCHEMA_VERSION, type TraceAttempt, type TraceRecord } from "@switchyard/router";
import { buildReport, groupReport, parseTraceLines } from "../../packages/cli/src/commands/report.ts";

const root = path.join(import.meta.dirname, "..", "..");
const STACK = /\n\s+at .+:\d+:\d+\)?/;

const attempt = (over: Partial<TraceAttempt>): TraceAttempt => ({
  model: "big",
  provider: "east",
  region: undefined,
  step: 0,
  attempt: 1,
  outcome: "ok",
  errorClass: undefined,
  status: undefined,
  latencyMs: 10,
  ttftMs: undefined,
  reason: "primary",
  after: undefined,
  ...over,
});

function rec(n: number, over: Partial<TraceRecord> = {}): TraceRecord {
  return {
    v: TRACE_SCHEMA_VERSION,
    requestId: `r${n}`,
    time: new Date(1_800_000_000_000 + n * 1000).toISOString(),
    environment: "prod",
    configVersion: "h",
    route: "chat",
    team: "support",
    status: 200,
    outcome: "ok",
    errorCode: undefined,
    stream: false,
    candidates: [],
    attempts: [attempt({})],
    model: "big",
    provider: "east",
    inputTokens: 100,
    outputTokens: 10,
    costUsd: 0.01,
    canary: false,
    fallback: false,
    retries: 0,
    validation: "none",
    latencyMs: 100 + n,
    ttftMs: 50,
    ...over,
  };
}

/** 10 plain chat requests (latency 100..109), 2 fallbacks to `small`, 1 failure, 1 legal request. */
const records: TraceRecord[] = [
  ...Array.from({ length: 10 }, (_, n) => rec(n)),
  ...[20, 21].map((n) =>
    rec(n, {
      model: "small",
      fallback: true,
      retries: 1,
      costUsd: 0.001,
      attempts: [
        attempt({ outcome: "error", errorClass: "5xx" }),
        attempt({ outcome: "error", errorClass: "5xx", reason: "retry", after: "5xx" }),
        attempt({ model: "small", step: 1, reason: "fallback", after: "5xx" }),
      ],
    }),
  ),
  rec(30, {
    status: 502,
    outcome: "error",
    errorCode: "all_candidates_failed",
    model: undefined,
    inputTokens: 0,
    outputTokens: 0,
    costUsd: 0,
    attempts: [
      attempt({ outcome: "error", errorClass: "timeout" }),
      attempt({ model: "small", step: 1, outcome: "error", errorClass: "5xx", reason: "fallback", after: "timeout" }),
    ],
  }),
  rec(40, { route: "legal", team: "legal", model: "small", costUsd: 2.5, inputTokens: 5000, outputTokens: 700 }),
];

let dir: string;
let file: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "sy-report-"));
  file = path.join(dir, "traces.jsonl");
  const lines = records.map((r) => JSON.stringify(r));
  // Line 4: garbage; line 9: a JSON line that is not a record; line 12: a record missing costUsd.
  lines.splice(3, 0, "{this is not json");
  lines.splice(8, 0, JSON.stringify({ level: "info", msg: "router listening" }));
  lines.splice(11, 0, JSON.stringify({ ...rec(99), costUsd: "a lot" }));
  await writeFile(file, `${lines.join("\n")}\n`);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function cli(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const io: Io = { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), cwd: dir, env: { NO_COLOR: "1" } };
  const code = await runCli({ argv, io });
  return { code, stdout, stderr };
}

describe("report core", () => {
  it("bad lines are reported with their line numbers, the rest parsed", () => {
    const { records: parsed, badLines } = parseTraceLines(
      `${JSON.stringify(rec(1))}\n\nnope\n[1]\n${JSON.stringify({ ...rec(2), v: 7 })}\n${JSON.stringify({ ...rec(3), status: "200" })}\n`,
    );
    expect(parsed).toHaveLength(1);
    expect(badLines).toEqual([
      { line: 3, message: "not JSON" },
      { line: 4, message: "not a JSON object" },
      { line: 5, message: "unsupported trace schema version 7" },
      { line: 6, message: "field `status` is missing or has the wrong type" },
    ]);
  });

  it("a canary decision line in the trace file is neither a record nor a bad line", () => {
    const event = { v: 1, kind: "canary", time: "2027-01-01T00:00:00.000Z", route: "chat", model: "m", action: "rollback", step: -1, percent: 0, reason: "r" };
    const { records: parsed, badLines } = parseTraceLines(`${JSON.stringify(rec(1))}\n${JSON.stringify(event)}\n`);
    expect(parsed).toHaveLength(1);
    expect(badLines).toEqual([]);
  });

  it("spend, latency and fallback rows by route", () => {
    const g = groupReport(records, "route");
    expect(g.spend.map((r) => [r.key, r.requests, r.errors, r.inputTokens, r.outputTokens, Number(r.costUsd.toFixed(6))])).toEqual([
      ["legal", 1, 0, 5000, 700, 2.5],
      ["chat", 13, 1, 1200, 120, 0.102],
    ]);
    const chat = g.latency.find((r) => r.key === "chat");
    // 12 successful chat requests: 100..109, 120, 121 → nearest-rank p50 = 105, p95 = 121.
    expect(chat).toMatchObject({ ok: 12, p50Ms: 105, p95Ms: 121, ttftP50Ms: 50 });
    const fb = g.fallbacks.find((r) => r.key === "chat");
    expect(fb).toMatchObject({
      requests: 13,
      fallbacks: 2,
      retries: 2,
      reasons: [
        { reason: "5xx", count: 2 },
        { reason: "timeout", count: 1 },
      ],
    });
    expect(fb?.rate).toBeCloseTo(2 / 13, 9);
  });

  it("by model groups on the answering model; failures have none", () => {
    const g = groupReport(records, "model");
    expect(g.spend.map((r) => [r.key, r.requests])).toEqual([
      ["small", 3],
      ["big", 10],
      ["(no answer)", 1],
    ]);
  });

  it("an empty file is a report of nothing", () => {
    expect(buildReport("", ["team"])).toEqual({
      records: 0,
      badLines: [],
      by: {
        team: { spend: [], total: { requests: 0, errors: 0, inputTokens: 0, cachedInputTokens: 0, outputTokens: 0, costUsd: 0 }, latency: [], fallbacks: [] },
      },
    });
  });
});

describe("switchyard report (CLI)", () => {
  it("pretty: three tables per grouping, totals, bad lines on stderr with line numbers, exit 0", async () => {
    const r = await cli(["report", "traces.jsonl"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`14 trace records from traces.jsonl (3 bad lines skipped)`);
    for (const by of ["route", "team", "model"]) for (const t of ["Spend", "Latency", "Fallbacks"]) expect(r.stdout).toContain(`${t} by ${by}`);
    expect(r.stdout).toMatch(/total\s+14\s+1\s+6,200\s+0\s+820\s+\$2\.6020/);
    expect(r.stdout).toMatch(/chat\s+13\s+2\s+15\.4%\s+2\s+5xx ×2, timeout ×1/);
    expect(r.stderr.trim().split("\n")).toEqual([
      "traces.jsonl:4: skipped: not JSON",
      "traces.jsonl:9: skipped: not a trace record (no `v`)",
      "traces.jsonl:12: skipped: field `costUsd` is missing or has the wrong type",
    ]);
  });

  it("--by team --format markdown: pipe tables for one grouping", async () => {
    const r = await cli(["report", "traces.jsonl", "--by", "team", "--format", "markdown"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("### Spend by team");
    expect(r.stdout).not.toContain("by route");
    expect(r.stdout).toContain("| team | requests | errors | input tokens | cached | output tokens | cost |");
    expect(r.stdout).toContain("| legal | 1 | 0 | 5,000 | 0 | 700 | $2.5000 |");
  });

  it("--format json: the report as data, bad lines included", async () => {
    const r = await cli(["report", "traces.jsonl", "--format", "json", "--by", "model"]);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout) as { records: number; badLines: { line: number }[]; by: { model: { spend: { key: string; costUsd: number }[] } } };
    expect(json.records).toBe(14);
    expect(json.badLines.map((b) => b.line)).toEqual([4, 9, 12]);
    expect(json.by.model.spend.find((s) => s.key === "small")?.costUsd).toBeCloseTo(2.502, 9);
    expect(r.stderr).toBe("");
  });

  it("--by tag: a row per key:value (a request with two tags in both), the total counts each request once; --by tag:KEY partitions", async () => {
    const tagged = [
      rec(1, { tags: { feature: "search", tenant: "acme" }, costUsd: 0.5, inputTokens: 1000, cachedInputTokens: 800 }),
      rec(2, { tags: { feature: "search" }, costUsd: 0.25 }),
      rec(3, { tags: { feature: "chat", tenant: "globex" }, costUsd: 1 }),
      rec(4, { costUsd: 0.125 }),
    ];
    await writeFile(path.join(dir, "tagged.jsonl"), `${tagged.map((r) => JSON.stringify(r)).join("\n")}\n`);
    const json = await cli(["report", "tagged.jsonl", "--by", "tag", "--format", "json"]);
    expect(json.code).toBe(0);
    const byTag = (
      JSON.parse(json.stdout) as {
        by: { tag: { spend: { key: string; requests: number; costUsd: number; cachedInputTokens: number }[]; total: { requests: number; costUsd: number } } };
      }
    ).by.tag;
    expect(byTag.spend.map((r) => [r.key, r.requests, r.costUsd, r.cachedInputTokens])).toEqual([
      ["feature:chat", 1, 1, 0],
      ["tenant:globex", 1, 1, 0],
      ["feature:search", 2, 0.75, 800],
      ["tenant:acme", 1, 0.5, 800],
      ["(no tag)", 1, 0.125, 0],
    ]);
    expect(byTag.total).toMatchObject({ requests: 4, costUsd: 1.875 });

    const pretty = await cli(["report", "tagged.jsonl", "--by", "tag:tenant"]);
    expect(pretty.code).toBe(0);
    expect(pretty.stdout).toContain("Spend by tag:tenant");
    expect(pretty.stdout).toMatch(/globex\s+1\s+0\s+100\s+0\s+10\s+\$1\.0000/);
    expect(pretty.stdout).toMatch(/acme\s+1\s+0\s+1,000\s+800\s+10\s+\$0\.5000/);
    expect(pretty.stdout).toMatch(/\(no tenant tag\)\s+2\s+0\s+200\s+0\s+20\s+\$0\.3750/);
    expect(pretty.stdout).toMatch(/total\s+4\s+0\s+1,300\s+800\s+40\s+\$1\.8750/);

    const bad = await cli(["report", "tagged.jsonl", "--by", "tag:no spaces"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--by must be route, team, model, rule, tag or tag:KEY");
  });

  it("--by rule: a row per route and the `when` rule that chose its target, and the route's requests no rule matched", async () => {
    const ruled = [
      rec(1, { route: "support", rule: 2, costUsd: 0.5 }),
      rec(2, { route: "support", rule: 2, costUsd: 0.25 }),
      rec(3, { route: "support", costUsd: 0.125 }),
      rec(4, { route: "search", rule: 1, costUsd: 1 }),
    ];
    await writeFile(path.join(dir, "ruled.jsonl"), `${ruled.map((r) => JSON.stringify(r)).join("\n")}\n`);
    const json = await cli(["report", "ruled.jsonl", "--by", "rule", "--format", "json"]);
    expect(json.code).toBe(0);
    const byRule = (JSON.parse(json.stdout) as { by: { rule: { spend: { key: string; requests: number; costUsd: number }[] } } }).by.rule;
    expect(byRule.spend.map((r) => [r.key, r.requests, r.costUsd])).toEqual([
      ["search: rule 1", 1, 1],
      ["support: rule 2", 2, 0.75],
      ["support: no rule", 1, 0.125],
    ]);
    const pretty = await cli(["report", "ruled.jsonl", "--by", "rule"]);
    expect(pretty.stdout).toContain("Spend by rule");
  });

  it("usage errors and unreadable files: one line, exit 2, no stack", async () => {
    for (const argv of [
      ["report"],
      ["report", "traces.jsonl", "--by", "region"],
      ["report", "traces.jsonl", "--format", "xml"],
      ["report", "missing.jsonl"],
      ["report", "."],
    ]) {
      const r = await cli(argv);
      expect(r.code, argv.join(" ")).toBe(2);
      expect(r.stderr).not.toMatch(STACK);
    }
    expect((await cli(["report", "missing.jsonl"])).stderr).toContain("cannot read missing.jsonl: no such file");
  });

  it("a file with no trace record exits 1", async () => {
    await writeFile(path.join(dir, "junk.jsonl"), "hello\nworld\n");
    const r = await cli(["report", "junk.jsonl"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("junk.jsonl:2: skipped: not JSON");
  });

  it("runs as the installed command", async () => {
    const bin = path.join(root, "packages", "cli", "bin", "switchyard.mjs");
    const out = await new Promise<{ code: number | null; stdout: string }>((resolve, reject) => {
      const child = spawn(process.execPath, [bin, "report", file, "--by", "route"], {
        stdio: ["ignore", "pipe", "pipe"],
        env: { ...process.env, NO_COLOR: "1" },
      });
      let stdout = "";
      child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
      child.on("error", reject);
      child.on("close", (code) => resolve({ code, stdout }));
    });
    expect(out.code).toBe(0);
    expect(out.stdout).toContain("Spend by route");
  }, 30_000);
});

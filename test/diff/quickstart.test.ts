/**
 * The quickstart against an edited copy, through the real compiler: the diff lists exactly the
 * edits made — over a dozen kinds — in the DSL's own units (durations, percentages, dollars).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compile, createDiffReport, formatDiff, loadDiffSide, type LoadedSide } from "../../packages/compiler/src/index.ts";

const quickstart = join(import.meta.dirname, "..", "..", "examples", "quickstart", "routes.ts");

/** Each edit: the text to find in the quickstart, and what it becomes. */
const EDITS: [string, string][] = [
  [`failRate: 0.3,`, `failRate: 0.1,`],
  [`region: "eu", mock:`, `region: "eu", residency: "eu", mock:`],
  [`price: { input: 0.1, output: 0.4 }`, `price: { input: 0.2, output: 0.4 }`],
  [`name: "mock-smart-1", context: 128_000`, `name: "mock-smart-1", context: 200_000`],
  [`price: { input: 0.5, output: 2 }, owner: "platform" }`, `price: { input: 0.5, output: 2 }, owner: "platform", lifecycle: "deprecated" }`],
  [`{ model: "mock-fast", weight: 3 }`, `{ model: "mock-fast", weight: 2 }`],
  [`strategy: "weighted"`, `strategy: "latency"`],
  [`fallback: ["mock-backup"],`, `fallback: ["mock-backup", "mock-smart"],\n      canary: { model: "mock-next", steps: [5, 50, 100], every: "10m" },`],
  [
    `  },\n  tiers: {`,
    `    "mock-next": { provider: "backup", name: "mock-next-1", context: 128_000, price: { input: 0.5, output: 2 }, lifecycle: "preview" },\n  },\n  tiers: {`,
  ],
  [`retry: { attempts: 1 }`, `retry: { attempts: 3 }`],
  [`total: "10s"`, `total: "30s"`],
  [`  },\n  teams: {`, `    summarise: { model: "mock-smart" },\n  },\n  teams: {`],
  [`keys: [secret("SWITCHYARD_DEMO_KEY")], routes: ["chat"]`, `keys: [secret("SWITCHYARD_DEMO_KEY"), secret("DEMO_KEY_2")], routes: ["chat", "summarise"]`],
  [`budget: { usd: 10, per: "day" }, limits: { rpm: 600 }`, `budget: { usd: 25, per: "day" }, limits: { rpm: 1200 }`],
];

let dir: string;
let before: LoadedSide;
let after: LoadedSide;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "switchyard-diff-quickstart-"));
  let text = readFileSync(quickstart, "utf8");
  for (const [from, to] of EDITS) {
    if (!text.includes(from)) throw new Error(`the quickstart no longer contains ${JSON.stringify(from)}`);
    text = text.replace(from, to);
  }
  writeFileSync(join(dir, "routes.ts"), text);
  const now = new Date("2026-01-01T00:00:00Z");
  const fixedCompile = (options: { file: string; env?: string }) => compile({ ...options, now });
  const [old, edited] = await Promise.all([
    loadDiffSide({ spec: quickstart, cwd: dir, compile: fixedCompile }),
    loadDiffSide({ spec: "routes.ts", cwd: dir, compile: fixedCompile }),
  ]);
  if (!old.ok) throw new Error(JSON.stringify(old.error));
  if (!edited.ok) throw new Error(JSON.stringify(edited.error));
  before = old.side;
  after = edited.side;
}, 120_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("diff of the quickstart against an edited copy", () => {
  it("lists exactly the edits made", () => {
    const report = createDiffReport({ old: before, new: after });
    expect(report.diff.changes.map((c) => [c.key, c.kind, c.summary])).toEqual([
      ["routes.chat.fallback", "update", "route chat: fallback [mock-backup] → [mock-backup, mock-smart]"],
      ["routes.chat.retry.attempts", "update", "route chat: retry attempts 1 → 3"],
      ["routes.chat.timeout.totalMs", "update", "route chat: total timeout 10s → 30s"],
      ["routes.chat.canary", "add", "route chat: canary mock-next added: 5 % → 50 % → 100 % every 10m"],
      ["routes.summarise", "add", "route summarise: added (model mock-smart)"],
      ["tiers.fast.models.mock-fast", "update", "tier fast: mock-fast weight 3 → 2"],
      ["tiers.fast.strategy", "update", "tier fast: strategy weighted → latency"],
      ["models.mock-backup.lifecycle", "update", "model mock-backup: lifecycle ga → deprecated"],
      ["models.mock-fast.price.input", "update", "model mock-fast: input price $0.1/1M → $0.2/1M"],
      ["models.mock-next", "add", "model mock-next: added (backup/mock-next-1, 128,000 tokens, $0.5/$2 per 1M)"],
      ["models.mock-smart.context", "update", "model mock-smart: context window 128,000 tokens → 200,000 tokens"],
      ["providers.backup.residency", "add", "provider backup: residency unset → eu"],
      ["providers.primary.mock.failRate", "update", "provider primary: mock failRate 30 % → 10 %"],
      ["teams.demo.routes.summarise", "add", "team demo: route summarise granted"],
      ["teams.demo.keys.DEMO_KEY_2", "add", "team demo: key secret(DEMO_KEY_2) added"],
      ["teams.demo.budget.usd", "update", "team demo: budget $10 → $25/day"],
      ["teams.demo.limits.rpm", "update", "team demo: rate limit 600 rpm → 1,200 rpm"],
    ]);
    expect(report.diff.counts).toEqual({ added: 2, removed: 0, changed: 8 });
  });

  it("says no changes between the quickstart and itself", () => {
    const report = createDiffReport({ old: before, new: before });
    expect(report.diff.hasChanges).toBe(false);
    expect(formatDiff(report, "pretty")).toContain("No changes.");
  });
});

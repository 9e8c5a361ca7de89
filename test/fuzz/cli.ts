/**
 * @module `pnpm fuzz`: run the fuzz harness against the chosen targets and write FUZZ.md at the repo root.
 * Flags: --cases N (default 10 000), --seed N (default: random, printed), --target fast|node|bundle|redis|all,
 * --minutes M (time bound, default 60), --deadline-ms (per exchange, default 5 000), --concurrency (default 4),
 * --out FILE (default FUZZ.md). Exits 1 when any failing finding was recorded.
 */
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { FAILING, renderReport, runFuzz } from "./run.ts";
import { TARGET_KINDS, type TargetKind, repoRoot } from "./targets.ts";

const { values } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== "--"),
  options: {
    cases: { type: "string", default: "10000" },
    seed: { type: "string" },
    target: { type: "string", default: "all" },
    minutes: { type: "string", default: "60" },
    "deadline-ms": { type: "string", default: "5000" },
    concurrency: { type: "string", default: "4" },
    out: { type: "string", default: "FUZZ.md" },
  },
  strict: true,
});

const int = (name: string, text: string, min: number): number => {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < min) {
    process.stderr.write(`fuzz: --${name} must be an integer ≥ ${min}, got "${text}"\n`);
    process.exit(2);
  }
  return n;
};
const cases = int("cases", values.cases, 0);
const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : int("seed", values.seed, 0);
const targets: TargetKind[] = values.target === "all" ? [...TARGET_KINDS] : values.target.split(",").map((t) => t.trim() as TargetKind);
for (const t of targets) {
  if (!TARGET_KINDS.includes(t)) {
    process.stderr.write(`fuzz: --target must be fast, node, bundle, redis or all (or a comma list), got "${t}"\n`);
    process.exit(2);
  }
}
const minutes = Number(values.minutes);
if (!(minutes > 0)) {
  process.stderr.write(`fuzz: --minutes must be a positive number, got "${values.minutes}"\n`);
  process.exit(2);
}

const options = {
  cases,
  seed,
  targets,
  deadlineMs: int("deadline-ms", values["deadline-ms"], 100),
  maxMs: minutes * 60_000,
  concurrency: int("concurrency", values.concurrency, 1),
  log: (line: string) => process.stdout.write(`${line}\n`),
};
process.stdout.write(`fuzz: seed ${seed}, ${cases} seeded cases, targets ${targets.join(", ")}, at most ${minutes} min\n`);
const result = await runFuzz(options);
let commit = "unknown";
try {
  commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: repoRoot, encoding: "utf8" }).trim();
} catch {
  // not a git checkout: the report says "unknown"
}
const command = `npx -y pnpm@10 fuzz --cases ${cases} --seed ${seed} --target ${values.target}${values.minutes !== "60" ? ` --minutes ${values.minutes}` : ""}`;
const report = renderReport(result, { command, commit, date: new Date().toISOString() });
const out = join(repoRoot, values.out);
writeFileSync(out, report);
const failing = result.findings.filter((f) => FAILING.includes(f.kind)).length;
process.stdout.write(
  `fuzz: ${result.targets.reduce((n, t) => n + t.cases, 0)} cases in ${(result.ms / 1000).toFixed(1)} s, ${failing} failing findings; report in ${out}\n`,
);
process.exit(failing === 0 ? 0 : 1);

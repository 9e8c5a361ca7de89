// The test command (`pnpm test`): runs vitest, then prints the plain closing line
// "N passed, N failed[, N skipped]" computed from vitest's JSON report. Extra arguments go to vitest. The report is
// named after the Node major it ran on, so .ci/run can add up the runs on the machine's Node and on Node 24.
import { spawnSync } from "node:child_process";
import { mkdirSync, rmSync } from "node:fs";
import { createRequire } from "node:module";

const report = `.tmp/vitest-report-node${process.versions.node.split(".")[0]}.json`;
mkdirSync(".tmp", { recursive: true });
rmSync(report, { force: true });
const vitest = createRequire(import.meta.url)
  .resolve("vitest/package.json")
  .replace(/package\.json$/, "vitest.mjs");
const run = spawnSync(process.execPath, [vitest, "run", "--reporter=default", "--reporter=json", `--outputFile.json=${report}`, ...process.argv.slice(2)], {
  stdio: "inherit",
});
const summary = spawnSync(process.execPath, ["scripts/test-summary.mjs", report], { stdio: "inherit" });
process.exit(run.status !== 0 || summary.status !== 0 ? 1 : 0);

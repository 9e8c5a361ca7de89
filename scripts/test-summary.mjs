// Prints the plain closing line "N passed, N failed[, N skipped]" from one or more vitest JSON reports (added up),
// after a short list of what failed (report, file, test, first line of its message): CI keeps the end of the output.
import { readFileSync } from "node:fs";
import path from "node:path";

/** The first line of a failure message, without colour codes, at most 300 characters. */
function firstLine(message) {
  const line =
    String(message ?? "")
      .replace(/\u001b\[[0-9;]*m/g, "")
      .split("\n")
      .find((l) => l.trim() !== "") ?? "";
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error("usage: node scripts/test-summary.mjs REPORT.json [REPORT.json …]");
  process.exit(2);
}
let passed = 0;
let failed = 0;
let skipped = 0;
const failures = [];
for (const file of files) {
  let report;
  try {
    report = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    failed += 1;
    console.error(`test-summary: cannot read the test report ${file}: ${error.message}`);
    continue;
  }
  passed += report.numPassedTests ?? 0;
  // A suite that fails to load counts as a failure even though none of its tests ran.
  const failedSuites = (report.testResults ?? []).filter((s) => s.status === "failed" && (s.assertionResults ?? []).length === 0).length;
  failed += (report.numFailedTests ?? 0) + failedSuites;
  for (const suite of report.testResults ?? []) {
    const where = path.relative(process.cwd(), suite.name ?? "");
    const tests = (suite.assertionResults ?? []).filter((t) => t.status === "failed");
    if (suite.status === "failed" && tests.length === 0) failures.push(`${file}: ${where}: the file failed to run: ${firstLine(suite.message)}`);
    for (const t of tests) failures.push(`${file}: ${where} > ${t.fullName ?? t.title}: ${firstLine(t.failureMessages?.[0])}`);
  }
  skipped += (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
}
if (failures.length > 0) {
  console.log("failed:");
  for (const f of failures) console.log(`  ${f}`);
}
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);

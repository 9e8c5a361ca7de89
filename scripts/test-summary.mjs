// Prints the plain closing line "N passed, N failed[, N skipped]" from one or more vitest JSON reports (added up).
import { readFileSync } from "node:fs";

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error("usage: node scripts/test-summary.mjs REPORT.json [REPORT.json …]");
  process.exit(2);
}
let passed = 0;
let failed = 0;
let skipped = 0;
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
  skipped += (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
}
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);

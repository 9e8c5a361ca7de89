/**
 * @module `pnpm soak [--minutes 10] [--rate 20]`: the chaos/soak run against router.mjs on 127.0.0.1;
 * writes SOAK.md at the repo root. Exits 1 on a crash, a stuck request or a failed reload.
 */
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { repoRoot } from "../fuzz/targets.ts";
import { renderSoak, runSoak } from "./run.ts";

const { values } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== "--"),
  options: { minutes: { type: "string", default: "10" }, rate: { type: "string", default: "20" }, out: { type: "string", default: "SOAK.md" } },
  strict: true,
});
const minutes = Number(values.minutes);
const rate = Number(values.rate);
if (!(minutes > 0) || !(rate > 0) || rate > 200) {
  process.stderr.write("soak: --minutes must be > 0 and --rate in (0, 200]\n");
  process.exit(2);
}
const result = await runSoak({ minutes, rate, sampleEverySec: 5, reloadEverySec: 30, log: (line) => process.stdout.write(`${line}\n`) });
let commit = "unknown";
try {
  commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: repoRoot, encoding: "utf8" }).trim();
} catch {
  // not a git checkout
}
const command = `npx -y pnpm@10 soak --minutes ${values.minutes}${values.rate !== "20" ? ` --rate ${values.rate}` : ""}`;
const out = join(repoRoot, values.out);
writeFileSync(out, renderSoak(result, { command, commit, date: new Date().toISOString() }));
process.stdout.write(`soak: ${result.requests} requests, ${result.crashes} crashes, ${result.stuck} stuck; report in ${out}\n`);
process.exit(result.crashes === 0 && result.stuck === 0 && result.reloads.failed === 0 ? 0 : 1);

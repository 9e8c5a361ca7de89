/**
 * @module The router from source (not the minified router.mjs) under the V8 CPU profiler: same code,
 * readable names and file paths. `node --import tsx profile-entry.ts --port N` with BENCH_RELEASE_FILE
 * (the built switchyard.json) and BENCH_PROFILE_FILE set. The first SIGUSR2 starts profiling (after the
 * harness has warmed the JIT), the second writes the profile and prints `@@profile-written`.
 */
import { writeFileSync, readFileSync } from "node:fs";
import { Session } from "node:inspector";
import { parseRelease } from "@switchyard/ir";
import { builtinAdapters, builtinValidators, runMain } from "@switchyard/router";

const file = process.env["BENCH_RELEASE_FILE"];
if (!file) {
  process.stderr.write("profile-entry: BENCH_RELEASE_FILE is not set\n");
  process.exit(2);
}
const parsed = parseRelease(readFileSync(file, "utf8"));
if (!parsed.success) {
  process.stderr.write(`profile-entry: ${file} is not a valid release: ${parsed.issues.map((i) => i.message).join("; ")}\n`);
  process.exit(2);
}
const out = process.env["BENCH_PROFILE_FILE"] ?? "router.cpuprofile";
const session = new Session();
session.connect();
let profiling = false;
process.on("SIGUSR2", () => {
  if (!profiling) {
    profiling = true;
    session.post("Profiler.enable", () => session.post("Profiler.setSamplingInterval", { interval: 200 }, () => session.post("Profiler.start")));
    return;
  }
  session.post("Profiler.stop", (error, result) => {
    if (error) process.stderr.write(`profile-entry: ${error.message}\n`);
    else writeFileSync(out, JSON.stringify(result.profile));
    process.stdout.write("@@profile-written\n");
  });
});
// Started from the repository root (so `--import tsx` resolves); files the release writes (JSONL traces) go to the scratch folder.
const cwd = process.env["BENCH_ROUTER_CWD"];
if (cwd) process.chdir(cwd);
await runMain({ release: parsed.data, adapters: builtinAdapters, validators: builtinValidators });

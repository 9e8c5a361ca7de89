/**
 * @module simulate-bench — `switchyard simulate`'s replay over 1M trace lines: wall time and peak RSS.
 *
 *   node --import tsx test/bench/src/simulate-bench.ts [--lines 1000000] [--keep FILE]
 *
 * Compiles examples/acme (prod) as BASE and the same config with support-faq on the frontier tier as NEW,
 * writes a generated trace file of --lines records (not timed), then times simulateTraceFile() over it (the
 * whole replay: streaming read, parse, two decide() calls and the tallies per line, and the report) in a
 * fresh child process that never loads TypeScript, so the RSS is the replay's own. Prints one JSON line (wall and
 * CPU seconds: on a shared machine the CPU time is the steadier figure); BENCHMARKS.md quotes it.
 */
import { execFileSync } from "node:child_process";
import { createWriteStream, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { once } from "node:events";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { compile, generateTraces, simulateTraceFile, type SimulationReport } from "@switchyard/compiler";
import type { Config } from "@switchyard/ir";

const root = join(import.meta.dirname, "..", "..", "..");

async function configs(dir: string): Promise<{ base: Config; next: Config; baseHash: string; nextHash: string }> {
  const source = readFileSync(join(root, "examples", "acme", "routes.ts"), "utf8");
  const moved = source.replace(
    `"support-faq": { tier: "fast", optimize: "cost", fallback: ["frontier", "llama-local"]`,
    `"support-faq": { tier: "frontier", optimize: "cost", fallback: ["fast", "llama-local"]`,
  );
  if (moved === source) throw new Error("examples/acme/routes.ts changed: update the benchmark's edit");
  writeFileSync(join(dir, "base.ts"), source);
  writeFileSync(join(dir, "new.ts"), moved);
  const [base, next] = await Promise.all([compile({ file: join(dir, "base.ts"), env: "prod" }), compile({ file: join(dir, "new.ts"), env: "prod" })]);
  if (base.release === undefined || next.release === undefined) throw new Error("the benchmark configs do not compile");
  return { base: base.release.config, next: next.release.config, baseHash: base.release.hash, nextHash: next.release.hash };
}

/** The replay alone, in a process that never loaded TypeScript: the configs come as IR JSON from the parent. */
async function child(dir: string, file: string): Promise<void> {
  const { base, next, baseHash, nextHash } = JSON.parse(readFileSync(join(dir, "configs.json"), "utf8")) as Awaited<ReturnType<typeof configs>>;
  const started = performance.now();
  const cpu = process.cpuUsage();
  const result = await simulateTraceFile({
    path: file,
    name: "traces.jsonl",
    base: { info: { label: "base", kind: "config", environment: "prod", hash: baseHash }, config: base },
    next: { info: { label: "new", kind: "config", environment: "prod", hash: nextHash }, config: next },
    seed: 1,
  });
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  if (!result.ok) throw new Error(result.message);
  const report: SimulationReport = result.report;
  const status = readFileSync("/proc/self/status", "utf8");
  const peakKb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? "0");
  process.stdout.write(
    `${JSON.stringify({ lines: report.traces.lines, replayed: report.traces.replayed, seconds: Math.round(seconds * 100) / 100, cpuSeconds: Math.round((used.user + used.system) / 1e4) / 100, linesPerSecond: Math.round(report.traces.lines / seconds), peakRssMb: Math.round(peakKb / 1024) })}\n`,
  );
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { lines: { type: "string", default: "1000000" }, keep: { type: "string" }, child: { type: "string" }, dir: { type: "string" } },
  });
  if (values.child !== undefined && values.dir !== undefined) return child(values.dir, values.child);
  const dir = mkdtempSync(join(tmpdir(), "switchyard-simulate-bench-"));
  try {
    const file = values.keep ?? join(dir, "traces.jsonl");
    const compiled = await configs(dir);
    writeFileSync(join(dir, "configs.json"), JSON.stringify(compiled));
    const base = compiled.base;
    const out = createWriteStream(file);
    let chunk = "";
    for (const line of generateTraces(base, { requests: Number(values.lines), seed: 7, hours: 24 * 30 })) {
      chunk += `${line}\n`;
      if (chunk.length > 1 << 20) {
        if (!out.write(chunk)) await once(out, "drain");
        chunk = "";
      }
    }
    out.end(chunk);
    await once(out, "finish");
    process.stderr.write(`generated ${values.lines} lines (${Math.round(statSync(file).size / 1e6)} MB); replaying…\n`);
    const output = execFileSync(process.execPath, ["--import", "tsx", import.meta.filename, "--child", file, "--dir", dir], { cwd: root, encoding: "utf8" });
    process.stdout.write(output);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();

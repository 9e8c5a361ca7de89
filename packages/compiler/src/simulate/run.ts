/** @module simulate/run — the I/O edge of `switchyard simulate`: stream a trace file line by line through a Replay. */
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import type { Config } from "@switchyard/ir";
import { Replay } from "./replay.ts";
import { simulationReport, type SimulationReport, type SimulationSide } from "./report.ts";
import { parseTraceLine } from "./trace-line.ts";

export interface SimulateFileOptions {
  /** Path to read. */
  path: string;
  /** How the file is named in the report and in diagnostics (what the user typed). */
  name: string;
  base: { info: SimulationSide; config: Config };
  next: { info: SimulationSide; config: Config };
  seed: number;
  /** Called for each malformed line (1-based), in order. */
  onMalformed?: (line: number, message: string) => void;
  /** Stop at the first malformed line instead of skipping it. */
  strict?: boolean;
}

export type SimulateFileResult =
  { ok: true; report: SimulationReport } | { ok: false; code: "unreadable" | "malformed" | "empty"; message: string; line?: number };

/**
 * Replay every record of a JSONL trace file through both releases. Reads the file as a stream, one line at a
 * time: memory is bounded by the number of routes, teams and models, not by the file. Never throws for bad input.
 *
 * @example
 * const result = await simulateTraceFile({ path, name: "traces.jsonl", base, next, seed: 1 });
 * if (result.ok) process.stdout.write(formatSimulation(result.report, "pretty"));
 */
export async function simulateTraceFile(options: SimulateFileOptions): Promise<SimulateFileResult> {
  try {
    const info = await stat(options.path);
    if (info.isDirectory()) return { ok: false, code: "unreadable", message: `${options.name}: is a directory, not a trace file` };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { ok: false, code: "unreadable", message: `${options.name}: ${code === "ENOENT" ? "no such file" : `cannot read it (${code ?? "error"})`}` };
  }
  const replay = new Replay({ base: options.base.config, next: options.next.config, seed: options.seed });
  const skipped = { noRoute: 0, notRouted: 0 };
  let malformed = 0;
  let lineNumber = 0;
  let stopped: SimulateFileResult | undefined;
  const handle = (text: string): void => {
    lineNumber++;
    const parsed = parseTraceLine(text, lineNumber);
    switch (parsed.kind) {
      case "blank":
      case "event":
        return;
      case "skip":
        if (parsed.reason === "no-route") skipped.noRoute++;
        else skipped.notRouted++;
        return;
      case "malformed":
        malformed++;
        if (options.strict === true) stopped = { ok: false, code: "malformed", message: `${options.name}:${lineNumber}: ${parsed.message}`, line: lineNumber };
        else options.onMalformed?.(lineNumber, parsed.message);
        return;
      case "request":
        replay.add(parsed.request);
    }
  };
  // Chunks split at newlines by hand, each chunk's lines handled synchronously: readline's promise and event
  // per line cost more than parsing the line. Only the unfinished last line of a chunk is carried over.
  const stream = createReadStream(options.path, { encoding: "utf8", highWaterMark: 1 << 20 });
  let rest = "";
  try {
    for await (const chunk of stream as AsyncIterable<string>) {
      let text = rest === "" ? chunk : rest + chunk;
      let from = 0;
      for (let at = text.indexOf("\n"); at !== -1 && stopped === undefined; at = text.indexOf("\n", from)) {
        handle(text.charCodeAt(at - 1) === 13 ? text.slice(from, at - 1) : text.slice(from, at));
        from = at + 1;
      }
      if (stopped !== undefined) return stopped;
      text = text.slice(from);
      rest = text;
    }
    if (rest !== "") handle(rest.endsWith("\r") ? rest.slice(0, -1) : rest);
    if (stopped !== undefined) return stopped;
  } catch (error) {
    return { ok: false, code: "unreadable", message: `${options.name}:${lineNumber + 1}: cannot read further: ${(error as Error).message}` };
  } finally {
    stream.destroy();
  }
  const result = replay.result();
  if (result.replayed === 0) {
    return {
      ok: false,
      code: "empty",
      message: `${options.name}: no request to replay (${lineNumber} line${lineNumber === 1 ? "" : "s"}: ${malformed} malformed, ${skipped.noRoute + skipped.notRouted} answered before routing)`,
    };
  }
  return {
    ok: true,
    report: simulationReport(result, { base: options.base.info, new: options.next.info }, { file: options.name, lines: lineNumber, skipped, malformed }),
  };
}

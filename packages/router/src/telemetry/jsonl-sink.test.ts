/** @module jsonl-sink tests: size rotation keeps `keep` files under maxBytes, stdout lines, unwritable paths count drops. */
import { mkdtemp, readFile, readdir, rm, stat, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { jsonlSink } from "./jsonl-sink.ts";
import { TRACE_SCHEMA_VERSION, type TraceRecord } from "./types.ts";

const record = (n: number): TraceRecord => ({
  v: TRACE_SCHEMA_VERSION,
  requestId: `req-${n}`,
  time: new Date(1_700_000_000_000 + n).toISOString(),
  environment: "test",
  configVersion: "abc",
  route: "chat",
  team: "support",
  status: 200,
  outcome: "ok",
  errorCode: undefined,
  stream: false,
  candidates: [],
  attempts: [],
  model: "m",
  provider: "p",
  inputTokens: n,
  outputTokens: 1,
  costUsd: 0.001,
  canary: false,
  fallback: false,
  retries: 0,
  validation: "none",
  latencyMs: 5,
  ttftMs: 5,
});

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "sy-jsonl-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("jsonlSink", () => {
  it("rotates by size: path, path.1 … path.keep, each under maxBytes, newest records kept in order", async () => {
    const file = path.join(dir, "traces.jsonl");
    const lineBytes = JSON.stringify(record(10)).length + 1;
    const sink = jsonlSink({ path: file, maxBytes: lineBytes * 4, keep: 2 });
    for (let n = 10; n < 40; n++) {
      sink.write(record(n));
      if (n % 3 === 0) await sink.flush();
    }
    await sink.close();
    expect((await readdir(dir)).sort()).toEqual(["traces.jsonl", "traces.jsonl.1", "traces.jsonl.2"]);
    const ids: string[] = [];
    for (const name of ["traces.jsonl.2", "traces.jsonl.1", "traces.jsonl"]) {
      const f = path.join(dir, name);
      expect((await stat(f)).size).toBeLessThanOrEqual(lineBytes * 4);
      const lines = (await readFile(f, "utf8")).split("\n").filter((l) => l !== "");
      ids.push(...lines.map((l) => (JSON.parse(l) as TraceRecord).requestId));
    }
    // The newest records survive, in write order, ending with the last one.
    expect(ids.at(-1)).toBe("req-39");
    expect(ids).toEqual([...ids].sort());
    expect(ids.length).toBeGreaterThanOrEqual(8);
  });

  it("appends to an existing file and never loses a record between flushes", async () => {
    const file = path.join(dir, "t.jsonl");
    const a = jsonlSink({ path: file, maxBytes: 1 << 20, keep: 1 });
    for (let n = 0; n < 50; n++) a.write(record(n));
    await a.close();
    const b = jsonlSink({ path: file, maxBytes: 1 << 20, keep: 1 });
    for (let n = 50; n < 60; n++) b.write(record(n));
    await b.close();
    const lines = (await readFile(file, "utf8")).trim().split("\n");
    expect(lines.map((l) => (JSON.parse(l) as TraceRecord).inputTokens)).toEqual(Array.from({ length: 60 }, (_, n) => n));
  });

  it("stdout: one JSON line per record", async () => {
    const out: string[] = [];
    const sink = jsonlSink({ path: "stdout", maxBytes: 1, keep: 0, stdout: { write: (c) => out.push(c) > 0 } });
    sink.write(record(1));
    sink.write(record(2));
    await sink.close();
    expect(out.map((l) => (JSON.parse(l) as TraceRecord).requestId)).toEqual(["req-1", "req-2"]);
    expect(out.every((l) => l.endsWith("\n") && !l.slice(0, -1).includes("\n"))).toBe(true);
  });

  it("creates missing directories", async () => {
    const file = path.join(dir, "a", "b", "t.jsonl");
    const sink = jsonlSink({ path: file, maxBytes: 1000, keep: 1 });
    sink.write(record(1));
    await sink.close();
    expect((await readFile(file, "utf8")).trim().split("\n")).toHaveLength(1);
  });

  it("an unwritable path never throws: records are dropped and counted", async () => {
    let dropped = 0;
    await writeFile(path.join(dir, "a-file"), "");
    const sink = jsonlSink({ path: path.join(dir, "a-file", "t.jsonl"), maxBytes: 1000, keep: 1, onDrop: (n) => (dropped += n) });
    for (let n = 0; n < 5; n++) sink.write(record(n));
    await sink.close();
    expect(dropped).toBe(5);
  });

  it.runIf(process.platform === "linux")("a path under /proc drops and counts instead of spinning in mkdir", async () => {
    let dropped = 0;
    const sink = jsonlSink({ path: "/proc/switchyard-traces/t.jsonl", maxBytes: 1000, keep: 1, onDrop: (n) => (dropped += n) });
    for (let n = 0; n < 3; n++) sink.write(record(n));
    await sink.close();
    expect(dropped).toBe(3);
  });

  it("a full queue drops (and counts) instead of growing without bound", async () => {
    let dropped = 0;
    const sink = jsonlSink({ path: path.join(dir, "q.jsonl"), maxBytes: 1 << 20, keep: 1, maxQueue: 3, onDrop: (n) => (dropped += n) });
    for (let n = 0; n < 10; n++) sink.write(record(n));
    await sink.close();
    const lines = (await readFile(path.join(dir, "q.jsonl"), "utf8")).trim().split("\n");
    expect(lines.length + dropped).toBe(10);
    expect(dropped).toBeGreaterThan(0);
  });

  it("lines are whole and in order across batch chunks: multi-byte text, and a line larger than a chunk", async () => {
    const file = path.join(dir, "big.jsonl");
    const sink = jsonlSink({ path: file, maxBytes: 64 << 20, keep: 1 });
    const written: TraceRecord[] = [];
    for (let n = 0; n < 400; n++) {
      // 3-byte (€), 4-byte (emoji) and ASCII routes of varied length, so lines straddle every chunk boundary.
      const route = n === 200 ? "x".repeat(100_000) : `${"€".repeat(n % 37)}${"😀".repeat(n % 11)}route-${n}`;
      const r = { ...record(n), route };
      written.push(r);
      sink.write(r);
    }
    await sink.close();
    const lines = (await readFile(file, "utf8")).split("\n");
    expect(lines.pop()).toBe("");
    expect(lines.map((l) => (JSON.parse(l) as TraceRecord).route)).toEqual(written.map((r) => r.route));
  });

  it("never writes through a symlink planted at its file (issue 17: the trace file cannot redirect writes)", async () => {
    const victim = path.join(dir, "victim.txt");
    await writeFile(victim, "precious\n");
    await symlink(victim, path.join(dir, "router.jsonl"));
    const drops: number[] = [];
    const sink = jsonlSink({ path: path.join(dir, "router.jsonl"), maxBytes: 1 << 20, keep: 1, onDrop: (n) => void drops.push(n) });
    sink.write(record(1));
    await sink.close();
    expect(await readFile(victim, "utf8")).toBe("precious\n");
    expect(drops).toEqual([1]);
  });
});

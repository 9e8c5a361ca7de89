/** @module evaluate.test — evaluation in its worker: a busy main thread does not turn a result into a timeout; loops still time out. */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { evaluateConfig, type ConsoleLine } from "./evaluate.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "..");

describe("evaluateConfig", () => {
  it("a result (and the console output before it) that arrived while this thread was busy past the time limit still counts", async () => {
    const file = join(root, "test", "fixtures", "compiler", "policy-robustness", "routes.ts");
    const lines: ConsoleLine[] = [];
    const pending = evaluateConfig({ file, timeoutMs: 1_500, onConsole: (line) => lines.push(line) });
    // Stands in for the type-check, which runs on this thread while the worker evaluates.
    const busyUntil = Date.now() + 4_000;
    while (Date.now() < busyUntil) {
      // busy
    }
    const result = await pending;
    expect(result.ok).toBe(true);
    expect(lines).toEqual([{ stream: "stdout", text: "evaluating routes.ts", source: file }]);
  });

  it("an endless loop is still a timeout", async () => {
    const result = await evaluateConfig({ file: join(root, "test", "fixtures", "compiler", "malformed", "infinite-loop.ts"), timeoutMs: 500 });
    expect(result).toEqual({ ok: false, failure: { kind: "timeout", timeoutMs: 500 } });
  });
});

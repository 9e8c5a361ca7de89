/** @module evaluate.test — evaluation in its worker: a busy main thread does not turn a result into a timeout; loops still time out. */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { evaluateConfig } from "./evaluate.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "..");

describe("evaluateConfig", () => {
  it("a result that arrived while this thread was busy past the time limit still counts", async () => {
    const pending = evaluateConfig({ file: join(root, "examples", "quickstart", "routes.ts"), timeoutMs: 1_500 });
    // Stands in for the type-check, which runs on this thread while the worker evaluates.
    const busyUntil = Date.now() + 4_000;
    while (Date.now() < busyUntil) {
      // busy
    }
    const result = await pending;
    expect(result.ok).toBe(true);
  });

  it("an endless loop is still a timeout", async () => {
    const result = await evaluateConfig({ file: join(root, "test", "fixtures", "compiler", "malformed", "infinite-loop.ts"), timeoutMs: 500 });
    expect(result).toEqual({ ok: false, failure: { kind: "timeout", timeoutMs: 500 } });
  });
});

/** @module test/helpers/chromium.ts: uses an installed browser as is, and fails with a readable message when it cannot install one. */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ensureChromium } from "../helpers/chromium.ts";

describe("ensureChromium", () => {
  it("returns an existing executable without running apt-get", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "sy-chromium-"));
    try {
      const fake = path.join(dir, "chromium");
      writeFileSync(fake, "");
      expect(ensureChromium({ executablePath: fake, timeoutMs: 0 })).toBe(fake);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("names the manual install command when it runs out of time", () => {
    expect(() => ensureChromium({ executablePath: "/nonexistent/sy-chromium", timeoutMs: 0 })).toThrow(
      /timed out; install it by hand: apt-get update && apt-get install -y --no-install-recommends chromium/,
    );
  });
});

/** @module compileRoutes() without an `outDir` builds in a temporary folder and removes it, whether the compile passes or fails. */
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { compileRoutes, RoutesCompileError } from "@switchyard/pulumi";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

const FIXTURES = resolve(import.meta.dirname, "fixtures");

describe("compileRoutes() temporary build folder", () => {
  // os.tmpdir() reads TMPDIR on every call: a folder of this test's own shows what compileRoutes leaves behind.
  let scratch: string;
  let saved: string | undefined;
  beforeEach(() => {
    scratch = mkdtempSync(join(tmpdir(), "compile-routes-test-"));
    saved = process.env["TMPDIR"];
    process.env["TMPDIR"] = scratch;
  });
  afterEach(() => {
    if (saved === undefined) delete process.env["TMPDIR"];
    else process.env["TMPDIR"] = saved;
    rmSync(scratch, { recursive: true, force: true });
  });

  it("is gone once the build is read; the build is all in memory", async () => {
    const build = await compileRoutes({ file: join(FIXTURES, "routes-v1.ts"), env: "test" });
    expect(build.releaseJson).toContain(build.hash);
    expect(build.routerBundle.length).toBeGreaterThan(1000);
    // router.mjs's assets, read in too: each one it names, with its code.
    const named = [...new Set(build.routerBundle.match(/switchyard-[a-z0-9-]+\.[0-9a-f]{8}\.mjs/g))].sort();
    expect(Object.keys(build.routerAssets)).toEqual(named);
    expect(named.map((file) => file.split(".")[0])).toEqual([
      "switchyard-admin",
      "switchyard-dashboard",
      "switchyard-embeddings",
      "switchyard-messages",
      "switchyard-prompts",
      "switchyard-responses",
    ]);
    for (const code of Object.values(build.routerAssets)) expect(code).toMatch(/export\{/);
    expect(build.outDir).toBeUndefined();
    expect(readdirSync(scratch)).toEqual([]);
  }, 120_000);

  it("is gone after a compile error too", async () => {
    const failure = await compileRoutes({ file: join(FIXTURES, "failing-routes.ts"), env: "prod" }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(RoutesCompileError);
    expect(readdirSync(scratch)).toEqual([]);
  }, 120_000);

  it("a given outDir is kept and reported", async () => {
    const outDir = join(scratch, "dist");
    const build = await compileRoutes({ file: join(FIXTURES, "routes-v1.ts"), env: "test", outDir });
    expect(build.outDir).toBe(join(outDir, "test"));
    expect(readdirSync(join(outDir, "test")).sort()).toEqual(expect.arrayContaining(["router.mjs", "switchyard.json"]));
  }, 120_000);
});

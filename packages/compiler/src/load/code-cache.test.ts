/** @module code-cache.test — the V8 code cache: used when it matches, never stale, never needed. */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { codeCacheStatus, defaultCacheDirectory, requireWithCodeCache, saveCodeCaches } from "./code-cache.ts";

const scratch = mkdtempSync(join(tmpdir(), "switchyard-code-cache-test-"));
const cacheDir = join(scratch, "cache");
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

let counter = 0;
/** A CommonJS module at a fresh path (require.cache is per path), with the given body. */
function moduleFile(body: string): string {
  const dir = join(scratch, `m${counter++}`);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, "mod.cjs");
  writeFileSync(file, body);
  return file;
}

const hitOf = (file: string): boolean | undefined => codeCacheStatus().find((entry) => entry.file === file)?.hit;
const BODY = `const path = require("node:path"); function twice(n) { return n * 2; } module.exports = { twice, base: path.basename(__filename), self: module.id };`;

describe("code cache", () => {
  it("a first load compiles from source; after saving, the same source loads from the cache", () => {
    const first = moduleFile(BODY);
    const loaded = requireWithCodeCache(first, { directory: cacheDir }) as { twice(n: number): number; base: string };
    expect(loaded.twice(21)).toBe(42);
    expect(loaded.base).toBe("mod.cjs");
    expect(hitOf(first)).toBe(false);
    saveCodeCaches();
    expect(readdirSync(cacheDir).filter((name) => name.startsWith("mod.cjs-"))).toHaveLength(1);

    const second = moduleFile(BODY);
    expect((requireWithCodeCache(second, { directory: cacheDir }) as { twice(n: number): number }).twice(5)).toBe(10);
    expect(hitOf(second)).toBe(true);
  });

  it("puts the module in require.cache, so a later require gets the same instance", async () => {
    const file = moduleFile(BODY);
    const loaded = requireWithCodeCache(file, { directory: cacheDir });
    const { createRequire } = await import("node:module");
    expect(createRequire(file)(file)).toBe(loaded);
    expect(requireWithCodeCache(file, { directory: cacheDir })).toBe(loaded);
  });

  it("is never stale: changed source gets its own cache entry (replacing the old one) and runs as changed", () => {
    const before = readdirSync(cacheDir);
    const changed = moduleFile(BODY.replace("n * 2", "n * 3"));
    expect((requireWithCodeCache(changed, { directory: cacheDir }) as { twice(n: number): number }).twice(5)).toBe(15);
    expect(hitOf(changed)).toBe(false);
    saveCodeCaches();
    const after = readdirSync(cacheDir);
    expect(after).toHaveLength(1);
    expect(after[0]).not.toBe(before[0]);
  });

  it("a corrupt cache file is rejected, the module still loads, and the cache is rewritten", () => {
    const body = `${BODY} module.exports.corrupt = true;`;
    const warm = moduleFile(body);
    requireWithCodeCache(warm, { directory: cacheDir });
    saveCodeCaches();
    for (const name of readdirSync(cacheDir)) writeFileSync(join(cacheDir, name), "not v8 data");
    const file = moduleFile(body);
    expect((requireWithCodeCache(file, { directory: cacheDir }) as { corrupt: boolean }).corrupt).toBe(true);
    expect(hitOf(file)).toBe(false);
    saveCodeCaches();
    const again = moduleFile(body);
    requireWithCodeCache(again, { directory: cacheDir });
    expect(hitOf(again)).toBe(true);
    for (const name of readdirSync(cacheDir)) expect(name).toMatch(/^mod\.cjs-[0-9a-f]{32}\.v8$/);
  });

  it("without a cache folder (or an unwritable one) modules load all the same", () => {
    const none = moduleFile(BODY);
    expect((requireWithCodeCache(none, { directory: undefined }) as { twice(n: number): number }).twice(1)).toBe(2);
    const blocked = join(scratch, "a-file");
    writeFileSync(blocked, "");
    const unwritable = moduleFile(BODY.replace("n * 2", "n * 4"));
    expect((requireWithCodeCache(unwritable, { directory: join(blocked, "cache") }) as { twice(n: number): number }).twice(1)).toBe(4);
    expect(() => saveCodeCaches()).not.toThrow();
  });

  it("SWITCHYARD_CODE_CACHE=0 turns it off; SWITCHYARD_CACHE_DIR moves it", () => {
    expect(defaultCacheDirectory({ SWITCHYARD_CODE_CACHE: "0" })).toBeUndefined();
    expect(defaultCacheDirectory({ SWITCHYARD_CACHE_DIR: "/somewhere" })).toBe("/somewhere");
    expect(defaultCacheDirectory({})).toMatch(/[/\\]\.cache[/\\]switchyard$|switchyard-cache-/);
  });
});

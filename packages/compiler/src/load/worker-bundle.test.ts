/** @module worker-bundle.test — the type-check thread's bundle: built once, reused while its sources are unchanged, rebuilt when any changes. */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runInNewContext } from "node:vm";
import { afterAll, describe, expect, it } from "vitest";
import { workerBundle } from "./worker-bundle.ts";

const scratch = mkdtempSync(join(tmpdir(), "switchyard-worker-bundle-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function run(code: string): unknown {
  const module = { exports: {} as Record<string, unknown> };
  runInNewContext(code, { module, exports: module.exports, require: () => ({}) });
  return module.exports["answer"];
}

describe("workerBundle", () => {
  const sources = join(scratch, "src");
  const entry = join(sources, "entry.ts");
  const cache = join(scratch, "cache");

  it("bundles once, serves the cached file while the sources are unchanged, rebuilds and prunes when one changes", () => {
    mkdirSync(sources, { recursive: true });
    writeFileSync(entry, 'import { value } from "./dep.ts";\nexport const answer: string = `${value} ${import.meta.url.endsWith("/entry.ts")}`;\n');
    writeFileSync(join(sources, "dep.ts"), "export const value: number = 41;\n");
    const first = workerBundle({ entry, directory: cache });
    expect("file" in first).toBe(true);
    const firstFile = "file" in first ? first.file : "";
    expect(run(readFileSync(firstFile, "utf8"))).toBe("41 true");
    expect(JSON.parse(readFileSync(join(cache, "typecheck-worker.sources.json"), "utf8"))).toEqual([join(sources, "dep.ts"), entry]);
    expect(workerBundle({ entry, directory: cache })).toEqual(first);

    writeFileSync(join(sources, "dep.ts"), "export const value: number = 42;\n");
    const second = workerBundle({ entry, directory: cache });
    expect(second).not.toEqual(first);
    const secondFile = "file" in second ? second.file : "";
    expect(run(readFileSync(secondFile, "utf8"))).toBe("42 true");
    expect(readdirSync(cache).filter((name) => name.endsWith(".cjs"))).toEqual([secondFile.slice(cache.length + 1)]);
  });

  it("without a cache folder, the code itself", () => {
    const other = join(scratch, "alone.ts");
    writeFileSync(other, 'export const answer: string = "alone " + import.meta.url.endsWith("/alone.ts");\n');
    const result = workerBundle({ entry: other, directory: undefined });
    expect("code" in result && run(result.code)).toBe("alone true");
  });
});

/** @module runtime/make-dir tests — folders are made level by level; a file or a special file system in the way fails fast. */
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { makeDir, MakeDirError } from "./make-dir.ts";

const scratch = mkdtempSync(join(tmpdir(), "switchyard-make-dir-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

async function failure(path: string): Promise<MakeDirError> {
  const error = await makeDir(path).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(MakeDirError);
  return error as MakeDirError;
}

describe("makeDir", () => {
  it("creates every missing level and accepts a folder that exists", async () => {
    const deep = join(scratch, "a", "b", "c");
    await makeDir(deep);
    expect(statSync(deep).isDirectory()).toBe(true);
    await makeDir(deep);
  });

  it("fails with ENOTDIR naming the file in the way, however deep below it, creating nothing", async () => {
    const file = join(scratch, "a-file");
    writeFileSync(file, "");
    for (const path of [file, join(file, "dist"), join(file, "dist", "prod", ".staging-1")]) {
      const error = await failure(path);
      expect(error.code).toBe("ENOTDIR");
      expect(error.message).toBe(`ENOTDIR: ${file} is a file, not a folder, so ${path} cannot be made`);
    }
  });

  it("fails fast under /proc (Linux), where recursive mkdir loops forever", async () => {
    const started = Date.now();
    const error = await failure("/proc/switchyard-out/default/.staging-1");
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(["ENOENT", "EACCES", "EPERM"]).toContain(error.code);
    expect(error.message).toContain("/proc/switchyard-out");
  });
});

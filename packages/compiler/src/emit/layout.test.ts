/** @module emit/layout tests — a directory stands for its build, a dist folder's build for --env, or its routes.ts, in that order. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { releaseOrConfigIn } from "./layout.ts";

const root = mkdtempSync(join(tmpdir(), "switchyard-layout-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function folder(name: string, files: string[]): string {
  const dir = join(root, name);
  for (const file of files) {
    mkdirSync(join(dir, file, ".."), { recursive: true });
    writeFileSync(join(dir, file), "");
  }
  mkdirSync(dir, { recursive: true });
  return dir;
}

describe("releaseOrConfigIn", () => {
  it("prefers the directory's own build, then <env>/switchyard.json, then routes.ts", () => {
    const all = folder("all", ["switchyard.json", "prod/switchyard.json", "routes.ts"]);
    expect(releaseOrConfigIn(all, "prod")).toEqual({ kind: "build", file: join(all, "switchyard.json") });
    const dist = folder("dist", ["prod/switchyard.json", "routes.ts"]);
    expect(releaseOrConfigIn(dist, "prod")).toEqual({ kind: "build", file: join(dist, "prod", "switchyard.json") });
    expect(releaseOrConfigIn(dist, undefined)).toEqual({ kind: "config", file: join(dist, "routes.ts") });
  });

  it("is undefined for a directory with none of them (a folder named routes.ts does not count)", () => {
    expect(releaseOrConfigIn(folder("empty", []), "prod")).toBeUndefined();
    const odd = folder("odd", ["routes.ts/inner"]);
    expect(releaseOrConfigIn(odd, undefined)).toBeUndefined();
  });
});

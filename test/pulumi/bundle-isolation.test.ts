/** @module Nothing of packages/pulumi (or Pulumi, gRPC, protobuf) reaches the router or its bundle. */
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { compileRoutes } from "@switchyard/pulumi";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");
const FOREIGN = /@switchyard\/pulumi|@pulumi\/|@grpc\/grpc-js|google-protobuf/;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts") ? [path] : [];
  });
}

describe("router bundle isolation", () => {
  it("the router package neither depends on nor imports Pulumi code", () => {
    const manifest = JSON.parse(readFileSync(join(ROOT, "packages/router/package.json"), "utf8")) as { dependencies?: Record<string, string> };
    expect(Object.keys(manifest.dependencies ?? {}).filter((name) => FOREIGN.test(name))).toEqual([]);
    const importing = sources(join(ROOT, "packages/router/src")).filter((file) =>
      /from\s+["'](@switchyard\/pulumi|@pulumi\/|@grpc\/|google-protobuf)/.test(readFileSync(file, "utf8")),
    );
    expect(importing).toEqual([]);
  });

  it("router.mjs built through the Pulumi package carries none of it", async () => {
    const build = await compileRoutes({ file: resolve(import.meta.dirname, "fixtures/routes-v1.ts"), env: "test" });
    expect(build.routerBundle.length).toBeGreaterThan(1000);
    expect(build.routerBundle).not.toMatch(FOREIGN);
    expect(build.routerBundle).not.toContain("switchyard:index:Release");
  }, 120_000);
});

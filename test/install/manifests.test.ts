/**
 * @module install/manifests.test — the fast slice of the install test (the whole one, `pnpm test:install`,
 * packs, publishes to a local registry and installs): every package's manifest is publishable, its
 * publishConfig maps each source export to the dist/ files the emit step writes, and its bins exist.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { mergePackageJson } from "../../packages/cli/src/commands/init.ts";
import { repoRoot } from "../compiler/helpers.ts";

const PACKAGES = ["packages/sdk", "packages/ir", "policies", "packages/router", "packages/compiler", "packages/cli", "packages/pulumi"];

interface Manifest {
  name: string;
  version: string;
  private?: boolean;
  license?: string;
  repository?: { directory?: string };
  engines?: { node?: string };
  type?: string;
  files?: string[];
  exports: Record<string, string>;
  bin?: Record<string, string>;
  dependencies?: Record<string, string>;
  publishConfig?: { access?: string; exports?: Record<string, string | { types: string; import: string; default: string }>; bin?: Record<string, string> };
}

const read = (dir: string): Manifest => JSON.parse(readFileSync(join(repoRoot, dir, "package.json"), "utf8")) as Manifest;

describe.each(PACKAGES)("%s/package.json", (dir) => {
  const manifest = read(dir);

  it("is publishable: not private, MIT, repository, engines, ESM, public, ships dist/ and src/ without tests", () => {
    expect(manifest.private).toBeUndefined();
    expect(manifest.name).toMatch(/^@switchyard\//);
    expect(manifest.license).toBe("MIT");
    expect(manifest.repository?.directory).toBe(dir);
    expect(manifest.engines?.node).toMatch(/^>=\d+/);
    expect(manifest.type).toBe("module");
    expect(manifest.publishConfig?.access).toBe("public");
    expect(manifest.files).toEqual(expect.arrayContaining(["dist", "src", "!src/**/*.test.ts", "README.md"]));
  });

  it("publishConfig.exports maps every source export to its dist/ JavaScript and declarations", () => {
    const published = manifest.publishConfig?.exports ?? {};
    expect(Object.keys(published)).toEqual(Object.keys(manifest.exports));
    for (const [subpath, source] of Object.entries(manifest.exports)) {
      if (!source.endsWith(".ts")) {
        expect(published[subpath]).toBe(source);
        continue;
      }
      expect(existsSync(join(repoRoot, dir, source)), source).toBe(true);
      const base = source.replace(/^\.\/src\//, "./dist/").replace(/\.ts$/, "");
      expect(published[subpath], subpath).toEqual({ types: `${base}.d.ts`, import: `${base}.js`, default: `${base}.js` });
    }
  });

  it("depends on its siblings through the workspace (pnpm pack writes the version) and never on tsx at run time", () => {
    for (const [name, range] of Object.entries(manifest.dependencies ?? {})) {
      if (name.startsWith("@switchyard/")) expect(range, name).toBe("workspace:*");
    }
    expect(manifest.dependencies ?? {}).not.toHaveProperty("tsx");
  });

  it("publishes each bin as a compiled entry point that exists and imports dist/", () => {
    expect(Object.keys(manifest.publishConfig?.bin ?? {})).toEqual(Object.keys(manifest.bin ?? {}));
    for (const [name, file] of Object.entries(manifest.publishConfig?.bin ?? {})) {
      const path = join(repoRoot, dir, file);
      expect(existsSync(path), name).toBe(true);
      const text = readFileSync(path, "utf8");
      expect(text.startsWith("#!/usr/bin/env node\n")).toBe(true);
      expect(text).not.toMatch(/["']tsx(\/[^"']*)?["']/);
      const target = /import\("\.\.\/dist\/([^"]+)\.js"\)/.exec(text)?.[1];
      expect(target, name).toBeDefined();
      expect(existsSync(join(repoRoot, dir, "src", `${target ?? ""}.ts`)), `${name} → src/${target}.ts`).toBe(true);
      expect(manifest.files).toContain(file.replace(/^\.\//, ""));
    }
  });
});

describe("the CLI package", () => {
  it("ships the templates init writes", () => {
    expect(read("packages/cli").files).toContain("templates");
  });
});

describe("@pulumi/pulumi version ranges", () => {
  const peer = (read("packages/pulumi") as Manifest & { peerDependencies?: Record<string, string> }).peerDependencies?.["@pulumi/pulumi"];

  it("@switchyard/pulumi peers every current 3.x (3.249+ needs Node 22: npm picks by the running Node, not the range)", () => {
    expect(peer).toBe("^3.142.0");
  });

  it("`switchyard init --pulumi` writes the peer range into the project, so the two cannot drift", () => {
    const { text } = mergePackageJson(undefined, "app", "0.1.0", true);
    const written = (JSON.parse(text) as { devDependencies: Record<string, string> }).devDependencies["@pulumi/pulumi"];
    expect(written).toBe(peer);
  });
});

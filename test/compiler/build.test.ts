/** @module build.test — build: writes switchyard.json, manifest.json, router.mjs and its assets; deterministic; nothing on errors. */
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { build } from "@switchyard/compiler";
import { parseRelease } from "@switchyard/ir";
import { fixtures, repoRoot } from "./helpers.ts";

const scratch = mkdtempSync(join(tmpdir(), "switchyard-build-test-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const quickstart = join(repoRoot, "examples", "quickstart", "routes.ts");
const acme = join(repoRoot, "examples", "acme", "routes.ts");

function readAll(directory: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(directory).sort()) out[name] = readFileSync(join(directory, name), "latin1");
  return out;
}

describe("build", () => {
  it("writes the environment folder with a valid release and a manifest that describes the files", async () => {
    const outDir = join(scratch, "one");
    const result = await build({ file: acme, env: "dev", outDir });
    expect(result.ok).toBe(true);
    expect(result.outDir).toBe(join(outDir, "dev"));
    const names = readdirSync(join(outDir, "dev")).sort();
    expect(names).toContain("switchyard.json");
    expect(names).toContain("manifest.json");
    expect(names.every((name) => !name.includes("tmp") && !name.startsWith("."))).toBe(true);
    const releaseText = readFileSync(join(outDir, "dev", "switchyard.json"), "utf8");
    const parsed = parseRelease(releaseText);
    expect(parsed.success).toBe(true);
    if (!parsed.success) return;
    expect(parsed.data.hash).toBe(result.release?.hash);
    expect(parsed.data.config.environment).toBe("dev");
    expect(parsed.data.config.providers.openai?.kind).toBe("mock"); // dev override applied
    const manifest = JSON.parse(readFileSync(join(outDir, "dev", "manifest.json"), "utf8")) as {
      irVersion: number;
      hash: string;
      environment: string;
      files: Record<string, { bytes: number; sha256: string }>;
    };
    expect(manifest).toMatchObject({ irVersion: 1, hash: parsed.data.hash, environment: "dev" });
    for (const [name, entry] of Object.entries(manifest.files)) {
      const bytes = readFileSync(join(outDir, "dev", name));
      expect(entry.bytes).toBe(bytes.length);
      expect(entry.sha256).toBe(createHash("sha256").update(bytes).digest("hex"));
    }
    expect(JSON.stringify(manifest)).not.toMatch(/20\d\d-\d\d-\d\dT/); // no timestamps
    // router.mjs's assets are in the folder, listed in the manifest, and reported as written: the deployable folder.
    const assets = names.filter((name) => /^switchyard-[a-z]+\.[0-9a-f]{8}\.mjs$/.test(name));
    expect(assets.map((name) => name.split(".")[0])).toEqual([
      "switchyard-admin",
      "switchyard-dashboard",
      "switchyard-embeddings",
      "switchyard-messages",
      "switchyard-prompts",
      "switchyard-responses",
    ]);
    expect(Object.keys(manifest.files).sort()).toEqual(names.filter((name) => name !== "manifest.json"));
    for (const asset of assets) expect(result.files).toContain(join(outDir, "dev", asset));
    // Each asset's name carries its content's hash, so a stale asset of another build is never imported.
    for (const asset of assets) expect(manifest.files[asset]?.sha256.slice(0, 8)).toBe(asset.split(".")[1]);
  });

  it("is byte-identical across two builds of the same input", async () => {
    const first = join(scratch, "a");
    const second = join(scratch, "b");
    const a = await build({ file: quickstart, outDir: first });
    const b = await build({ file: quickstart, outDir: second });
    expect(a.ok && b.ok).toBe(true);
    expect(readAll(join(first, "default"))).toEqual(readAll(join(second, "default")));
    expect(a.release?.hash).toBe(b.release?.hash);
  });

  it("writes nothing when the config has errors", async () => {
    const outDir = join(scratch, "broken");
    const result = await build({ file: join(fixtures, "semantic", "canary.ts"), outDir });
    expect(result.ok).toBe(false);
    expect(result.files).toBeUndefined();
    expect(existsSync(outDir)).toBe(false);
  });

  it("an output folder that cannot be made fails fast with SY0010 naming what is in the way; nothing written", async () => {
    const blocker = join(scratch, "a-file");
    writeFileSync(blocker, "");
    const cases: [string, RegExp][] = [
      [join(blocker, "dist"), new RegExp(`^writing the build failed: ENOTDIR: ${blocker} is a file, not a folder`)],
      // Node's recursive mkdir never returns here (/proc refuses new entries with ENOENT).
      ["/proc/switchyard-build-test", /^writing the build failed: (ENOENT|EACCES|EPERM): cannot create \/proc\/switchyard-build-test/],
    ];
    for (const [outDir, message] of cases) {
      const result = await build({ file: quickstart, outDir });
      expect(result.ok, outDir).toBe(false);
      const errors = result.diagnostics.filter((d) => d.severity === "error");
      expect(
        errors.map((d) => d.code),
        outDir,
      ).toEqual(["SY0010"]);
      expect(errors[0]?.message, outDir).toMatch(message);
      expect(errors[0]?.hint).toBe("Pass a writable folder with --out; nothing was written.");
      expect(result.files).toBeUndefined();
    }
    expect(readFileSync(blocker, "utf8")).toBe("");
  });

  it("uses the environment name as the folder", async () => {
    const outDir = join(scratch, "envs");
    const prod = await build({ file: join(fixtures, "malformed", "envs.ts"), env: "prod", outDir });
    expect(prod.ok).toBe(true);
    expect(existsSync(join(outDir, "prod", "switchyard.json"))).toBe(true);
  });
});

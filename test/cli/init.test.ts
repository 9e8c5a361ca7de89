/** @module init.test — `switchyard init`: what it writes, that the scaffold passes `check --env prod` as written, never overwriting, merging package.json, bad input. */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runCli, type Io } from "@switchyard/cli";
import { repoRoot } from "../compiler/helpers.ts";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "sy-init-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function cli(argv: string[], cwd = dir): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const io: Io = { stdout: (text) => void (stdout += text), stderr: (text) => void (stderr += text), cwd, env: { NO_COLOR: "1" } };
  const code = await runCli({ argv, io });
  return { code, stdout, stderr };
}

// The scaffold's routes.ts imports @switchyard/sdk: in the temporary folder, the check maps it to the SDK itself.
describe("switchyard init", () => {
  it("writes routes.ts, tsconfig.json, package.json and the workflow; the scaffold passes check --env prod and --env dev", async () => {
    const init = await cli(["init"]);
    expect(init.code).toBe(0);
    for (const file of ["routes.ts", "tsconfig.json", "package.json", ".github/workflows/switchyard.yml"]) {
      expect(existsSync(join(dir, file)), file).toBe(true);
      expect(init.stdout).toContain(`created  ${file}`);
    }
    expect(existsSync(join(dir, "pulumi"))).toBe(false);
    const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as {
      scripts: Record<string, string>;
      devDependencies: Record<string, string>;
    };
    expect(manifest.scripts).toEqual({ check: "switchyard check --env prod", build: "switchyard build --env prod" });
    expect(Object.keys(manifest.devDependencies)).toEqual(["@switchyard/cli", "@switchyard/sdk"]);

    const prod = await cli(["check", "--env", "prod"]);
    expect(prod.stdout + prod.stderr).toMatch(/no problems \(environment prod, 1 route/);
    expect(prod.code).toBe(0);
    const dev = await cli(["check", "routes.ts", "--env", "dev", "--format", "json"]);
    expect(JSON.parse(dev.stdout)).toMatchObject({ ok: true, errorCount: 0, warningCount: 0 });
  });

  it("the starter has what it promises: two providers, a tier, a route with a fallback, a team with a budget, dev and prod with policy packs", async () => {
    await cli(["init"]);
    const { compile } = await import("@switchyard/compiler");
    const result = await compile({ file: join(dir, "routes.ts"), env: "prod" });
    const config = result.release?.config;
    expect(Object.keys(config?.providers ?? {})).toHaveLength(2);
    expect(Object.keys(config?.tiers ?? {}).length).toBeGreaterThanOrEqual(1);
    expect(Object.values(config?.routes ?? {}).some((route) => route.fallback.length > 0)).toBe(true);
    expect(Object.values(config?.teams ?? {}).some((team) => team.budget !== undefined)).toBe(true);
    const source = readFileSync(join(dir, "routes.ts"), "utf8");
    expect(source).toMatch(/dev: \{[\s\S]*policies: \["baseline"\]/);
    expect(source).toMatch(/prod: \{[\s\S]*policies: \["baseline", "prod-safety"\]/);
  });

  it("never overwrites: lists what it skipped and why; --force replaces the template files", async () => {
    writeFileSync(join(dir, "routes.ts"), "// mine\n");
    const first = await cli(["init"]);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain("skipped  routes.ts: already exists (--force replaces it)");
    expect(readFileSync(join(dir, "routes.ts"), "utf8")).toBe("// mine\n");
    const again = await cli(["init"]);
    expect(again.stdout).toContain("skipped  tsconfig.json: already exists");
    expect(again.stdout).not.toContain("created");
    const forced = await cli(["init", "--force"]);
    expect(forced.stdout).toContain("replaced routes.ts");
    expect(readFileSync(join(dir, "routes.ts"), "utf8")).toContain("defineConfig");
  });

  it("merges scripts into an existing package.json without clobbering", async () => {
    const original = {
      name: "app",
      version: "1.2.3",
      scripts: { build: "vite build", test: "vitest" },
      devDependencies: { "@switchyard/cli": "0.1.0" },
      custom: { keep: true },
    };
    writeFileSync(join(dir, "package.json"), JSON.stringify(original));
    const result = await cli(["init"]);
    const merged = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as typeof original & {
      scripts: Record<string, string>;
      devDependencies: Record<string, string>;
    };
    expect(merged.scripts).toEqual({ build: "vite build", test: "vitest", check: "switchyard check --env prod" });
    expect(merged.devDependencies).toEqual({ "@switchyard/cli": "0.1.0", "@switchyard/sdk": "^0.1.0" });
    expect(merged.custom).toEqual({ keep: true });
    expect(merged.version).toBe("1.2.3");
    expect(result.stdout).toContain("skipped  package.json scripts.build: already set to something else (kept)");
    expect(result.stdout).toContain("updated  package.json (scripts.check, devDependencies.@switchyard/sdk)");
  });

  it("--pulumi adds a Pulumi program with one file per stack, into a folder it creates", async () => {
    const result = await cli(["init", "infra/routing", "--pulumi"]);
    expect(result.code).toBe(0);
    for (const file of ["routes.ts", "pulumi/Pulumi.yaml", "pulumi/Pulumi.dev.yaml", "pulumi/Pulumi.prod.yaml", "pulumi/index.ts"]) {
      expect(existsSync(join(dir, "infra/routing", file)), file).toBe(true);
    }
    expect(readFileSync(join(dir, "infra/routing/pulumi/index.ts"), "utf8")).toContain('from "@switchyard/pulumi"');
    const manifest = JSON.parse(readFileSync(join(dir, "infra/routing/package.json"), "utf8")) as { devDependencies: Record<string, string> };
    expect(manifest.devDependencies).toHaveProperty("@switchyard/pulumi");
    expect(manifest.devDependencies).toHaveProperty("@pulumi/pulumi");
  });

  it.each([
    [["init", "a-file"], "switchyard init: "],
    [["init", "--bogus"], "switchyard init: unknown option --bogus."],
    [["init", "a", "b"], "switchyard init: expected at most one folder, got 2"],
  ])("bad input %j → a clear error, exit 2, nothing written", async (argv, start) => {
    writeFileSync(join(dir, "a-file"), "x");
    const result = await cli(argv);
    expect(result.code).toBe(2);
    expect(result.stderr.split("\n")[0]).toContain(start);
    if (argv[1] === "a-file") expect(result.stderr).toContain("is a file, not a folder");
    expect(existsSync(join(dir, "routes.ts"))).toBe(false);
  });

  it("a package.json that is not JSON → exit 2, the file untouched", async () => {
    writeFileSync(join(dir, "package.json"), "{ nope");
    const result = await cli(["init"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("package.json is not valid JSON");
    expect(readFileSync(join(dir, "package.json"), "utf8")).toBe("{ nope");
  });

  it("init's workflow is examples/ci/switchyard.yml (one source of truth)", async () => {
    mkdirSync(join(dir, "x"));
    await cli(["init", "x"]);
    expect(readFileSync(join(dir, "x/.github/workflows/switchyard.yml"), "utf8")).toBe(readFileSync(join(repoRoot, "examples/ci/switchyard.yml"), "utf8"));
  });
});

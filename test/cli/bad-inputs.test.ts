/**
 * @module bad-inputs.test — what a user who points a verb at the wrong thing sees: an empty --out,
 * a directory given to serve/release push/demo, a broken switchyard.json, and a demo config whose
 * providers fail. Each answer is one clear message with the right exit code, never a stack.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServer } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, type Io } from "@switchyard/cli";
import { createRelease, parseConfig, serialiseRelease } from "@switchyard/ir";
import { repoRoot } from "../compiler/helpers.ts";

const STACK = /\n\s+at .+:\d+:\d+\)?/;
const scratch = mkdtempSync(join(tmpdir(), "switchyard-cli-bad-inputs-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

async function cli(argv: string[], options: { cwd?: string; env?: Record<string, string> } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const io: Io = {
    stdout: (text) => void (stdout += text),
    stderr: (text) => void (stderr += text),
    cwd: options.cwd ?? repoRoot,
    env: { NO_COLOR: "1", ...options.env },
  };
  const code = await runCli({ argv, io });
  expect(stdout + stderr).not.toMatch(STACK);
  return { code, stdout, stderr };
}

/** A dist folder holding a `prod` build, written from IR (no compiler involved). */
function distWithProdBuild(): string {
  const dist = join(scratch, "dist");
  const parsed = parseConfig({
    irVersion: 1,
    environment: "prod",
    providers: { p: { kind: "mock" } },
    models: { m: { provider: "p", name: "m", context: 1000, price: { input: 0, output: 0 } } },
    routes: { chat: { model: "m" } },
  });
  if (!parsed.success) throw new Error("fixture");
  mkdirSync(join(dist, "prod"), { recursive: true });
  writeFileSync(join(dist, "prod", "switchyard.json"), serialiseRelease(createRelease(parsed.data)));
  return dist;
}

// `release push` loads its argument exactly like `serve` (same loader) and then needs a router:
// pointing it at a closed port shows how far loading got without starting a server.
let closedUrl = "";
const CLOSED_ROUTER: string[] = [];
beforeAll(async () => {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const { port } = server.address() as { port: number };
  await new Promise((done) => server.close(done));
  closedUrl = `http://127.0.0.1:${port}`;
  CLOSED_ROUTER.push("--router", closedUrl);
});
const TOKEN = { SWITCHYARD_ADMIN_TOKEN: "t" };

describe("bad inputs on CLI verbs", () => {
  it("build --out '' is a usage error instead of a build into the current directory", async () => {
    const result = await cli(["build", "examples/quickstart", "--out", ""], { cwd: repoRoot });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("switchyard build: --out must name a folder, got an empty string");
  });

  it("serve --host '' is a usage error, like router.mjs", async () => {
    const result = await cli(["serve", "test/fixtures/cli/console", "--host", ""]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("switchyard serve: --host must not be empty (default 127.0.0.1)");
  });

  it("serve/release push of a dist folder without --env names the builds it holds", async () => {
    const dist = distWithProdBuild();
    const result = await cli(["release", "push", "dist", ...CLOSED_ROUTER], { cwd: scratch, env: TOKEN });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("switchyard release: dist holds no switchyard.json and no routes.ts; it has builds for prod: pass dist/prod or --env prod");
    const withEnv = await cli(["release", "push", "dist", "--env", "prod", ...CLOSED_ROUTER], { cwd: scratch, env: TOKEN });
    expect(withEnv.stderr).toContain(`cannot reach the router at ${closedUrl}`);
    expect(withEnv.code).toBe(1);
    rmSync(dist, { recursive: true, force: true });
  });

  it("serve/release push of a project directory compiles its routes.ts", async () => {
    const result = await cli(["release", "push", "test/fixtures/cli/console", "--env", "default", ...CLOSED_ROUTER], { env: TOKEN });
    expect(result.stderr).toContain("[test/fixtures/cli/console/routes.ts] evaluating the console fixture");
    expect(result.stderr).toContain(`cannot reach the router at ${closedUrl}`);
    expect(result.code).toBe(1);
    // Without --env it is compiled for the router's environment, so the router is asked first.
    const unasked = await cli(["release", "push", "test/fixtures/cli/console", ...CLOSED_ROUTER], { env: TOKEN });
    expect(unasked.stderr).not.toContain("evaluating the console fixture");
    expect(unasked.stderr).toContain(`cannot reach the router at ${closedUrl}`);
    expect(unasked.code).toBe(1);
  });

  it("an empty directory: what was looked for, and what to do", async () => {
    mkdirSync(join(scratch, "empty"), { recursive: true });
    const result = await cli(["release", "push", "empty", "--env", "prod", ...CLOSED_ROUTER], { cwd: scratch, env: TOKEN });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      "switchyard release: empty holds no switchyard.json, no prod/switchyard.json and no routes.ts: build first with `switchyard build`, or give a routes.ts",
    );
  });

  it("a switchyard.json that is not JSON: one line per issue", async () => {
    writeFileSync(join(scratch, "bad.json"), "not json\n");
    const result = await cli(["release", "push", "bad.json", ...CLOSED_ROUTER], { cwd: scratch, env: TOKEN });
    expect(result.code).toBe(1);
    expect(result.stderr.split("\n").filter(Boolean)).toHaveLength(1);
    expect(result.stderr).toMatch(/^bad\.json: \(root\): not valid JSON: .* \[invalid_json\]\n$/);
  });

  it("demo given a directory uses its routes.ts, and says so when there is none", async () => {
    mkdirSync(join(scratch, "no-config"), { recursive: true });
    const missing = await cli(["demo", "no-config", "--once"], { cwd: scratch });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("switchyard demo: no-config/routes.ts does not exist");
  });

  it("demo with providers that fail: router warnings shown, failures counted plainly, no talk of fallbacks", async () => {
    const result = await cli(["demo", "test/fixtures/cli/failing", "--once", "--port", "0"]);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain("warning: team key environment variable SWITCHYARD_TEST_UNSET_KEY is not set");
    expect(result.stdout).toContain('Showcase: sending requests to route "chat"\n');
    expect(result.stdout).toContain("4 request(s) failed: see the errors above.");
    expect(result.stdout).toMatch(/Streaming failed \(50\d\): every candidate for route `chat` failed/);
    expect(result.stdout).not.toContain("mock's failures are per request id");
    expect(result.stdout.match(/^ {2}# ?\d+ /gm)).toHaveLength(4);
  });
});

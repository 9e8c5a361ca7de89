/** @module run-cli.test — The CLI in-process (runCli with a captured Io): formats, env handling, malformed input, usage errors. */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli, type Io } from "@switchyard/cli";
import { repoRoot } from "../compiler/helpers.ts";

const fixtures = join(repoRoot, "test", "fixtures", "compiler");
const STACK = /\n\s+at .+:\d+:\d+\)?/;

async function cli(argv: string[], cwd = repoRoot): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const io: Io = { stdout: (text) => void (stdout += text), stderr: (text) => void (stderr += text), cwd, env: { NO_COLOR: "1" } };
  const code = await runCli({ argv, io });
  return { code, stdout, stderr };
}

describe("runCli", () => {
  it("<verb> --help teaches the verb", async () => {
    const result = await cli(["check", "--help"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Usage: switchyard check");
    expect(result.stdout).toContain("--format");
    expect((await cli(["help", "build"])).stdout).toContain("Usage: switchyard build");
  });

  it.each([
    [["check", "--evn", "prod"], "switchyard check: unknown option --evn. Did you mean --env?"],
    [["check", "--bogus"], "switchyard check: unknown option --bogus."],
    [["check", "--env"], "switchyard check: --env needs a value."],
    [["explain", "--route", "chat", "--tokens", "-5"], 'switchyard explain: --tokens needs a value; for a value starting with "-", write --tokens=-5.'],
    [["check", "--help=yes"], "switchyard check: --help takes no value."],
  ])("option error %j → one plain line, exit 2", async (argv, line) => {
    const result = await cli(argv);
    expect(result.code).toBe(2);
    expect(result.stderr.split("\n")[0]).toBe(line);
    expect(result.stderr).toContain("Usage: switchyard");
  });

  it("help for an unknown command → exit 2 with a suggestion, nothing on stdout", async () => {
    const result = await cli(["help", "chek"]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain('no help for unknown command "chek"');
    expect(result.stderr).toContain("switchyard help check");
  });

  it("no verb → help on stderr, exit 2", async () => {
    const result = await cli([]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("Commands:");
  });

  it("too many files → usage error, exit 2", async () => {
    const result = await cli(["check", "a.ts", "b.ts"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("Usage: switchyard check");
  });

  it("check defaults to ./routes.ts", async () => {
    const result = await cli(["check"], join(repoRoot, "examples", "quickstart"));
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("routes.ts: no problems");
  });

  it("a directory argument means its routes.ts", async () => {
    const result = await cli(["check", "examples/quickstart"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("examples/quickstart/routes.ts: no problems");
  });

  it("--format json / sarif / github", async () => {
    const file = join(fixtures, "semantic", "canary.ts");
    const json = await cli(["check", file, "--format", "json"]);
    expect(json.code).toBe(1);
    expect((JSON.parse(json.stdout) as { errorCount: number }).errorCount).toBe(4);
    const sarif = await cli(["check", file, "--format", "sarif"]);
    expect(sarif.code).toBe(1);
    expect((JSON.parse(sarif.stdout) as { version: string }).version).toBe("2.1.0");
    const github = await cli(["check", file, "-f", "github"]);
    expect(github.stdout.split("\n").filter((line) => line.startsWith("::error file=test/fixtures/compiler/semantic/canary.ts,line="))).toHaveLength(4);
  });

  it("malformed inputs → exit 1 with diagnostics, never a stack trace", async () => {
    for (const name of ["syntax-error.ts", "wrong-shape.ts", "throws.ts", "never-settles.ts", "no-default.ts", "function-value.ts"]) {
      const result = await cli(["check", join(fixtures, "malformed", name)]);
      expect(result.code, name).toBe(1);
      expect(result.stdout, name).toMatch(/ - error (TS|SY)\d+: /);
      expect(result.stdout + result.stderr, name).not.toMatch(STACK);
    }
    const missing = await cli(["check", "nope/routes.ts"]);
    expect(missing.code).toBe(1);
    expect(missing.stdout).toContain("SY0001");
  });

  it("unknown --env → exit 1 naming the declared environments", async () => {
    const result = await cli(["check", join(fixtures, "malformed", "envs.ts"), "--env", "staging"]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('unknown environment "staging" (declared: dev, prod)');
  });

  it("acme checks clean for dev", async () => {
    const result = await cli(["check", "examples/acme/routes.ts", "--env", "dev"]);
    expect(result.stdout).toContain("no problems");
    expect(result.code).toBe(0);
  });

  it("a verb that throws → exit 2 with a one-line message, no stack", async () => {
    const boom = {
      name: "boom",
      summary: "x",
      usage: "switchyard boom",
      help: "",
      options: {},
      run: async () => {
        throw new Error("kaput\nsecond line");
      },
    };
    let stderr = "";
    const code = await runCli({
      argv: ["boom"],
      commands: [boom],
      io: { stdout: () => undefined, stderr: (text) => void (stderr += text), cwd: repoRoot, env: {} },
    });
    expect(code).toBe(2);
    expect(stderr).toContain("internal error: kaput");
    expect(stderr).not.toContain("second line");
    expect(stderr).not.toMatch(STACK);
  });
});

/**
 * `loadDiffSide` with a stand-in compiler (the config files here are IR as JSON), so each way of
 * naming a side is tested fast: build dirs, switchyard.json, config files, git refs, REF:path,
 * ./-relative paths, and every error a user can cause.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRelease, parseConfig, serialiseRelease } from "@switchyard/ir";
import { loadDiffSide, parseGitSpec, type CompileFn } from "../../packages/compiler/src/diff/load.ts";

function ir(routeModel: string, environment = "default"): unknown {
  return {
    irVersion: 1,
    environment,
    providers: { p: { kind: "mock" } },
    models: {
      a: { provider: "p", name: "a", context: 1000, price: { input: 1, output: 1 } },
      b: { provider: "p", name: "b", context: 1000, price: { input: 1, output: 1 } },
    },
    routes: { chat: { model: routeModel } },
  };
}

/** Compiles "routes.ts" files holding IR JSON; `import "./x"` lines must resolve next to the file. */
const compiled: { file: string; env?: string }[] = [];
const compile: CompileFn = async ({ file, env }) => {
  compiled.push({ file, ...(env === undefined ? {} : { env }) });
  const text = readFileSync(file, "utf8");
  if (text.startsWith("BROKEN")) {
    return { ok: false, diagnostics: [{ code: "TS2322", severity: "error", message: "broken", file, line: 1, column: 1, endLine: 1, endColumn: 7, path: [] }] };
  }
  const [first, ...rest] = text.split("\n");
  if (first?.startsWith("// needs ")) readFileSync(join(file, "..", first.slice("// needs ".length)), "utf8");
  const parsed = parseConfig({ ...(JSON.parse(rest.join("\n") || (first ?? "")) as object), ...(env === undefined ? {} : { environment: env }) });
  if (!parsed.success) throw new Error(JSON.stringify(parsed.issues));
  return {
    ok: true,
    diagnostics: [{ code: "x/warn", severity: "warning", message: "w", file, line: 1, column: 1, endLine: 1, endColumn: 2, path: ["routes", "chat"] }],
    release: createRelease(parsed.data),
  };
};

let dir: string;
const git = (...args: string[]): string =>
  execFileSync("git", args, {
    cwd: dir,
    encoding: "utf8",
    env: { ...process.env, GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@e", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@e", HOME: dir },
  });

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "switchyard-diff-load-"));
  git("init", "--quiet", "--initial-branch=main");
  mkdirSync(join(dir, "app"));
  writeFileSync(join(dir, "app", "helper.ts"), "export {};\n");
  writeFileSync(join(dir, "app", "routes.ts"), `// needs helper.ts\n${JSON.stringify(ir("a"))}`);
  writeFileSync(join(dir, "routes.ts"), JSON.stringify(ir("a")));
  git("add", ".");
  git("commit", "--quiet", "-m", "one");
  writeFileSync(join(dir, "app", "routes.ts"), `// needs helper.ts\n${JSON.stringify(ir("b"))}`);
  writeFileSync(join(dir, "routes.ts"), "BROKEN");
  git("commit", "--quiet", "-am", "two");
  const parsed = parseConfig(ir("b", "prod"));
  if (!parsed.success) throw new Error("fixture");
  mkdirSync(join(dir, "dist", "prod"), { recursive: true });
  writeFileSync(join(dir, "dist", "prod", "switchyard.json"), serialiseRelease(createRelease(parsed.data)));
  writeFileSync(join(dir, "dist", "tampered.json"), serialiseRelease(createRelease(parsed.data)).replace('"model":"b"', '"model":"a"'));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("loadDiffSide", () => {
  it("reads a build directory, a dist directory with --env, and a switchyard.json file", async () => {
    for (const [spec, env] of [
      ["dist/prod", undefined],
      ["dist", "prod"],
      ["dist/prod/switchyard.json", undefined],
    ] as const) {
      const result = await loadDiffSide({ spec, cwd: dir, compile, ...(env === undefined ? {} : { env }) });
      expect(result.ok && result.side.info).toMatchObject({ label: spec, kind: "build", environment: "prod" });
      expect(result.ok && result.side.diagnostics).toBeUndefined();
    }
  });

  it("rejects a switchyard.json whose hash does not match", async () => {
    const result = await loadDiffSide({ spec: "dist/tampered.json", cwd: dir, compile });
    expect(!result.ok && result.error.code).toBe("SYD005");
    expect(!result.ok && result.error.message).toContain("does not match the content");
  });

  it("compiles a config file or a directory holding routes.ts, for the environment", async () => {
    const file = await loadDiffSide({ spec: "app/routes.ts", cwd: dir, compile, env: "prod" });
    expect(file.ok && [file.side.info.kind, file.side.release.config.routes.chat?.model, file.side.release.config.environment]).toEqual([
      "config",
      "b",
      "prod",
    ]);
    const folder = await loadDiffSide({ spec: "app", cwd: dir, compile });
    expect(folder.ok && folder.side.info.kind).toBe("config");
    expect(folder.ok && folder.side.diagnostics?.map((d) => d.code)).toEqual(["x/warn"]);
  });

  it("compiles a file at a git ref from a copy of the tree, so relative imports resolve", async () => {
    const old = await loadDiffSide({ spec: "HEAD~1:app/routes.ts", cwd: dir, compile });
    expect(old.ok && old.side.info).toMatchObject({ label: "HEAD~1:app/routes.ts", kind: "git" });
    expect(old.ok && old.side.release.config.routes.chat?.model).toBe("a");
    // Diagnostics name the file as REF:path, not the temporary copy.
    expect(old.ok && old.side.diagnostics?.[0]?.file).toBe("HEAD~1:app/routes.ts");
    // A bare ref reads routes.ts in the current directory; REF:./path is relative to it too.
    const bare = await loadDiffSide({ spec: "main~1", cwd: join(dir, "app"), compile });
    expect(bare.ok && bare.side.release.config.routes.chat?.model).toBe("a");
    const relative = await loadDiffSide({ spec: "main:./routes.ts", cwd: join(dir, "app"), compile });
    expect(relative.ok && relative.side.release.config.routes.chat?.model).toBe("b");
    // The user's working tree and index are untouched.
    expect(git("status", "--porcelain")).toBe("?? dist/\n");
  });

  it("reports a side that does not compile with its diagnostics and source text", async () => {
    const result = await loadDiffSide({ spec: "HEAD", cwd: dir, compile });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe("SYD006");
    expect(result.error.message).toBe("HEAD: the config does not compile (1 error)");
    expect(result.error.diagnostics?.map((d) => [d.code, d.file])).toEqual([["TS2322", "HEAD:routes.ts"]]);
    expect(result.error.sources).toEqual({ "HEAD:routes.ts": "BROKEN" });
  });

  it("names every bad spec with a code and a one-line message", async () => {
    const cases: [string, string, string, RegExp][] = [
      ["nope", dir, "SYD003", /^nope: no such file or directory, and "nope" is not a commit in this repository$/],
      ["HEAD:nope.ts", dir, "SYD004", /^HEAD:nope\.ts: there is no nope\.ts at HEAD \([0-9a-f]{12}\)$/],
      ["HEAD", join(dir, "dist"), "SYD004", /^HEAD: there is no dist\/routes\.ts at HEAD/],
      ["HEAD:../x.ts", dir, "SYD004", /outside the repository/],
      ["dist/prod/..", join(dir, "app", ".."), "SYD001", /the directory holds no switchyard\.json and no routes\.ts/],
      ["main", tmpdir(), "SYD002", /is not inside a git repository/],
    ];
    for (const [spec, cwd, code, message] of cases) {
      const result = await loadDiffSide({ spec, cwd, compile });
      expect(result.ok ? "ok" : result.error.code, spec).toBe(code);
      expect(result.ok ? "" : result.error.message, spec).toMatch(message);
    }
  });

  it("hands what a compiled side prints to onConsole, a git side's file named REF:path", async () => {
    const lines: { stream: string; text: string; source: string }[] = [];
    const printing: CompileFn = async (options) => {
      options.onConsole?.({ stream: "stdout", text: "hello", source: options.file });
      return compile(options);
    };
    const onConsole = (line: { stream: "stdout" | "stderr"; text: string; source: string }): void => void lines.push(line);
    expect((await loadDiffSide({ spec: "HEAD~1:app/routes.ts", cwd: dir, compile: printing, onConsole })).ok).toBe(true);
    expect((await loadDiffSide({ spec: "app/routes.ts", cwd: dir, compile: printing, onConsole })).ok).toBe(true);
    expect(lines).toEqual([
      { stream: "stdout", text: "hello", source: "HEAD~1:app/routes.ts" },
      { stream: "stdout", text: "hello", source: join(dir, "app", "routes.ts") },
    ]);
    // A build is not evaluated: nothing to print, and no onConsole is required.
    expect((await loadDiffSide({ spec: "dist/prod", cwd: dir, compile: printing, onConsole })).ok).toBe(true);
    expect(lines).toHaveLength(2);
  });

  it("splits REF:path like git", () => {
    expect(parseGitSpec("origin/main:examples/acme/routes.ts")).toEqual({ ref: "origin/main", path: "examples/acme/routes.ts" });
    expect(parseGitSpec("HEAD~1")).toEqual({ ref: "HEAD~1" });
  });
});

/**
 * @module install/registry.test — the published packages as a new user installs them: every package is
 * emitted and packed (scripts/pack.mjs), published to a real npm registry (verdaccio on 127.0.0.1, the
 * @switchyard scope served only locally, everything else proxied to registry.npmjs.org), then installed
 * with npm into a fresh project outside the repository, where the editor path (tsc), `switchyard init`,
 * `check`, `build`, the built router (answering the official openai client) and the Pulumi package (a
 * program under mocks, the plugin binary) must work and nothing may resolve to the monorepo. The Pulumi
 * part runs twice: on this Node with the @pulumi/pulumi npm picks here (3.248.0 on Node 20, the last 3.x
 * whose engines accept 20), and on Node 24 (scripts/node24.mjs) with the newest 3.x, in a project
 * `switchyard init --pulumi` scaffolds.
 * Needs the npm registry (for third-party dependencies) and takes 2–7 minutes (most of it tsc and npm
 * install), so it is not part of `pnpm test`: run it with `npx -y pnpm@10 test:install`
 * (vitest.install.config.ts). test/install/manifests.test.ts is the fast slice the normal suite runs.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../compiler/helpers.ts";
import { startFakeOpenAi } from "../helpers/fake-openai.ts";
import { type RouterProcess, spawnRouter } from "../helpers/process.ts";

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command without blocking the event loop (the registry answers from this process's children). */
function run(command: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<Ran> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 120_000);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address !== null ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

const work = mkdtempSync(join(tmpdir(), "sy-install-"));
const project = join(work, "app");
const npmrc = join(work, "npmrc");
// The machine's environment (proxies, extra CA certificates) without any inherited npm/pnpm settings or
// Node options: npm reads only our npmrc (the registry and its token).
const inherited = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^(npm_|pnpm_|NODE_OPTIONS$|NODE_PATH$|VITEST)/i.test(key)));
const env: NodeJS.ProcessEnv = {
  ...inherited,
  npm_config_userconfig: npmrc,
  npm_config_globalconfig: join(work, "npmrc-global"),
  npm_config_update_notifier: "false",
  npm_config_fund: "false",
  npm_config_audit: "false",
  NO_COLOR: "1",
};
let registry: ChildProcess | undefined;
let router: RouterProcess | undefined;
const timings: string[] = [];
// What `switchyard init --pulumi` writes (test/install/manifests.test.ts pins it to @switchyard/pulumi's peer range).
const PULUMI_RANGE = "^3.142.0";
const nodeMajor = (version: string): number => Number(version.replace(/^v/, "").split(".")[0]);
/** Orders "3.248.0"-style versions (no prereleases: a range like `@3` excludes them). */
const compareVersions = (a: string, b: string): number => {
  const [x, y] = [a.split(".").map(Number), b.split(".").map(Number)];
  for (let i = 0; i < 3; i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) - (y[i] ?? 0);
  return 0;
};
const installedVersion = (dir: string, name: string): string =>
  (JSON.parse(readFileSync(join(dir, "node_modules", name, "package.json"), "utf8")) as { version: string }).version;
const started = Date.now();

function lap(label: string, since: number): void {
  timings.push(`${label} ${((Date.now() - since) / 1000).toFixed(1)}s`);
}

beforeAll(async () => {
  let t = Date.now();
  const packed = await run(process.execPath, [join(repoRoot, "scripts/pack.mjs"), "--out", join(work, "packs")], {
    cwd: repoRoot,
    env: process.env,
    timeoutMs: 180_000,
  });
  expect(packed.code, packed.stderr).toBe(0);
  const tarballs = packed.stdout.trim().split("\n");
  expect(tarballs).toHaveLength(7);
  lap("emit+pack", t);

  t = Date.now();
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/`;
  writeFileSync(
    join(work, "verdaccio.yaml"),
    [
      `storage: ${join(work, "storage")}`,
      "auth:",
      "  htpasswd:",
      `    file: ${join(work, "htpasswd")}`,
      "uplinks:",
      "  npmjs:",
      "    url: https://registry.npmjs.org/",
      // @pulumi/pulumi's package document is tens of MB: the default 30 s is too short on a slow link.
      "    timeout: 180s",
      "packages:",
      // Our scope exists only here: no proxy, so nothing of that name comes from the public registry.
      "  '@switchyard/*':",
      "    access: $all",
      "    publish: $authenticated",
      "  '**':",
      "    access: $all",
      "    publish: $authenticated",
      "    proxy: npmjs",
      "log: { type: stdout, format: pretty, level: error }",
      "",
    ].join("\n"),
  );
  registry = spawn(
    process.execPath,
    [join(repoRoot, "node_modules/verdaccio/bin/verdaccio"), "--config", join(work, "verdaccio.yaml"), "--listen", `127.0.0.1:${port}`],
    { cwd: work, env, stdio: ["ignore", "pipe", "pipe"] },
  );
  let registryLog = "";
  registry.stdout?.on("data", (d: Buffer) => (registryLog += d.toString()));
  registry.stderr?.on("data", (d: Buffer) => (registryLog += d.toString()));
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${url}-/ping`)).ok) break;
    } catch {
      // not up yet
    }
    if (i > 150) throw new Error(`verdaccio did not start:\n${registryLog}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  const user = await fetch(`${url}-/user/org.couchdb.user:ci`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name: "ci", password: "install-test-password" }),
  });
  const { token } = (await user.json()) as { token: string };
  writeFileSync(npmrc, `registry=${url}\n//127.0.0.1:${port}/:_authToken=${token}\n`);
  for (const tarball of tarballs) {
    const published = await run("npm", ["publish", tarball, "--access", "public"], { cwd: work });
    expect(published.code, `${tarball}\n${published.stderr}`).toBe(0);
  }
  lap("registry+publish", t);

  t = Date.now();
  mkdirSync(project);
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "app", private: true, type: "module" }, null, 2));
  const installed = await run(
    "npm",
    [
      "install",
      "--save-dev",
      "@switchyard/cli",
      "@switchyard/sdk",
      "@switchyard/pulumi",
      `@pulumi/pulumi@${PULUMI_RANGE}`,
      "typescript@~6.0.3",
      "openai@^6",
      "tsx@^4",
    ],
    { cwd: project, timeoutMs: 240_000 },
  );
  expect(installed.code, installed.stderr).toBe(0);
  lap("npm install", t);
}, 420_000);

afterAll(async () => {
  router?.child.kill("SIGKILL");
  registry?.kill("SIGKILL");
  rmSync(work, { recursive: true, force: true });
  console.log(`install test: ${timings.join(", ")}; total ${((Date.now() - started) / 1000).toFixed(1)}s`);
});

const sy = (args: string[]): Promise<Ran> => run("npx", ["--no-install", "switchyard", ...args], { cwd: project });

describe("installed from a registry with npm", () => {
  it("resolves every @switchyard package inside the project, with compiled entry points and real version ranges", async () => {
    for (const name of ["cli", "sdk", "compiler", "router", "ir", "policies", "pulumi"]) {
      const real = realpathSync(join(project, "node_modules/@switchyard", name));
      expect(real.startsWith(realpathSync(project))).toBe(true);
      const manifest = JSON.parse(readFileSync(join(real, "package.json"), "utf8")) as {
        private?: boolean;
        exports: Record<string, unknown>;
        dependencies?: Record<string, string>;
        license?: string;
      };
      expect(manifest.private).toBeUndefined();
      expect(manifest.license).toBe("MIT");
      expect(JSON.stringify(manifest.exports)).not.toContain("./src/");
      expect(JSON.stringify(manifest.dependencies ?? {})).not.toContain("workspace:");
      expect(existsSync(join(real, "dist/index.js")) && existsSync(join(real, "dist/index.d.ts")) && existsSync(join(real, "dist/index.js.map"))).toBe(true);
    }
    const resolved = await run(
      process.execPath,
      ["--input-type=module", "-e", "for (const n of ['cli','sdk','compiler','router','pulumi']) console.log(import.meta.resolve('@switchyard/' + n))"],
      { cwd: project },
    );
    for (const line of resolved.stdout.trim().split("\n")) {
      expect(line).toMatch(/\/dist\/index\.js$/);
      expect(realpathSync(new URL(line))).toContain(realpathSync(project));
      expect(line).not.toContain(repoRoot);
    }
    // The bin is the compiled CLI: no @switchyard package needs tsx (the project installs it only for its Pulumi program).
    for (const name of ["cli", "compiler", "pulumi"]) {
      const manifest = JSON.parse(readFileSync(join(project, "node_modules/@switchyard", name, "package.json"), "utf8")) as {
        dependencies?: Record<string, string>;
      };
      expect(manifest.dependencies ?? {}).not.toHaveProperty("tsx");
    }
    expect((await sy(["--version"])).stdout.trim()).toMatch(/0\.1\.0/);
  });

  it("init scaffolds; tsc reports a misspelt tier at the literal; check --env prod passes; the dev and prod routers answer the openai client", async () => {
    const init = await sy(["init"]);
    expect(init.code, init.stderr).toBe(0);
    expect(init.stdout).toContain("created  routes.ts");

    // The editor path: tsc resolves @switchyard/sdk's published types.
    const clean = await run("npx", ["--no-install", "tsc", "--noEmit", "-p", "."], { cwd: project });
    expect(clean.stdout + clean.stderr).toBe("");
    expect(clean.code).toBe(0);
    const routes = readFileSync(join(project, "routes.ts"), "utf8");
    const line = routes.split("\n").findIndex((l) => l.includes('tier: "fast"')) + 1;
    const column = (routes.split("\n")[line - 1] ?? "").indexOf("tier") + 1;
    writeFileSync(join(project, "routes.ts"), routes.replace('tier: "fast"', 'tier: "fsat"'));
    const typo = await run("npx", ["--no-install", "tsc", "--noEmit", "-p", "."], { cwd: project });
    expect(typo.code).not.toBe(0);
    expect(typo.stdout).toContain(`routes.ts(${line},${column}): error TS2322: Type '"fsat"' is not assignable to type '"fast"'`);
    const checked = await sy(["check", "--env", "prod"]);
    expect(checked.code).toBe(1);
    expect(checked.stdout).toContain("TS2322");
    writeFileSync(join(project, "routes.ts"), routes);

    const prod = await sy(["check", "--env", "prod"]);
    expect(prod.stdout, prod.stderr).toMatch(/no problems \(environment prod/);
    expect(prod.code).toBe(0);
    for (const environment of ["prod", "dev"]) {
      const built = await sy(["build", "--env", environment]);
      expect(built.code, built.stderr).toBe(0);
      expect(existsSync(join(project, "dist", environment, "router.mjs"))).toBe(true);
      // router.mjs's assets, bundled from the installed @switchyard/router's sources, beside it.
      const assets = readdirSync(join(project, "dist", environment))
        .filter((file) => /^switchyard-[a-z]+\.[0-9a-f]{8}\.mjs$/.test(file))
        .sort();
      expect(assets.map((file) => file.split(".")[0])).toEqual([
        "switchyard-admin",
        "switchyard-dashboard",
        "switchyard-embeddings",
        "switchyard-messages",
        "switchyard-prompts",
        "switchyard-responses",
      ]);
    }
    // dev answers from its mock providers, asked by the openai package installed in the project.
    router = await spawnRouter([join(project, "dist/dev/router.mjs"), "--port", "0"], { cwd: project, env: { SWITCHYARD_TEAM_KEY: "dev-key" } });
    writeFileSync(
      join(project, "client.mjs"),
      [
        'import OpenAI from "openai";',
        'const client = new OpenAI({ baseURL: `${process.argv[2]}/v1`, apiKey: "dev-key" });',
        'const reply = await client.chat.completions.create({ model: "chat", messages: [{ role: "user", content: "hello" }] });',
        'console.log(JSON.stringify({ content: reply.choices[0].message.content, openai: import.meta.resolve("openai") }));',
      ].join("\n"),
    );
    const asked = await run(process.execPath, ["client.mjs", router.url], { cwd: project });
    expect(asked.code, asked.stderr).toBe(0);
    const answer = JSON.parse(asked.stdout) as { content: string; openai: string };
    expect(answer.content.length).toBeGreaterThan(0);
    expect(realpathSync(new URL(answer.openai))).toContain(realpathSync(project));
    router.child.kill("SIGKILL");
    router = undefined;

    // prod's OpenAI provider is the real API; pointed at a fake OpenAI upstream on 127.0.0.1 (the one edit), it passes
    // `check --env prod`, builds, and `node dist/prod/router.mjs` answers the openai client with the upstream's reply.
    const upstream = await startFakeOpenAi();
    try {
      writeFileSync(join(project, "routes.ts"), routes.replace('openai: { kind: "openai",', `openai: { kind: "openai", baseUrl: "${upstream.baseUrl}",`));
      const prodChecked = await sy(["check", "--env", "prod"]);
      expect(prodChecked.code, prodChecked.stdout + prodChecked.stderr).toBe(0);
      const prodBuilt = await sy(["build", "--env", "prod"]);
      expect(prodBuilt.code, prodBuilt.stderr).toBe(0);
      router = await spawnRouter([join(project, "dist/prod/router.mjs"), "--port", "0"], {
        cwd: project,
        env: { OPENAI_API_KEY: "sk-test", ANTHROPIC_API_KEY: "sk-ant-test", SWITCHYARD_TEAM_KEY: "prod-key" },
      });
      writeFileSync(join(project, "client.mjs"), readFileSync(join(project, "client.mjs"), "utf8").replace('apiKey: "dev-key"', 'apiKey: "prod-key"'));
      const prodAsked = await run(process.execPath, ["client.mjs", router.url], { cwd: project });
      expect(prodAsked.code, prodAsked.stderr).toBe(0);
      expect((JSON.parse(prodAsked.stdout) as { content: string }).content.length).toBeGreaterThan(0);
      expect(upstream.requests).toHaveLength(1);
      expect(upstream.requests[0]?.headers["authorization"]).toBe("Bearer sk-test");
      expect(upstream.requests[0]?.body["model"]).toBe("gpt-4o-mini");
    } finally {
      router?.child.kill("SIGKILL");
      router = undefined;
      writeFileSync(join(project, "routes.ts"), routes);
      await upstream.close();
    }
  });

  it("@switchyard/pulumi: a program runs under Pulumi mocks and pulumi-resource-switchyard starts (3.248.0 on Node 20)", async () => {
    // npm picks from the scaffold's range by the running Node's engines: on Node 20 the last 3.x that accepts it.
    const pulumiVersion = installedVersion(project, "@pulumi/pulumi");
    if (nodeMajor(process.version) < 22) expect(pulumiVersion).toBe("3.248.0");
    else expect(compareVersions(pulumiVersion, "3.249.0")).toBeGreaterThanOrEqual(0);
    // The program `init --pulumi` scaffolds (a TypeScript ES module, run with tsx as its Pulumi.yaml says).
    const scaffolded = await sy(["init", "--pulumi"]);
    expect(scaffolded.stdout).toContain("created  pulumi/index.ts");
    expect(scaffolded.stdout).toContain("skipped  routes.ts");
    expect(await exercisePulumi(project, process.execPath, env)).toBe(process.version);
  });
});

/**
 * The Pulumi package in an installed project, on the given Node: a program under Pulumi's mocks (compileRoutes and a
 * Release), the scaffolded pulumi/index.ts under mocks through tsx, the plugin bin and the sh wrapper Pulumi.yaml names.
 * Returns the Node version the program ran on.
 */
async function exercisePulumi(dir: string, node: string, runEnv: NodeJS.ProcessEnv): Promise<string> {
  writeFileSync(
    join(dir, "program.mjs"),
    [
      'import * as pulumi from "@pulumi/pulumi";',
      "pulumi.runtime.setAllConfig({}, []);",
      'await pulumi.runtime.setMocks({ newResource: (args) => ({ id: `${args.name}-id`, state: { ...args.inputs, hash: "h" } }), call: (args) => args.inputs }, "app", "prod", false);',
      'const { compileRoutes, Release } = await import("@switchyard/pulumi");',
      'const build = await compileRoutes({ file: "routes.ts" });',
      'const release = new Release("routes", { routerUrl: "http://127.0.0.1:9", adminToken: "t", release: build.releaseJson });',
      "const urn = await new Promise((resolve) => release.urn.apply(resolve));",
      "console.log(JSON.stringify({ environment: build.environment, hash: build.hash, routes: build.routes, urn, node: process.version }));",
    ].join("\n"),
  );
  const program = await run(node, ["program.mjs"], { cwd: dir, env: runEnv });
  expect(program.code, program.stderr).toBe(0);
  const out = JSON.parse(program.stdout.trim().split("\n").at(-1) ?? "{}") as {
    environment: string;
    hash: string;
    routes: string[];
    urn: string;
    node: string;
  };
  expect(out).toMatchObject({ environment: "prod", routes: ["chat"] });
  expect(out.hash).toMatch(/^[0-9a-f]{16,}/);
  expect(out.urn).toContain("switchyard:index:Release::routes");

  writeFileSync(
    join(dir, "pulumi/run-mocked.mjs"),
    [
      'import * as pulumi from "@pulumi/pulumi";',
      'pulumi.runtime.setAllConfig({ "switchyard-routing:routerUrl": "http://127.0.0.1:9", "switchyard-routing:adminToken": "t" }, ["switchyard-routing:adminToken"]);',
      'await pulumi.runtime.setMocks({ newResource: (args) => ({ id: `${args.name}-id`, state: { ...args.inputs, activeHash: "h" } }), call: (args) => args.inputs }, "switchyard-routing", "dev", false);',
      'const { default: routing } = await import("./index.ts");',
      "const outputs = await routing();",
      "const activeHash = await new Promise((resolve) => outputs.activeHash.apply(resolve));",
      "console.log(JSON.stringify({ environment: outputs.environment, releaseHash: outputs.releaseHash, activeHash }));",
    ].join("\n"),
  );
  const stack = await run(node, ["--import", "tsx", "run-mocked.mjs"], { cwd: join(dir, "pulumi"), env: runEnv });
  expect(stack.code, stack.stderr).toBe(0);
  expect(JSON.parse(stack.stdout.trim().split("\n").at(-1) ?? "{}")).toMatchObject({ environment: "dev", activeHash: "h" });

  // The .bin shim (`#!/usr/bin/env node`) and the sh wrapper (`exec node`) run the first node on runEnv's PATH.
  const plugin = await spawnRouter([join(dir, "node_modules/.bin/pulumi-resource-switchyard")], { cwd: dir, env: runEnv, pattern: /^(\d+)\s*$/m });
  expect(Number(plugin.url)).toBeGreaterThan(0);
  plugin.child.kill("SIGKILL");
  // The name Pulumi.yaml's plugins.providers path finds (what `switchyard init --pulumi` points at).
  const wrapper = spawn("sh", [join(dir, "node_modules/@switchyard/pulumi/bin/pulumi-resource-switchyard")], {
    cwd: dir,
    env: runEnv,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const port = await new Promise<string>((resolve, reject) => {
    let text = "";
    const timer = setTimeout(() => reject(new Error(`plugin wrapper did not print its port: ${text}`)), 20_000);
    wrapper.stdout.on("data", (d: Buffer) => {
      text += d.toString();
      const match = /^(\d+)\s*$/m.exec(text);
      if (match?.[1] !== undefined) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
  });
  wrapper.kill("SIGKILL");
  expect(Number(port)).toBeGreaterThan(0);
  expect(readdirSync(join(dir, "node_modules/@switchyard/pulumi/dist/provider")).some((f) => f.startsWith("serve.js"))).toBe(true);
  return out.node;
}

describe("the newest @pulumi/pulumi 3.x on Node 24", () => {
  it("a project `switchyard init --pulumi` scaffolds installs it with npm on Node 24; the program, the stack under mocks and the plugin run there", async () => {
    const t = Date.now();
    const fetched = await run(process.execPath, [join(repoRoot, "scripts/node24.mjs")], { cwd: repoRoot, env: process.env, timeoutMs: 180_000 });
    expect(fetched.code, fetched.stderr).toBe(0);
    const node24 = fetched.stdout.trim();
    // npm (`#!/usr/bin/env node`), the bins and the wrapper all run on Node 24: it is first on PATH.
    const env24: NodeJS.ProcessEnv = { ...env, PATH: `${dirname(node24)}:${env["PATH"] ?? ""}` };
    const viewed = await run("npm", ["view", "@pulumi/pulumi@3", "version", "--json"], { cwd: work, env: env24 });
    expect(viewed.code, viewed.stderr).toBe(0);
    const newest = (JSON.parse(viewed.stdout) as string[]).sort(compareVersions).at(-1) ?? "";
    expect(compareVersions(newest, "3.249.0")).toBeGreaterThanOrEqual(0);

    const app = join(work, "app24");
    mkdirSync(app);
    writeFileSync(join(app, "package.json"), JSON.stringify({ name: "app24", private: true, type: "module" }, null, 2));
    // The CLI installed above writes the scaffold and its devDependencies (the range under test); npm on Node 24 resolves them.
    const scaffolded = await run(join(project, "node_modules/.bin/switchyard"), ["init", "--pulumi", app], { cwd: work });
    expect(scaffolded.code, scaffolded.stderr).toBe(0);
    const manifest = JSON.parse(readFileSync(join(app, "package.json"), "utf8")) as { devDependencies: Record<string, string> };
    expect(manifest.devDependencies["@pulumi/pulumi"]).toBe(PULUMI_RANGE);
    const installed = await run("npm", ["install"], { cwd: app, env: env24, timeoutMs: 240_000 });
    expect(installed.code, installed.stderr).toBe(0);
    expect(installedVersion(app, "@pulumi/pulumi")).toBe(newest);

    expect(nodeMajor(await exercisePulumi(app, node24, env24))).toBe(24);
    lap(`node24 pulumi ${newest}`, t);
  });
});

describe("installed from the same registry with pnpm", () => {
  it("pnpm add, init, tsc at the literal, check --env prod and build work in pnpm's isolated layout", async () => {
    const app = join(work, "pnpm-app");
    mkdirSync(app);
    writeFileSync(join(app, "package.json"), JSON.stringify({ name: "pnpm-app", private: true, type: "module" }, null, 2));
    // pnpm reads the project's .npmrc: the same registry and token.
    writeFileSync(join(app, ".npmrc"), readFileSync(npmrc, "utf8"));
    const t = Date.now();
    const added = await run("npx", ["-y", "pnpm@10", "add", "-D", "@switchyard/cli", "@switchyard/sdk", "typescript@~6.0.3"], { cwd: app, timeoutMs: 240_000 });
    expect(added.code, added.stdout + added.stderr).toBe(0);
    lap("pnpm add", t);
    const real = realpathSync(join(app, "node_modules/@switchyard/cli"));
    expect(real.startsWith(realpathSync(app))).toBe(true);
    expect(real).toContain("/node_modules/.pnpm/");

    const inApp = (command: string, args: string[]): Promise<Ran> => run("npx", ["--no-install", command, ...args], { cwd: app });
    expect((await inApp("switchyard", ["init"])).code).toBe(0);
    const routes = readFileSync(join(app, "routes.ts"), "utf8");
    const line = routes.split("\n").findIndex((l) => l.includes('tier: "fast"')) + 1;
    writeFileSync(join(app, "routes.ts"), routes.replace('tier: "fast"', 'tier: "fsat"'));
    const typo = await inApp("tsc", ["--noEmit", "-p", "."]);
    expect(typo.stdout).toContain(`routes.ts(${line},`);
    expect(typo.stdout).toContain("error TS2322");
    writeFileSync(join(app, "routes.ts"), routes);
    expect((await inApp("tsc", ["--noEmit", "-p", "."])).code).toBe(0);
    const checked = await inApp("switchyard", ["check", "--env", "prod"]);
    expect(checked.stdout, checked.stderr).toMatch(/no problems \(environment prod/);
    const built = await inApp("switchyard", ["build", "--env", "dev"]);
    expect(built.code, built.stderr).toBe(0);
    const served = await spawnRouter([join(app, "dist/dev/router.mjs"), "--port", "0"], { cwd: app, env: { SWITCHYARD_TEAM_KEY: "dev-key" } });
    try {
      const reply = await fetch(`${served.url}/v1/chat/completions`, {
        method: "POST",
        headers: { authorization: "Bearer dev-key", "content-type": "application/json" },
        body: JSON.stringify({ model: "chat", messages: [{ role: "user", content: "hi" }] }),
      });
      expect(reply.status).toBe(200);
    } finally {
      served.child.kill("SIGKILL");
    }
  });
});

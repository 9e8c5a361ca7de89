/**
 * @module RouterDeployment and shared state (issue 19) under Pulumi mocks: `redis.url` goes into the Secret under the
 * variable the release's `state.url` names (read from router.mjs's banner), stays secret, and is required exactly
 * when the release keeps its state on Redis; `replicas` keeps its default.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { type State, routerBundleBanner } from "@switchyard/ir";
import { compileRoutes } from "@switchyard/pulumi";
import { RouterDeployment, type RouterDeploymentArgs } from "@switchyard/pulumi/kubernetes";
import { afterAll, describe, expect, it } from "vitest";
import { releaseOf } from "../helpers/release.ts";
import { isSecretValue } from "./harness.ts";
import { publicPart, reveal, runWithMocks, settle } from "./mocks.ts";

/** A Redis URL with a password, as a stack's config secret would hold it (joined at run time for secret scanners). */
const REDIS_URL = ["rediss://router:", "s3cret-redis-pw", "@redis.switchyard:6380/0"].join("");
const OPENAI_KEY = "sk-test-openai-9c2f";

/** A router.mjs stand-in with the banner the compiler writes for a release with `state`. */
function bundleFor(state?: State): string {
  const release = releaseOf({
    environment: "prod",
    providers: { sim: { kind: "mock" } },
    models: { m: { provider: "sim", name: "mock-1", context: 8_000, price: { input: 0, output: 0 } } },
    routes: { chat: { model: "m" } },
    ...(state === undefined ? {} : { state }),
  });
  return `${routerBundleBanner(release)}\nconsole.log("router");\n`;
}

const redisBundle = bundleFor({ kind: "redis", url: { secret: "REDIS_URL" }, keyPrefix: "switchyard", onUnavailable: "serve-local" });

function computed(args: pulumi.runtime.MockResourceArgs): Record<string, unknown> {
  if (!args.type.startsWith("kubernetes:")) return {};
  const metadata = (args.inputs as { metadata?: Record<string, unknown> }).metadata ?? {};
  return { metadata: { ...metadata, name: metadata["name"] ?? `${args.name}-a1b2c3` } };
}

async function deploy(args: Partial<RouterDeploymentArgs>) {
  return runWithMocks(() => new RouterDeployment("router", { bundle: redisBundle, keys: { OPENAI_API_KEY: pulumi.secret(OPENAI_KEY) }, ...args }), {
    project: "acme-routing",
    stack: "prod",
    computed,
  });
}

type Pod = { spec: { replicas?: number; template: { spec: { containers: Array<{ env: unknown[]; envFrom: unknown[] }> } } } };

describe("RouterDeployment with Redis state", () => {
  it("puts redis.url in the Secret under the release's state.url variable, secret everywhere, never in the pod spec", async () => {
    const run = await deploy({ redis: { url: REDIS_URL }, replicas: 3 });
    const secret = run.get("kubernetes:core/v1:Secret", "router-keys");
    expect(isSecretValue(secret.inputs["stringData"])).toBe(true);
    expect(reveal(secret.inputs["stringData"])).toEqual({ OPENAI_API_KEY: OPENAI_KEY, REDIS_URL });
    const pod = reveal(run.get("kubernetes:apps/v1:Deployment", "router").inputs) as Pod;
    expect(pod.spec.replicas).toBe(3);
    const container = pod.spec.template.spec.containers[0];
    expect(container?.envFrom).toEqual([{ secretRef: { name: "router-keys-a1b2c3" } }]);
    expect(container?.env).toEqual([{ name: "SWITCHYARD_SHUTDOWN_DELAY_MS", value: "5000" }]);
    // A plain string given as redis.url is still marked secret (the component wraps it).
    for (const r of run.resources) expect(JSON.stringify(publicPart(r.inputs))).not.toContain("s3cret-redis-pw");
    const { value, secret: isSecret } = await settle(run.result.secret.stringData);
    expect(isSecret).toBe(true);
    expect(value).toMatchObject({ REDIS_URL });
  });

  it("the URL may come from an Output (a stack config secret)", async () => {
    const run = await deploy({ redis: { url: pulumi.secret(pulumi.output(REDIS_URL)) } });
    expect(reveal(run.get("kubernetes:core/v1:Secret", "router-keys").inputs["stringData"])).toMatchObject({ REDIS_URL });
  });

  it("a release keeping its state on Redis without `redis` is a clear error before anything is registered", async () => {
    await expect(deploy({})).rejects.toThrow(
      /RouterDeployment router: the release keeps its state on Redis \(state\.url: secret\("REDIS_URL"\)\), but the component has no `redis` input/,
    );
  });

  it("`redis` for a release keeping its state in memory is refused", async () => {
    await expect(deploy({ bundle: bundleFor(), redis: { url: REDIS_URL } })).rejects.toThrow(/`redis` is given, but the release keeps its state in memory/);
    await expect(deploy({ bundle: bundleFor({ kind: "memory" }), redis: { url: REDIS_URL } })).rejects.toThrow(/keeps its state in memory/);
  });

  it("the URL's variable cannot also come from env or keys", async () => {
    await expect(deploy({ redis: { url: REDIS_URL }, env: { REDIS_URL: "redis://other:6379" } })).rejects.toThrow(/env REDIS_URL is set by the component/);
    await expect(deploy({ redis: { url: REDIS_URL }, keys: { REDIS_URL: "redis://other:6379" } })).rejects.toThrow(
      /keys has REDIS_URL, which the component sets from `redis\.url`/,
    );
  });

  it("without Redis state: no URL in the Secret, two replicas by default", async () => {
    const run = await deploy({ bundle: bundleFor() });
    expect(reveal(run.get("kubernetes:core/v1:Secret", "router-keys").inputs["stringData"])).toEqual({ OPENAI_API_KEY: OPENAI_KEY });
    expect((reveal(run.get("kubernetes:apps/v1:Deployment", "router").inputs) as Pod).spec.replicas).toBe(2);
  });
});

describe("compileRoutes and RouterDeployment with a real router.mjs", () => {
  const scratch = mkdtempSync(join(tmpdir(), "switchyard-pulumi-redis-"));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));
  const file = join(scratch, "routes.ts");
  writeFileSync(
    file,
    [
      'import { defineConfig, secret } from "@switchyard/sdk";',
      "export default defineConfig({",
      '  providers: { sim: { kind: "mock" } },',
      '  models: { m: { provider: "sim", name: "mock-1", context: 8_000, price: { input: 0, output: 0 } } },',
      '  routes: { chat: { model: "m" } },',
      '  teams: { support: { keys: [secret("SUPPORT_KEY")], routes: ["chat"] } },',
      '  environments: { prod: { state: { kind: "redis", url: secret("PROD_REDIS_URL") } }, dev: {} },',
      "});",
    ].join("\n"),
  );

  it("the build names the Redis URL's variable apart from the keys; the component puts the URL there", async () => {
    const build = await runWithMocks(() => compileRoutes({ file, env: "prod", cwd: scratch }), { project: "acme-routing", stack: "prod" });
    expect(build.result.redisUrlSecret).toBe("PROD_REDIS_URL");
    expect(build.result.secrets).toEqual(["SUPPORT_KEY"]);
    const args = { bundle: build.result.routerBundle, assets: build.result.routerAssets, keys: { SUPPORT_KEY: pulumi.secret("team-key") } };
    await expect(runWithMocks(() => new RouterDeployment("router", args), { project: "acme-routing", stack: "prod", computed })).rejects.toThrow(
      /state\.url: secret\("PROD_REDIS_URL"\)/,
    );
    const run = await runWithMocks(() => new RouterDeployment("router", { ...args, redis: { url: REDIS_URL } }), {
      project: "acme-routing",
      stack: "prod",
      computed,
    });
    expect(reveal(run.get("kubernetes:core/v1:Secret", "router-keys").inputs["stringData"])).toEqual({ SUPPORT_KEY: "team-key", PROD_REDIS_URL: REDIS_URL });
  }, 120_000);

  it("a build keeping state in memory has no Redis variable and refuses `redis`", async () => {
    const build = await runWithMocks(() => compileRoutes({ file, env: "dev", cwd: scratch }), { project: "acme-routing", stack: "dev" });
    expect(build.result.redisUrlSecret).toBeUndefined();
    await expect(
      runWithMocks(() => new RouterDeployment("router", { bundle: build.result.routerBundle, assets: build.result.routerAssets, redis: { url: REDIS_URL } }), {
        project: "acme-routing",
        stack: "dev",
        computed,
      }),
    ).rejects.toThrow(/keeps its state in memory/);
  }, 120_000);
});

/**
 * @module examples/pulumi under Pulumi mocks, per stack (dev, staging, prod) with the stack files'
 * own config: what is registered, with which inputs and dependencies; secrets stay secret; a
 * routes.ts that fails its policies fails the program with the CLI's diagnostics.
 */
import { accessSync, constants, existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type * as pulumi from "@pulumi/pulumi";
import { compile, formatDiagnostics } from "@switchyard/compiler";
import { parseRelease } from "@switchyard/ir";
import { compileRoutes, Release, RoutesCompileError } from "@switchyard/pulumi";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import acmeRouting from "../../examples/pulumi/index.ts";
import { isSecretValue } from "./harness.ts";
import { publicPart, reveal, runWithMocks, settle } from "./mocks.ts";

const EXAMPLE = resolve(import.meta.dirname, "../../examples/pulumi");
const ADMIN = "admin-token-example-31";
const KEYS = {
  OPENAI_API_KEY: "sk-openai-ex-1",
  AZURE_EU_KEY: "az-ex-2",
  ANTHROPIC_API_KEY: "sk-ant-ex-3",
  SUPPORT_KEY: "team-support-ex",
  LEGAL_KEY: "team-legal-ex",
};
const SLOW = 180_000;

/** A stack file's config as `setAllConfig` takes it (objects as JSON), plus the secrets `pulumi config set --secret` would add. */
function stackConfig(stack: string): Record<string, string> {
  const file = parse(readFileSync(join(EXAMPLE, `Pulumi.${stack}.yaml`), "utf8")) as { config?: Record<string, unknown> };
  const config: Record<string, string> = {};
  for (const [key, value] of Object.entries(file.config ?? {})) config[key] = typeof value === "string" ? value : JSON.stringify(value);
  config["acme-routing:adminToken"] = ADMIN;
  config["acme-routing:keys"] = JSON.stringify(KEYS);
  return config;
}

/** What the providers would compute: a Kubernetes name suffix; the release's hash and activation. */
function computed(args: pulumi.runtime.MockResourceArgs): Record<string, unknown> {
  if (args.type === "switchyard:index:Release") {
    const text = reveal(args.inputs["release"]) as string;
    const parsed = parseRelease(text);
    const hash = parsed.success ? parsed.data.hash : "invalid";
    return { hash, activeHash: hash, activatedAt: "2026-11-26T00:00:00.000Z", previousHash: "0".repeat(64) };
  }
  if (!args.type.startsWith("kubernetes:")) return {};
  const metadata = (args.inputs as { metadata?: Record<string, unknown> }).metadata ?? {};
  return { metadata: { ...metadata, name: metadata["name"] ?? `${args.name}-x1y2z3` } };
}

async function runStack(stack: string) {
  return runWithMocks(() => acmeRouting(), {
    project: "acme-routing",
    stack,
    config: stackConfig(stack),
    secretKeys: ["acme-routing:adminToken", "acme-routing:keys"],
    computed,
  });
}

function assertNoPlainSecrets(resources: { inputs: Record<string, unknown> }[]): void {
  for (const r of resources) {
    const text = JSON.stringify(publicPart(r.inputs));
    for (const value of [ADMIN, ...Object.values(KEYS)]) expect(text).not.toContain(value);
  }
}

describe("examples/pulumi", () => {
  it("Pulumi.yaml runs index.ts with tsx and finds the provider plugin in its plugin path", () => {
    const project = parse(readFileSync(join(EXAMPLE, "Pulumi.yaml"), "utf8")) as {
      name: string;
      main: string;
      runtime: { name: string; options: Record<string, unknown> };
      plugins: { providers: { name: string; path: string }[] };
    };
    expect(project.name).toBe("acme-routing");
    expect(project.runtime).toEqual({ name: "nodejs", options: { typescript: false, nodeargs: "--import=tsx" } });
    expect(existsSync(join(EXAMPLE, project.main))).toBe(true);
    const plugin = project.plugins.providers.find((p) => p.name === "switchyard");
    const executable = join(EXAMPLE, plugin?.path ?? "", "pulumi-resource-switchyard");
    expect(() => accessSync(executable, constants.X_OK)).not.toThrow();
    for (const stack of ["dev", "staging", "prod"]) expect(existsSync(join(EXAMPLE, `Pulumi.${stack}.yaml`))).toBe(true);
  });

  it(
    "dev: compiles environment dev and pushes the release to the dev router's admin API",
    async () => {
      const run = await runStack("dev");
      expect(run.resources.map((r) => `${r.type}::${r.name}`)).toEqual(["switchyard:index:Release::routes"]);
      const release = run.get("switchyard:index:Release", "routes");
      expect(reveal(release.inputs["routerUrl"])).toBe("http://127.0.0.1:8787");
      expect(isSecretValue(release.inputs["adminToken"])).toBe(true);
      const parsed = parseRelease(reveal(release.inputs["release"]) as string);
      expect(parsed.success && parsed.data.config.environment).toBe("dev");
      expect(run.result["environment"]).toBe("dev");
      expect(parsed.success && parsed.data.hash).toBe(run.result["releaseHash"]);
      expect(run.result["routes"]).toEqual(["legal-review", "support-faq"]);
      expect((await settle(run.result["activeHash"] as pulumi.Output<string>)).value).toBe(run.result["releaseHash"]);
      assertNoPlainSecrets(run.resources);
    },
    SLOW,
  );

  it(
    "staging: prod's routes (switchyard:environment) on one replica, then the release through the admin API after the rollout",
    async () => {
      const run = await runStack("staging");
      expect(run.result["environment"]).toBe("prod");
      const component = run.get("switchyard:kubernetes:RouterDeployment", "router");
      const deployment = run.get("kubernetes:apps/v1:Deployment", "router");
      expect(reveal(deployment.inputs)).toMatchObject({ metadata: { namespace: "switchyard-staging" }, spec: { replicas: 1 } });
      expect(run.has("kubernetes:autoscaling/v2:HorizontalPodAutoscaler", "router")).toBe(false);
      const release = run.get("switchyard:index:Release", "routes");
      // dependsOn the component waits for everything in it (Pulumi expands it to the component's resources).
      const children = run.resources.filter((r) => r.parent === component.urn).map((r) => r.urn);
      expect(children).toHaveLength(5);
      expect([...release.dependencies].sort()).toEqual(expect.arrayContaining(children.sort()));
      expect(release.dependencies).toContain(deployment.urn);
      expect(reveal(release.inputs["routerUrl"])).toBe("https://router.staging.acme.internal");
      // The pods run the same build the release carries.
      const bundle = reveal(run.get("kubernetes:core/v1:ConfigMap", "router-bundle").inputs) as { data: Record<string, string> };
      expect(bundle.data["router.mjs"]).toContain(run.result["releaseHash"] as string);
      assertNoPlainSecrets(run.resources);
    },
    SLOW,
  );

  it(
    "prod: three replicas, an autoscaler, a disruption budget, the keys in a Secret; no admin push",
    async () => {
      const run = await runStack("prod");
      expect(run.result["environment"]).toBe("prod");
      expect(run.has("switchyard:index:Release", "routes")).toBe(false);
      const deployment = reveal(run.get("kubernetes:apps/v1:Deployment", "router").inputs) as {
        metadata: { namespace: string };
        spec: { replicas?: number; template: { spec: { containers: { env: unknown[] }[] } } };
      };
      expect(deployment.metadata.namespace).toBe("switchyard");
      expect(deployment.spec.replicas).toBeUndefined();
      expect(deployment.spec.template.spec.containers[0]?.env).toEqual([
        { name: "SWITCHYARD_SHUTDOWN_DELAY_MS", value: "10000" },
        { name: "SWITCHYARD_TRUSTED_PROXIES", value: "10.0.0.0/8" },
      ]);
      expect(reveal(run.get("kubernetes:autoscaling/v2:HorizontalPodAutoscaler", "router").inputs)).toMatchObject({
        spec: { minReplicas: 3, maxReplicas: 12 },
      });
      expect(reveal(run.get("kubernetes:policy/v1:PodDisruptionBudget", "router").inputs)).toMatchObject({ spec: { minAvailable: 2 } });
      const secret = run.get("kubernetes:core/v1:Secret", "router-keys");
      expect(isSecretValue(secret.inputs["stringData"])).toBe(true);
      expect(reveal(secret.inputs["stringData"])).toEqual({ ...KEYS, SWITCHYARD_ADMIN_TOKEN: ADMIN });
      expect(run.result["keysNeeded"]).toEqual(["ANTHROPIC_API_KEY", "AZURE_EU_KEY", "LEGAL_KEY", "OPENAI_API_KEY", "SUPPORT_KEY"]);
      assertNoPlainSecrets(run.resources);
    },
    SLOW,
  );

  it(
    "policy errors fail the program with the diagnostics exactly as `switchyard check` prints them",
    async () => {
      const file = resolve(import.meta.dirname, "fixtures/failing-routes.ts");
      const expected = formatDiagnostics((await compile({ file, env: "prod" })).diagnostics, "pretty", { cwd: EXAMPLE });
      const failure = await runWithMocks(() => compileRoutes({ file, cwd: EXAMPLE }), { project: "acme-routing", stack: "prod" }).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(failure).toBeInstanceOf(RoutesCompileError);
      const message = (failure as Error).message;
      expect(message).toContain('does not compile for environment "prod"');
      expect(message).toContain(expected);
      expect(message).toMatch(/prod-safety\/timeouts-set/);
      expect(message).not.toMatch(/\n\s+at /);
    },
    SLOW,
  );

  it("Release: the admin token is a secret output, whatever was passed in", async () => {
    const run = await runWithMocks(() => new Release("r", { routerUrl: "http://127.0.0.1:8787", adminToken: "plain-token-99", release: "{}" }), {
      project: "acme-routing",
      stack: "dev",
      computed: () => ({}),
    });
    expect(isSecretValue(run.get("switchyard:index:Release", "r").inputs["adminToken"])).toBe(true);
    expect(await settle(run.result.adminToken)).toEqual({ value: "plain-token-99", secret: true });
  });
});

/** @module RouterDeployment under Pulumi mocks: the objects, their inputs and dependencies, rolling on a new bundle, secrets kept secret. */
import * as pulumi from "@pulumi/pulumi";
import { BUNDLE_HASH_ANNOTATION, bundleSha256, RELEASE_HASH_ANNOTATION, RouterDeployment, type RouterDeploymentArgs } from "@switchyard/pulumi/kubernetes";
import { describe, expect, it } from "vitest";
import { isSecretValue } from "./harness.ts";
import { publicPart, reveal, runWithMocks, settle } from "./mocks.ts";

const OPENAI_KEY = "sk-test-openai-5d1e";
const ADMIN = "admin-token-k8s-77";

/** What the Kubernetes provider computes: an auto-named object gets a suffix. */
function computed(args: pulumi.runtime.MockResourceArgs): Record<string, unknown> {
  if (!args.type.startsWith("kubernetes:")) return {};
  const metadata = (args.inputs as { metadata?: Record<string, unknown> }).metadata ?? {};
  return { metadata: { ...metadata, name: metadata["name"] ?? `${args.name}-a1b2c3` } };
}

async function deploy(args: Partial<RouterDeploymentArgs> = {}) {
  return runWithMocks(
    () => {
      const router = new RouterDeployment("router", {
        bundle: "console.log('router v1');",
        releaseHash: "f".repeat(64),
        keys: { OPENAI_API_KEY: pulumi.secret(OPENAI_KEY) },
        adminToken: pulumi.secret(ADMIN),
        ...args,
      });
      return router;
    },
    { project: "acme-routing", stack: "staging", computed },
  );
}

const DEPLOYMENT = "kubernetes:apps/v1:Deployment";

describe("RouterDeployment", () => {
  it("creates a ConfigMap, Secret, Deployment, Service and PodDisruptionBudget under the component", async () => {
    const run = await deploy();
    expect(run.resources.map((r) => `${r.type}::${r.name}`).sort()).toEqual([
      "kubernetes:apps/v1:Deployment::router",
      "kubernetes:core/v1:ConfigMap::router-bundle",
      "kubernetes:core/v1:Secret::router-keys",
      "kubernetes:core/v1:Service::router",
      "kubernetes:policy/v1:PodDisruptionBudget::router",
      "switchyard:kubernetes:RouterDeployment::router",
    ]);
    const component = run.get("switchyard:kubernetes:RouterDeployment", "router");
    for (const r of run.resources) if (r !== component) expect(r.parent).toBe(component.urn);
  });

  it("runs node (with the router's memory flags) /bundle/router.mjs from the ConfigMap, ready on /readyz, with the bundle hash on the pod template", async () => {
    const run = await deploy({ replicas: 3, resources: { requests: { cpu: "250m", memory: "256Mi" } } });
    const configMap = reveal(run.get("kubernetes:core/v1:ConfigMap", "router-bundle").inputs) as { data: Record<string, string>; immutable: boolean };
    expect(configMap.data["router.mjs"]).toBe("console.log('router v1');");
    expect(configMap.immutable).toBe(true);
    const spec = reveal(run.get(DEPLOYMENT, "router").inputs) as {
      spec: {
        replicas: number;
        strategy: unknown;
        template: {
          metadata: { annotations: Record<string, string> };
          spec: { containers: Record<string, unknown>[]; volumes: { configMap: { name: string } }[] };
        };
      };
    };
    expect(spec.spec.replicas).toBe(3);
    expect(spec.spec.strategy).toEqual({ type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } });
    expect(spec.spec.template.metadata.annotations).toEqual({
      [BUNDLE_HASH_ANNOTATION]: bundleSha256("console.log('router v1');"),
      [RELEASE_HASH_ANNOTATION]: "f".repeat(64),
    });
    const container = spec.spec.template.spec.containers[0] ?? {};
    expect(container["command"]).toEqual(["node", "--max-semi-space-size=4", "--heap-growing-percent=50", "/bundle/router.mjs"]);
    expect(container["args"]).toEqual(["--host", "0.0.0.0", "--port", "8787"]);
    expect(container["readinessProbe"]).toMatchObject({ httpGet: { path: "/readyz", port: "http" } });
    expect(container["livenessProbe"]).toMatchObject({ httpGet: { path: "/healthz" } });
    expect(container["resources"]).toEqual({ requests: { cpu: "250m", memory: "256Mi" } });
    expect(container["env"]).toEqual([{ name: "SWITCHYARD_SHUTDOWN_DELAY_MS", value: "5000" }]);
    expect(container["envFrom"]).toEqual([{ secretRef: { name: "router-keys-a1b2c3" } }]);
    expect(spec.spec.template.spec.volumes[0]?.configMap.name).toBe("router-bundle-a1b2c3");
  });

  it("nodeFlags replaces the memory flags (an empty list runs Node's defaults)", async () => {
    const run = await deploy({ nodeFlags: [] });
    const spec = reveal(run.get(DEPLOYMENT, "router").inputs) as { spec: { template: { spec: { containers: Record<string, unknown>[] } } } };
    expect(spec.spec.template.spec.containers[0]?.["command"]).toEqual(["node", "/bundle/router.mjs"]);
  });

  it("the Deployment depends on the ConfigMap and the Secret; the Service on the Deployment", async () => {
    const run = await deploy({ autoscaling: { minReplicas: 2, maxReplicas: 6 } });
    const urn = (type: string, name: string) => run.get(type, name).urn;
    const deployment = run.get(DEPLOYMENT, "router");
    expect(deployment.dependencies).toEqual(
      expect.arrayContaining([urn("kubernetes:core/v1:ConfigMap", "router-bundle"), urn("kubernetes:core/v1:Secret", "router-keys")]),
    );
    expect(run.get("kubernetes:core/v1:Service", "router").dependencies).toContain(deployment.urn);
    const hpa = run.get("kubernetes:autoscaling/v2:HorizontalPodAutoscaler", "router");
    expect(hpa.dependencies).toContain(deployment.urn);
    expect(reveal(hpa.inputs)).toMatchObject({ spec: { minReplicas: 2, maxReplicas: 6, scaleTargetRef: { kind: "Deployment", name: "router-a1b2c3" } } });
    // With an autoscaler the Deployment leaves replicas to it.
    expect((reveal(deployment.inputs) as { spec: { replicas?: number } }).spec.replicas).toBeUndefined();
  });

  it("a new bundle changes the pod template annotation (the Deployment rolls); the same bundle does not", async () => {
    const annotation = async (bundle: string) => {
      const run = await deploy({ bundle });
      return (reveal(run.get(DEPLOYMENT, "router").inputs) as { spec: { template: { metadata: { annotations: Record<string, string> } } } }).spec.template
        .metadata.annotations[BUNDLE_HASH_ANNOTATION];
    };
    const first = await annotation("console.log('router v1');");
    expect(await annotation("console.log('router v1');")).toBe(first);
    expect(await annotation("console.log('router v2');")).not.toBe(first);
  });

  it("provider keys and the admin token stay secret", async () => {
    const run = await deploy();
    const secret = run.get("kubernetes:core/v1:Secret", "router-keys");
    expect(isSecretValue(secret.inputs["stringData"])).toBe(true);
    expect(reveal(secret.inputs["stringData"])).toEqual({ OPENAI_API_KEY: OPENAI_KEY, SWITCHYARD_ADMIN_TOKEN: ADMIN });
    for (const r of run.resources) {
      const text = JSON.stringify(publicPart(r.inputs));
      expect(text).not.toContain(OPENAI_KEY);
      expect(text).not.toContain(ADMIN);
    }
    const { value, secret: isSecret } = await settle(run.result.secret.stringData);
    expect(isSecret).toBe(true);
    expect(value).toMatchObject({ OPENAI_API_KEY: OPENAI_KEY });
  });

  it("PodDisruptionBudget defaults to at most one unavailable; a URL names the Service", async () => {
    const run = await deploy({ namespace: "switchyard" });
    expect(reveal(run.get("kubernetes:policy/v1:PodDisruptionBudget", "router").inputs)).toMatchObject({
      spec: { maxUnavailable: 1, selector: { matchLabels: { "app.kubernetes.io/instance": "router" } } },
    });
    expect((await settle(run.result.url)).value).toBe("http://router-a1b2c3.switchyard.svc.cluster.local:8787");
  });

  it("rejects a bundle larger than a ConfigMap holds", async () => {
    await expect(
      runWithMocks(() => new RouterDeployment("big", { bundle: "x".repeat(1024 * 1024 + 1) }), { project: "acme-routing", stack: "staging", computed }),
    ).rejects.toThrow(/more than a ConfigMap holds/);
  });

  it("puts router.mjs's assets beside it in the same ConfigMap (mounted at /bundle), and refuses a bundle without the assets it names", async () => {
    const asset = "switchyard-dashboard.0123abcd.mjs";
    const bundle = `const a = "${asset}";`;
    const run = await deploy({ bundle, assets: { [asset]: "export const openDashboard = 1;" } });
    const configMap = reveal(run.get("kubernetes:core/v1:ConfigMap", "router-bundle").inputs) as { data: Record<string, string> };
    expect(configMap.data).toEqual({ "router.mjs": bundle, [asset]: "export const openDashboard = 1;" });
    await expect(deploy({ bundle })).rejects.toThrow(/router\.mjs imports switchyard-dashboard\.0123abcd\.mjs from its folder, but `assets` does not hold it/);
  });

  it("counts the assets in the ConfigMap's 1 MiB", async () => {
    const asset = "switchyard-responses.0123abcd.mjs";
    await expect(deploy({ bundle: `"${asset}"`, assets: { [asset]: "x".repeat(1024 * 1024) } })).rejects.toThrow(
      /router\.mjs and its assets are \d+ bytes, more than a ConfigMap holds/,
    );
  });
});

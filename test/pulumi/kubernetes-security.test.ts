/**
 * @module RouterDeployment's manifests: valid against the Kubernetes API schemas (the `kubernetes-models`
 * package's validators, generated from the Kubernetes OpenAPI spec), a pod that passes Pod Security
 * "restricted", a graceful shutdown window, spread across nodes, and an `env` passthrough that
 * cannot shadow what the component sets.
 */
import * as pulumi from "@pulumi/pulumi";
import { DATA_DIR, DEFAULT_ROUTER_IMAGE, RouterDeployment, type RouterDeploymentArgs } from "@switchyard/pulumi/kubernetes";
import { Deployment } from "kubernetes-models/apps/v1";
import { HorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1";
import { ConfigMap, Secret, Service } from "kubernetes-models/v1";
import { describe, expect, it } from "vitest";
import { reveal, runWithMocks } from "./mocks.ts";

function computed(args: pulumi.runtime.MockResourceArgs): Record<string, unknown> {
  if (!args.type.startsWith("kubernetes:")) return {};
  const metadata = (args.inputs as { metadata?: Record<string, unknown> }).metadata ?? {};
  return { metadata: { ...metadata, name: metadata["name"] ?? `${args.name}-a1b2c3` } };
}

async function deploy(args: Partial<RouterDeploymentArgs> = {}) {
  return runWithMocks(
    () =>
      new RouterDeployment("router", {
        bundle: "console.log('router');",
        releaseHash: "f".repeat(64),
        keys: { OPENAI_API_KEY: pulumi.secret("sk-test") },
        adminToken: pulumi.secret("admin"),
        ...args,
      }),
    {
      project: "acme-routing",
      stack: "prod",
      computed,
    },
  );
}

type Obj = Record<string, unknown>;

/** The manifest as the Kubernetes provider would send it: secrets revealed, auto-names filled in. */
function manifest(inputs: Obj, name: string): Obj {
  const plain = reveal(inputs) as Obj;
  const metadata = { ...(plain["metadata"] as Obj | undefined), name };
  return { ...plain, metadata };
}

const VALIDATORS: Record<string, (data: Obj) => { validate(): void }> = {
  "kubernetes:apps/v1:Deployment": (data) => new Deployment(data as never),
  "kubernetes:core/v1:Service": (data) => new Service(data as never),
  "kubernetes:core/v1:ConfigMap": (data) => new ConfigMap(data as never),
  "kubernetes:core/v1:Secret": (data) => new Secret(data as never),
  "kubernetes:policy/v1:PodDisruptionBudget": (data) => new PodDisruptionBudget(data as never),
  "kubernetes:autoscaling/v2:HorizontalPodAutoscaler": (data) => new HorizontalPodAutoscaler(data as never),
};

interface Container {
  securityContext?: Obj;
}

interface PodSpec {
  hostNetwork?: boolean;
  hostPID?: boolean;
  hostIPC?: boolean;
  securityContext?: Obj;
  containers: Container[];
  initContainers?: Container[];
  volumes?: Obj[];
  automountServiceAccountToken?: boolean;
  serviceAccountName?: string;
  terminationGracePeriodSeconds?: number;
  topologySpreadConstraints?: Obj[];
}

/** A field of the container's securityContext, falling back to the pod's where Kubernetes does. */
function effective(pod: PodSpec, container: Container, field: string): unknown {
  return container.securityContext?.[field] ?? pod.securityContext?.[field];
}

const VOLUME_TYPES = new Set(["configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret"]);

/**
 * The Pod Security Standards' "restricted" profile (kubernetes.io/docs/concepts/security/pod-security-standards/),
 * which includes "baseline": each rule → the pod passes it. Written from the standard's table; one row per control.
 */
const RESTRICTED: [string, (pod: PodSpec, containers: Container[]) => boolean][] = [
  ["baseline: host namespaces (hostNetwork, hostPID, hostIPC unset or false)", (pod) => !pod.hostNetwork && !pod.hostPID && !pod.hostIPC],
  ["baseline: privileged containers (privileged unset or false)", (_pod, cs) => cs.every((c) => c.securityContext?.["privileged"] !== true)],
  [
    "baseline: HostProcess (windowsOptions.hostProcess unset or false)",
    (pod, cs) => cs.every((c) => (effective(pod, c, "windowsOptions") as Obj | undefined)?.["hostProcess"] !== true),
  ],
  ["baseline: hostPath volumes (none)", (pod) => (pod.volumes ?? []).every((v) => v["hostPath"] === undefined)],
  [
    "baseline: host ports (none)",
    (_pod, cs) => cs.every((c) => (((c as Obj)["ports"] as Obj[] | undefined) ?? []).every((p) => p["hostPort"] === undefined || p["hostPort"] === 0)),
  ],
  [
    "baseline: /proc mount type Default",
    (_pod, cs) => cs.every((c) => [undefined, "Default"].includes(c.securityContext?.["procMount"] as string | undefined)),
  ],
  ["baseline: sysctls (none set here)", (pod) => pod.securityContext?.["sysctls"] === undefined],
  [
    "restricted: volume types (configMap, csi, downwardAPI, emptyDir, ephemeral, persistentVolumeClaim, projected, secret)",
    (pod) =>
      (pod.volumes ?? []).every((v) =>
        Object.keys(v)
          .filter((k) => k !== "name")
          .every((k) => VOLUME_TYPES.has(k)),
      ),
  ],
  [
    "restricted: privilege escalation (allowPrivilegeEscalation false on every container)",
    (_pod, cs) => cs.every((c) => c.securityContext?.["allowPrivilegeEscalation"] === false),
  ],
  ["restricted: running as non-root (runAsNonRoot true, pod or every container)", (pod, cs) => cs.every((c) => effective(pod, c, "runAsNonRoot") === true)],
  [
    "restricted: running as non-root user (runAsUser not 0)",
    (pod, cs) => cs.every((c) => effective(pod, c, "runAsUser") !== 0) && pod.securityContext?.["runAsUser"] !== 0,
  ],
  [
    "restricted: seccomp (RuntimeDefault or Localhost, pod or every container)",
    (pod, cs) => cs.every((c) => ["RuntimeDefault", "Localhost"].includes((effective(pod, c, "seccompProfile") as Obj | undefined)?.["type"] as string)),
  ],
  [
    "restricted: capabilities (drop ALL; add nothing but NET_BIND_SERVICE)",
    (_pod, cs) =>
      cs.every((c) => {
        const caps = c.securityContext?.["capabilities"] as { drop?: string[]; add?: string[] } | undefined;
        return (caps?.drop ?? []).includes("ALL") && (caps?.add ?? []).every((cap) => cap === "NET_BIND_SERVICE");
      }),
  ],
];

function podOf(run: Awaited<ReturnType<typeof deploy>>): PodSpec {
  const deployment = reveal(run.get("kubernetes:apps/v1:Deployment", "router").inputs) as { spec: { template: { spec: PodSpec } } };
  return deployment.spec.template.spec;
}

describe("RouterDeployment manifests", () => {
  it("every object validates against the Kubernetes API schema (and the validator does catch a broken one)", async () => {
    const run = await deploy({ autoscaling: { minReplicas: 2, maxReplicas: 6 }, env: { SWITCHYARD_TRUSTED_PROXIES: "10.0.0.0/8" } });
    const validated: string[] = [];
    for (const resource of run.resources) {
      const make = VALIDATORS[resource.type];
      if (resource.type.startsWith("switchyard:")) continue;
      expect(make, `no validator for ${resource.type}`).toBeDefined();
      const data = manifest(resource.inputs, `${resource.name}-a1b2c3`);
      expect(data).toMatchObject({ apiVersion: expect.any(String), kind: expect.any(String) });
      expect(() => make?.(data).validate(), resource.type).not.toThrow();
      validated.push(resource.type);
    }
    expect(validated.sort()).toEqual(Object.keys(VALIDATORS).sort());

    const broken = manifest(run.get("kubernetes:apps/v1:Deployment", "router").inputs, "router");
    const containers = (broken as { spec: { template: { spec: { containers: Obj[] } } } }).spec.template.spec.containers;
    containers[0] = { ...containers[0], securityContext: { ...(containers[0]?.["securityContext"] as Obj), runAsUser: "node" } };
    expect(() => new Deployment(broken as never).validate()).toThrow(/runAsUser must be integer/);
  });

  it.each(RESTRICTED)("Pod Security restricted — %s", async (_rule, check) => {
    const pod = podOf(await deploy());
    expect(check(pod, [...pod.containers, ...(pod.initContainers ?? [])])).toBe(true);
  });

  it("the restricted checks fail a pod that breaks them (so they can fail)", () => {
    const bad: PodSpec = {
      hostNetwork: true,
      securityContext: { runAsUser: 0, sysctls: [{ name: "kernel.msgmax", value: "1" }] },
      containers: [
        {
          securityContext: {
            privileged: true,
            procMount: "Unmasked",
            windowsOptions: { hostProcess: true },
            capabilities: { add: ["SYS_ADMIN"] },
            seccompProfile: { type: "Unconfined" },
          },
          ports: [{ containerPort: 80, hostPort: 80 }],
        } as Container,
      ],
      volumes: [{ name: "host", hostPath: { path: "/" } }],
    };
    const passed = RESTRICTED.filter(([, check]) => check(bad, bad.containers)).map(([rule]) => rule);
    expect(passed).toEqual([]);
  });

  it("a read-only root filesystem with writable emptyDirs for traces (the working directory) and /tmp; no service account token", async () => {
    const pod = podOf(await deploy());
    const container = pod.containers[0] as Obj;
    expect(container["securityContext"]).toMatchObject({ readOnlyRootFilesystem: true, runAsNonRoot: true, runAsUser: 1000 });
    expect(container["workingDir"]).toBe(DATA_DIR);
    const mounts = container["volumeMounts"] as { name: string; mountPath: string; readOnly?: boolean }[];
    const volumes = new Map((pod.volumes ?? []).map((v) => [v["name"] as string, v]));
    for (const path of [DATA_DIR, "/tmp"]) {
      const mount = mounts.find((m) => m.mountPath === path);
      expect(mount?.readOnly, path).not.toBe(true);
      expect(volumes.get(mount?.name ?? "")?.["emptyDir"], path).toBeDefined();
    }
    expect(pod.automountServiceAccountToken).toBe(false);
    const custom = podOf(await deploy({ runAsUser: 10001 }));
    expect(custom.securityContext).toMatchObject({ runAsUser: 10001, runAsGroup: 10001, fsGroup: 10001 });
    await expect(deploy({ runAsUser: 0 })).rejects.toThrow(/non-root uid/);
  });

  it("a service account for the pod's cloud identity (IRSA, EKS Pod Identity, Azure workload identity), still without the API token; Node 24 by default", async () => {
    const byDefault = podOf(await deploy());
    expect(byDefault.serviceAccountName).toBeUndefined();
    expect((byDefault.containers[0] as Obj)["image"]).toBe(DEFAULT_ROUTER_IMAGE);
    expect(DEFAULT_ROUTER_IMAGE).toBe("node:24-alpine");
    const irsa = podOf(await deploy({ serviceAccountName: "switchyard-bedrock" }));
    expect(irsa.serviceAccountName).toBe("switchyard-bedrock");
    expect(irsa.automountServiceAccountToken).toBe(false);
    expect((irsa.containers[0] as Obj)["image"]).toBe("node:24-alpine");
    expect((podOf(await deploy({ image: "node:22-alpine" })).containers[0] as Obj)["image"]).toBe("node:22-alpine");
  });

  it("shutdown: the router serves on for the delay after SIGTERM, and the grace period covers delay + drain", async () => {
    const env = (pod: PodSpec) =>
      ((pod.containers[0] as Obj)["env"] as { name: string; value: string }[]).find((e) => e.name === "SWITCHYARD_SHUTDOWN_DELAY_MS")?.value;
    const byDefault = podOf(await deploy());
    expect(env(byDefault)).toBe("5000");
    expect(byDefault.terminationGracePeriodSeconds).toBe(20);
    const longer = podOf(await deploy({ shutdownDelaySeconds: 12 }));
    expect(env(longer)).toBe("12000");
    expect(longer.terminationGracePeriodSeconds).toBe(27);
    await expect(deploy({ shutdownDelaySeconds: -1 })).rejects.toThrow(/shutdownDelaySeconds/);
  });

  it("replicas spread across nodes where the scheduler can", async () => {
    expect(podOf(await deploy()).topologySpreadConstraints).toEqual([
      {
        maxSkew: 1,
        topologyKey: "kubernetes.io/hostname",
        whenUnsatisfiable: "ScheduleAnyway",
        labelSelector: { matchLabels: { "app.kubernetes.io/name": "switchyard-router", "app.kubernetes.io/instance": "router" } },
      },
    ]);
  });

  it("env passes variables through; names the component sets, keys and invalid names are refused", async () => {
    const pod = podOf(await deploy({ env: { SWITCHYARD_TRUSTED_PROXIES: "10.0.0.0/8, fd00::/8", NODE_ENV: "production" } }));
    expect((pod.containers[0] as Obj)["env"]).toEqual(
      expect.arrayContaining([
        { name: "SWITCHYARD_TRUSTED_PROXIES", value: "10.0.0.0/8, fd00::/8" },
        { name: "NODE_ENV", value: "production" },
      ]),
    );
    for (const taken of ["SWITCHYARD_SHUTDOWN_DELAY_MS", "SWITCHYARD_REDIS_URL", "SWITCHYARD_ADMIN_TOKEN", "PORT", "HOST"]) {
      await expect(deploy({ env: { [taken]: "x" } })).rejects.toThrow(new RegExp(`env ${taken} is set by the component`));
    }
    await expect(deploy({ env: { OPENAI_API_KEY: "x" } })).rejects.toThrow(/env OPENAI_API_KEY is also in keys/);
    await expect(deploy({ env: { "BAD=NAME": "x" } })).rejects.toThrow(/not a valid environment variable name/);
  });
});

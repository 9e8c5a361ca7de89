/**
 * @module examples/pulumi — Acme's routes per stack: compile examples/acme/routes.ts for the
 * stack's environment (stack name, or `switchyard:environment`), then roll it out: on Kubernetes
 * when the stack configures `kubernetes`, and through a router's admin API when it sets `routerUrl`.
 */
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { compileRoutes, Release } from "@switchyard/pulumi";
import { type RouterAutoscaling, RouterDeployment } from "@switchyard/pulumi/kubernetes";

/** The stack's `kubernetes` config object. */
export interface KubernetesSettings {
  namespace?: string;
  replicas?: number;
  /** Pods that must stay up during node drains (default: at most one unavailable). */
  minAvailable?: number;
  autoscaling?: RouterAutoscaling;
  image?: string;
  /** Plain environment variables for the router (e.g. SWITCHYARD_TRUSTED_PROXIES); keys go in the `keys` secret. */
  env?: Record<string, string>;
  /** Seconds the router serves on after SIGTERM while endpoints update (default 5). */
  shutdownDelaySeconds?: number;
}

const HERE = import.meta.dirname;

/** The program: Pulumi calls the default export and publishes what it returns as stack outputs. */
export default async function acmeRouting(): Promise<Record<string, unknown>> {
  const config = new pulumi.Config();
  const build = await compileRoutes({ file: config.get("routes") ?? join(HERE, "../acme/routes.ts"), outDir: join(HERE, "dist"), cwd: HERE });
  const adminToken = config.requireSecret("adminToken");
  const outputs: Record<string, unknown> = { environment: build.environment, releaseHash: build.hash, routes: build.routes, keysNeeded: build.secrets };

  const kubernetes = config.getObject<KubernetesSettings>("kubernetes");
  const redisUrl = config.getSecret("redisUrl");
  let router: RouterDeployment | undefined;
  if (kubernetes) {
    router = new RouterDeployment("router", {
      bundle: build.routerBundle,
      assets: build.routerAssets,
      releaseHash: build.hash,
      namespace: kubernetes.namespace,
      replicas: kubernetes.replicas,
      autoscaling: kubernetes.autoscaling,
      // For a routes.ts whose environment declares `state: { kind: "redis", url: secret(…) }`: the replicas then share
      // budgets, rate limits, canary steps and releases (`pulumi config set --secret redisUrl rediss://…`).
      redis: redisUrl === undefined ? undefined : { url: redisUrl },
      image: kubernetes.image,
      env: kubernetes.env,
      shutdownDelaySeconds: kubernetes.shutdownDelaySeconds,
      disruptionBudget: kubernetes.minAvailable !== undefined ? { minAvailable: kubernetes.minAvailable } : undefined,
      keys: config.requireSecretObject<Record<string, string>>("keys"),
      adminToken,
    });
    outputs["clusterUrl"] = router.url;
    outputs["bundleHash"] = router.bundleHash;
  }

  const routerUrl = config.get("routerUrl");
  if (routerUrl !== undefined) {
    // After the pods roll (when there are any), so the release lands on a router that runs this build.
    const release = new Release("routes", { routerUrl, adminToken, release: build.releaseJson }, router ? { dependsOn: [router] } : {});
    outputs["activeHash"] = release.activeHash;
    outputs["previousHash"] = release.previousHash;
    outputs["drift"] = release.drift;
  }
  return outputs;
}

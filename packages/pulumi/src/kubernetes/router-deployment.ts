/**
 * @module kubernetes/router-deployment — the router on Kubernetes: the emitted router.mjs and its assets in a
 * ConfigMap, provider and team keys (and the Redis URL of a release with shared state) in a Secret, a
 * Deployment running `node /bundle/router.mjs` (ready on /readyz), a Service, a PodDisruptionBudget
 * and an optional HorizontalPodAutoscaler. A new bundle changes the pod template's hash annotation,
 * so the Deployment rolls.
 */
import { createHash } from "node:crypto";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { redisUrlSecretOfBundle } from "@switchyard/ir";
import { ROUTER_NODE_FLAGS } from "@switchyard/router/node-flags";
import { ROUTER_DEPLOYMENT_TYPE } from "../tokens.ts";

/** The annotation on the pod template that carries the bundle's sha256 (a new bundle rolls the pods). */
export const BUNDLE_HASH_ANNOTATION = "switchyard.dev/bundle-sha256";
/** The annotation on the pod template that carries the release (config) hash. */
export const RELEASE_HASH_ANNOTATION = "switchyard.dev/release";
/**
 * The conventional variable of the Redis URL (`state: { kind: "redis", url: secret("SWITCHYARD_REDIS_URL") }`). The
 * component puts `redis.url` in whichever variable the release's `state.url` names; this one it never takes from `env`.
 */
export const REDIS_URL_ENV = "SWITCHYARD_REDIS_URL";
/** How long the router keeps serving after SIGTERM while endpoints update (its SWITCHYARD_SHUTDOWN_DELAY_MS). */
export const SHUTDOWN_DELAY_ENV = "SWITCHYARD_SHUTDOWN_DELAY_MS";
/** The router's working directory in the pod: a writable emptyDir, so a relative `telemetry.jsonl.path` lands there. */
export const DATA_DIR = "/var/lib/switchyard";
/** The uid (and gid) the router runs as: `node` in the official Node.js images. */
export const DEFAULT_RUN_AS_USER = 1000;
/** The image that runs router.mjs unless `image` says otherwise: Node 24, the active LTS (Node 20 reached its end of life in April 2026). */
export const DEFAULT_ROUTER_IMAGE = "node:24-alpine";
/** After the shutdown delay the router drains in-flight requests for up to 10 s; 5 s more to exit. */
const DRAIN_SECONDS = 15;
/** A ConfigMap holds at most 1 MiB. */
const CONFIGMAP_LIMIT_BYTES = 1024 * 1024;
/** Environment variables the component sets itself (the keys in the Secret are checked as well). */
const COMPONENT_ENV = [SHUTDOWN_DELAY_ENV, REDIS_URL_ENV, "SWITCHYARD_ADMIN_TOKEN", "PORT", "HOST"] as const;
/** A name Kubernetes accepts for an environment variable (its long-standing C-identifier-like rule). */
const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

export interface RouterAutoscaling {
  minReplicas: number;
  maxReplicas: number;
  /** Target average CPU utilisation, percent. Default 70. */
  cpuUtilization?: number;
}

export interface RouterDeploymentArgs {
  /** The text of router.mjs (`compileRoutes(...).routerBundle`). */
  bundle: pulumi.Input<string>;
  /**
   * router.mjs's assets by file name (`compileRoutes(...).routerAssets`), mounted beside it in /bundle: the dashboard and
   * the Responses and Messages dialects. Every asset router.mjs names must be here (checked).
   */
  assets?: pulumi.Input<Record<string, string>>;
  /** The release's content hash, recorded on the pods (`compileRoutes(...).hash`). */
  releaseHash?: pulumi.Input<string>;
  namespace?: pulumi.Input<string>;
  /**
   * Pods when there is no autoscaler. Default 2. Without Redis state each pod keeps budgets, rate limits and canary
   * steps on its own (docs/scaling.md); with it they share them.
   */
  replicas?: pulumi.Input<number>;
  /** Container resources. Default: requests 100m CPU / 128Mi, limit 256Mi. */
  resources?: pulumi.Input<k8s.types.input.core.v1.ResourceRequirements>;
  /**
   * The Node.js image that runs the bundle (it needs no node_modules). Default `node:24-alpine` (DEFAULT_ROUTER_IMAGE;
   * router.mjs is built for Node 20 and later and tested on 20 and 24).
   */
  image?: pulumi.Input<string>;
  /**
   * The Kubernetes service account the pods run as, for providers whose credentials come from the pod's identity: one
   * annotated for IRSA (`eks.amazonaws.com/role-arn`) or associated with an EKS Pod Identity (bedrock), or labelled for
   * Azure workload identity (`azure.workload.identity/use` on the pod via `labels`; azure with `auth: "entra"`), or bound
   * to a Google service account by GKE Workload Identity (vertex; the GKE metadata server serves its tokens, nothing is
   * mounted). The EKS and Azure webhooks mount their own projected token; the Kubernetes API token stays unmounted. Default: the namespace's `default`.
   */
  serviceAccountName?: pulumi.Input<string>;
  /**
   * Node flags before `/bundle/router.mjs`. Default `ROUTER_NODE_FLAGS` (smaller heap: ~80 MB RSS under
   * load instead of ~100-115 MB, for +9-29 % CPU per request); `[]` runs Node's defaults, for CPU over memory.
   */
  nodeFlags?: readonly string[];
  /** The router's port inside the pod and the Service's port. Default 8787. */
  port?: number;
  /** Provider and team keys by the environment variable names routes.ts uses (`OPENAI_API_KEY`), usually Pulumi config secrets. Stored in a Secret. */
  keys?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** The router's SWITCHYARD_ADMIN_TOKEN (enables the admin API and the dashboard). Stored in the Secret. */
  adminToken?: pulumi.Input<string>;
  /**
   * The Redis (or Valkey) the replicas share state through, for a release declaring `state: { kind: "redis" }`:
   * `url` is `redis://[user:password@]host:6379[/db]` or `rediss://…`, usually a Pulumi config secret. It goes into
   * the Secret under the variable the release's `state.url` names, and stays secret in Pulumi's outputs. Required
   * by such a release; refused for a release keeping its state in memory. See docs/deployment.md.
   */
  redis?: { url: pulumi.Input<string> };
  /** Adds a HorizontalPodAutoscaler (autoscaling/v2, CPU); `replicas` is then left to it. */
  autoscaling?: RouterAutoscaling;
  /** Pods that must stay up during voluntary disruptions. Default: at most 1 unavailable. */
  disruptionBudget?: { minAvailable?: number | string; maxUnavailable?: number | string };
  /** Service type. Default ClusterIP. */
  serviceType?: pulumi.Input<string>;
  /** Extra labels on every object. */
  labels?: Record<string, string>;
  /**
   * More environment variables for the router (plain values, e.g. `SWITCHYARD_TRUSTED_PROXIES`);
   * secrets go in `keys`. A name the component sets itself (`SWITCHYARD_SHUTDOWN_DELAY_MS`,
   * `SWITCHYARD_REDIS_URL`, `SWITCHYARD_ADMIN_TOKEN`, `PORT`, `HOST`, the release's `state.url` variable, or one of
   * `keys`) is refused.
   */
  env?: Record<string, pulumi.Input<string>>;
  /**
   * Seconds the router keeps serving after SIGTERM (`SWITCHYARD_SHUTDOWN_DELAY_MS`, readyz 503) so
   * Services and load balancers stop sending to the pod before it stops accepting. Default 5. The
   * pod's terminationGracePeriodSeconds is this plus 15 (the router's 10 s drain, and time to exit).
   */
  shutdownDelaySeconds?: number;
  /** The uid/gid the router runs as (non-root). Default 1000 (`node` in the official Node.js images). */
  runAsUser?: number;
}

/** An input known now: a plain object of strings (not an Output or a Promise). */
function isPlainRecord(value: pulumi.Input<Record<string, string>>): value is Record<string, string> {
  return !pulumi.Output.isInstance(value) && !(value instanceof Promise) && Object.values(value).every((v) => typeof v === "string");
}

/** sha256 of a bundle's text (hex). */
export function bundleSha256(bundle: string): string {
  return createHash("sha256").update(bundle).digest("hex");
}

/** The asset files router.mjs imports from its folder (their names are in its code: `switchyard-dashboard.3f9a1c2b.mjs`). */
const ASSET_NAME = /switchyard-[a-z0-9-]+\.[0-9a-f]{8}\.mjs/g;

/**
 * The ConfigMap's data, checked: every asset router.mjs names is there, and router.mjs with its assets fits in a
 * ConfigMap (1 MiB in all).
 */
function bundleFiles(name: string, text: string, assets: Record<string, string>): Record<string, string> {
  const missing = [...new Set(text.match(ASSET_NAME) ?? [])].filter((file) => assets[file] === undefined).sort();
  if (missing.length > 0)
    throw new pulumi.RunError(
      `RouterDeployment ${name}: router.mjs imports ${missing.join(", ")} from its folder, but \`assets\` does not hold ${missing.length === 1 ? "it" : "them"}: pass assets: build.routerAssets (compileRoutes)`,
    );
  const files = { ...assets, "router.mjs": text };
  const bytes = Object.values(files).reduce((total, file) => total + Buffer.byteLength(file), 0);
  if (bytes > CONFIGMAP_LIMIT_BYTES)
    throw new pulumi.RunError(`RouterDeployment ${name}: router.mjs and its assets are ${bytes} bytes, more than a ConfigMap holds (1 MiB)`);
  return files;
}

/**
 * The variable the bundle reads its Redis URL from, checked against the `redis` input: a release with Redis state
 * needs it, a release keeping state in memory has no use for it. Pure.
 */
function redisUrlEnv(name: string, bundle: string, redis: RouterDeploymentArgs["redis"]): string | undefined {
  const variable = redisUrlSecretOfBundle(bundle);
  if (variable !== undefined && redis === undefined)
    throw new pulumi.RunError(
      `RouterDeployment ${name}: the release keeps its state on Redis (state.url: secret("${variable}")), but the component has no \`redis\` input: ` +
        `pass redis: { url: config.requireSecret("redisUrl") } so every replica gets ${variable}`,
    );
  if (variable === undefined && redis !== undefined)
    throw new pulumi.RunError(
      `RouterDeployment ${name}: \`redis\` is given, but the release keeps its state in memory: declare state: { kind: "redis", url: secret("REDIS_URL") } in routes.ts, or drop \`redis\``,
    );
  return variable;
}

/** The `env` input, checked: valid names, none the component sets itself (keys known now are checked here, later ones in `secretData`). */
function checkEnv(
  name: string,
  env: Record<string, pulumi.Input<string>>,
  keys: RouterDeploymentArgs["keys"],
  redisEnv: string | undefined,
): Record<string, pulumi.Input<string>> {
  const keyNames = keys !== undefined && !pulumi.Output.isInstance(keys) && !(keys instanceof Promise) ? Object.keys(keys) : [];
  if (redisEnv !== undefined && keyNames.includes(redisEnv))
    throw new pulumi.RunError(`RouterDeployment ${name}: keys has ${redisEnv}, which the component sets from \`redis.url\`; drop it from keys`);
  for (const envName of Object.keys(env)) {
    if (!ENV_NAME.test(envName)) throw new pulumi.RunError(`RouterDeployment ${name}: env ${JSON.stringify(envName)} is not a valid environment variable name`);
    if ((COMPONENT_ENV as readonly string[]).includes(envName) || envName === redisEnv)
      throw new pulumi.RunError(
        `RouterDeployment ${name}: env ${envName} is set by the component; use its own input (shutdownDelaySeconds, redis, adminToken, port) instead`,
      );
    if (keyNames.includes(envName))
      throw new pulumi.RunError(`RouterDeployment ${name}: env ${envName} is also in keys; a key belongs in keys only (env would override the Secret)`);
  }
  return env;
}

/**
 * A Switchyard router on Kubernetes.
 *
 * @example
 * const build = await compileRoutes({ file: "routes.ts" });
 * const router = new RouterDeployment("router", {
 *   bundle: build.routerBundle, assets: build.routerAssets, releaseHash: build.hash, replicas: 3,
 *   keys: { OPENAI_API_KEY: config.requireSecret("openaiApiKey") },
 * });
 * export const url = router.url;
 */
export class RouterDeployment extends pulumi.ComponentResource {
  readonly configMap: k8s.core.v1.ConfigMap;
  readonly secret: k8s.core.v1.Secret;
  readonly deployment: k8s.apps.v1.Deployment;
  readonly service: k8s.core.v1.Service;
  readonly disruptionBudget: k8s.policy.v1.PodDisruptionBudget;
  readonly autoscaler: k8s.autoscaling.v2.HorizontalPodAutoscaler | undefined;
  /** The router's in-cluster URL, e.g. `http://router-1a2b3c.default.svc.cluster.local:8787`. */
  readonly url: pulumi.Output<string>;
  /** sha256 of the running bundle. */
  readonly bundleHash: pulumi.Output<string>;

  constructor(name: string, args: RouterDeploymentArgs, opts: pulumi.ComponentResourceOptions = {}) {
    // Known now: fail before anything is registered.
    if (typeof args.bundle === "string" && (args.assets === undefined || isPlainRecord(args.assets))) bundleFiles(name, args.bundle, args.assets ?? {});
    const knownRedisEnv = typeof args.bundle === "string" ? redisUrlEnv(name, args.bundle, args.redis) : undefined;
    const userEnv = checkEnv(name, args.env ?? {}, args.keys, knownRedisEnv);
    const delaySeconds = args.shutdownDelaySeconds ?? 5;
    if (!Number.isInteger(delaySeconds) || delaySeconds < 0)
      throw new pulumi.RunError(`RouterDeployment ${name}: shutdownDelaySeconds must be a whole number of seconds ≥ 0, got ${delaySeconds}`);
    const uid = args.runAsUser ?? DEFAULT_RUN_AS_USER;
    if (!Number.isInteger(uid) || uid <= 0)
      throw new pulumi.RunError(`RouterDeployment ${name}: runAsUser must be a non-root uid (an integer > 0), got ${uid}`);
    super(ROUTER_DEPLOYMENT_TYPE, name, {}, opts);
    const port = args.port ?? 8787;
    const labels = { "app.kubernetes.io/name": "switchyard-router", "app.kubernetes.io/instance": name, ...args.labels };
    const metadata = { namespace: args.namespace, labels };
    const child = { parent: this };

    const files = pulumi.all([args.bundle, args.assets ?? {}]).apply(([text, assets]) => bundleFiles(name, text, assets));
    const bundle = pulumi.output(args.bundle);
    // router.mjs names its assets with their content hashes: its sha256 covers theirs.
    this.bundleHash = bundle.apply(bundleSha256);

    // Auto-named and immutable: a new bundle is a new ConfigMap, and the Deployment pointing at it rolls.
    this.configMap = new k8s.core.v1.ConfigMap(`${name}-bundle`, { metadata, immutable: true, data: files }, child);

    const envNames = Object.keys(args.env ?? {});
    // The Redis URL's variable, from the bundle's banner (checked again here for a bundle known only later).
    const redisEnv = bundle.apply((text) => {
      const variable = redisUrlEnv(name, text, args.redis);
      if (variable !== undefined && envNames.includes(variable))
        throw new pulumi.RunError(`RouterDeployment ${name}: env ${variable} is set by the component from \`redis.url\`; drop it from env`);
      return variable;
    });
    const redisUrl = args.redis === undefined ? pulumi.output(undefined) : pulumi.secret(args.redis.url);
    const secretData = pulumi
      .all([pulumi.output(args.keys ?? {}), pulumi.output(args.adminToken), redisEnv, redisUrl])
      .apply(([keys, adminToken, redisVariable, url]) => {
        const clash = Object.keys(keys).find((key) => envNames.includes(key));
        if (clash !== undefined)
          throw new pulumi.RunError(`RouterDeployment ${name}: env ${clash} is also in keys; a key belongs in keys only (env would override the Secret)`);
        if (redisVariable !== undefined && Object.hasOwn(keys, redisVariable))
          throw new pulumi.RunError(`RouterDeployment ${name}: keys has ${redisVariable}, which the component sets from \`redis.url\`; drop it from keys`);
        return {
          ...keys,
          ...(adminToken !== undefined ? { SWITCHYARD_ADMIN_TOKEN: adminToken } : {}),
          ...(redisVariable !== undefined && url !== undefined ? { [redisVariable]: url } : {}),
        };
      });
    this.secret = new k8s.core.v1.Secret(`${name}-keys`, { metadata, type: "Opaque", stringData: pulumi.secret(secretData) }, child);

    const env: k8s.types.input.core.v1.EnvVar[] = [{ name: SHUTDOWN_DELAY_ENV, value: String(delaySeconds * 1000) }];
    for (const [envName, value] of Object.entries(userEnv)) env.push({ name: envName, value });
    const annotations: Record<string, pulumi.Input<string>> = { [BUNDLE_HASH_ANNOTATION]: this.bundleHash };
    if (args.releaseHash !== undefined) annotations[RELEASE_HASH_ANNOTATION] = args.releaseHash;
    const probe = (path: string, periodSeconds: number) => ({ httpGet: { path, port: "http" }, periodSeconds, timeoutSeconds: 2, failureThreshold: 3 });
    const selector = { "app.kubernetes.io/name": "switchyard-router", "app.kubernetes.io/instance": name };
    // Pod Security "restricted": non-root by number (the kubelet cannot check a user name), no privilege
    // escalation, every capability dropped, the runtime's default seccomp profile.
    const seccompProfile = { type: "RuntimeDefault" };

    this.deployment = new k8s.apps.v1.Deployment(
      name,
      {
        metadata,
        spec: {
          replicas: args.autoscaling ? undefined : (args.replicas ?? 2),
          selector: { matchLabels: selector },
          // Never fewer ready pods than asked for while a new bundle rolls out.
          strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
          template: {
            metadata: { labels, annotations },
            spec: {
              // On SIGTERM the router serves on for the shutdown delay, then drains in-flight requests.
              terminationGracePeriodSeconds: delaySeconds + DRAIN_SECONDS,
              // The router never calls the Kubernetes API.
              automountServiceAccountToken: false,
              ...(args.serviceAccountName !== undefined ? { serviceAccountName: args.serviceAccountName } : {}),
              securityContext: { runAsNonRoot: true, runAsUser: uid, runAsGroup: uid, fsGroup: uid, seccompProfile },
              // Replicas on different nodes where the scheduler can: one node going away takes one replica.
              topologySpreadConstraints: [
                { maxSkew: 1, topologyKey: "kubernetes.io/hostname", whenUnsatisfiable: "ScheduleAnyway", labelSelector: { matchLabels: selector } },
              ],
              containers: [
                {
                  name: "router",
                  image: args.image ?? DEFAULT_ROUTER_IMAGE,
                  command: ["node", ...(args.nodeFlags ?? ROUTER_NODE_FLAGS), "/bundle/router.mjs"],
                  args: ["--host", "0.0.0.0", "--port", String(port)],
                  workingDir: DATA_DIR,
                  ports: [{ name: "http", containerPort: port }],
                  envFrom: [{ secretRef: { name: this.secret.metadata.name } }],
                  env,
                  readinessProbe: probe("/readyz", 5),
                  livenessProbe: probe("/healthz", 10),
                  resources: args.resources ?? { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "256Mi" } },
                  volumeMounts: [
                    { name: "bundle", mountPath: "/bundle", readOnly: true },
                    // The root filesystem is read-only: traces (a relative telemetry.jsonl.path) and /tmp are emptyDirs.
                    { name: "data", mountPath: DATA_DIR },
                    { name: "tmp", mountPath: "/tmp" },
                  ],
                  securityContext: {
                    runAsNonRoot: true,
                    runAsUser: uid,
                    runAsGroup: uid,
                    allowPrivilegeEscalation: false,
                    readOnlyRootFilesystem: true,
                    capabilities: { drop: ["ALL"] },
                    seccompProfile,
                  },
                },
              ],
              volumes: [
                { name: "bundle", configMap: { name: this.configMap.metadata.name } },
                { name: "data", emptyDir: { sizeLimit: "1Gi" } },
                { name: "tmp", emptyDir: { sizeLimit: "64Mi" } },
              ],
            },
          },
        },
      },
      child,
    );

    this.service = new k8s.core.v1.Service(
      name,
      {
        metadata,
        spec: {
          type: args.serviceType ?? "ClusterIP",
          selector,
          ports: [{ name: "http", port, targetPort: "http" }],
        },
      },
      { ...child, dependsOn: [this.deployment] },
    );

    const budget = args.disruptionBudget ?? { maxUnavailable: 1 };
    this.disruptionBudget = new k8s.policy.v1.PodDisruptionBudget(name, { metadata, spec: { ...budget, selector: { matchLabels: selector } } }, child);

    this.autoscaler = args.autoscaling
      ? new k8s.autoscaling.v2.HorizontalPodAutoscaler(
          name,
          {
            metadata,
            spec: {
              scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: this.deployment.metadata.name },
              minReplicas: args.autoscaling.minReplicas,
              maxReplicas: args.autoscaling.maxReplicas,
              metrics: [
                { type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: args.autoscaling.cpuUtilization ?? 70 } } },
              ],
            },
          },
          child,
        )
      : undefined;

    const namespace = pulumi.output(args.namespace).apply((ns) => ns ?? "default");
    this.url = pulumi.interpolate`http://${this.service.metadata.name}.${namespace}.svc.cluster.local:${port}`;
    this.registerOutputs({ url: this.url, bundleHash: this.bundleHash });
  }
}

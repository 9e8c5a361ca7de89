/**
 * @module @switchyard/pulumi/kubernetes — the router on Kubernetes (needs `@pulumi/kubernetes`).
 *
 * @example
 * import { RouterDeployment } from "@switchyard/pulumi/kubernetes";
 * new RouterDeployment("router", { bundle: build.routerBundle, assets: build.routerAssets, releaseHash: build.hash });
 */
export {
  RouterDeployment,
  bundleSha256,
  BUNDLE_HASH_ANNOTATION,
  RELEASE_HASH_ANNOTATION,
  REDIS_URL_ENV,
  SHUTDOWN_DELAY_ENV,
  DATA_DIR,
  DEFAULT_RUN_AS_USER,
  DEFAULT_ROUTER_IMAGE,
  type RouterDeploymentArgs,
  type RouterAutoscaling,
} from "./router-deployment.ts";

/**
 * @module @switchyard/pulumi — deploy and version Switchyard routers per Pulumi stack: compile
 * routes.ts for the stack's environment, push releases to a router's admin API (`Release`, served
 * by the `pulumi-resource-switchyard` plugin), and run routers on Kubernetes
 * (`@switchyard/pulumi/kubernetes`).
 *
 * @example
 * import * as pulumi from "@pulumi/pulumi";
 * import { compileRoutes, Release } from "@switchyard/pulumi";
 * const build = await compileRoutes({ file: "routes.ts" }); // environment = stack name
 * new Release("routes", { routerUrl: "http://router.internal:8787", adminToken: new pulumi.Config().requireSecret("adminToken"), release: build.releaseJson });
 */
export {
  compileRoutes,
  environmentFor,
  secretNamesOf,
  stackEnvironment,
  RoutesCompileError,
  type CompileRoutesOptions,
  type CompiledRoutes,
} from "./compile/compile-routes.ts";
export { Release, releaseJsonOf, type ReleaseArgs, type ReleaseState } from "./resources/release.ts";
export { PACKAGE, RELEASE_TYPE, ROUTER_DEPLOYMENT_TYPE } from "./tokens.ts";

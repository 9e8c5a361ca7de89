/** @module tokens — the provider's package name and type tokens (shared by the plugin and the resource classes). */

/** The Pulumi package (and plugin) name: the engine starts `pulumi-resource-switchyard`. */
export const PACKAGE = "switchyard";

/** The type token of the release resource. */
export const RELEASE_TYPE = "switchyard:index:Release";

/** The type token of the Kubernetes component. */
export const ROUTER_DEPLOYMENT_TYPE = "switchyard:kubernetes:RouterDeployment";

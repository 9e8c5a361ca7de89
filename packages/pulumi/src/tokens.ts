/** @module tokens — the provider's package name and type tokens (shared by the plugin and the resource classes). */

/** The Pulumi package (and plugin) name: the engine starts `pulumi-resource-switchyard`. */
export const PACKAGE = "switchyard";

/** The type token of the release resource. */
export const RELEASE_TYPE = "switchyard:index:Release";

/** The type token of the Kubernetes component. */
export const ROUTER_DEPLOYMENT_TYPE = "switchyard:kubernetes:RouterDeployment";

/** The config sections a release's properties carry (so detailedDiff keys such as `routes.support-faq.fallback` are real property paths; `telemetry` is absent when the release has none). */
export const CONFIG_SECTIONS = ["environment", "providers", "models", "tiers", "routes", "teams", "policies", "router", "telemetry"] as const;

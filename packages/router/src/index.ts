/**
 * @module @switchyard/router — the runtime: HTTP server, routing core, provider adapters, execution.
 *
 * @example
 * import { startRouter, builtinAdapters, builtinValidators, undiciTransport } from "@switchyard/router";
 * const router = await startRouter({ release, port: 8787, adapters: builtinAdapters, validators: builtinValidators, transport: undiciTransport() });
 */
export * from "./core/index.ts";
export * from "./state/index.ts";
export * from "./governance/index.ts";
export { startRouter, RouterStartError, type StartRouterOptions, type RunningRouter } from "./http/server.ts";
export { runMain, parseListenArgs, type RunMainOptions } from "./main.ts";
export { ROUTER_NODE_FLAGS } from "./node-flags.ts";
export { RouterError, ERRORS, allFailedStatus, type RouterErrorCode, type RouterErrorType, type AttemptSummary, type FailureClass } from "./errors.ts";
export { validateChatBody, type ChatBody, type ChatMessage, type ChatCompletion, type ChatCompletionChunk, type Usage } from "./http/chat-body.ts";
export * from "./adapters/index.ts";
export * from "./validators/index.ts";
export { ActiveRelease, activateRelease, ActivationError, type RuntimeRelease, type ReleaseRecord, type ActiveReleaseOptions } from "./runtime/release.ts";
export { checkAdminToken, ADMIN_TOKEN_ENV } from "./admin/auth.ts";
export { createAdminApi, type AdminApi, type AdminApiOptions } from "./admin/api.ts";
export { verifyReleaseText, type VerifyResult } from "./admin/verify-release.ts";
export { AdminClient, AdminClientError, releaseHashOf, type AdminClientOptions } from "./admin/client.ts";
export type * from "./admin/types.ts";
export type { RequestContext, RouterHooks } from "./execute/context.ts";
export { RequestCancel, ClientGoneError } from "./execute/timers.ts";
export { backoffMs, type ExecuteDeps } from "./execute/execute.ts";
export { priceUsage } from "./execute/usage.ts";
export * from "./telemetry/index.ts";
export {
  createDashboard,
  dashboardCore,
  LiveStats,
  readLiveStats,
  buildDashboardSnapshot,
  type Dashboard,
  type DashboardCore,
  type DashboardOptions,
  type DashboardSource,
  type DashboardSnapshot,
  type LiveStatsView,
} from "./dashboard/index.ts";

/**
 * @module @switchyard/router — the public surface of the runtime: start, embed and administer a router. Named exports
 * only (issue 18 item 7), so what this package promises is what is listed here; README.md "Public surface" says why
 * each part is public and where the rest lives (`./core`, `./otlp`, `./admin-client`, `./node-flags`, `./make-dir`).
 * router.mjs does not go through this file: the compiler bundles from src/main.ts.
 *
 * @example
 * import { startRouter, builtinAdapters, builtinValidators, undiciTransport } from "@switchyard/router";
 * const router = await startRouter({ release, port: 8787, adapters: builtinAdapters, validators: builtinValidators, transport: undiciTransport() });
 */

// Running a router: in-process, or as a process entry with flags.
export { startRouter, RouterStartError, type StartRouterOptions, type RunningRouter } from "./http/server.ts";
export { runMain, parseListenArgs, type RunMainOptions } from "./main.ts";
export { ROUTER_NODE_FLAGS } from "./node-flags.ts";

// Errors: the closed set of codes and their OpenAI-shaped bodies.
export { RouterError, ERRORS, type RouterErrorCode, type RouterErrorType, type AttemptSummary, type FailureClass } from "./errors.ts";

// What startRouter is given: adapters, validators, transports, the state stores.
export { builtinAdapters } from "./adapters/index.ts";
export { UpstreamError } from "./adapters/types.ts";
export type {
  AdapterCall,
  AdapterFactory,
  AdapterInit,
  AdapterRegistry,
  CompletionResult,
  ProviderAdapter,
  StreamEvent,
  Transport,
  TransportFactory,
  TransportRequest,
  TransportResponse,
  UpstreamLimits,
} from "./adapters/types.ts";
export { http1Transport, type Http1TransportOptions } from "./adapters/transport/http1.ts";
export { undiciTransport } from "./adapters/transport/undici.ts";
export { nodeHttpTransport } from "./adapters/transport/node-http.ts";
export { builtinValidators, type ValidatedAnswer, type ValidatorCheck, type ValidatorFactory, type ValidatorRegistry } from "./validators/index.ts";
export { createMemoryStateStores, type MemoryStateStores, type MemoryStateStoresOptions } from "./state/memory/index.ts";
export type * from "./state/store.ts";
export type * from "./state/stores.ts";
export type { RequestContext, RouterHooks } from "./execute/context.ts";
export type { ChatBody, ChatMessage, ChatCompletion, ChatCompletionChunk, Usage } from "./protocol/chat.ts";

// Releases: activating one, and the admin API that uploads and switches them.
export { ActiveRelease, activateRelease, ActivationError, type RuntimeRelease, type ReleaseRecord, type ActiveReleaseOptions } from "./runtime/release.ts";
export { checkAdminToken, ADMIN_TOKEN_ENV } from "./admin/auth.ts";
export { type AdminApi, type AdminApiOptions } from "./admin/api.ts";
export { createAdminApi } from "./admin/create.ts";
export { verifyReleaseText, type VerifyResult } from "./admin/verify-release.ts";
export { AdminClient, AdminClientError, releaseHashOf, type AdminClientOptions } from "./admin/client.ts";
export type * from "./admin/types.ts";

// Telemetry: the trace record every request writes, and the JSON Lines sink (OTLP is `@switchyard/router/otlp`).
export {
  TRACE_SCHEMA_VERSION,
  type AttemptReason,
  type CanaryTraceEvent,
  type TraceAttempt,
  type TraceCandidate,
  type TraceRecord,
  type TraceEvent,
  type TraceSink,
  type ValidationOutcome,
} from "./telemetry/types.ts";
export { jsonlSink, type JsonlSink, type JsonlSinkOptions } from "./telemetry/jsonl-sink.ts";
export type { TelemetryOptions } from "./telemetry/telemetry.ts";
export type { OtlpSinkOptions, OtlpSink } from "./telemetry/otlp-sink.ts";
export type { BudgetAlert } from "./governance/types.ts";

// The routing core's types (its functions are `@switchyard/router/core`).
export type * from "./core/types.ts";

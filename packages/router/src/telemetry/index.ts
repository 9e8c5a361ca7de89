/** @module Telemetry: trace records, sinks (JSONL here; OTLP via `@switchyard/router/otlp`), Prometheus metrics, budget alert delivery. */
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
} from "./types.ts";
export { finishTrace, completionText, validTraceparent, type TraceDraft, type FinishTraceOptions } from "./record.ts";
// The JSONL sink, the metrics and the alert webhooks through sinks-chunk.ts: router.mjs carries that module compressed.
export { jsonlSink, createRouterMetrics, serveMetrics, alertDelivery } from "./sinks-chunk.ts";
export type { JsonlSink, JsonlSinkOptions } from "./jsonl-sink.ts";
export { UNKNOWN_LABEL, NONE_LABEL, type RouterMetrics, type RouterMetricsOptions } from "./metrics.ts";
export type { AlertDelivery, AlertDeliveryOptions } from "./alerts.ts";
export { createRouterTelemetry, type RouterTelemetry, type RouterTelemetryOptions, type TelemetryOptions } from "./telemetry.ts";
export type { OtlpSinkOptions, OtlpSink } from "./otlp-sink.ts";

/**
 * @module The JSONL trace sink (with its record serialiser and folder maker), the alert webhooks and the Prometheus
 * metrics: code with no state or classes shared with the rest of the router. router.mjs carries this module as a brotli-compressed chunk
 * unpacked at start (packages/compiler/src/emit/router-bundle.ts, SINKS_CHUNK); nothing in it is shared with the core.
 */
export { jsonlSink } from "./jsonl-sink.ts";
export { createRouterMetrics, serveMetrics } from "./metrics.ts";
export { alertDelivery } from "./alerts.ts";

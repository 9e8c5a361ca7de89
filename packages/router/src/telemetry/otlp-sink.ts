/**
 * @module OpenTelemetry trace sink: one span per request and one child span per attempt (GenAI
 * semantic conventions), exported over OTLP/HTTP by the OpenTelemetry JS SDK from a bounded queue
 * in the background. router.mjs includes this module only when the release configures `otlp`.
 */
import { type Context, ROOT_CONTEXT, SpanKind, SpanStatusCode, TraceFlags, trace } from "@opentelemetry/api";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { AlwaysOnSampler, BasicTracerProvider, type ReadableSpan, type SpanExporter, type SpanProcessor } from "@opentelemetry/sdk-trace-base";
import { ATTR_ERROR_TYPE, ATTR_HTTP_RESPONSE_STATUS_CODE, ATTR_SERVICE_NAME } from "@opentelemetry/semantic-conventions";
import type { Config, Telemetry } from "@switchyard/ir";
import type { CanaryTraceEvent, TraceEvent, TraceRecord, TraceSink } from "./types.ts";

type OtlpConfig = NonNullable<Telemetry["otlp"]>;

export interface OtlpSinkOptions {
  otlp: OtlpConfig;
  /** Resolves secret header references (the env vars routes.ts names). */
  env: Readonly<Record<string, string | undefined>>;
  /** The config the records come from (upstream model names and provider kinds for span attributes). */
  config: () => Config;
  /** Called with the number of records dropped (queue full, or export failed while the queue was full). */
  onDrop?: (count: number) => void;
  /** Operator warnings (a header's env var unset); never values. */
  onWarning?: (message: string) => void;
  /** Records per export request. Default 256. */
  batchSize?: number;
  /** How often the queue is exported when it holds less than a batch, ms. Default 1000. */
  intervalMs?: number;
  /** First retry delay after a failed export, doubling up to 30 s. Default 1000. */
  retryMs?: number;
  /** Replaces the OTLP exporter (tests). */
  exporter?: SpanExporter;
}

export interface OtlpSink extends TraceSink {
  /** Export everything queued now (one attempt); resolves when that export ends. */
  flush(): Promise<void>;
  /** Records waiting for export. */
  queued(): number;
}

/** The caller's trace (from its `traceparent`) as the parent of the request span; a new trace otherwise. */
function callerContext(traceparent: string | undefined): Context {
  const [, traceId, spanId, flags] = traceparent?.split("-") ?? [];
  if (traceId === undefined || spanId === undefined || flags === undefined) return ROOT_CONTEXT;
  return trace.setSpanContext(ROOT_CONTEXT, {
    traceId,
    spanId,
    traceFlags: Number.parseInt(flags, 16) === 0 ? TraceFlags.NONE : TraceFlags.SAMPLED,
    isRemote: true,
  });
}

/** Collects the spans the tracer ends, so a batch can be handed to the exporter in one call. */
class CollectingProcessor implements SpanProcessor {
  spans: ReadableSpan[] = [];
  onStart(): void {}
  onEnd(span: ReadableSpan): void {
    this.spans.push(span);
  }
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

/**
 * The span attributes of a record's prompt-cache and reasoning counts (OpenTelemetry's GenAI names where they exist)
 * and of its attribution: `enduser.id` for `user`, one attribute per metadata pair and per tag. Bounded: metadata and
 * tags are checked when the request is read.
 */
function attributionAttributes(record: TraceRecord): Record<string, string | number | string[]> {
  const out: Record<string, string | number | string[]> = {};
  if (record.cachedInputTokens !== undefined) out["gen_ai.usage.cache_read.input_tokens"] = record.cachedInputTokens;
  if (record.cacheWriteTokens !== undefined) out["gen_ai.usage.cache_creation.input_tokens"] = record.cacheWriteTokens;
  if (record.reasoningTokens !== undefined) out["switchyard.reasoning_tokens"] = record.reasoningTokens;
  if (record.user !== undefined) out["enduser.id"] = record.user;
  for (const [key, value] of Object.entries(record.metadata ?? {})) out[`switchyard.metadata.${key}`] = value;
  for (const [key, value] of Object.entries(record.tags ?? {})) out[`switchyard.tag.${key}`] = value;
  // How the plan was made: the `when` rule that chose the target, the complexity it read, the models left out.
  if (record.rule !== undefined) out["switchyard.rule"] = record.rule;
  if (record.complexity !== undefined) out["switchyard.complexity"] = record.complexity;
  if (record.excluded !== undefined) out["switchyard.excluded"] = record.excluded.map((e) => `${e.model}: ${e.code}`);
  return out;
}

function headersOf(otlp: OtlpConfig, env: OtlpSinkOptions["env"], warn: (m: string) => void): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(otlp.headers)) {
    if (typeof value === "string") out[name] = value;
    else {
      const resolved = env[value.secret];
      if (resolved === undefined || resolved === "") warn(`telemetry.otlp header \`${name}\`: environment variable ${value.secret} is not set`);
      else out[name] = resolved;
    }
  }
  return out;
}

/**
 * Create the OTLP sink. `write` only queues (dropping, and counting, past `maxQueue`); a timer
 * exports batches one request at a time, and a failed batch is retried with backoff while it fits
 * in the queue. Requests are never slowed by a slow or dead collector.
 *
 * @example const sink = otlpSink({ otlp: { endpoint: "http://127.0.0.1:4318/v1/traces", headers: {}, serviceName: "router", maxQueue: 2048, timeoutMs: 5000 }, env: process.env, config: () => config });
 */
export function otlpSink(options: OtlpSinkOptions): OtlpSink {
  const { otlp } = options;
  const warn = options.onWarning ?? (() => undefined);
  const exporter =
    options.exporter ??
    new OTLPTraceExporter({ url: otlp.endpoint, headers: headersOf(otlp, options.env, warn), timeoutMillis: otlp.timeoutMs, concurrencyLimit: 1 });
  const collector = new CollectingProcessor();
  // Every request is exported, whatever the caller's sampling flag: the spans are its accounting.
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: otlp.serviceName }),
    spanProcessors: [collector],
    sampler: new AlwaysOnSampler(),
  });
  const tracer = provider.getTracer("switchyard-router");
  const batchSize = options.batchSize ?? 256;
  const retryBase = options.retryMs ?? 1000;
  const drop = (count: number): void => {
    if (count > 0) options.onDrop?.(count);
  };

  /** Request records and the router's events (canary decisions), in arrival order. */
  let queue: (TraceRecord | TraceEvent)[] = [];
  let exporting: Promise<void> | undefined;
  let failures = 0;
  let retryAt = 0;
  let closed = false;

  /** A canary decision: one span of no duration, on its own trace, carrying the verdict. */
  const eventSpan = (event: CanaryTraceEvent): void => {
    const at = Date.parse(event.time);
    tracer
      .startSpan(`canary ${event.action} ${event.route}`, {
        kind: SpanKind.INTERNAL,
        startTime: at,
        attributes: {
          "switchyard.environment": event.environment,
          "switchyard.config_version": event.configVersion,
          "switchyard.route": event.route,
          "switchyard.canary.model": event.model,
          "switchyard.canary.action": event.action,
          "switchyard.canary.step": event.step,
          "switchyard.canary.percent": event.percent,
          "switchyard.canary.reason": event.reason,
        },
      })
      .end(at);
  };

  const spansOf = (records: readonly (TraceRecord | TraceEvent)[]): ReadableSpan[] => {
    collector.spans = [];
    const config = options.config();
    for (const record of records) {
      if ("kind" in record) {
        eventSpan(record);
        continue;
      }
      const start = Date.parse(record.time);
      const root = tracer.startSpan(
        `chat ${record.route ?? "unknown"}`,
        {
          kind: SpanKind.SERVER,
          startTime: start,
          attributes: {
            "gen_ai.operation.name": "chat",
            ...(record.route !== undefined ? { "gen_ai.request.model": record.route } : {}),
            ...(record.model !== undefined ? { "gen_ai.response.model": config.models[record.model]?.name ?? record.model } : {}),
            "gen_ai.usage.input_tokens": record.inputTokens,
            "gen_ai.usage.output_tokens": record.outputTokens,
            [ATTR_HTTP_RESPONSE_STATUS_CODE]: record.status,
            "switchyard.request_id": record.requestId,
            "switchyard.environment": record.environment,
            "switchyard.config_version": record.configVersion,
            ...(record.route !== undefined ? { "switchyard.route": record.route } : {}),
            ...(record.team !== undefined ? { "switchyard.team": record.team } : {}),
            ...(record.model !== undefined ? { "switchyard.model": record.model } : {}),
            ...(record.provider !== undefined ? { "switchyard.provider": record.provider } : {}),
            "switchyard.cost_usd": record.costUsd,
            "switchyard.canary": record.canary,
            "switchyard.fallback": record.fallback,
            "switchyard.retries": record.retries,
            "switchyard.attempts": record.attempts.length,
            "switchyard.stream": record.stream,
            "switchyard.validation": record.validation,
            ...(record.ttftMs !== undefined ? { "switchyard.ttft_ms": record.ttftMs } : {}),
            ...(record.errorCode !== undefined ? { [ATTR_ERROR_TYPE]: record.errorCode } : {}),
            ...attributionAttributes(record),
          },
        },
        callerContext(record.traceparent),
      );
      if (record.outcome === "error") root.setStatus({ code: SpanStatusCode.ERROR, message: record.errorCode ?? "error" });
      const parent: Context = trace.setSpan(ROOT_CONTEXT, root);
      // Attempts ran one after another; their exact start offsets (backoff waits) are not recorded,
      // so each child starts where the previous one ended.
      let at = start;
      for (const a of record.attempts) {
        const model = config.models[a.model];
        const providerKind = config.providers[a.provider]?.kind;
        const span = tracer.startSpan(
          `chat ${model?.name ?? a.model}`,
          {
            kind: SpanKind.CLIENT,
            startTime: at,
            attributes: {
              "gen_ai.operation.name": "chat",
              "gen_ai.request.model": model?.name ?? a.model,
              ...(providerKind !== undefined ? { "gen_ai.provider.name": providerKind, "gen_ai.system": providerKind } : {}),
              ...(a.outcome === "ok" && record.model === a.model
                ? {
                    "gen_ai.response.model": model?.name ?? a.model,
                    "gen_ai.usage.input_tokens": record.inputTokens,
                    "gen_ai.usage.output_tokens": record.outputTokens,
                  }
                : {}),
              "switchyard.model": a.model,
              "switchyard.provider": a.provider,
              ...(a.region !== undefined ? { "switchyard.region": a.region } : {}),
              "switchyard.step": a.step,
              "switchyard.attempt": a.attempt,
              "switchyard.reason": a.reason,
              ...(a.after !== undefined ? { "switchyard.after": a.after } : {}),
              ...(a.ttftMs !== undefined ? { "switchyard.ttft_ms": a.ttftMs } : {}),
              ...(a.status !== undefined ? { [ATTR_HTTP_RESPONSE_STATUS_CODE]: a.status } : {}),
              ...(a.errorClass !== undefined ? { [ATTR_ERROR_TYPE]: a.errorClass } : {}),
            },
          },
          parent,
        );
        if (a.outcome === "error") span.setStatus({ code: SpanStatusCode.ERROR, message: a.errorClass ?? "error" });
        at += a.latencyMs;
        span.end(at);
      }
      root.end(start + record.latencyMs);
    }
    const spans = collector.spans;
    collector.spans = [];
    return spans;
  };

  const exportBatch = (spans: ReadableSpan[]): Promise<boolean> =>
    new Promise((resolve) => {
      try {
        // ExportResultCode.SUCCESS is 0 (@opentelemetry/core, not imported for one constant).
        exporter.export(spans, (result) => resolve(result.code === 0));
      } catch {
        resolve(false);
      }
    });

  const exportOnce = async (): Promise<void> => {
    if (queue.length === 0 || Date.now() < retryAt) return;
    const batch = queue.slice(0, batchSize);
    queue = queue.slice(batch.length);
    let ok = false;
    try {
      ok = await exportBatch(spansOf(batch));
    } catch {
      ok = false;
    }
    if (ok) {
      failures = 0;
      retryAt = 0;
      return;
    }
    failures++;
    retryAt = Date.now() + Math.min(30_000, retryBase * 2 ** (failures - 1));
    // Put the batch back in front while it fits; what does not fit is dropped (and counted).
    const room = Math.max(0, otlp.maxQueue - queue.length);
    const kept = closed ? [] : batch.slice(batch.length - Math.min(room, batch.length));
    drop(batch.length - kept.length);
    queue = [...kept, ...queue];
  };

  const tick = (): void => {
    if (exporting !== undefined) return;
    exporting = exportOnce().finally(() => {
      exporting = undefined;
    });
  };
  const timer = setInterval(tick, options.intervalMs ?? 1000);
  timer.unref();

  const enqueue = (item: TraceRecord | TraceEvent): void => {
    if (closed) return;
    if (queue.length >= otlp.maxQueue) return drop(1);
    queue.push(item);
    if (queue.length >= Math.min(batchSize, otlp.maxQueue)) tick();
  };

  return {
    write: enqueue,
    event: enqueue,
    queued: () => queue.length,
    async flush() {
      if (exporting !== undefined) await exporting;
      retryAt = 0;
      tick();
      if (exporting !== undefined) await exporting;
    },
    async close() {
      clearInterval(timer);
      // One last try for what is queued; a dead collector costs at most one export timeout.
      if (exporting !== undefined) await exporting;
      closed = true;
      retryAt = 0;
      while (queue.length > 0) {
        const failed = failures;
        tick();
        if (exporting !== undefined) await exporting;
        if (failures > failed) break;
      }
      drop(queue.length);
      queue = [];
      await exporter.shutdown().catch(() => undefined);
      await provider.shutdown().catch(() => undefined);
    },
  };
}

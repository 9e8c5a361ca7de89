/** @module A router's telemetry: builds one trace record per request, counts it in the metrics and fans it out to every sink. */
import type { Config } from "@switchyard/ir";
import type { RuntimeRelease } from "../runtime/release.ts";
import type { StateStore } from "../state/store.ts";
import type { BudgetAlert } from "../governance/types.ts";
import { type AlertDelivery, type AlertDeliveryOptions, alertDelivery } from "./alerts.ts";
import { jsonlSink } from "./jsonl-sink.ts";
import { type RouterMetrics, createRouterMetrics } from "./metrics.ts";
import type { OtlpSinkOptions } from "./otlp-sink.ts";
import { type FinishTraceOptions, type TraceDraft, finishTrace, validTraceparent } from "./record.ts";
import type { TraceRecord, TraceSink } from "./types.ts";

/** What a caller of startRouter may add to telemetry; the rest comes from the release's `telemetry` section. */
export interface TelemetryOptions {
  /** Extra sinks that receive every record (e.g. the dashboard's live aggregator). */
  sinks?: TraceSink[];
  /**
   * The OTLP sink factory (`otlpSink` from `@switchyard/router/otlp`). router.mjs passes it only when
   * the release configures `telemetry.otlp`, so the OpenTelemetry SDK is bundled only then; without
   * it an `otlp` section is a start warning.
   */
  otlp?: (options: OtlpSinkOptions) => TraceSink;
  /** Where `jsonl: { path: "stdout" }` writes. Default process.stdout. */
  stdout?: { write(chunk: string): boolean };
  /** Operator log lines (budget alerts, webhook failures). Default: stderr. */
  log?: (line: string) => void;
  /** Replaces the alert webhook's HTTP POST (tests). */
  postAlert?: AlertDeliveryOptions["post"];
}

export interface RouterTelemetryOptions extends TelemetryOptions {
  release: () => RuntimeRelease;
  state: StateStore;
  now: () => number;
  env: Readonly<Record<string, string | undefined>>;
}

export interface RouterTelemetry {
  readonly metrics: RouterMetrics;
  /** Problems worth telling the operator at start; never secret values. */
  readonly warnings: string[];
  /** Add a sink; returns a function that removes it. */
  addSink(sink: TraceSink): () => void;
  /** Start the draft of a request's record (`traceparent`: the request's header, validated here). */
  begin(requestId: string, startedAt: number, release: RuntimeRelease, traceparent?: string | string[]): TraceDraft;
  /** Finish the record and hand it to the metrics and every sink. Never throws. */
  end(options: Omit<FinishTraceOptions, "now">): TraceRecord | undefined;
  /** Deliver a budget alert (log, metric, webhook). Never throws or waits. */
  budgetAlert(alert: BudgetAlert): void;
  /** Flush and close every sink (bounded by each sink's own timeouts). */
  close(): Promise<void>;
}

/**
 * Create the telemetry of one router from its first release's `telemetry` section. Sinks are fixed
 * at start (a hot-reloaded release with other sinks takes effect on restart); metric labels follow
 * the active release.
 *
 * @example const telemetry = createRouterTelemetry({ release: () => active.current, state, now: Date.now, env: process.env });
 */
export function createRouterTelemetry(options: RouterTelemetryOptions): RouterTelemetry {
  const config: Config = options.release().config;
  const settings = config.telemetry;
  const warnings: string[] = [];
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const metrics = createRouterMetrics({ release: options.release, state: options.state, now: options.now });
  const sinks: TraceSink[] = [...(options.sinks ?? [])];
  if (settings?.jsonl !== undefined) {
    sinks.push(jsonlSink({ ...settings.jsonl, ...(options.stdout !== undefined ? { stdout: options.stdout } : {}), onDrop: (n) => metrics.dropped("jsonl", n) }));
  }
  if (settings?.otlp !== undefined) {
    if (options.otlp === undefined) warnings.push("telemetry.otlp is configured but this router build has no OTLP exporter; spans are not exported");
    else {
      sinks.push(
        options.otlp({
          otlp: settings.otlp,
          env: options.env,
          config: () => options.release().config,
          onDrop: (n) => metrics.dropped("otlp", n),
          onWarning: (message) => warnings.push(message),
        }),
      );
    }
  }
  const alerts: AlertDelivery = alertDelivery({
    webhook: settings?.alerts?.webhook,
    env: options.env,
    log,
    onAlert: (alert) => metrics.alert(alert),
    onWebhookFailure: () => metrics.webhookFailed(),
    ...(options.postAlert !== undefined ? { post: options.postAlert } : {}),
  });

  return {
    metrics,
    warnings,
    addSink(sink) {
      sinks.push(sink);
      return () => {
        const index = sinks.indexOf(sink);
        if (index !== -1) sinks.splice(index, 1);
      };
    },
    begin(requestId, startedAt, release, traceparent) {
      const draft: TraceDraft = { requestId, startedAt, release, team: undefined, route: undefined, error: undefined, completion: undefined };
      const parent = validTraceparent(traceparent);
      if (parent !== undefined) draft.traceparent = parent;
      return draft;
    },
    end(finish) {
      let record: TraceRecord;
      try {
        // The caller builds `finish` for this call: completing it spares a copy per request.
        const full = finish as FinishTraceOptions;
        full.now = options.now();
        record = finishTrace(full);
        metrics.observe(record);
      } catch {
        return undefined;
      }
      for (const sink of sinks) {
        try {
          sink.write(record);
        } catch {
          // A sink must never fail a request.
        }
      }
      return record;
    },
    budgetAlert: (alert) => alerts.deliver(alert),
    async close() {
      await Promise.allSettled([alerts.settle(), ...sinks.map((sink) => sink.close())]);
    },
  };
}

/** @module A router's telemetry: builds one trace record per request, counts it in the metrics and fans it out to every sink. */
import type { Config } from "@switchyard/ir";
import type { RuntimeRelease } from "../runtime/release.ts";
import type { StateStores } from "../state/stores.ts";
import type { BudgetAlert } from "../governance/types.ts";
import type { AlertDelivery, AlertDeliveryOptions } from "./alerts.ts";
import { alertDelivery, createRouterMetrics, jsonlSink } from "./sinks-chunk.ts";
import type { RouterMetrics } from "./metrics.ts";
import type { OtlpSinkOptions } from "./otlp-sink.ts";
import { type FinishTraceOptions, type TraceDraft, finishTrace, validTraceparent } from "./record.ts";
import { type CanaryTraceEvent, TRACE_SCHEMA_VERSION, type TraceEvent, type TraceRecord, type TraceSink } from "./types.ts";

/** A canary controller's decision, as governance/canary.ts reports it (`at`: epoch ms). */
export type CanaryDecision = Pick<CanaryTraceEvent, "route" | "model" | "action" | "step" | "percent" | "reason"> & { at: number };

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
  state: StateStores;
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
  /** Record a canary promotion or rollback as a trace event (JSONL line, OTLP span) in every sink that takes events. Never throws. */
  canary(decision: CanaryDecision): void;
  /** Flush and close every sink (bounded by each sink's own timeouts). */
  close(): Promise<void>;
}

/**
 * Create the telemetry of one router. Its sinks and alert webhook follow the active release's
 * `telemetry` section (rebuilt when an activation changes it; the caller's sinks always stay); metric
 * labels follow the active release too.
 *
 * @example const telemetry = createRouterTelemetry({ release: () => active.current, state, now: Date.now, env: process.env });
 */
export function createRouterTelemetry(options: RouterTelemetryOptions): RouterTelemetry {
  const config: Config = options.release().config;
  const warnings: string[] = [];
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const metrics = createRouterMetrics({ release: options.release, state: options.state, now: options.now });
  /** Sinks the caller gave or added (the dashboard's aggregator): they stay whatever the release says. */
  const sinks: TraceSink[] = [...(options.sinks ?? [])];

  /** The sinks and alert delivery a release's `telemetry` section asks for. */
  const fromSettings = (settings: Config["telemetry"], warn: (message: string) => void): { sinks: TraceSink[]; alerts: AlertDelivery } => {
    const built: TraceSink[] = [];
    if (settings?.jsonl !== undefined) {
      built.push(
        jsonlSink({ ...settings.jsonl, ...(options.stdout !== undefined ? { stdout: options.stdout } : {}), onDrop: (n) => metrics.dropped("jsonl", n) }),
      );
    }
    if (settings?.otlp !== undefined) {
      if (options.otlp === undefined) warn("telemetry.otlp is configured but this router build has no OTLP exporter; spans are not exported");
      else {
        built.push(
          options.otlp({
            otlp: settings.otlp,
            env: options.env,
            config: () => options.release().config,
            onDrop: (n) => metrics.dropped("otlp", n),
            onWarning: warn,
          }),
        );
      }
    }
    const alerts = alertDelivery({
      webhook: settings?.alerts?.webhook,
      env: options.env,
      log,
      onAlert: (alert) => metrics.alert(alert),
      onWebhookFailure: () => metrics.webhookFailed(),
      ...(options.postAlert !== undefined ? { post: options.postAlert } : {}),
    });
    return { sinks: built, alerts };
  };

  let settings = config.telemetry;
  let settingsText = JSON.stringify(settings ?? null);
  let configured = fromSettings(settings, (message) => warnings.push(message));
  /** Parts of releases that were replaced: closed (flushed) in the background, awaited by close(). */
  const retiring = new Set<Promise<unknown>>();

  /**
   * Follow the active release's `telemetry` section: when an activation (or rollback) changed it, the
   * release's sinks and webhook are rebuilt and the old ones flushed and closed. Checked at each
   * request's end and each budget alert (one identity comparison), so the switch happens at the first
   * of those after the activation; an equal section in a new release keeps the running sinks. Never
   * throws: sinks that cannot be set up leave the previous ones in place, with a log line.
   */
  const follow = (): void => {
    const next = options.release().config.telemetry;
    if (next === settings) return;
    settings = next;
    const text = JSON.stringify(next ?? null);
    if (text === settingsText) return;
    settingsText = text;
    const old = configured;
    try {
      configured = fromSettings(next, (message) => log(`switchyard router: ${message}`));
    } catch (error) {
      log(`switchyard router: the active release's telemetry could not be set up (${(error as Error).message}); the previous sinks stay`);
      return;
    }
    log(`switchyard router: telemetry follows the active release: ${describeSinks(next)}`);
    const done = Promise.allSettled([old.alerts.settle(), ...old.sinks.map((sink) => sink.close())]);
    retiring.add(done);
    void done.then(() => retiring.delete(done));
  };

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
        follow();
        // The caller builds `finish` for this call: completing it spares a copy per request.
        const full = finish as FinishTraceOptions;
        full.now = options.now();
        record = finishTrace(full);
        metrics.observe(record);
      } catch {
        return undefined;
      }
      for (const sink of configured.sinks) write(sink, record);
      for (const sink of sinks) write(sink, record);
      return record;
    },
    budgetAlert: (alert) => {
      try {
        follow();
      } catch {
        // Telemetry never fails the caller; the alert goes to the sinks in place.
      }
      configured.alerts.deliver(alert);
    },
    canary(decision) {
      let event: TraceEvent;
      try {
        follow();
        const { config, hash } = options.release();
        const { route, model, action, step, percent, reason, at } = decision;
        event = {
          v: TRACE_SCHEMA_VERSION,
          kind: "canary",
          time: new Date(at).toISOString(),
          environment: config.environment,
          configVersion: hash,
          route,
          model,
          action,
          step,
          percent,
          reason,
        };
      } catch {
        return;
      }
      for (const sink of configured.sinks) sendEvent(sink, event);
      for (const sink of sinks) sendEvent(sink, event);
    },
    async close() {
      await Promise.allSettled([
        ...retiring,
        configured.alerts.settle(),
        ...configured.sinks.map((sink) => sink.close()),
        ...sinks.map((sink) => sink.close()),
      ]);
    },
  };
}

function write(sink: TraceSink, record: TraceRecord): void {
  try {
    sink.write(record);
  } catch {
    // A sink must never fail a request.
  }
}

function sendEvent(sink: TraceSink, event: TraceEvent): void {
  try {
    sink.event?.(event);
  } catch {
    // A sink must never fail the controller.
  }
}

/** The sinks a telemetry section asks for, for the operator's log (never header values or secrets). */
function describeSinks(settings: Config["telemetry"]): string {
  const parts: string[] = [];
  if (settings?.jsonl !== undefined) parts.push(`JSONL to ${settings.jsonl.path}`);
  if (settings?.otlp !== undefined) parts.push("OTLP");
  if (settings?.alerts?.webhook !== undefined) parts.push("alert webhook");
  return parts.length === 0 ? "no sinks" : parts.join(", ");
}

/** @module Prometheus metrics for one router instance: a registry of its own (exposition.ts) rendering the router's collectors, labels only from the config. */
import type { ServerResponse } from "node:http";
import type { Config } from "@switchyard/ir";
import type { RuntimeRelease } from "../runtime/release.ts";
import type { BudgetSnapshot, StateSnapshot } from "../state/store.ts";
import type { StateStores } from "../state/stores.ts";
import type { TraceRecord } from "./types.ts";
import { BatchedHistogram } from "./batched-histogram.ts";
import { Collector } from "./collector.ts";
import { Exposition } from "./exposition.ts";

/** Label for a value the config does not know (an unknown route, an unauthenticated caller, no answer). */
export const UNKNOWN_LABEL = "_unknown";
/** Label when there is no value at all (no team on an open router, no model answered). */
export const NONE_LABEL = "_none";

/** Breaker status as a gauge value. */
const BREAKER_VALUE = { closed: 0, "half-open": 1, open: 2 } as const;

export interface RouterMetricsOptions {
  /** The release serving right now (labels and info come from it; it changes on hot reload). */
  release: () => RuntimeRelease;
  state: StateStores;
  now: () => number;
}

/** A budget-alert metric sample (the alert itself is governance's `BudgetAlert`). */
export interface AlertSample {
  team: string;
  threshold: number;
}

export interface RouterMetrics {
  readonly registry: Exposition;
  /** Count one finished request. */
  observe(record: TraceRecord): void;
  /** Count records a sink dropped. */
  dropped(sink: string, count: number): void;
  /** Count a delivered budget alert (and webhook failures). */
  alert(sample: AlertSample): void;
  webhookFailed(): void;
  /** The Prometheus text exposition. */
  render(): Promise<string>;
  readonly contentType: string;
}

function label(known: Record<string, unknown>, value: string | undefined, missing = NONE_LABEL): string {
  if (value === undefined) return missing;
  return Object.hasOwn(known, value) ? value : UNKNOWN_LABEL;
}

interface PendingCount {
  labels: Record<string, string>;
  value: number;
}
type LabelLevel = Map<string, LabelLevel | PendingCount>;

function level(parent: LabelLevel, key: string): LabelLevel {
  let next = parent.get(key) as LabelLevel | undefined;
  if (next === undefined) parent.set(key, (next = new Map()));
  return next;
}

/**
 * Counter increments gathered per label set and handed to their Collector when it collects (a scrape):
 * `inc()` builds a key string from the label object on every call (prom-client's Counter hashed and
 * validated it, most of the metrics' per-request cost). Label values are config names (bounded), so
 * the map stays small. Integer sums are exact; a float sum (the USD counter) may differ from per-request `inc()`s in its last bits only.
 * Three-label counters pass "" as the fourth value, which never becomes a label.
 */
class PendingCounts {
  /** One level per label, keyed by the label values themselves: no key string is built per request. */
  readonly #root: LabelLevel = new Map();
  readonly #entries: PendingCount[] = [];

  constructor(readonly names: readonly [string, string, string] | readonly [string, string, string, string]) {}

  /** Add `value` under the label values `a`, `b`, `c`, `d` (in the order of `names`). */
  add(a: string, b: string, c: string, d: string, value: number): void {
    if (!Number.isFinite(value)) return; // a counter of NaN or Infinity would stay so for good
    const l1 = level(this.#root, a);
    const l2 = level(l1, b);
    const l3 = level(l2, c);
    let e = l3.get(d) as PendingCount | undefined;
    if (e === undefined) {
      const [na, nb, nc, nd] = this.names;
      e = { labels: nd === undefined ? { [na]: a, [nb]: b, [nc]: c } : { [na]: a, [nb]: b, [nc]: c, [nd]: d }, value: 0 };
      l3.set(d, e);
      this.#entries.push(e);
    }
    e.value += value;
  }

  flush(counter: Collector): void {
    for (const e of this.#entries) {
      if (e.value === 0) continue;
      counter.inc(e.labels, e.value);
      e.value = 0;
    }
  }
}

/**
 * Create the metrics of one router. Every label value is a name from the active config (or
 * `_unknown` / `_none`), so cardinality is bounded by the config, never by callers.
 *
 * @example const metrics = createRouterMetrics({ release: () => active.current, state, now: Date.now });
 * metrics.observe(record); const text = await metrics.render();
 */
export function createRouterMetrics(options: RouterMetricsOptions): RouterMetrics {
  const registry = new Exposition();
  const config = (): Config => options.release().config;

  /** A counter fed from a PendingCounts when it collects; the labels are declared once. */
  const batchedCounter = (name: string, help: string, labelNames: PendingCounts["names"]): PendingCounts => {
    const pending = new PendingCounts(labelNames);
    new Collector(name, help, "counter", labelNames, registry, (counter) => pending.flush(counter));
    return pending;
  };
  const counter = (name: string, help: string, labelNames: readonly string[]): Collector => new Collector(name, help, "counter", labelNames, registry);
  /** A gauge set afresh from `fill` at every scrape. */
  const gauge = (name: string, help: string, labelNames: readonly string[], fill: (gauge: Collector) => unknown): void => {
    new Collector(name, help, "gauge", labelNames, registry, fill);
  };
  const pendingRequests = batchedCounter(
    "switchyard_requests_total",
    "Requests (chat, responses, messages, embeddings) by route, team, answering model and HTTP status.",
    ["route", "team", "model", "status"],
  );
  const duration = new BatchedHistogram({
    name: "switchyard_request_duration_seconds",
    help: "Whole-request latency.",
    labelNames: ["route", "model"],
    buckets: [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
    registers: [registry],
  });
  const ttft = new BatchedHistogram({
    name: "switchyard_time_to_first_token_seconds",
    help: "Time to first token of the answering attempt (non-streaming: the whole answer).",
    labelNames: ["route", "model"],
    buckets: [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
    registers: [registry],
  });
  const pendingAttempts = batchedCounter("switchyard_attempts_total", "Upstream attempts by model, outcome and error class.", [
    "route",
    "model",
    "outcome",
    "error_class",
  ]);
  const pendingTokens = batchedCounter("switchyard_tokens_total", "Tokens by direction (input, output).", ["route", "team", "model", "direction"]);
  const pendingCost = batchedCounter("switchyard_cost_usd_total", "Spend in USD at catalog prices.", ["route", "team", "model"]);
  const fallbacks = counter(
    "switchyard_fallbacks_total",
    "Moves to the next candidate, by the model left, the model tried next and the failure that caused it.",
    ["route", "from", "to", "reason"],
  );
  const retries = counter("switchyard_retries_total", "Retries on the same candidate, by the failure that caused them.", ["route", "model", "reason"]);
  const canaryRequests = counter("switchyard_canary_requests_total", "Requests assigned to a route's canary (share = this / requests of the route).", [
    "route",
  ]);
  const dropped = counter("switchyard_telemetry_dropped_total", "Trace records a sink dropped (full buffer, sink down).", ["sink"]);
  const alerts = counter("switchyard_budget_alerts_total", "Budget alerts by team and threshold crossed.", ["team", "threshold"]);
  const cacheRequests = counter(
    "switchyard_cache_requests_total",
    "Requests on routes with a response cache, by result: hit (answered from the cache), miss, bypass (Cache-Control or a sampled request).",
    ["route", "result"],
  );
  const cacheSaved = counter("switchyard_cache_saved_usd_total", "What cache hits would have cost at catalog prices (the answers' original cost), USD.", [
    "route",
    "team",
  ]);
  const webhookFailures = counter("switchyard_alert_webhook_failures_total", "Budget alert webhook deliveries that failed after retries.", []);

  gauge("switchyard_config_info", "The active release (value 1).", ["version", "environment"], (g) => {
    const release = options.release();
    g.reset();
    g.set({ version: release.hash, environment: release.config.environment }, 1);
  });
  gauge("switchyard_breaker_state", "Circuit breaker per model deployment: 0 closed, 1 half-open, 2 open.", ["model"], (g) => {
    const view = options.state.view(options.now());
    g.reset();
    for (const model of Object.keys(config().models)) g.set({ model }, BREAKER_VALUE[view.breaker(model).status]);
  });
  gauge("switchyard_canary_percent", "Current canary share of a route's traffic, percent.", ["route"], (g) => {
    const view = options.state.view(options.now());
    g.reset();
    for (const [route, def] of Object.entries(config().routes)) if (def.canary !== undefined) g.set({ route }, view.canaryPercent(route));
  });
  gauge(
    "switchyard_state_backend_up",
    "Whether the shared state backend answers: 1 up (always, for in-memory state), 0 down (serving per state.onUnavailable).",
    ["kind"],
    (g) => {
      g.reset();
      g.set({ kind: options.state.kind }, options.state.backendUp() ? 1 : 0);
    },
  );
  // One snapshot per scrape feeds every live-state gauge (a shared store answers it remotely).
  let scrape: { at: number; snapshot: Promise<StateSnapshot | undefined> } | undefined;
  const snapshot = (): Promise<StateSnapshot | undefined> => {
    const at = options.now();
    if (scrape === undefined || scrape.at !== at) {
      scrape = {
        at,
        snapshot: Promise.resolve()
          .then(() => options.state.snapshot(config(), at))
          .catch(() => undefined),
      };
    }
    return scrape.snapshot;
  };
  const budgetGauge = (name: string, help: string, value: (b: BudgetSnapshot) => number): void =>
    gauge(name, help, ["team"], async (g) => {
      const budgets = (await snapshot())?.budgets ?? {};
      g.reset();
      const teams = config().teams;
      for (const [team, budget] of Object.entries(budgets)) if (Object.hasOwn(teams, team)) g.set({ team }, value(budget));
    });
  budgetGauge(
    "switchyard_budget_remaining_usd",
    "Budget left this period per team (limit − spent − reserved), USD.",
    (b) => b.limitUsd - b.spentUsd - b.reservedUsd,
  );
  budgetGauge("switchyard_budget_spent_usd", "Settled spend this period per team, USD.", (b) => b.spentUsd);
  budgetGauge("switchyard_budget_limit_usd", "Budget per period per team, USD.", (b) => b.limitUsd);
  gauge(
    "switchyard_rate_limit_remaining",
    "Rate-limit capacity left now per team: requests (rpm) or tokens (tpm) this minute.",
    ["team", "limit"],
    async (g) => {
      const limits = (await snapshot())?.limits ?? {};
      g.reset();
      const teams = config().teams;
      for (const [team, l] of Object.entries(limits)) {
        if (!Object.hasOwn(teams, team)) continue;
        if (l.rpm !== undefined) g.set({ team, limit: "rpm" }, l.rpm.remaining);
        if (l.tpm !== undefined) g.set({ team, limit: "tpm" }, l.tpm.remaining);
      }
    },
  );

  return {
    registry,
    contentType: registry.contentType,
    observe(record) {
      const c = config();
      const route = label(c.routes, record.route, UNKNOWN_LABEL);
      const team = label(c.teams, record.team);
      const model = label(c.models, record.model);
      pendingRequests.add(route, team, model, String(record.status), 1);
      duration.observe2(route, model, record.latencyMs / 1000);
      if (record.ttftMs !== undefined && record.outcome === "ok") ttft.observe2(route, model, record.ttftMs / 1000);
      if (record.inputTokens > 0) pendingTokens.add(route, team, model, "input", record.inputTokens);
      if (record.outputTokens > 0) pendingTokens.add(route, team, model, "output", record.outputTokens);
      if (record.costUsd > 0) pendingCost.add(route, team, model, "", record.costUsd);
      if (record.canary) canaryRequests.inc({ route });
      const cache = record.cache;
      if (cache !== undefined) {
        cacheRequests.inc({ route, result: cache.status });
        if (cache.savedUsd !== undefined && cache.savedUsd > 0) cacheSaved.inc({ route, team }, cache.savedUsd);
      }
      let previous: string | undefined;
      for (const a of record.attempts) {
        const attemptModel = label(c.models, a.model);
        pendingAttempts.add(route, attemptModel, a.outcome, a.errorClass ?? NONE_LABEL, 1);
        if (a.reason === "retry") retries.inc({ route, model: attemptModel, reason: a.after ?? NONE_LABEL });
        if (a.reason === "fallback") fallbacks.inc({ route, from: previous ?? NONE_LABEL, to: attemptModel, reason: a.after ?? NONE_LABEL });
        previous = attemptModel;
      }
    },
    dropped(sink, count) {
      dropped.inc({ sink }, count);
    },
    alert(sample) {
      alerts.inc({ team: label(config().teams, sample.team), threshold: String(sample.threshold) });
    },
    webhookFailed() {
      webhookFailures.inc();
    },
    render: () => registry.render(),
  };
}

/** Answer `GET /metrics` with the Prometheus text exposition (HEAD: headers only). */
export async function serveMetrics(res: ServerResponse, metrics: RouterMetrics, head: boolean): Promise<void> {
  let text: string;
  try {
    text = await metrics.render();
  } catch {
    res.writeHead(500, { "content-type": "text/plain; charset=utf-8" });
    res.end("metrics collection failed\n");
    return;
  }
  res.writeHead(200, { "content-type": metrics.contentType, "content-length": Buffer.byteLength(text), "cache-control": "no-store" });
  res.end(head ? undefined : text);
}

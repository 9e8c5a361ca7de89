/** @module Budget alert delivery: a log line, a metric, and an optional webhook POST retried briefly in the background. */
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import type { Telemetry } from "@switchyard/ir";
import type { BudgetAlert } from "../governance/types.ts";

type Webhook = NonNullable<NonNullable<Telemetry["alerts"]>["webhook"]>;

export interface AlertDeliveryOptions {
  webhook: Webhook | undefined;
  env: Readonly<Record<string, string | undefined>>;
  /** One JSON log line per alert. */
  log: (line: string) => void;
  /** Called for every alert (the metric). */
  onAlert?: (alert: BudgetAlert) => void;
  /** Called when a webhook delivery failed after its retries (the failure metric). */
  onWebhookFailure?: () => void;
  /** Tries per alert, default 3; waits `retryMs`·2ⁿ between them (default 250). */
  attempts?: number;
  retryMs?: number;
  /** Per POST, default 5000 ms. */
  timeoutMs?: number;
  /** Replaces the HTTP POST (tests); resolves with the status, rejects on a connection error or timeout. */
  post?: (url: string, headers: Record<string, string>, body: string, timeoutMs: number) => Promise<number>;
}

/**
 * POST with node:http(s). Not `fetch`: Node loads its fetch implementation on first use, which
 * blocks the event loop for a few hundred milliseconds — a stall for every request in flight.
 */
export function postJson(url: string, headers: Record<string, string>, body: string, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const send = target.protocol === "https:" ? httpsRequest : httpRequest;
    const req = send(target, { method: "POST", headers: { ...headers, "content-length": Buffer.byteLength(body) }, timeout: timeoutMs }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", reject);
    req.end(body);
  });
}

export interface AlertDelivery {
  /** Deliver one alert; returns at once (the webhook runs in the background). */
  deliver(alert: BudgetAlert): void;
  /** Wait for webhook deliveries in progress. */
  settle(): Promise<void>;
}

/**
 * Create the alert delivery. Never throws and never waits on the webhook.
 *
 * @example const alerts = alertDelivery({ webhook: config.telemetry?.alerts?.webhook, env, log: console.error });
 * hooks.onBudgetAlert = (alert) => alerts.deliver(alert);
 */
export function alertDelivery(options: AlertDeliveryOptions): AlertDelivery {
  const pending = new Set<Promise<void>>();
  const doPost = options.post ?? postJson;
  const attempts = options.attempts ?? 3;
  const retryMs = options.retryMs ?? 250;

  const headers = (): Record<string, string> => {
    const out: Record<string, string> = { "content-type": "application/json" };
    for (const [name, value] of Object.entries(options.webhook?.headers ?? {})) {
      const resolved = typeof value === "string" ? value : options.env[value.secret];
      if (resolved !== undefined && resolved !== "") out[name] = resolved;
    }
    return out;
  };

  const post = async (webhook: Webhook, body: string): Promise<void> => {
    for (let n = 0; n < attempts; n++) {
      if (n > 0) await new Promise((resolve) => setTimeout(resolve, retryMs * 2 ** (n - 1)).unref());
      try {
        const status = await doPost(webhook.url, headers(), body, options.timeoutMs ?? 5000);
        if (status >= 200 && status < 300) return;
        if (status < 500 && status !== 429) break;
      } catch {
        // connection refused, timeout: retry
      }
    }
    options.onWebhookFailure?.();
    options.log(JSON.stringify({ level: "error", event: "budget_alert_webhook_failed", message: `budget alert webhook failed after ${attempts} tries` }));
  };

  return {
    deliver(alert) {
      const event = { event: "budget_alert", ...alert };
      try {
        options.onAlert?.(alert);
        options.log(JSON.stringify({ level: "warn", ...event }));
      } catch {
        // logging must not break the request that crossed the threshold
      }
      const webhook = options.webhook;
      if (webhook === undefined) return;
      const running = post(webhook, JSON.stringify(event)).catch(() => undefined);
      pending.add(running);
      void running.finally(() => pending.delete(running));
    },
    async settle() {
      await Promise.all([...pending]);
    },
  };
}

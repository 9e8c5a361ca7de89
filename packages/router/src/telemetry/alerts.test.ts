/** @module alerts tests: log line and metric per alert, webhook POST retried on 5xx/connection errors, never blocking, secrets resolved from env. */
import { type IncomingMessage, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import type { BudgetAlert } from "../governance/types.ts";
import { alertDelivery } from "./alerts.ts";

const alert = {
  team: "support",
  threshold: 0.8,
  spentUsd: 81,
  limitUsd: 100,
  period: "month",
  mode: "hard",
  periodStart: "2026-11-01T00:00:00.000Z",
  periodEnd: "2026-12-01T00:00:00.000Z",
  at: "2026-11-26T12:00:00.000Z",
} satisfies BudgetAlert;

const servers: { close(): void }[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

/** A webhook receiver answering with the scripted statuses in turn (then 200). */
async function receiver(statuses: number[]): Promise<{ url: string; bodies: unknown[]; headers: IncomingMessage["headers"][] }> {
  const bodies: unknown[] = [];
  const headers: IncomingMessage["headers"][] = [];
  let n = 0;
  const server = createServer((req, res) => {
    let text = "";
    req.on("data", (c: Buffer) => (text += c.toString()));
    req.on("end", () => {
      bodies.push(JSON.parse(text));
      headers.push(req.headers);
      res.writeHead(statuses[n++] ?? 200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  servers.push(server);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, bodies, headers };
}

describe("alertDelivery", () => {
  it("logs one JSON line and counts every alert, even without a webhook", async () => {
    const lines: string[] = [];
    const counted: unknown[] = [];
    const d = alertDelivery({ webhook: undefined, env: {}, log: (l) => lines.push(l), onAlert: (a) => counted.push(a) });
    d.deliver(alert);
    await d.settle();
    expect(counted).toEqual([alert]);
    expect(JSON.parse(lines[0] ?? "")).toEqual({ level: "warn", event: "budget_alert", ...alert });
  });

  it("POSTs the alert to the webhook, retrying a 503; secret headers come from env", async () => {
    const hook = await receiver([503]);
    const d = alertDelivery({
      webhook: { url: hook.url, headers: { authorization: { secret: "HOOK_TOKEN" }, "x-static": "yes" } },
      env: { HOOK_TOKEN: "Bearer s3cret" },
      log: () => undefined,
      retryMs: 5,
    });
    d.deliver(alert);
    expect(hook.bodies).toHaveLength(0); // returned before the webhook even received the POST
    await d.settle();
    expect(hook.bodies).toEqual([
      { event: "budget_alert", ...alert },
      { event: "budget_alert", ...alert },
    ]);
    expect(hook.headers[1]?.["authorization"]).toBe("Bearer s3cret");
    expect(hook.headers[1]?.["x-static"]).toBe("yes");
  });

  it("gives up after its tries on a dead webhook: failure counted and logged (without the URL), nothing thrown", async () => {
    const lines: string[] = [];
    let failures = 0;
    const d = alertDelivery({
      webhook: { url: "http://127.0.0.1:9/hook?token=abc", headers: {} },
      env: {},
      log: (l) => lines.push(l),
      onWebhookFailure: () => failures++,
      retryMs: 5,
      attempts: 2,
    });
    d.deliver(alert);
    await d.settle();
    expect(failures).toBe(1);
    expect(lines.some((l) => l.includes("budget_alert_webhook_failed"))).toBe(true);
    expect(lines.join("\n")).not.toContain("token=abc");
  });

  it("a 4xx from the webhook is not retried", async () => {
    const hook = await receiver([400]);
    let failures = 0;
    const d = alertDelivery({ webhook: { url: hook.url, headers: {} }, env: {}, log: () => undefined, onWebhookFailure: () => failures++, retryMs: 5 });
    d.deliver(alert);
    await d.settle();
    expect(hook.bodies).toHaveLength(1);
    expect(failures).toBe(1);
  });
});

/**
 * @module Budget alerts end to end: a team's spend crossing its `alertAt` thresholds gives one
 * event per threshold per period — a log line, `switchyard_budget_alerts_total`, and a POST to the
 * webhook declared in routes.ts — and the budget gauges agree with the trace records to the cent.
 */
import { type IncomingMessage, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningRouter, TraceRecord } from "@switchyard/router";
import { releaseOf } from "../helpers/release.ts";
import { chat, startTestRouter } from "../helpers/router.ts";
import { type Sample, cents, parsePrometheus, sum } from "./helpers.ts";

const KEY = "sk-team-a";
let router: RunningRouter;
let hook: { close(): void };
const posts: { body: Record<string, unknown>; headers: IncomingMessage["headers"] }[] = [];
const logLines: string[] = [];
const records: TraceRecord[] = [];
let samples: Sample[];

beforeAll(async () => {
  const server = createServer((req, res) => {
    let text = "";
    req.on("data", (c: Buffer) => (text += c.toString()));
    req.on("end", () => {
      posts.push({ body: JSON.parse(text) as Record<string, unknown>, headers: req.headers });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  hook = server;
  const release = releaseOf({
    providers: { mock: { kind: "mock" } },
    // $1,000 per 1M tokens: each mock answer costs a few cents.
    models: { pricey: { provider: "mock", name: "pricey", context: 32_000, price: { input: 1000, output: 1000 } } },
    routes: { chat: { model: "pricey" } },
    teams: { a: { keys: [{ secret: "TEAM_A_KEY" }], routes: ["chat"], budget: { usd: 1, per: "month", mode: "soft", alertAt: [0.1, 0.5, 0.9] } } },
    telemetry: {
      alerts: { webhook: { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/budget`, headers: { authorization: { secret: "HOOK_TOKEN" } } } },
    },
  });
  router = await startTestRouter(release, { env: { TEAM_A_KEY: KEY, HOOK_TOKEN: "Bearer hook-secret" }, telemetry: { log: (line) => logLines.push(line) } });
  router.telemetry.addSink({ write: (r) => void records.push(r), close: async () => undefined });
  // Spend past 50 % of the budget, not past 90 %.
  while (records.reduce((a, r) => a + r.costUsd, 0) < 0.6) {
    const res = await chat(
      router,
      { model: "chat", messages: [{ role: "user", content: "tell me something long enough to cost a little" }] },
      { authorization: `Bearer ${KEY}` },
    );
    expect(res.status).toBe(200);
    await res.arrayBuffer();
    if (records.length > 200) throw new Error("the mock's answers cost nothing: cannot cross the thresholds");
  }
  // Alerts are delivered after settlement, off the request path: wait (bounded) for both POSTs.
  for (let i = 0; i < 100 && posts.length < 2; i++) await new Promise((r) => setTimeout(r, 20));
  samples = parsePrometheus(await (await fetch(`${router.url}/metrics`)).text());
}, 30_000);

afterAll(async () => {
  await router?.close();
  hook?.close();
});

describe("budget alerts", () => {
  it("one alert per crossed threshold: metric, log line and webhook POST (with the secret header from env)", () => {
    expect(sum(samples, "switchyard_budget_alerts_total", { team: "a", threshold: "0.1" })).toBe(1);
    expect(sum(samples, "switchyard_budget_alerts_total", { team: "a", threshold: "0.5" })).toBe(1);
    expect(sum(samples, "switchyard_budget_alerts_total", { team: "a", threshold: "0.9" })).toBe(0);
    expect(posts.map((p) => [p.body["event"], p.body["team"], p.body["threshold"], p.body["limitUsd"]])).toEqual([
      ["budget_alert", "a", 0.1, 1],
      ["budget_alert", "a", 0.5, 1],
    ]);
    expect(posts.every((p) => p.headers["authorization"] === "Bearer hook-secret" && p.headers["content-type"] === "application/json")).toBe(true);
    const alerts = logLines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l["event"] === "budget_alert");
    expect(alerts.map((l) => [l["level"], l["team"], l["threshold"]])).toEqual([
      ["warn", "a", 0.1],
      ["warn", "a", 0.5],
    ]);
    expect(logLines.join("\n")).not.toContain("hook-secret");
  });

  it("budget gauges agree with the trace records to the cent", () => {
    const spent = records.reduce((a, r) => a + r.costUsd, 0);
    expect(cents(sum(samples, "switchyard_budget_spent_usd", { team: "a" }))).toBe(cents(spent));
    expect(cents(sum(samples, "switchyard_budget_remaining_usd", { team: "a" }))).toBe(cents(1 - spent));
    expect(sum(samples, "switchyard_budget_limit_usd", { team: "a" })).toBe(1);
    expect(cents(sum(samples, "switchyard_cost_usd_total", { team: "a" }))).toBe(cents(spent));
  });
});

/** @module Tests for the replay, its report and formats: the change a reviewer must see, determinism, health, budgets, refusals. */
import { describe, expect, it } from "vitest";
import type { Config } from "@switchyard/ir";
import { acmeIr } from "../diff/fixtures.test-helper.ts";
import { formatSimulation } from "./format.ts";
import { generateTraces } from "./generate.ts";
import { Replay } from "./replay.ts";
import { simulationReport, type SimulationReport } from "./report.ts";
import { parseTraceLine, type TracedRequest } from "./trace-line.ts";

const side = (label: string) => ({ label, kind: "config" as const, environment: "default", hash: label.padEnd(64, "0") });

function moved(): Config {
  const config = acmeIr();
  const route = config.routes["support-faq"];
  if (route === undefined) throw new Error("fixture");
  route.tier = "frontier";
  route.fallback = [{ tier: "fast" }, { model: "llama-local" }];
  return config;
}

function requestsOf(lines: Iterable<string>): TracedRequest[] {
  const out: TracedRequest[] = [];
  let n = 0;
  for (const line of lines) {
    const parsed = parseTraceLine(line, ++n);
    if (parsed.kind === "request") out.push(parsed.request);
  }
  return out;
}

function simulate(base: Config, next: Config, requests: readonly TracedRequest[], seed = 1): SimulationReport {
  const replay = new Replay({ base, next, seed });
  for (const request of requests) replay.add(request);
  return simulationReport(
    replay.result(),
    { base: side("base"), new: side("new") },
    { file: "traces.jsonl", lines: requests.length, skipped: { noRoute: 0, notRouted: 0 }, malformed: 0 },
  );
}

const base = acmeIr();
const traffic = requestsOf(generateTraces(base, { requests: 4000, seed: 3, longShare: 0 }));

describe("Replay", () => {
  it("shows support-faq moved from fast to frontier at ~20× the price per request", () => {
    const report = simulate(base, moved(), traffic);
    const faq = report.routes.find((r) => r.id === "support-faq");
    expect(faq).toBeDefined();
    if (faq === undefined) return;
    const ratio = faq.new.usdPer1kRequests / faq.base.usdPer1kRequests;
    expect(ratio).toBeGreaterThan(15);
    expect(ratio).toBeLessThan(30);
    expect(faq.new.mix).toEqual([{ key: "claude", share: 1 }]);
    expect(faq.base.mix.map((m) => m.key).sort()).toEqual(["gpt-mini", "gpt-mini-eu"]);
    expect(faq.mixChanged).toBe(true);
    // gpt-mini-eu runs in the EU; claude does not.
    expect(faq.residencyChanged).toBe(true);
    expect(faq.new.regions).toEqual([{ key: "us", share: 1 }]);
    const legal = report.routes.find((r) => r.id === "legal-review");
    expect(legal?.base.usdPer1kRequests).toBe(legal?.new.usdPer1kRequests);
    expect(legal?.mixChanged).toBe(false);
    // A day of traffic: the monthly projection is 30 × the day's cost.
    expect(report.traces.spanDays).toBeGreaterThan(0.99);
    expect(faq.new.monthlyUsd).toBeCloseTo((faq.new.costUsd * 30) / (report.traces.spanDays ?? 1), 0);
  });

  it("is deterministic: the same input gives byte-identical output in every format", () => {
    const a = simulate(base, moved(), traffic);
    const b = simulate(base, moved(), traffic);
    for (const format of ["pretty", "markdown", "json"] as const) expect(formatSimulation(a, format)).toBe(formatSimulation(b, format));
  });

  it("gives an unchanged config the same figures on both sides", () => {
    const report = simulate(base, acmeIr(), traffic);
    for (const group of [...report.routes, ...report.teams, report.total]) {
      expect(group.new).toEqual(group.base);
      expect(group.becameUnroutable).toEqual({});
    }
  });

  it("reports requests NEW refuses: a revoked route (403) and a removed route (404)", () => {
    const next = acmeIr();
    const support = next.teams.support;
    if (support === undefined) throw new Error("fixture");
    support.routes = [];
    delete next.routes["legal-review"];
    next.teams.legal = { ...(next.teams.legal as NonNullable<Config["teams"]["legal"]>), routes: [] };
    const report = simulate(base, next, traffic);
    const faq = report.routes.find((r) => r.id === "support-faq");
    const legal = report.routes.find((r) => r.id === "legal-review");
    expect(faq?.becameUnroutable).toEqual({ route_not_allowed: faq?.requests });
    expect(legal?.becameUnroutable).toEqual({ route_not_found: legal?.requests });
    expect(faq?.firstUnroutableLine).toBeGreaterThan(0);
    const text = formatSimulation(report, "pretty");
    expect(text).toContain("403 route_not_allowed");
    expect(text).toContain("404 route_not_found");
    expect(text).toMatch(/traces\.jsonl:\d+/);
  });

  it("says when a hard budget runs out in trace time and refuses the rest", () => {
    const next = moved();
    const support = next.teams.support;
    if (support?.budget === undefined) throw new Error("fixture");
    support.budget.usd = 1;
    const report = simulate(base, next, traffic);
    const budget = report.budgets.find((b) => b.team === "support");
    expect(budget?.base?.exhaustedAt).toBeNull();
    expect(budget?.new?.exhaustedAt).toMatch(/^2026-01-01T/);
    expect(budget?.new?.refused).toBeGreaterThan(0);
    expect(budget?.new?.projectedDays).toBeLessThan(1);
    expect(report.routes.find((r) => r.id === "support-faq")?.new.refusedByBudget).toBe(budget?.new?.refused);
  });

  it("replays the health the trace recorded: a model failing throughout is avoided, recorded failures fall back", () => {
    // Every attempt on gpt-mini and gpt-mini-eu failed in the trace: support-faq answers from its fallbacks on both sides.
    const failing = traffic.map((r) =>
      r.route === "support-faq"
        ? { ...r, attempts: r.attempts.map((a) => (a.model.startsWith("gpt-mini") ? { ...a, ok: false, errorClass: "5xx" as const } : a)) }
        : r,
    );
    const report = simulate(base, acmeIr(), failing);
    const faq = report.routes.find((r) => r.id === "support-faq");
    expect(faq?.base.fallback).toBeGreaterThan((faq?.requests ?? 0) * 0.9);
    // Only before the trace shows its first failure is a model the request did not try taken for healthy.
    const mini = (faq?.base.mix ?? []).filter((m) => m.key.startsWith("gpt-mini")).reduce((sum, m) => sum + m.share, 0);
    expect(mini).toBeLessThan(0.01);
  });

  it("names a route neither side has, with the line it first appears on", () => {
    const stray: TracedRequest = { ...(traffic[0] as TracedRequest), route: "nope", line: 4242 };
    const report = simulate(base, moved(), [...traffic.slice(0, 10), stray]);
    expect(report.unknownRoutes).toEqual([{ route: "nope", firstLine: 4242, requests: 1 }]);
    expect(formatSimulation(report, "pretty")).toContain('traces.jsonl:4242: route "nope" is in neither BASE nor NEW');
  });

  it("carries a schemaVersion and the method in JSON, and a Mermaid chart in markdown", () => {
    const report = simulate(base, moved(), traffic);
    const json = JSON.parse(formatSimulation(report, "json")) as { schemaVersion: number; method: Record<string, string> };
    expect(json.schemaVersion).toBe(1);
    expect(Object.keys(json.method)).toEqual(["routing", "health", "cost", "monthly", "latency", "budgets"]);
    const markdown = formatSimulation(report, "markdown");
    expect(markdown).toContain("```mermaid\nxychart-beta\n");
    expect(markdown).toContain('"support-faq before", "support-faq after"');
  });
});

describe("formatSimulation markdown", () => {
  it("stays under a comment's size: whole tables while they fit, then rows, and says so", () => {
    const report = simulate(base, moved(), traffic);
    const full = formatSimulation(report, "markdown");
    const short = formatSimulation(report, "markdown", { maxLength: 3_000 });
    expect(short.length).toBeLessThanOrEqual(3_000);
    expect(short.length).toBeLessThan(full.length);
    expect(short).toContain("```mermaid");
    expect(short).toContain("_The rest is left out to fit a PR comment; `--format json` has every route and team._");
    expect(short.trimEnd().endsWith("generated by `switchyard simulate`</sub>")).toBe(true);
  });
});

describe("parseTraceLine", () => {
  const good = '{"v":1,"requestId":"r","time":"2026-01-01T00:00:00.000Z","route":"chat","team":"t","inputTokens":10,"outputTokens":5,"attempts":[]}';
  it("reads a record and says what is wrong with one that is not", () => {
    expect(parseTraceLine(good, 1)).toMatchObject({ kind: "request", request: { route: "chat", team: "t", inputTokens: 10, time: Date.UTC(2026, 0, 1) } });
    expect(parseTraceLine("{oops", 2)).toEqual({ kind: "malformed", message: "not JSON" });
    expect(parseTraceLine("[]", 3)).toEqual({ kind: "malformed", message: "not a JSON object" });
    expect(parseTraceLine(good.replace('"v":1', '"v":2'), 4)).toEqual({ kind: "malformed", message: "unsupported trace schema version 2" });
    expect(parseTraceLine(good.replace('"inputTokens":10', '"inputTokens":"10"'), 5)).toMatchObject({
      kind: "malformed",
      message: expect.stringContaining("inputTokens"),
    });
    expect(parseTraceLine(good.replace('"time":"2026-01-01T00:00:00.000Z"', '"time":"yesterday"'), 6)).toMatchObject({
      kind: "malformed",
      message: expect.stringContaining("time"),
    });
    expect(parseTraceLine(good.replace('"attempts":[]', '"attempts":[{"model":"m"}]'), 7)).toMatchObject({
      kind: "malformed",
      message: expect.stringContaining("attempts[0]"),
    });
    expect(parseTraceLine("   ", 8)).toEqual({ kind: "blank" });
  });
  it("reads what `when` rules need from a record: tags, metadata, complexity, requires (bad values left out)", () => {
    const withRules = good.replace(
      '"attempts":[]',
      '"attempts":[],"tags":{"risk":"high"},"metadata":{"tenant":"acme"},"complexity":47,"requires":["tools","telepathy"]',
    );
    expect(parseTraceLine(withRules, 1)).toMatchObject({
      kind: "request",
      request: { tags: { risk: "high" }, metadata: { tenant: "acme" }, complexity: 47, requires: ["tools"] },
    });
    const bad = good.replace('"attempts":[]', '"attempts":[],"tags":{"risk":1},"complexity":-3');
    const parsed = parseTraceLine(bad, 2);
    expect(parsed.kind === "request" ? [parsed.request.tags, parsed.request.complexity] : parsed).toEqual([undefined, undefined]);
  });

  it("replays requests through NEW's `when` rules: tagged and complex requests move, the rest stay", () => {
    const faq = traffic.filter((r) => r.route === "support-faq").slice(0, 400);
    // Every fourth request tagged risk:high, every fourth (offset) scored complex, as the router's traces record them.
    const traced = faq.map((r, i) => (i % 4 === 0 ? { ...r, tags: { risk: "high" } } : i % 4 === 1 ? { ...r, complexity: 80 } : r));
    const ruled = acmeIr();
    ruled.routes["support-faq"]!.when = [
      { if: { tag: "risk:high" }, use: { tier: "frontier" } },
      { if: { complexity: "high" }, use: { model: "llama-local" } },
    ];
    const report = simulate(base, ruled, traced);
    const row = report.routes.find((r) => r.id === "support-faq");
    const share = (key: string) => row?.new.mix.find((m) => m.key === key)?.share ?? 0;
    expect(share("claude")).toBeCloseTo(0.25, 1);
    expect(share("llama-local")).toBeCloseTo(0.25, 1);
    expect(row?.base.mix.map((m) => m.key).sort()).toEqual(["gpt-mini", "gpt-mini-eu"]);
    expect(row?.mixChanged).toBe(true);
  });

  it("passes over a router event line (a canary decision) without calling it malformed", () => {
    const event = '{"v":1,"kind":"canary","time":"2026-01-01T00:00:00.000Z","route":"chat","model":"m","action":"rollback","step":-1,"percent":0,"reason":"r"}';
    expect(parseTraceLine(event, 1)).toEqual({ kind: "event" });
  });
  it("skips records the router answered before routing", () => {
    expect(parseTraceLine(good.replace('"route":"chat",', ""), 1)).toEqual({ kind: "skip", reason: "no-route" });
    expect(parseTraceLine(good.replace('"route":"chat"', '"route":"chat","errorCode":"invalid_api_key"'), 1)).toEqual({ kind: "skip", reason: "not-routed" });
    expect(parseTraceLine(good.replace('"route":"chat"', '"route":"chat","errorCode":"budget_exceeded"'), 1)).toMatchObject({ kind: "request" });
  });
});

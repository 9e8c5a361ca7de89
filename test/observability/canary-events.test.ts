/**
 * @module Canary decisions in traces: a promotion and a rollback each reach the router's JSONL trace file as a
 * `"kind":"canary"` line and a real OTLP/HTTP receiver as a span, with the same reason /admin/state gives; the
 * file's request records still read in `switchyard report` and `switchyard simulate` (the event lines are skipped).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Io, runCli } from "@switchyard/cli";
import { type CanaryTraceEvent, createMemoryStateStores, type RunningRouter } from "@switchyard/router";
import { otlpSink } from "@switchyard/router/otlp";
import { ADMIN_TOKEN, adminFetch } from "../helpers/admin.ts";
import { releaseOf } from "../helpers/release.ts";
import { chat, startTestRouter } from "../helpers/router.ts";
import { type OtlpReceiver, startOtlpReceiver } from "./helpers.ts";

const KEYS = { SUPPORT_KEY: "sk-support-canary-events-1" };
const auth = { authorization: `Bearer ${KEYS.SUPPORT_KEY}` };

let dir: string;
let receiver: OtlpReceiver;
let router: RunningRouter;
let clock = Date.UTC(2027, 4, 5, 10);
let changes: Awaited<ReturnType<RunningRouter["canaries"]["evaluate"]>> = [];
let canaryState: Record<string, { reason: string | undefined; percent: number }>;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "sy-canary-events-"));
  receiver = await startOtlpReceiver();
  const release = releaseOf({
    providers: { sim: { kind: "mock", mock: { reply: "ok" } } },
    models: {
      current: { provider: "sim", name: "current-1", context: 8_000, price: { input: 1, output: 1 } },
      next: { provider: "sim", name: "next-1", context: 8_000, price: { input: 1, output: 1 } },
    },
    routes: {
      // Promoted: the mock never fails, so after everyMs the canary advances to its next step.
      steady: { model: "current", canary: { model: "next", steps: [50, 100], everyMs: 600_000, guard: { minRequests: 1 } } },
      // Rolled back: low feedback scores on the canary arm.
      scored: { model: "current", canary: { model: "next", steps: [50, 100], everyMs: 600_000, guard: { minRequests: 1, minScore: 0.5, minSamples: 2 } } },
    },
    teams: { support: { keys: [{ secret: "SUPPORT_KEY" }], routes: ["steady", "scored"] } },
    telemetry: { jsonl: { path: path.join(dir, "traces.jsonl") }, otlp: { endpoint: receiver.endpoint, serviceName: "canary-events" } },
  });
  router = await startTestRouter(release, {
    state: createMemoryStateStores(),
    now: () => clock,
    rng: Math.random,
    canaryIntervalMs: 0,
    env: { ...KEYS, SWITCHYARD_ADMIN_TOKEN: ADMIN_TOKEN },
    telemetry: { otlp: otlpSink },
  });
  const canaryIds: Record<string, string[]> = { steady: [], scored: [] };
  for (let i = 0; (canaryIds["steady"]?.length ?? 0) < 2 || (canaryIds["scored"]?.length ?? 0) < 2; i++) {
    for (const route of ["steady", "scored"]) {
      const res = await chat(router, { model: route, user: `user-${i}`, messages: [{ role: "user", content: "hi" }] }, auth);
      expect(res.status).toBe(200);
      await res.text();
      if (res.headers.get("x-switchyard-model") === "next") canaryIds[route]?.push(res.headers.get("x-switchyard-request-id") ?? "");
    }
  }
  for (const id of canaryIds["scored"]?.slice(0, 2) ?? []) {
    const res = await fetch(`${router.url}/v1/feedback`, {
      method: "POST",
      headers: { "content-type": "application/json", ...auth },
      body: JSON.stringify({ request_id: id, score: 0.1 }),
    });
    expect(res.status).toBe(200);
  }
  clock += 600_000;
  changes = await router.canaries.evaluate();
  canaryState = ((await adminFetch(router.url, "GET", "/admin/state")).json as { canaries: typeof canaryState }).canaries;
  await router.close(); // flushes the JSONL file and exports the OTLP queue
}, 60_000);

afterAll(async () => {
  await receiver.close();
  await rm(dir, { recursive: true, force: true });
});

describe("canary decisions in traces", () => {
  it("the controller promoted one canary and rolled the other back, with reasons in /admin/state", () => {
    expect(changes.map((c) => [c.route, c.action, c.percent])).toEqual([
      ["steady", "advance", 100],
      ["scored", "rollback", 0],
    ]);
    expect(canaryState["scored"]?.reason).toMatch(/^rolled back at 50 %: mean score 0.1 < 0.5/);
    expect(canaryState["steady"]?.reason).toBeTruthy();
  });

  it("each decision is a `kind: canary` line in the JSONL trace file, with the reason /admin/state gives", async () => {
    const lines = (await readFile(path.join(dir, "traces.jsonl"), "utf8")).split("\n").filter((l) => l !== "");
    const events = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((r) => r["kind"] === "canary") as unknown as CanaryTraceEvent[];
    expect(events).toEqual(
      ["steady", "scored"].map((route) => ({
        v: 1,
        kind: "canary",
        time: new Date(clock).toISOString(),
        environment: "test",
        configVersion: router.active.current.hash,
        route,
        model: "next",
        action: route === "steady" ? "advance" : "rollback",
        step: route === "steady" ? 1 : -1,
        percent: route === "steady" ? 100 : 0,
        reason: canaryState[route]?.reason,
      })),
    );
  });

  it("each decision is an OTLP span with the verdict as attributes", () => {
    const spans = receiver.spans.filter((s) => s.name.startsWith("canary "));
    expect(spans.map((s) => s.name).sort()).toEqual(["canary advance steady", "canary rollback scored"]);
    const rollback = spans.find((s) => s.name === "canary rollback scored");
    expect(rollback?.attributes).toMatchObject({
      "switchyard.route": "scored",
      "switchyard.canary.model": "next",
      "switchyard.canary.action": "rollback",
      "switchyard.canary.percent": 0,
      "switchyard.canary.step": -1,
      "switchyard.canary.reason": canaryState["scored"]?.reason ?? "?",
      "switchyard.config_version": router.active.current.hash,
    });
    expect(rollback?.service).toBe("canary-events");
  });

  it("`switchyard report` reads the same file: the event lines are neither records nor bad lines", async () => {
    let stdout = "";
    const io: Io = { stdout: (t) => void (stdout += t), stderr: () => undefined, cwd: dir, env: { NO_COLOR: "1" } };
    expect(await runCli({ argv: ["report", "traces.jsonl", "--format", "json"], io })).toBe(0);
    const report = JSON.parse(stdout) as { records: number; badLines: unknown[] };
    expect(report.badLines).toEqual([]);
    expect(report.records).toBeGreaterThanOrEqual(4);
  });
});

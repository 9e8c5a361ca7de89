/**
 * @module router.mjs and telemetry: a release with OTLP bundles the OpenTelemetry SDK and exports
 * spans from a plain `node router.mjs` (no node_modules) to a real receiver, writes JSONL to a
 * file, serves /metrics; a release without OTLP carries no OpenTelemetry code.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TraceRecord } from "@switchyard/router";
import { bundleRouter } from "../../packages/compiler/src/emit/router-bundle.ts";
import { spawnRouter } from "../helpers/process.ts";
import { releaseOf } from "../helpers/release.ts";
import { chat } from "../helpers/router.ts";
import { type OtlpReceiver, parsePrometheus, startOtlpReceiver, sum } from "./helpers.ts";

let dir: string;
let receiver: OtlpReceiver;
let plainBytes = 0;

const config = (telemetry: Record<string, unknown>) =>
  releaseOf({
    providers: { mock: { kind: "mock" } },
    models: { m: { provider: "mock", name: "mock-model", context: 8_000, price: { input: 1, output: 2 } } },
    routes: { chat: { model: "m" } },
    telemetry,
  });

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "sy-obs-bundle-"));
  receiver = await startOtlpReceiver();
});
afterAll(async () => {
  await receiver?.close();
  await rm(dir, { recursive: true, force: true });
});

describe("router.mjs telemetry", () => {
  it("without otlp: no OpenTelemetry code in the bundle", async () => {
    const file = path.join(dir, "plain", "router.mjs");
    plainBytes = (await bundleRouter({ release: config({ jsonl: { path: "stdout" } }), outFile: file })).bytes;
    const code = await readFile(file, "utf8");
    expect(/opentelemetry|OTLPTraceExporter|gen_ai\.usage/i.test(code), "no OpenTelemetry code").toBe(false);
  });

  it("with otlp: spans reach a real receiver, JSONL reaches its file, /metrics counts, from plain node", async () => {
    const file = path.join(dir, "otlp", "router.mjs");
    const jsonl = path.join(dir, "otlp", "traces.jsonl");
    const { bytes } = await bundleRouter({
      release: config({ jsonl: { path: jsonl }, otlp: { endpoint: receiver.endpoint, serviceName: "bundled" } }),
      outFile: file,
    });
    // The OpenTelemetry SDK's ES modules tree-shake: the exporter costs tens of KB, not hundreds.
    expect(bytes - plainBytes).toBeLessThan(80 * 1024);
    const proc = await spawnRouter([file, "--port", "0"], { cwd: path.dirname(file) });
    try {
      for (let i = 0; i < 3; i++) {
        const res = await chat(proc, { model: "chat", messages: [{ role: "user", content: `hi ${i}` }] });
        expect(res.status).toBe(200);
        await res.arrayBuffer();
      }
      const metrics = parsePrometheus(await (await fetch(`${proc.url}/metrics`)).text());
      expect(sum(metrics, "switchyard_requests_total", { route: "chat", status: "200" })).toBe(3);
      proc.child.kill("SIGTERM");
      expect(await proc.exited).toBe(0);
    } finally {
      proc.child.kill("SIGKILL");
    }
    const roots = receiver.spans.filter((s) => s.parentSpanId === undefined);
    expect(roots).toHaveLength(3);
    expect(roots.every((s) => s.service === "bundled" && s.attributes["gen_ai.response.model"] === "mock-model")).toBe(true);
    expect(receiver.spans.filter((s) => s.parentSpanId !== undefined)).toHaveLength(3);
    const records = (await readFile(jsonl, "utf8"))
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as TraceRecord);
    expect(records.map((r) => r.requestId).sort()).toEqual(roots.map((s) => String(s.attributes["switchyard.request_id"])).sort());
  }, 60_000);
});

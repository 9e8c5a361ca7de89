/**
 * @module A collector that is down (connection refused) or hangs (accepts, never answers) slows no
 * request and fails none: export runs in the background from a bounded queue, overflow is dropped
 * and counted in `switchyard_telemetry_dropped_total{sink="otlp"}`, and shutdown stays bounded.
 */
import { createServer } from "node:net";
import type { AddressInfo, Server, Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningRouter } from "@switchyard/router";
import { otlpSink } from "@switchyard/router/otlp";
import { releaseOf } from "../helpers/release.ts";
import { chat, startTestRouter } from "../helpers/router.ts";
import { parsePrometheus, sum } from "./helpers.ts";

/** A TCP server that accepts connections and never answers. */
async function startHangingServer(): Promise<{ url: string; close(): Promise<void>; connections(): number }> {
  const sockets = new Set<Socket>();
  let seen = 0;
  const server: Server = createServer((socket) => {
    seen++;
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1/traces`,
    connections: () => seen,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A port nothing listens on (bound, then released). */
async function refusedUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/v1/traces`;
}

function releaseFor(endpoint: string | undefined) {
  return releaseOf({
    providers: { mock: { kind: "mock" } },
    models: { fake: { provider: "mock", name: "fake", context: 32_000, price: { input: 1, output: 2 } } },
    routes: { chat: { model: "fake" } },
    ...(endpoint !== undefined ? { telemetry: { otlp: { endpoint, maxQueue: 20, timeoutMs: 300 } } } : {}),
  });
}

/** Send `n` requests, 10 at a time; returns each request's latency. */
async function drive(router: RunningRouter, n: number): Promise<{ statuses: number[]; latencies: number[] }> {
  const statuses: number[] = [];
  const latencies: number[] = [];
  for (let i = 0; i < n; i += 10) {
    await Promise.all(
      Array.from({ length: Math.min(10, n - i) }, async () => {
        const t0 = performance.now();
        const res = await chat(router, { model: "chat", messages: [{ role: "user", content: "hi" }] });
        await res.arrayBuffer();
        latencies.push(performance.now() - t0);
        statuses.push(res.status);
      }),
    );
  }
  return { statuses, latencies };
}

const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.95)] ?? 0;

let hanging: Awaited<ReturnType<typeof startHangingServer>>;
let baseline: number;

beforeAll(async () => {
  hanging = await startHangingServer();
  const router = await startTestRouter(releaseFor(undefined));
  await drive(router, 20); // warm up
  baseline = p95((await drive(router, 100)).latencies);
  await router.close();
});

afterAll(async () => {
  await hanging?.close();
});

describe.each([
  ["connection refused", () => refusedUrl()],
  ["hanging collector", async () => hanging.url],
])("OTLP endpoint down: %s", (_name, endpoint) => {
  it("every request succeeds without slowing down; overflow is dropped and counted; close() is bounded", async () => {
    const router = await startTestRouter(releaseFor(await endpoint()), { telemetry: { otlp: otlpSink } });
    const connectionsBefore = hanging.connections();
    const { statuses, latencies } = await drive(router, 200);
    // The exporter really tried while traffic ran (a full queue triggers an export at once).
    if (_name === "hanging collector") expect(hanging.connections()).toBeGreaterThan(connectionsBefore);
    expect(statuses.every((s) => s === 200)).toBe(true);
    // No request waits on the exporter: the p95 stays within a generous margin of the no-sink baseline.
    expect(p95(latencies)).toBeLessThan(Math.max(50, baseline * 5));
    expect(Math.max(...latencies)).toBeLessThan(Math.max(3000, baseline * 20));
    const samples = parsePrometheus(await (await fetch(`${router.url}/metrics`)).text());
    expect(sum(samples, "switchyard_requests_total", { status: "200" })).toBe(200);
    // 200 records into a queue of 20 while nothing can be exported: most are dropped at once. Batches that
    // an export attempt took out of the queue count as dropped only when that attempt gives up, and how
    // many attempts started depends on the machine's speed (each hangs up to its 300 ms timeout).
    const dropped = sum(samples, "switchyard_telemetry_dropped_total", { sink: "otlp" });
    expect(dropped).toBeGreaterThanOrEqual(200 - 4 * 20);
    expect(dropped).toBeLessThanOrEqual(200);
    const t0 = performance.now();
    await router.close();
    // One last export attempt at most (timeout 300 ms), never the whole queue one by one.
    expect(performance.now() - t0).toBeLessThan(3000);
  }, 30_000);
});

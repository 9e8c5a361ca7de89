/**
 * A hostile upstream (issue 17, items 11 and 13): an endless body or SSE line is cut off at its cap
 * (502, counted against that model, the socket dropped), and an upstream's error body reaches the
 * client, the trace and the logs only as its structured message with key-shaped strings masked.
 */
import net from "node:net";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Release } from "@switchyard/ir";
import { createMemoryStateStores, type RunningRouter, type TraceRecord, type Transport, nodeHttpTransport, undiciTransport } from "@switchyard/router";
import { releaseOf } from "../helpers/release.ts";
import { chat, startTestRouter } from "../helpers/router.ts";

/** What the raw upstream does with a request: write a head, then a body, possibly forever. */
type Script = { head: string; body: string } | { head: string; forever: string; first?: string };

interface RawUpstream {
  url: string;
  script: Script;
  /** Bytes of body the upstream managed to write before its socket was closed. */
  written: number;
  closedSockets: number;
  close(): Promise<void>;
}

/** An upstream on 127.0.0.1 speaking raw HTTP/1.1, so it can send what no well-behaved server would. */
async function rawUpstream(): Promise<RawUpstream> {
  const sockets = new Set<net.Socket>();
  const upstream: RawUpstream = { url: "", script: { head: "", body: "" }, written: 0, closedSockets: 0, close: async () => undefined };
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("error", () => undefined);
    socket.on("close", () => {
      sockets.delete(socket);
      upstream.closedSockets++;
    });
    let seen = "";
    socket.on("data", (chunk: Buffer) => {
      seen += chunk.toString("latin1");
      const end = seen.indexOf("\r\n\r\n");
      if (end === -1) return;
      const length = Number(/content-length: (\d+)/i.exec(seen.slice(0, end))?.[1] ?? 0);
      if (seen.length < end + 4 + length) return;
      seen = "";
      const script = upstream.script;
      if ("body" in script) {
        socket.write(script.head + script.body);
        return;
      }
      socket.write(script.head + (script.first ?? ""));
      const pump = (): void => {
        // Write until the socket pushes back, then wait for it to drain (or to be closed by the router).
        while (!socket.destroyed) {
          upstream.written += script.forever.length;
          if (!socket.write(script.forever)) return void socket.once("drain", pump);
        }
      };
      pump();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  upstream.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  upstream.close = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
  return upstream;
}

const MiB = 1 << 20;
const env = { SWITCHYARD_ADMIN_TOKEN: "admin-token-for-tests", SWITCHYARD_MAX_UPSTREAM_BYTES: String(MiB), SWITCHYARD_MAX_SSE_LINE_BYTES: String(64 * 1024) };
const OK_HEAD = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 209715200\r\n\r\n";
const SSE_HEAD = "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n";
const chunked = (text: string): string => `${Buffer.byteLength(text).toString(16)}\r\n${text}\r\n`;

let upstream: RawUpstream;
let release: Release;
let router: RunningRouter | undefined;
let traces: TraceRecord[];

beforeAll(async () => {
  upstream = await rawUpstream();
  release = releaseOf({
    providers: { p: { kind: "openai", baseUrl: upstream.url } },
    models: { m: { provider: "p", name: "m", context: 100_000, price: { input: 1, output: 1 } } },
    routes: { main: { model: "m", retry: { attempts: 1 }, timeout: { totalMs: 20_000, firstTokenMs: 20_000 } } },
  });
});
afterAll(async () => {
  await upstream.close();
});
afterEach(async () => {
  await router?.close();
  router = undefined;
  upstream.written = 0;
});

async function start(transport?: Transport): Promise<RunningRouter> {
  traces = [];
  const state = createMemoryStateStores();
  const started = await startTestRouter(release, { env, state, ...(transport !== undefined ? { transport } : {}) });
  started.telemetry.addSink({ write: (r) => void traces.push(r), close: async () => undefined });
  router = started;
  return started;
}

async function breakerOf(router: RunningRouter, model: string): Promise<{ consecutiveFailures: number }> {
  const res = await fetch(`${router.url}/admin/state`, { headers: { authorization: `Bearer ${env.SWITCHYARD_ADMIN_TOKEN}` } });
  const state = (await res.json()) as { breakers: Record<string, { consecutiveFailures: number }> };
  return state.breakers[model] ?? { consecutiveFailures: 0 };
}

const ask = (router: RunningRouter, stream = false) => chat(router, { model: "main", stream, messages: [{ role: "user", content: "hi" }] });
type ErrorBody = { error: { code: string; message: string; attempts: Array<{ errorClass: string; message: string; status?: number }> } };

describe.each<[string, (() => Transport) | undefined]>([
  ["http1 (the default; caps from the environment)", undefined],
  ["node:http", () => nodeHttpTransport({ maxResponseBytes: MiB, maxSseLineBytes: 64 * 1024 })],
  ["undici", () => undiciTransport({ maxResponseBytes: MiB, maxSseLineBytes: 64 * 1024 })],
])("over %s", (_name, transport) => {
  it("cuts off a 200 MB body at the cap: 502, counted against the model, the socket closed", async () => {
    const router = await start(transport?.());
    upstream.script = { head: OK_HEAD, forever: "x".repeat(64 * 1024) };
    const closedBefore = upstream.closedSockets;
    const res = await ask(router);
    expect(res.status).toBe(502);
    const body = (await res.json()) as ErrorBody;
    expect(body.error.attempts.map((a) => [a.errorClass, a.message])).toEqual([["invalid_response", `the upstream response is larger than ${MiB} bytes`]]);
    await new Promise((r) => setTimeout(r, 50));
    expect(upstream.closedSockets).toBeGreaterThan(closedBefore);
    // The cap plus what the kernel's socket buffers held: far from 200 MB.
    expect(upstream.written).toBeLessThan(24 * MiB);
    expect((await breakerOf(router, "m")).consecutiveFailures).toBe(1);
    const health = await fetch(`${router.url}/healthz`);
    expect(health.status).toBe(200);
  });

  it("cuts off an endless SSE line at the cap: 502 before anything was committed", async () => {
    const router = await start(transport?.());
    upstream.script = { head: SSE_HEAD, first: chunked("data: "), forever: chunked("y".repeat(16 * 1024)) };
    const res = await ask(router, true);
    expect(res.status).toBe(502);
    const body = (await res.json()) as ErrorBody;
    expect(body.error.attempts.map((a) => [a.errorClass, a.message])).toEqual([
      ["invalid_response", "the upstream sent an SSE line or event longer than 65536 bytes"],
    ]);
    expect(upstream.written).toBeLessThan(16 * MiB);
    expect((await breakerOf(router, "m")).consecutiveFailures).toBe(1);
  });
});

describe("upstream error bodies", () => {
  // A fake key, joined at run time so secret scanners reading the repository do not flag it.
  const secret = ["sk", "abc123def456ghi789jkl"].join("-");

  it.each([false, true])("pass the structured message of a 400 with keys masked (stream: %s)", async (stream) => {
    const router = await start();
    const json = JSON.stringify({ error: { message: `bad key ${secret}`, type: "invalid_request_error", code: "x" } });
    upstream.script = { head: `HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\ncontent-length: ${json.length}\r\n\r\n`, body: json };
    const res = await ask(router, stream);
    expect(res.status).toBe(400);
    const text = await res.text();
    expect(text).not.toContain("abc123");
    // The request's own fault: passed through in the upstream's terms.
    expect(JSON.parse(text)).toEqual({ error: { message: "bad key sk-[redacted]", type: "invalid_request_error", code: "x", param: null } });
    expect(JSON.stringify(traces)).not.toContain("abc123");
  });

  it.each([false, true])("never echo an HTML body, only its status (stream: %s)", async (stream) => {
    const router = await start();
    const html = `<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1><!-- ${secret} --></body></html>`;
    upstream.script = { head: `HTTP/1.1 502 Bad Gateway\r\ncontent-type: text/html\r\ncontent-length: ${html.length}\r\n\r\n`, body: html };
    const res = await ask(router, stream);
    expect(res.status).toBe(502);
    const text = await res.text();
    expect(text).not.toContain("<");
    expect(text).not.toContain("Bad Gateway");
    expect((JSON.parse(text) as ErrorBody).error.attempts[0]).toMatchObject({ errorClass: "5xx", status: 502, message: "p answered 502" });
    expect(JSON.stringify(traces)).not.toContain("<html");
  });
});

describe("the cap settings", () => {
  it.each([
    "SWITCHYARD_MAX_UPSTREAM_BYTES",
    "SWITCHYARD_MAX_SSE_LINE_BYTES",
    "SWITCHYARD_REQUEST_TIMEOUT_MS",
    "SWITCHYARD_MAX_BUFFERED_BYTES",
    "SWITCHYARD_MAX_CONNECTIONS",
    "SWITCHYARD_LISTEN_BACKLOG",
  ])("stop the start when not a positive whole number, naming the variable: %s", async (name) => {
    await expect(startTestRouter(release, { env: { [name]: "16MiB" } })).rejects.toMatchObject({
      name: "RouterStartError",
      code: "invalid_setting",
      message: `${name} must be a positive whole number, got "16MiB"`,
    });
  });
});

/**
 * @module Hostile input against both HTTP paths (the fast path and node:http), over real sockets on
 * 127.0.0.1: names no header may carry, prototype names, the per-request error boundary, the key checked
 * on the head, the body budget and connection cap, the request timeout, garbage mid-stream, and framing
 * the two paths must answer alike (issue 17, items 1, 5, 6, 7, 8, 10).
 */
import { createServer } from "node:http";
import { type AddressInfo, type Socket, connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RouterError, type RunningRouter } from "@switchyard/router";
import { createRelease } from "@switchyard/ir";
import { answerFailure } from "../../packages/router/src/http/respond.ts";
import type { ResponseLike } from "../../packages/router/src/http/fast-path.ts";
import { compileRouteTable } from "../../packages/router/src/core/route-table.ts";
import { releaseOf } from "../helpers/release.ts";
import { chat, startTestRouter } from "../helpers/router.ts";

const hi = [{ role: "user", content: "hi" }];
const withTeam = releaseOf({
  providers: { sim: { kind: "mock", mock: { interChunkMs: 60, reply: "one two three four five six seven eight nine ten" } } },
  models: { m: { provider: "sim", name: "mock-1", context: 8_000, price: { input: 1, output: 2 } } },
  routes: { faq: { model: "m" } },
  teams: { support: { keys: [{ secret: "SUPPORT_KEY" }], routes: ["faq"] } },
  router: { maxBodyBytes: 100_000 },
});
const open = releaseOf({
  providers: { sim: { kind: "mock" } },
  models: { m: { provider: "sim", name: "mock-1", context: 8_000, price: { input: 1, output: 2 } } },
  routes: { faq: { model: "m" } },
  router: { maxBodyBytes: 100_000 },
});
const env = { SUPPORT_KEY: "support-secret" };
const auth = { authorization: "Bearer support-secret" };

/** What a raw exchange got: all bytes until the server closed (or `waitMs` passed), and when it closed. */
interface Exchange {
  text: string;
  closed: boolean;
  ms: number;
  /** When the first byte of an answer came (-1: none). */
  firstMs: number;
}

/** Connect, send `parts` (`delayMs` apart), and collect what comes back until close or `waitMs`. */
function exchange(port: number, parts: string[], options: { delayMs?: number; waitMs?: number } = {}): Promise<Exchange> {
  return new Promise((resolve) => {
    const started = Date.now();
    const socket: Socket = connect(port, "127.0.0.1");
    let text = "";
    let done = false;
    let firstMs = -1;
    const finish = (closed: boolean): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ text, closed, ms: Date.now() - started, firstMs });
    };
    const timer = setTimeout(() => finish(false), options.waitMs ?? 3_000);
    socket.on("data", (part: Buffer) => {
      if (firstMs === -1) firstMs = Date.now() - started;
      text += part.toString("latin1");
    });
    socket.on("close", () => finish(true));
    socket.on("error", () => undefined);
    const send = async (): Promise<void> => {
      for (const [i, part] of parts.entries()) {
        if (i > 0 && options.delayMs !== undefined) await new Promise((r) => setTimeout(r, options.delayMs));
        if (done || socket.destroyed) return;
        socket.write(part, "latin1");
      }
    };
    // Nothing in send() rejects today; should it, the exchange ends as a closed one rather than as an unhandledRejection.
    socket.on("connect", () => {
      send().catch(() => socket.destroy());
    });
  });
}

const statusOf = (text: string): number => Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
const bodyOf = (text: string): string => text.slice(text.indexOf("\r\n\r\n") + 4);

function chatHead(length: number, fields: string[] = []): string {
  return ["POST /v1/chat/completions HTTP/1.1", "Host: 127.0.0.1", "Content-Type: application/json", `Content-Length: ${length}`, ...fields, "", ""].join(
    "\r\n",
  );
}

describe.each([
  ["the fast path", true],
  ["node:http", false],
])("%s", (_name, fastPath) => {
  let router: RunningRouter;
  let openRouter: RunningRouter;
  beforeAll(async () => {
    router = await startTestRouter(withTeam, { env, fastPath });
    openRouter = await startTestRouter(open, { fastPath });
  });
  afterAll(async () => {
    await router.close();
    await openRouter.close();
  });

  it.each([
    ["a control character", "x\u0001"],
    ["a NUL", "x\u0000y"],
    ["an emoji", "😀"],
    ["CJK", "客服"],
    ["CRLF and a field", "a\r\nx-injected: 1"],
    ["20 000 characters", "x".repeat(20_000)],
  ])("a model name with %s is a 404 route_not_found, no header echoes it, and the router serves on", async (_what, model) => {
    for (const [target, headers] of [
      [router, auth],
      [openRouter, {}],
    ] as const) {
      const res = await chat(target, { model, messages: hi }, headers);
      expect(res.status).toBe(404);
      expect(res.headers.get("x-switchyard-route")).toBeNull();
      const body = (await res.json()) as { error: { code: string; type: string; param: string; message: string } };
      expect(body.error).toMatchObject({ code: "route_not_found", type: "not_found_error", param: "model" });
      // The name is quoted cut to a bounded length: a 4 MB `model` is not sent back.
      expect(body.error.message.length).toBeLessThan(300);
      expect((await fetch(`${target.url}/healthz`)).status).toBe(200);
    }
  });

  it.each([
    ["max_tokens", { max_tokens: 707_658_399 }],
    ["max_completion_tokens", { max_completion_tokens: 1e308 }],
    ["a prompt longer than every model", { messages: [{ role: "user", content: "word ".repeat(10_000) }] }],
  ])("%s past every model's context window is a 400 context_length_exceeded, not a 503", async (_what, extra) => {
    const res = await chat(router, { model: "faq", messages: hi, ...extra }, auth);
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; type: string; param: string } };
    expect(body.error).toMatchObject({ code: "context_length_exceeded", type: "invalid_request_error", param: "messages" });
  });

  it.each(["__proto__", "constructor", "toString", "hasOwnProperty", "valueOf"])("model %j is a 404 (not a prototype's property)", async (model) => {
    const res = await chat(router, { model, messages: hi }, auth);
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("route_not_found");
  });

  it("refuses a missing or unknown key on the head, before the body: 401 at once", async () => {
    for (const fields of [[], ["Authorization: Bearer nope"]]) {
      // 60 000 bytes announced, 10 sent: the answer must not wait for the rest (nor keep it: node:http reads and drops it).
      const got = await exchange(router.port, [chatHead(60_000, fields), '{"model":"'], { waitMs: 1_000 });
      expect(statusOf(got.text)).toBe(401);
      expect(got.firstMs).toBeLessThan(500);
      expect(JSON.parse(bodyOf(got.text)).error.type).toBe("authentication_error");
    }
  });

  it("a valid key's slow body is read and served; a router without teams needs no key", async () => {
    const text = JSON.stringify({ model: "faq", messages: hi });
    for (const [port, fields] of [
      [router.port, ["Authorization: Bearer support-secret"]],
      [openRouter.port, []],
    ] as const) {
      const got = await exchange(port, [chatHead(text.length, [...fields, "Connection: close"]), text.slice(0, 10), text.slice(10)], { delayMs: 50 });
      expect(statusOf(got.text)).toBe(200);
    }
  });

  it("garbage mid-stream never lands inside the SSE body: the stream ends or the connection is cut", async () => {
    const text = JSON.stringify({ model: "faq", messages: hi, stream: true });
    const got = await exchange(router.port, [chatHead(text.length, ["Authorization: Bearer support-secret"]) + text, "GARBAGE \u0000\r\n\r\n"], {
      delayMs: 200,
      waitMs: 4_000,
    });
    expect(statusOf(got.text)).toBe(200);
    const body = bodyOf(got.text);
    // The 400 may follow a finished stream (fast path: the next request is read after the answer), never sit inside one.
    const cut = body.indexOf("HTTP/1.1 400");
    if (cut !== -1) expect(body.slice(0, cut)).toMatch(/data: \[DONE\]\n\n\r\n0\r\n\r\n$/);
    expect(got.closed).toBe(true);
  });

  it.each([
    ["a bare-LF request", "POST /v1/chat/completions HTTP/1.1\nHost: x\nContent-Length: 2\n\n{}"],
    ["a bare LF ending the head", "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\n{}"],
    ["a bare CR in the request line", "POST /v1/chat/completions HTTP/1.1\rHost: x\r\nContent-Length: 2\r\n\r\n{}"],
    ["Content-Length followed by a tab", "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: 2\t\r\n\r\n{}"],
    ["a NUL in a field", "POST /v1/chat/completions HTTP/1.1\r\nHost: x\u0000\r\nContent-Length: 2\r\n\r\n{}"],
    ["a space after the version", "POST /v1/chat/completions HTTP/1.1 \r\nHost: x\r\nContent-Length: 2\r\n\r\n{}"],
  ])("%s: answered as this Node's node:http parser answers it (400 at once where it refuses)", async (_what, request) => {
    // Node's parser is the reference, and it changes between majors: Node 20 refuses a tab after Content-Length,
    // Node 22+ reads it as optional white space (RFC 9110). Both paths must follow the parser they run on.
    const refused = (await nodeHttpVerdict(request)).refused;
    const got = await exchange(router.port, [request]);
    if (refused) {
      expect(statusOf(got.text)).toBe(400);
      expect(got.ms).toBeLessThan(2_000);
      expect(got.closed).toBe(true);
    } else {
      // Accepted by the parser: the router answers it as a request (no key here: 401).
      expect(statusOf(got.text)).toBe(401);
    }
  });

  it("`Connection: close\\t` means what this Node's node:http makes of it, on both paths", async () => {
    const text = JSON.stringify({ model: "faq", messages: hi });
    const request = chatHead(text.length, ["Connection: close\t"]) + text;
    const reference = await nodeHttpVerdict(request);
    const got = await exchange(openRouter.port, [request], { waitMs: 500 });
    expect(statusOf(got.text)).toBe(200);
    expect(got.text.toLowerCase()).toContain(reference.keepAlive ? "connection: keep-alive" : "connection: close");
    expect(got.closed).toBe(!reference.keepAlive);
  });
});

/**
 * What a bare node:http server on this Node makes of `request`: whether its parser refuses it (400 or a close with no
 * answer), and whether it keeps the connection open after answering.
 */
async function nodeHttpVerdict(request: string): Promise<{ refused: boolean; keepAlive: boolean }> {
  const server = createServer((_req, res) => res.end("ok"));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    const got = await exchange((server.address() as AddressInfo).port, [request], { waitMs: 500 });
    const status = statusOf(got.text);
    return { refused: status === 400 || status === 0, keepAlive: status === 200 && !got.closed };
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

describe.each([
  ["the fast path", true],
  ["node:http", false],
])("limits on %s", (_name, fastPath) => {
  let router: RunningRouter;
  beforeAll(async () => {
    router = await startTestRouter(open, {
      fastPath,
      env: { SWITCHYARD_REQUEST_TIMEOUT_MS: "400", SWITCHYARD_MAX_BUFFERED_BYTES: "1500", SWITCHYARD_MAX_CONNECTIONS: "20" },
    });
  });
  afterAll(() => router.close());

  it("a body that arrives a byte at a time past SWITCHYARD_REQUEST_TIMEOUT_MS gets 408 and the connection closes", async () => {
    const got = await exchange(router.port, [chatHead(50), "{", " ", " ", " ", " ", " ", " ", " ", " ", " ", " ", " "], { delayMs: 150, waitMs: 4_000 });
    expect(statusOf(got.text)).toBe(408);
    expect(JSON.parse(bodyOf(got.text)).error.code).toBe("request_timeout");
    expect(got.closed).toBe(true);
    expect(got.ms).toBeLessThan(2_000);
  });

  it("a head that arrives a byte at a time is dropped the same way", async () => {
    const head = chatHead(2);
    const got = await exchange(router.port, head.split(""), { delayMs: 100, waitMs: 4_000 });
    expect(statusOf(got.text)).toBe(408);
    expect(got.closed).toBe(true);
  });

  it("a slow answer to a request that arrived in time is not cut by the request timeout", async () => {
    const slow = await startTestRouter(
      releaseOf({
        providers: { sim: { kind: "mock", mock: { ttftMs: 700 } } },
        models: { m: { provider: "sim", name: "mock-1", context: 8_000, price: { input: 0, output: 0 } } },
        routes: { faq: { model: "m" } },
      }),
      { fastPath, env: { SWITCHYARD_REQUEST_TIMEOUT_MS: "300" } },
    );
    try {
      expect((await chat(slow, { model: "faq", messages: hi })).status).toBe(200);
      expect((await chat(slow, { model: "faq", messages: hi, stream: true })).status).toBe(200);
    } finally {
      await slow.close();
    }
  });

  it("bodies past SWITCHYARD_MAX_BUFFERED_BYTES are refused with 503 overloaded and Retry-After; the first one is still served", async () => {
    const text = JSON.stringify({ model: "faq", messages: [{ role: "user", content: "y".repeat(900) }] });
    // The first request announces ~950 bytes and holds them (half its body sent); the second would pass 1500 in all.
    const first = exchange(router.port, [chatHead(text.length, ["Connection: close"]), text.slice(0, 100), text.slice(100)], { delayMs: 150 });
    await new Promise((r) => setTimeout(r, 100));
    const second = await exchange(router.port, [chatHead(text.length), text.slice(0, 100)]);
    expect(statusOf(second.text)).toBe(503);
    expect(second.text.toLowerCase()).toContain("retry-after: 1");
    expect(JSON.parse(bodyOf(second.text)).error).toMatchObject({ code: "overloaded", type: "server_error" });
    expect(second.closed).toBe(true);
    expect(statusOf((await first).text)).toBe(200);
    // Given back: the same body fits again.
    expect(statusOf((await exchange(router.port, [chatHead(text.length, ["Connection: close"]) + text])).text)).toBe(200);
  });

  it("connections past SWITCHYARD_MAX_CONNECTIONS are closed at once", async () => {
    const held: Socket[] = [];
    try {
      for (let i = 0; i < 20; i++) {
        const socket = connect(router.port, "127.0.0.1");
        socket.on("error", () => undefined);
        await new Promise((r) => socket.once("connect", r));
        held.push(socket);
      }
      await new Promise((r) => setTimeout(r, 50));
      const extra = await exchange(router.port, ["GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"], { waitMs: 1_000 });
      expect(extra.closed).toBe(true);
      expect(extra.text).toBe("");
    } finally {
      for (const socket of held) socket.destroy();
    }
    await new Promise((r) => setTimeout(r, 50));
    expect((await fetch(`${router.url}/healthz`)).status).toBe(200);
  });
});

describe("the per-request error boundary", () => {
  it.each([
    ["the fast path", true],
    ["node:http", false],
  ])("a handler that throws while answering gets a 500 internal_error on %s; nothing reaches unhandledRejection", async (_name, fastPath) => {
    const stray: unknown[] = [];
    const onStray = (reason: unknown): void => void stray.push(reason);
    process.on("unhandledRejection", onStray);
    // A hook's refusal carries a header no response may hold: sending it throws inside the handler's own error path.
    const router = await startTestRouter(open, {
      fastPath,
      hooks: { beforeAttempt: () => new RouterError("rate_limited", "no", { headers: { "x-bad": "a\u0001b" } }) },
    });
    try {
      for (let i = 0; i < 3; i++) {
        const res = await chat(router, { model: "faq", messages: hi });
        expect(res.status).toBe(500);
        expect(((await res.json()) as { error: unknown }).error).toMatchObject({ code: "internal_error", type: "server_error", message: "internal error" });
      }
      expect((await fetch(`${router.url}/healthz`)).status).toBe(200);
      await new Promise((r) => setTimeout(r, 50));
      expect(stray).toEqual([]);
    } finally {
      process.off("unhandledRejection", onStray);
      await router.close();
    }
  });

  it("answerFailure: a 500 before anything was written, the connection cut after the head went out, never a throw", () => {
    const calls: string[] = [];
    const fake = (headersSent: boolean, failing = false): ResponseLike =>
      ({
        statusCode: 200,
        headersSent,
        writableEnded: false,
        writableFinished: false,
        destroyed: false,
        setHeader() {
          if (failing) throw new TypeError("bad header");
          return this;
        },
        hasHeader: () => false,
        writeHead(status: number) {
          calls.push(`head ${status}`);
          return this;
        },
        write: () => true,
        end() {
          calls.push("end");
          return this;
        },
        destroy: () => void calls.push("destroy"),
        on() {
          return this;
        },
        off() {
          return this;
        },
      }) as unknown as ResponseLike;
    answerFailure(fake(false), new Error("boom"), "id", "hash");
    expect(calls.splice(0)).toEqual(["head 500", "end"]);
    answerFailure(fake(true), new Error("boom"), "id", "hash");
    expect(calls.splice(0)).toEqual(["destroy"]);
    expect(() => answerFailure(fake(false, true), new Error("boom"), "id", "hash")).not.toThrow();
    expect(calls.splice(0)).toEqual(["destroy"]);
  });
});

describe("name lookups", () => {
  it("GET /v1/models lists only routes the config has: a team listing `toString` does not get Object.prototype's", async () => {
    // The IR's rules refuse a team naming an undeclared route (compiler, parseConfig, uploads): the release is
    // made by hand here to prove the router does not rely on them for this.
    const valid = releaseOf({
      providers: { sim: { kind: "mock" } },
      models: { m: { provider: "sim", name: "mock-1", context: 8_000, price: { input: 0, output: 0 } } },
      routes: { faq: { model: "m" } },
      teams: { t: { keys: [{ secret: "T_KEY" }], routes: ["faq"] } },
    });
    const team = valid.config.teams["t"]!;
    const router = await startTestRouter(createRelease({ ...valid.config, teams: { t: { ...team, routes: ["faq", "toString"] } } }), {
      env: { T_KEY: "t-key" },
    });
    try {
      const list = (await (await fetch(`${router.url}/v1/models`, { headers: { authorization: "Bearer t-key" } })).json()) as { data: { id: string }[] };
      expect(list.data.map((m) => m.id)).toEqual(["faq"]);
    } finally {
      await router.close();
    }
  });

  it("a route table reads `toString` or `constructor` as undeclared, not as Object.prototype's", () => {
    const release = releaseOf({
      providers: { sim: { kind: "mock" } },
      models: { m: { provider: "sim", name: "mock-1", context: 8_000, price: { input: 0, output: 0 } } },
      routes: { faq: { model: "m" } },
    });
    const config = {
      ...release.config,
      routes: {
        ...release.config.routes,
        odd: { ...release.config.routes["faq"]!, model: "toString" },
        odder: { ...release.config.routes["faq"]!, model: undefined, tier: "constructor" },
      },
    };
    const table = compileRouteTable(config);
    expect(table.routes.get("odd")?.primary.members[0]?.staticExclusion?.code).toBe("unknown-model");
    expect(table.routes.get("odder")?.primary.members).toEqual([]);
  });
});

/**
 * The chat endpoint's lean HTTP/1.1 path (packages/router/src/http/fast-path.ts) against node:http's:
 * the same answers byte for byte, and every request it does not read itself handed to node:http on
 * the same connection, over real sockets on 127.0.0.1.
 */
import { type Socket, connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { RunningRouter } from "@switchyard/router";
import { releaseOf } from "../helpers/release.ts";
import { startTestRouter } from "../helpers/router.ts";

const release = releaseOf({
  providers: { sim: { kind: "mock" } },
  models: { m: { provider: "sim", name: "mock-1", context: 8_000, price: { input: 1, output: 2 } } },
  routes: { faq: { model: "m" }, legal: { model: "m" } },
  teams: { support: { keys: [{ secret: "SUPPORT_KEY" }], routes: ["faq"], limits: { rpm: 10_000 } } },
  router: { maxBodyBytes: 4_000 },
});
const env = { SUPPORT_KEY: "support-secret" };

let fast: RunningRouter;
let node: RunningRouter;
beforeAll(async () => {
  fast = await startTestRouter(release, { env });
  node = await startTestRouter(release, { env, fastPath: false });
});
afterAll(async () => {
  await fast.close();
  await node.close();
});

interface RawResponse {
  status: number;
  /** The head as sent (field names in their own case). */
  head: string;
  headers: Record<string, string>;
  body: string;
}

/** A raw HTTP/1.1 client connection that reads responses one at a time (Content-Length or chunked). */
class Wire {
  readonly socket: Socket;
  #buffer = Buffer.alloc(0);
  #waiting: (() => void) | undefined;
  closed = false;

  constructor(port: number) {
    this.socket = connect(port, "127.0.0.1");
    this.socket.on("data", (part: Buffer) => {
      this.#buffer = Buffer.concat([this.#buffer, part]);
      this.#waiting?.();
    });
    this.socket.on("close", () => {
      this.closed = true;
      this.#waiting?.();
    });
    this.socket.on("error", () => undefined);
  }

  send(text: string): this {
    this.socket.write(text);
    return this;
  }

  async read(): Promise<RawResponse> {
    for (;;) {
      const parsed = this.#take();
      if (parsed !== undefined) return parsed;
      if (this.closed) throw new Error(`connection closed with ${this.#buffer.length} unread bytes`);
      await new Promise<void>((resolve) => (this.#waiting = resolve));
    }
  }

  /** Resolves when the server has closed the connection. */
  async ended(): Promise<void> {
    while (!this.closed) await new Promise<void>((resolve) => (this.#waiting = resolve));
  }

  #take(): RawResponse | undefined {
    const buf = this.#buffer;
    const end = buf.indexOf("\r\n\r\n");
    if (end === -1) return undefined;
    const head = buf.toString("latin1", 0, end);
    const [statusLine, ...lines] = head.split("\r\n");
    const headers: Record<string, string> = {};
    for (const line of lines) headers[line.slice(0, line.indexOf(":")).toLowerCase()] = line.slice(line.indexOf(":") + 1).trim();
    const status = Number(statusLine?.split(" ")[1]);
    if (status === 100) {
      this.#buffer = buf.subarray(end + 4);
      return { status, head, headers, body: "" };
    }
    let body: string;
    let used: number;
    if (headers["content-length"] !== undefined) {
      used = end + 4 + Number(headers["content-length"]);
      if (buf.length < used) return undefined;
      body = buf.toString("utf8", end + 4, used);
    } else if (headers["transfer-encoding"] === undefined) {
      // Neither: the body runs to the end of the connection.
      if (!this.closed) return undefined;
      used = buf.length;
      body = buf.toString("utf8", end + 4);
    } else {
      const last = buf.indexOf("\r\n0\r\n\r\n", end + 4);
      if (last === -1) return undefined;
      used = last + 7;
      body = "";
      for (let at = end + 4; at < last;) {
        const eol = buf.indexOf("\r\n", at);
        const size = Number.parseInt(buf.toString("latin1", at, eol), 16);
        body += buf.toString("utf8", eol + 2, eol + 2 + size);
        at = eol + 2 + size + 2;
      }
    }
    this.#buffer = buf.subarray(used);
    return { status, head, headers, body };
  }
}

const hi = [{ role: "user", content: "hi" }];

function chatRequest(body: unknown, fields: string[] = []): string {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  return [
    `POST /v1/chat/completions HTTP/1.1`,
    "Host: 127.0.0.1",
    "Content-Type: application/json",
    `Content-Length: ${Buffer.byteLength(text)}`,
    ...fields,
    "",
    text,
  ].join("\r\n");
}

/** A response with what differs between any two requests (ids, times) blanked out. */
function comparable(response: RawResponse): { status: number; headers: Record<string, string>; body: string } {
  const { date: _date, "x-switchyard-request-id": _id, "ratelimit-reset": _reset, ...headers } = response.headers;
  const body = response.body.replace(/"(id|created)":("[^"]*"|\d+)/g, '"$1":"…"');
  return { status: response.status, headers, body };
}

describe("the fast path answers as node:http does", () => {
  const cases: [string, string][] = [
    ["a completion", chatRequest({ model: "faq", messages: hi }, ["Authorization: Bearer support-secret"])],
    ["a stream", chatRequest({ model: "faq", messages: hi, stream: true, stream_options: { include_usage: true } }, ["Authorization: Bearer support-secret"])],
    ["no key", chatRequest({ model: "faq", messages: hi })],
    ["a wrong key", chatRequest({ model: "faq", messages: hi }, ["Authorization: Bearer nope"])],
    ["a route the team may not use", chatRequest({ model: "legal", messages: hi }, ["Authorization: Bearer support-secret"])],
    ["an unknown route", chatRequest({ model: "nope", messages: hi }, ["Authorization: Bearer support-secret"])],
    ["malformed JSON", chatRequest('{"model": "faq", ', ["Authorization: Bearer support-secret"])],
    ["an invalid body", chatRequest({ model: "faq", messages: "x" }, ["Authorization: Bearer support-secret"])],
    ["the client's request id", chatRequest({ model: "faq", messages: hi }, ["Authorization: Bearer support-secret", "X-Request-Id: mine-42"])],
  ];
  it.each(cases)("%s: the same status, fields and body", async (_what, request) => {
    const a = new Wire(fast.port).send(request);
    const b = new Wire(node.port).send(request);
    const [mine, theirs] = [await a.read(), await b.read()];
    a.socket.destroy();
    b.socket.destroy();
    expect(comparable(mine)).toEqual(comparable(theirs));
    expect(mine.headers.date).toMatch(/^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/);
    // The fast path wrote it: node:http capitalises the fields it adds.
    expect(mine.head).toContain("\r\nconnection: keep-alive\r\n");
    expect(theirs.head).toContain("\r\nConnection: keep-alive\r\n");
  });
});

describe("one connection, both paths", () => {
  it("serves chat, hands the connection to node:http at another request, and node:http serves chat from then on", async () => {
    const wire = new Wire(fast.port);
    const first = await wire.send(chatRequest({ model: "faq", messages: hi }, ["Authorization: Bearer support-secret"])).read();
    expect(first.status).toBe(200);
    expect(first.head).toContain("connection: keep-alive");
    const health = await wire.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").read();
    expect(health.status).toBe(200);
    expect(JSON.parse(health.body)).toEqual({ status: "ok" });
    const after = await wire.send(chatRequest({ model: "faq", messages: hi }, ["Authorization: Bearer support-secret"])).read();
    expect(after.status).toBe(200);
    expect(after.head).toContain("Connection: keep-alive");
    expect(JSON.parse(after.body).choices[0].message.content).toBe(JSON.parse(first.body).choices[0].message.content);
    wire.socket.destroy();
  });

  it("answers pipelined requests in order", async () => {
    const wire = new Wire(fast.port);
    wire.send(
      chatRequest({ model: "faq", messages: hi }, ["Authorization: Bearer support-secret", "X-Request-Id: one"]) +
        chatRequest({ model: "nope", messages: hi }, ["Authorization: Bearer support-secret", "X-Request-Id: two"]) +
        chatRequest({ model: "faq", messages: hi, stream: true }, ["Authorization: Bearer support-secret", "X-Request-Id: three"]),
    );
    const answers = [await wire.read(), await wire.read(), await wire.read()];
    expect(answers.map((a) => [a.status, a.headers["x-switchyard-request-id"]])).toEqual([
      [200, "one"],
      [404, "two"],
      [200, "three"],
    ]);
    expect(answers[2]?.body).toMatch(/data: \[DONE\]\n\n$/);
    wire.socket.destroy();
  });

  it("reads a request that arrives a few bytes at a time", async () => {
    const wire = new Wire(fast.port);
    const request = chatRequest({ model: "faq", messages: hi }, ["Authorization: Bearer support-secret"]);
    for (let at = 0; at < request.length; at += 7) {
      wire.send(request.slice(at, at + 7));
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect((await wire.read()).status).toBe(200);
    wire.socket.destroy();
  });

  it("reads a body near the limit that arrives in many pieces, then the next request on the connection", async () => {
    const wire = new Wire(fast.port);
    const big = chatRequest({ model: "faq", messages: [{ role: "user", content: "y".repeat(3_800) }] }, ["Authorization: Bearer support-secret"]);
    for (let at = 0; at < big.length; at += 64) wire.send(big.slice(at, at + 64));
    const answer = await wire.read();
    expect(answer.status).toBe(200);
    expect(answer.head).toContain("connection: keep-alive");
    expect((await wire.send(chatRequest({ model: "faq", messages: hi }, ["Authorization: Bearer support-secret"])).read()).status).toBe(200);
    wire.socket.destroy();
  });

  it("hands a chunked body to node:http, which reads and serves it", async () => {
    const body = JSON.stringify({ model: "faq", messages: hi });
    const wire = new Wire(fast.port).send(
      `POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer support-secret\r\nTransfer-Encoding: chunked\r\n\r\n${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`,
    );
    const answer = await wire.read();
    expect(answer.status).toBe(200);
    expect(answer.head).toContain("Connection: keep-alive");
    wire.socket.destroy();
  });

  it("hands Expect: 100-continue to node:http, which sends 100 Continue and then the answer", async () => {
    const body = JSON.stringify({ model: "faq", messages: hi });
    const wire = new Wire(fast.port).send(
      `POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer support-secret\r\nContent-Length: ${body.length}\r\nExpect: 100-continue\r\n\r\n`,
    );
    expect((await wire.read()).status).toBe(100);
    const answer = await wire.send(body).read();
    expect(answer.status).toBe(200);
    wire.socket.destroy();
  });

  it("hands a body over the limit to node:http, which answers 413 body_too_large and closes", async () => {
    const wire = new Wire(fast.port).send(
      `POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer support-secret\r\nContent-Length: 5000\r\n\r\n${"x".repeat(100)}`,
    );
    const answer = await wire.read();
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body).error.code).toBe("body_too_large");
    expect(answer.headers.connection).toBe("close");
    wire.socket.destroy();
  });

  it("after a served request, a malformed one gets node:http's 400 and the connection closes", async () => {
    const wire = new Wire(fast.port);
    expect((await wire.send(chatRequest({ model: "faq", messages: hi }, ["Authorization: Bearer support-secret"])).read()).status).toBe(200);
    const answer = await wire.send("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nBad Header: 1\r\nContent-Length: 0\r\n\r\n").read();
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body).error.code).toBe("invalid_request");
    await wire.ended();
  });

  it("closes after a request that asks for it", async () => {
    const wire = new Wire(fast.port);
    const answer = await wire.send(chatRequest({ model: "faq", messages: hi }, ["Authorization: Bearer support-secret", "Connection: close"])).read();
    expect(answer.status).toBe(200);
    expect(answer.headers.connection).toBe("close");
    expect(answer.headers["keep-alive"]).toBeUndefined();
    await wire.ended();
  });
});

describe("lifecycle", () => {
  it("drops a connection whose head is still incomplete after 60 s (node:http's headersTimeout)", async () => {
    const wire = new Wire(fast.port).send("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n");
    await new Promise((resolve) => setTimeout(resolve, 20));
    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() + 61_000 });
    try {
      wire.send("X-Slow: 1\r\n");
      await wire.ended();
    } finally {
      vi.useRealTimers();
    }
  });

  it("close() drops idle fast-path connections at once and lets one in flight finish", async () => {
    const slow = await startTestRouter(
      releaseOf({
        providers: { sim: { kind: "mock", mock: { ttftMs: 300 } } },
        models: { m: { provider: "sim", name: "mock-1", context: 8_000, price: { input: 0, output: 0 } } },
        routes: { faq: { model: "m" } },
      }),
    );
    const idle = new Wire(slow.port);
    expect((await idle.send(chatRequest({ model: "faq", messages: hi })).read()).status).toBe(200);
    const busy = new Wire(slow.port).send(chatRequest({ model: "faq", messages: hi }));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const started = Date.now();
    const closing = slow.close();
    await idle.ended();
    expect(Date.now() - started).toBeLessThan(250);
    const answer = await busy.read();
    expect(answer.status).toBe(200);
    // Draining: the answer in flight says the connection closes.
    await closing;
    await busy.ended();
  });
});

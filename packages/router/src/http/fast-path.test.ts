/** @module parseRequest: the plain case read as node:http reads it, everything else handed to node:http. */
import fc from "fast-check";
import { type Server, createServer } from "node:http";
import { type AddressInfo, connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ParsedRequest, parseRequest } from "./fast-path.ts";

const LIMIT = 1_000;
const CHAT = "POST /v1/chat/completions HTTP/1.1";

function raw(lines: string[], body = ""): Buffer {
  return Buffer.from(`${lines.join("\r\n")}\r\n\r\n${body}`, "latin1");
}

function request(parsed: ParsedRequest): Extract<ParsedRequest, { kind: "request" }> {
  if (parsed.kind !== "request") throw new Error(`expected a request, got ${parsed.kind}`);
  return parsed;
}

describe("parseRequest", () => {
  it("reads a plain chat request: target, lower-cased fields, body, bytes used", () => {
    const bytes = raw(
      [`POST /v1/chat/completions?x=1 HTTP/1.1`, "Host: r", "Content-Type: application/json", "Content-Length:  7 ", "X-Trace:\tab c\t"],
      '{"a":1}',
    );
    const parsed = request(parseRequest(bytes, LIMIT));
    expect(parsed.request.url).toBe("/v1/chat/completions?x=1");
    expect({ ...parsed.request.headers }).toEqual({ host: "r", "content-type": "application/json", "content-length": "7", "x-trace": "ab c" });
    expect(parsed.request.body.toString()).toBe('{"a":1}');
    expect(parsed.used).toBe(bytes.length);
    expect(parsed.close).toBe(false);
  });

  it("reads pipelined requests one at a time", () => {
    const one = raw([CHAT, "Host: r", "Content-Length: 2"], "{}");
    const two = raw([CHAT, "Host: r", "Connection: close", "Content-Length: 3"], "[1]");
    const first = request(parseRequest(Buffer.concat([one, two]), LIMIT));
    expect(first.used).toBe(one.length);
    const second = request(parseRequest(Buffer.concat([one, two]).subarray(first.used), LIMIT));
    expect(second.request.body.toString()).toBe("[1]");
    expect(second.close).toBe(true);
  });

  it("waits for the rest of a head, then for the rest of the body", () => {
    expect(parseRequest(Buffer.from(`${CHAT}\r\nHost: r\r\n`), LIMIT)).toEqual({ kind: "need", bytes: 0 });
    const bytes = raw([CHAT, "Host: r", "Content-Length: 10"], "12345");
    expect(parseRequest(bytes, LIMIT)).toEqual({ kind: "body", bytes: bytes.length + 5, headers: { host: "r", "content-length": "10" } });
    expect(request(parseRequest(Buffer.concat([bytes, Buffer.from("67890")]), LIMIT)).request.body.toString()).toBe("1234567890");
  });

  it.each([
    ["another method", ["GET /v1/chat/completions HTTP/1.1", "Host: r"]],
    ["another path", ["POST /v1/models HTTP/1.1", "Host: r"]],
    ["a longer path", ["POST /v1/chat/completions/x HTTP/1.1", "Host: r"]],
    ["an absolute target", ["POST http://r/v1/chat/completions HTTP/1.1", "Host: r"]],
    ["HTTP/1.0", ["POST /v1/chat/completions HTTP/1.0", "Host: r"]],
    ["a lower-case method", ["post /v1/chat/completions HTTP/1.1", "Host: r"]],
    ["a space in the target", ["POST /v1/chat/completions?a b HTTP/1.1", "Host: r"]],
    ["no Host", [CHAT, "Content-Length: 0"]],
    ["Transfer-Encoding", [CHAT, "Host: r", "Transfer-Encoding: chunked"]],
    ["Transfer-Encoding with Content-Length", [CHAT, "Host: r", "Content-Length: 0", "Transfer-Encoding: chunked"]],
    ["Expect", [CHAT, "Host: r", "Expect: 100-continue", "Content-Length: 0"]],
    ["Upgrade", [CHAT, "Host: r", "Upgrade: websocket", "Connection: Upgrade"]],
    ["a Connection option other than close or keep-alive", [CHAT, "Host: r", "Connection: keep-alive, te"]],
    ["a repeated field", [CHAT, "Host: r", "X-A: 1", "x-a: 2"]],
    ["two Content-Lengths", [CHAT, "Host: r", "Content-Length: 0", "Content-Length: 0"]],
    ["a signed Content-Length", [CHAT, "Host: r", "Content-Length: +0"]],
    ["a Content-Length over the limit", [CHAT, "Host: r", `Content-Length: ${LIMIT + 1}`]],
    ["a folded line", [CHAT, "Host: r", "X-A: 1", " 2"]],
    ["a space before the colon", [CHAT, "Host : r"]],
    ["a separator in a field name", [CHAT, "Host: r", "X(A): 1"]],
    ["a control character in a value", [CHAT, "Host: r", "X-A: 1\u0001"]],
    ["a bare LF in a value", [CHAT, "Host: r", "X-A: 1\n2"]],
    ["a line without a colon", [CHAT, "Host: r", "garbage"]],
    ["an empty line before the request line", ["", CHAT, "Host: r"]],
  ])("hands %s to node:http", (_what, lines) => {
    expect(parseRequest(raw(lines as string[]), LIMIT)).toEqual({ kind: "handoff" });
  });

  it("hands a head over 16 KB to node:http (which answers 431), complete or not", () => {
    const long = `X-Long: ${"a".repeat(17_000)}`;
    expect(parseRequest(raw([CHAT, "Host: r", long]), LIMIT).kind).toBe("handoff");
    expect(parseRequest(Buffer.from(`${CHAT}\r\nHost: r\r\n${long}`), LIMIT).kind).toBe("handoff");
  });
});

describe("parseRequest against node:http's parser", () => {
  let server: Server;
  let port: number;
  beforeAll(async () => {
    server = createServer((req, res) => {
      const parts: Buffer[] = [];
      req.on("data", (part: Buffer) => parts.push(part));
      req.on("end", () => res.end(JSON.stringify({ url: req.url, headers: req.headers, body: Buffer.concat(parts).toString("latin1") })));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  /** What node:http makes of `bytes`: its url, headers and body, or undefined if it refused them. */
  const nodeReads = (bytes: Buffer): Promise<{ url: string; headers: Record<string, string>; body: string } | undefined> =>
    new Promise((resolve, reject) => {
      const socket = connect(port, "127.0.0.1", () => socket.write(bytes));
      let received = Buffer.alloc(0);
      socket.on("data", (part: Buffer) => {
        received = Buffer.concat([received, part]);
        const end = received.indexOf("\r\n\r\n");
        const length = /content-length: (\d+)/i.exec(received.toString("latin1", 0, end));
        if (end === -1 || length === null || received.length < end + 4 + Number(length[1])) return;
        socket.destroy();
        // The echo is JSON in UTF-8 (node:http read the fields as latin1, as parseRequest does).
        resolve(
          received.toString("latin1", 0, 12) === "HTTP/1.1 200" ? JSON.parse(received.toString("utf8", end + 4, end + 4 + Number(length[1]))) : undefined,
        );
      });
      socket.on("error", reject);
      socket.on("close", () => resolve(undefined));
    });

  const name = fc.oneof(
    fc.constantFrom("Host", "Content-Type", "Authorization", "X-Request-Id", "Connection", "Transfer-Encoding", "Expect", "content-length", "X-A", "x-a"),
    fc.stringMatching(/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,12}$/),
  );
  const value = fc.oneof(
    fc.constantFrom("keep-alive", "close", "chunked", "application/json", "Bearer k", " padded\t", ""),
    fc.string({ unit: fc.integer({ min: 0x20, max: 0xff }).map((code) => String.fromCharCode(code === 0x7f ? 0x09 : code)), maxLength: 20 }),
  );
  const generated = fc.record({
    target: fc.constantFrom("/v1/chat/completions", "/v1/chat/completions?a=1&b=%20", "/v1/chat/completions?"),
    fields: fc.array(fc.tuple(name, value), { maxLength: 6 }),
    body: fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code)), maxLength: 40 }),
    host: fc.boolean(),
  });

  /** What node:http answers to `bytes`: its status (0: nothing within 300 ms), whether it closes, and the echo on a 200. */
  const nodeAnswers = (bytes: Buffer): Promise<{ status: number; close: boolean; echo: unknown }> =>
    new Promise((resolve, reject) => {
      const socket = connect(port, "127.0.0.1", () => socket.write(bytes));
      let received = Buffer.alloc(0);
      const done = (status: number, close: boolean, echo: unknown): void => {
        clearTimeout(timer);
        socket.destroy();
        resolve({ status, close, echo });
      };
      const timer = setTimeout(() => done(0, false, undefined), 300);
      socket.on("data", (part: Buffer) => {
        received = Buffer.concat([received, part]);
        const end = received.indexOf("\r\n\r\n");
        if (end === -1) return;
        const head = received.toString("latin1", 0, end);
        const status = Number(head.slice(9, 12));
        const length = /content-length: (\d+)/i.exec(head);
        if (length === null || received.length < end + 4 + Number(length[1])) return;
        const body = received.toString("utf8", end + 4, end + 4 + Number(length[1]));
        done(status, /\r\nconnection: close/i.test(head), status === 200 ? JSON.parse(body) : undefined);
      });
      socket.on("error", reject);
      socket.on("close", () => done(0, true, undefined));
    });

  // Whitespace and line endings node:http reads strictly: tabs and spaces around values, bare LF or CR, other
  // request lines, control characters; generated whether or not the fast path would read them.
  const space = fc.constantFrom("", " ", "\t", "  ", " \t", "\t ");
  const eol = fc.constantFrom("\r\n", "\r\n", "\r\n", "\r\n", "\n", "\r", "\r\r\n", "\n\r");
  const anyByte = fc.string({ unit: fc.integer({ min: 0, max: 0xff }).map((code) => String.fromCharCode(code)), maxLength: 6 });
  const hostile = fc.record({
    line: fc.constantFrom(
      CHAT,
      CHAT,
      CHAT,
      CHAT,
      `${CHAT} `,
      "POST  /v1/chat/completions HTTP/1.1",
      "POST /v1/chat/completions HTTP/1.0",
      " POST /v1/chat/completions HTTP/1.1",
      "POST /v1/chat/completions\tHTTP/1.1",
    ),
    fields: fc.array(
      fc.tuple(
        fc.constantFrom("Host", "Connection", "X-A", "Content-Type", "Authorization", "Transfer-Encoding"),
        space,
        fc.oneof(fc.constantFrom("r", "close", "keep-alive", "Close", "keep-alive, close", "application/json", "Bearer k", "chunked"), anyByte),
        space,
        eol,
      ),
      { maxLength: 4 },
    ),
    length: fc.tuple(space, space, eol),
    host: fc.boolean(),
    end: fc.constantFrom("\r\n", "\r\n", "\n", "\r"),
    body: fc.constantFrom("{}", '{"model":"x"}', ""),
  });

  it("on whitespace, line endings and what node:http refuses, it reads only what node:http reads, alike; else it hands off, never waits", async () => {
    await fc.assert(
      fc.asyncProperty(hostile, async ({ line, fields, length, host, end, body }) => {
        const [before, after, lengthEol] = length;
        const text =
          `${line}\r\n${host ? "Host: r\r\n" : ""}${fields.map(([n, b, v, a, e]) => `${n}:${b}${v}${a}${e}`).join("")}` +
          `Content-Length:${before}${body.length}${after}${lengthEol}${end}${body}`;
        const bytes = Buffer.from(text, "latin1");
        const mine = parseRequest(bytes, LIMIT);
        if (mine.kind === "handoff") return;
        const theirs = await nodeAnswers(bytes);
        if (mine.kind !== "request") {
          // Waiting is right only if node:http waits too (it would answer a complete request at once).
          expect(theirs.status, JSON.stringify(text)).toBe(0);
          return;
        }
        expect(theirs.status, JSON.stringify(text)).toBe(200);
        expect(theirs.echo).toEqual({ url: mine.request.url, headers: { ...mine.request.headers }, body: mine.request.body.toString("latin1") });
        expect(mine.close, JSON.stringify(text)).toBe(theirs.close);
      }),
      { numRuns: 300 },
    );
  });

  it("whatever it reads itself, node:http reads the same url, fields and body", async () => {
    await fc.assert(
      fc.asyncProperty(generated, async ({ target, fields, body, host }) => {
        const lines = [`POST ${target} HTTP/1.1`, ...(host ? ["Host: r"] : []), ...fields.map(([n, v]) => `${n}: ${v}`), `Content-Length: ${body.length}`];
        const bytes = raw(lines, body);
        const mine = parseRequest(bytes, LIMIT);
        if (mine.kind !== "request") return;
        const theirs = await nodeReads(bytes);
        expect(theirs).toBeDefined();
        expect(theirs).toEqual({ url: mine.request.url, headers: { ...mine.request.headers }, body: mine.request.body.toString("latin1") });
      }),
      { numRuns: 150 },
    );
  });
});

/** @module The lean HTTP/1.1 transport against raw sockets: framing, keep-alive, limits, aborts, failures, TLS. */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import tls from "node:tls";
import { afterEach, describe, expect, it } from "vitest";
import type { Transport, TransportResponse } from "../types.ts";
import { toUpstreamError } from "../types.ts";
import { http1Transport } from "./http1.ts";

/** A raw server: `reply` gets each request's head+body text and writes whatever bytes it likes. */
interface RawServer {
  url: string;
  /** Connections accepted so far. */
  connections: number;
  requests: string[];
  close(): Promise<void>;
}

type Reply = (socket: net.Socket, request: string, index: number) => void;

const servers: RawServer[] = [];
const transports: Transport[] = [];

afterEach(async () => {
  await Promise.all(transports.splice(0).map((t) => t.close()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

function listen(server: net.Server, secure: boolean, track: RawServer & { sockets: Set<net.Socket> }): Promise<RawServer> {
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      track.url = `${secure ? "https" : "http"}://127.0.0.1:${port}/v1/chat/completions?x=1`;
      track.close = () =>
        new Promise((done) => {
          for (const s of track.sockets) s.destroy();
          server.close(() => done());
        });
      servers.push(track);
      resolve(track);
    });
  });
}

/** Parse requests off a socket (Content-Length bodies only) and hand each to `reply`. */
function serve(reply: Reply, secure?: { key: Buffer; cert: Buffer }): Promise<RawServer> {
  const track = { url: "", connections: 0, requests: [] as string[], close: async () => {}, sockets: new Set<net.Socket>() };
  const onSocket = (socket: net.Socket): void => {
    track.connections++;
    track.sockets.add(socket);
    socket.on("close", () => track.sockets.delete(socket));
    socket.on("error", () => undefined);
    let buffered = "";
    socket.on("data", (d: Buffer) => {
      buffered += d.toString("latin1");
      for (;;) {
        const end = buffered.indexOf("\r\n\r\n");
        if (end === -1) return;
        const length = Number(/content-length: (\d+)/i.exec(buffered.slice(0, end))?.[1] ?? "0");
        if (buffered.length < end + 4 + length) return;
        const request = buffered.slice(0, end + 4 + length);
        buffered = buffered.slice(end + 4 + length);
        track.requests.push(request);
        reply(socket, request, track.requests.length - 1);
      }
    });
  };
  const server = secure ? tls.createServer({ key: secure.key, cert: secure.cert }, onSocket) : net.createServer(onSocket);
  return listen(server, secure !== undefined, track);
}

function transport(options: Parameters<typeof http1Transport>[0] = {}): Transport {
  const t = http1Transport(options);
  transports.push(t);
  return t;
}

function post(t: Transport, url: string, signal: AbortSignal = new AbortController().signal): Promise<TransportResponse> {
  return t.post({ url: new URL(url), headers: { "content-type": "application/json", authorization: "Bearer k" }, body: '{"model":"m","x":"é"}', signal });
}

const ok = (body: string, extra = ""): string =>
  `HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n${extra}content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;

/** Write `bytes` one byte at a time (every framing boundary split). */
function dribble(socket: net.Socket, bytes: string | Buffer): void {
  const buf = typeof bytes === "string" ? Buffer.from(bytes, "latin1") : bytes;
  let i = 0;
  const tick = (): void => {
    if (i >= buf.length || socket.destroyed) return;
    socket.write(buf.subarray(i, i + 1));
    i++;
    setImmediate(tick);
  };
  tick();
}

describe("http1Transport", () => {
  it("sends one well-formed request and reads a Content-Length response", async () => {
    const server = await serve((s) => s.write(ok('{"ok":true}', "x-multi: a\r\nX-Multi: b\r\nset-cookie: 1\r\nset-cookie: 2\r\n")));
    const res = await post(transport(), server.url);
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toBe("application/json");
    expect(res.headers["x-multi"]).toBe("a, b");
    expect(res.headers["set-cookie"]).toEqual(["1", "2"]);
    expect(await res.text()).toBe('{"ok":true}');
    const request = server.requests[0] ?? "";
    expect(request.startsWith("POST /v1/chat/completions?x=1 HTTP/1.1\r\n")).toBe(true);
    expect(request).toContain(`host: ${new URL(server.url).host}\r\n`);
    expect(request).toContain("authorization: Bearer k\r\n");
    expect(request).toContain(`content-length: ${Buffer.byteLength('{"model":"m","x":"é"}')}\r\n`);
    expect(Buffer.from(request, "latin1").toString("utf8").endsWith('\r\n\r\n{"model":"m","x":"é"}')).toBe(true);
  });

  it("accepts a status line without a reason phrase and trims header whitespace", async () => {
    const server = await serve((s) => s.write("HTTP/1.1 429\r\nRetry-After: \t 7 \r\ncontent-length: 2\r\n\r\n{}"));
    const res = await post(transport(), server.url);
    expect([res.status, res.headers["retry-after"], await res.text()]).toEqual([429, "7", "{}"]);
  });

  it("reads framing headers in any case, joins repeats (two Content-Lengths are invalid) and ignores look-alike names", async () => {
    const replies = [
      "HTTP/1.1 200 OK\r\nTRANSFER-ENCODING: Chunked\r\nConnection: Keep-Alive\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
      "HTTP/1.1 200 OK\r\nContent-Length: 2\r\ncontent-length: 2\r\n\r\n{}",
      "HTTP/1.1 200 OK\r\ncontent-lengthx: 9\r\ncontent_length: 9\r\nContent-Length : 9\r\nX-Content-Length: 9\r\nconnection\r\nCONTENT-LENGTH:2\r\n\r\n{}",
    ];
    const server = await serve((s, _r, i) => s.write(replies[i] ?? ""));
    const t = transport();
    const chunked = await post(t, server.url);
    expect([chunked.headers["transfer-encoding"], await chunked.text()]).toEqual(["Chunked", "{}"]);
    await expect(post(t, server.url)).rejects.toMatchObject({ code: "HPE_INVALID_CONTENT_LENGTH" });
    const res = await post(t, server.url);
    expect([await res.text(), res.headers["content-length"], res.headers["content-length "]]).toEqual(["{}", "2", "9"]);
  });

  it("keeps the connection alive and reuses it", async () => {
    const server = await serve((s, _r, i) => s.write(ok(`{"n":${i}}`)));
    const t = transport();
    for (let i = 0; i < 5; i++) expect(await (await post(t, server.url)).text()).toBe(`{"n":${i}}`);
    expect(server.connections).toBe(1);
  });

  it("decodes chunked bodies split at every byte, with extensions and trailers", async () => {
    const body = "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n7\r\n, world\r\n0\r\nx-trailer: t\r\n\r\n";
    const server = await serve((s) => dribble(s, body));
    const t = transport();
    expect(await (await post(t, server.url)).text()).toBe("hello, world");
    expect(await (await post(t, server.url)).text()).toBe("hello, world");
    expect(server.connections).toBe(1);
  });

  it("hands the whole body over as bytes: a 4-byte character split across chunks and reads stays whole", async () => {
    // "héllo 🚀": 🚀 is F0 9F 9A 80, split 2 + 2 across two chunks, each chunk dribbled a byte at a time.
    const text = Buffer.from("héllo 🚀", "utf8");
    const head = "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n";
    const cut = text.length - 2;
    const reply = Buffer.concat([
      Buffer.from(`${head}${cut.toString(16)}\r\n`),
      text.subarray(0, cut),
      Buffer.from("\r\n2\r\n"),
      text.subarray(cut),
      Buffer.from("\r\n0\r\n\r\n"),
    ]);
    const server = await serve((s) => dribble(s, reply));
    const t = transport();
    const bytes = await (await post(t, server.url)).bytes?.();
    expect([Buffer.isBuffer(bytes), bytes?.equals(text)]).toEqual([true, true]);
    expect(await (await post(t, server.url)).text()).toBe("héllo 🚀");
  });

  it("streams a chunked body as it arrives", async () => {
    let socket: net.Socket | undefined;
    const server = await serve((s) => {
      socket = s;
      s.write("HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n6\r\ndata: \r\n");
    });
    const res = await post(transport(), server.url);
    const it = res.body[Symbol.asyncIterator]();
    expect(Buffer.from((await it.next()).value as Uint8Array).toString()).toBe("data: ");
    socket?.write("2\r\nhi\r\n0\r\n\r\n");
    expect(Buffer.from((await it.next()).value as Uint8Array).toString()).toBe("hi");
    expect((await it.next()).done).toBe(true);
  });

  it("hands the HTTP chunks that arrived together to a stream's reader as one piece (several SSE events, one write downstream)", async () => {
    let socket: net.Socket | undefined;
    const server = await serve((s) => {
      socket = s;
      s.write("HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n");
    });
    const res = await post(transport(), server.url);
    const it = res.body[Symbol.asyncIterator]();
    // Three HTTP chunks in one socket write: the reader gets them together, in order.
    socket?.write("9\r\ndata: a\n\n\r\n9\r\ndata: b\n\n\r\n9\r\ndata: c\n\n\r\n");
    expect(Buffer.from((await it.next()).value as Uint8Array).toString()).toBe("data: a\n\ndata: b\n\ndata: c\n\n");
    socket?.write("9\r\ndata: d\n\n\r\n0\r\n\r\n");
    expect(Buffer.from((await it.next()).value as Uint8Array).toString()).toBe("data: d\n\n");
    expect((await it.next()).done).toBe(true);
  });

  it("reads a close-delimited body and does not reuse that connection", async () => {
    const server = await serve((s) => {
      s.write("HTTP/1.0 200 OK\r\ncontent-type: text/plain\r\n\r\npart one, ");
      setTimeout(() => s.end("part two"), 10);
    });
    const t = transport();
    expect(await (await post(t, server.url)).text()).toBe("part one, part two");
    expect(await (await post(t, server.url)).text()).toBe("part one, part two");
    expect(server.connections).toBe(2);
  });

  it("skips interim 1xx responses; 204 has no body", async () => {
    const server = await serve((s, _r, i) =>
      s.write(i === 0 ? `HTTP/1.1 103 Early Hints\r\nlink: </x>\r\n\r\n${ok("{}")}` : "HTTP/1.1 204 No Content\r\n\r\n"),
    );
    const t = transport();
    const first = await post(t, server.url);
    expect([first.status, await first.text()]).toEqual([200, "{}"]);
    const second = await post(t, server.url);
    expect([second.status, await second.text()]).toEqual([204, ""]);
    expect(server.connections).toBe(1);
  });

  it("honours Connection: close and short Keep-Alive timeouts (a fresh connection next time)", async () => {
    const server = await serve((s, _r, i) => s.write(ok("{}", i === 0 ? "connection: close\r\n" : "keep-alive: timeout=1\r\n")));
    const t = transport();
    for (let i = 0; i < 3; i++) await (await post(t, server.url)).text();
    expect(server.connections).toBe(3);
  });

  it("a kept-alive connection the server closed while idle is not reused: the next call succeeds on a new one", async () => {
    const server = await serve((s) => {
      s.write(ok("{}"));
      setTimeout(() => s.end(), 5);
    });
    const t = transport();
    await (await post(t, server.url)).text();
    await new Promise((r) => setTimeout(r, 30));
    expect(await (await post(t, server.url)).text()).toBe("{}");
    expect(server.connections).toBe(2);
  });

  it("does not reuse a connection idle for longer than idleMs", async () => {
    const server = await serve((s) => s.write(ok("{}")));
    const t = transport({ idleMs: 20 });
    await (await post(t, server.url)).text();
    await new Promise((r) => setTimeout(r, 40));
    await (await post(t, server.url)).text();
    expect(server.connections).toBe(2);
  });

  it("closes idle connections past idleMs by itself: a burst's sockets do not stay open", async () => {
    const server = (await serve((s) => s.write(ok("{}")))) as RawServer & { sockets: Set<net.Socket> };
    const t = transport({ idleMs: 20 });
    await Promise.all(Array.from({ length: 5 }, async () => (await post(t, server.url)).text()));
    expect(server.connections).toBe(5);
    // The pool's sweep runs about once a second: wait until the server has seen every socket close.
    for (let i = 0; i < 300 && server.sockets.size > 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(server.sockets.size).toBe(0);
  });

  it("queues requests beyond maxSockets and serves them as connections free up", async () => {
    const server = await serve((s, _r, i) => setTimeout(() => s.write(ok(`{"n":${i}}`)), 5));
    const t = transport({ maxSockets: 2 });
    const texts = await Promise.all(Array.from({ length: 6 }, async () => (await post(t, server.url)).text()));
    expect(texts.sort()).toEqual([0, 1, 2, 3, 4, 5].map((n) => `{"n":${n}}`));
    expect(server.connections).toBe(2);
  });

  it("fails with a connection error when the upstream resets before or during the body", async () => {
    const server = await serve((s, _r, i) => {
      if (i === 0) s.destroy();
      else {
        s.write("HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\nonly a part");
        setTimeout(() => s.destroy(), 10);
      }
    });
    const t = transport();
    const signal = new AbortController().signal;
    const first = await post(t, server.url, signal).catch((e: unknown) => e);
    expect(toUpstreamError(first, signal)).toMatchObject({ errorClass: "connection" });
    const res = await post(t, server.url, signal);
    const second = await res.text().catch((e: unknown) => e);
    expect(toUpstreamError(second, signal)).toMatchObject({ errorClass: "connection" });
  });

  it("refused connections are connection errors", async () => {
    const server = await serve(() => undefined);
    const url = server.url;
    await server.close();
    servers.length = 0;
    const signal = new AbortController().signal;
    const error = await post(transport(), url, signal).catch((e: unknown) => e);
    expect(toUpstreamError(error, signal)).toMatchObject({ errorClass: "connection" });
  });

  it("rejects malformed responses: bad status line, bad chunk size, oversized head", async () => {
    const replies = [
      "SMTP ready\r\n\r\n",
      "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n",
      `HTTP/1.1 200 OK\r\nx-big: ${"a".repeat(2048)}\r\n\r\n`,
    ];
    const server = await serve((s, _r, i) => s.write(replies[i] ?? ""));
    const t = transport({ maxHeaderBytes: 1024 });
    await expect(post(t, server.url)).rejects.toMatchObject({ code: "HPE_INVALID_CONSTANT" });
    await expect((await post(t, server.url)).text()).rejects.toMatchObject({ code: "HPE_INVALID_CHUNK_SIZE" });
    await expect(post(t, server.url)).rejects.toMatchObject({ code: "HPE_HEADER_OVERFLOW" });
  });

  it("an abort ends the call at once (waiting for the head, reading the body, queued) and the abort reason wins", async () => {
    const server = await serve((s, _r, i) => {
      if (i === 1) s.write("HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nabc");
    });
    const t = transport({ maxSockets: 2 });
    const head = new AbortController();
    const pending = post(t, server.url, head.signal);
    await new Promise((r) => setTimeout(r, 10));
    head.abort(new Error("first-token timeout"));
    await expect(pending).rejects.toThrow("first-token timeout");

    const body = new AbortController();
    const res = await post(t, server.url, body.signal);
    const text = res.text();
    body.abort(new Error("total timeout"));
    await expect(text).rejects.toThrow("total timeout");

    const busy = [post(t, server.url), post(t, server.url)];
    const queued = new AbortController();
    const waiting = post(t, server.url, queued.signal);
    queued.abort(new Error("client gone"));
    await expect(waiting).rejects.toThrow("client gone");
    await t.close();
    await Promise.allSettled(busy);
  });

  it("refuses header values that would split the request", async () => {
    const server = await serve((s) => s.write(ok("{}")));
    const t = transport();
    await expect(
      t.post({ url: new URL(server.url), headers: { "x-evil": "a\r\nx-injected: 1" }, body: "{}", signal: new AbortController().signal }),
    ).rejects.toMatchObject({ code: "ERR_INVALID_CHAR" });
    expect(server.requests).toHaveLength(0);
  });

  it("a reader that stops early drops the connection instead of reusing it out of step", async () => {
    const server = await serve((s) => s.write("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabc\r\n"));
    const t = transport();
    const res = await post(t, server.url);
    for await (const chunk of res.body) {
      expect(Buffer.from(chunk).toString()).toBe("abc");
      break;
    }
    await new Promise((r) => setTimeout(r, 10));
    await post(t, server.url);
    expect(server.connections).toBe(2);
  });

  it("speaks HTTPS", async (ctx) => {
    const dir = mkdtempSync(join(tmpdir(), "http1-tls-"));
    try {
      try {
        execFileSync(
          "openssl",
          [
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            join(dir, "key.pem"),
            "-out",
            join(dir, "cert.pem"),
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
          ],
          { stdio: "ignore" },
        );
      } catch {
        ctx.skip("openssl is not available to make a test certificate");
      }
      const key = readFileSync(join(dir, "key.pem"));
      const cert = readFileSync(join(dir, "cert.pem"));
      const server = await serve((s) => s.write(ok('{"tls":true}')), { key, cert });
      const untrusted = await post(transport(), server.url).catch((e: unknown) => e);
      expect((untrusted as { code?: string }).code).toMatch(/SELF_SIGNED|UNABLE_TO_VERIFY|DEPTH_ZERO/);
      const t = transport({ ca: cert });
      expect(await (await post(t, server.url)).text()).toBe('{"tls":true}');
      expect(await (await post(t, server.url)).text()).toBe('{"tls":true}');
      expect(server.connections).toBe(1); // one kept-alive TLS connection (the refused handshake never got that far)
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

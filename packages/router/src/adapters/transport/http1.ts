/** @module A lean HTTP/1.1 keep-alive client over node:net / node:tls: the router's default upstream transport. */
import net from "node:net";
import tls from "node:tls";
import { type Transport, type TransportRequest, type TransportResponse, type UpstreamLimits, tooLarge } from "../types.ts";
import { DEFAULT_MAX_SSE_LINE_BYTES } from "../sse.ts";
import { DEFAULT_MAX_UPSTREAM_BYTES } from "../limits.ts";

/**
 * Why a client of our own: an upstream call is one small POST whose answer is read whole or streamed.
 * node:http spends most of its CPU in ClientRequest/Agent bookkeeping and writes head and body apart;
 * undici is ~2× cheaper but its bundle is ~280 KB minified (two copies of its WebAssembly parser),
 * over the router's 150 KB budget. This client writes each request with one `write` and parses the
 * response with a small state machine (status line, headers, Content-Length, chunked, close-delimited);
 * it is a few KB and cheaper than both (BENCHMARKS.md).
 */
export interface Http1TransportOptions {
  /**
   * Connections per origin; further requests wait for a free one. Default 10 000 (the router's own cap
   * on client connections): a stream holds its upstream connection for its whole length, so a lower cap
   * makes streams wait behind others' and time out (BENCHMARKS.md, long streams).
   */
  maxSockets?: number;
  /**
   * An idle connection is not reused after this long (ms), or 1 s before the upstream's own
   * `Keep-Alive: timeout=N` when that is sooner (reusing a socket the server is closing fails the call).
   * Default 4 000.
   */
  idleMs?: number;
  /** Largest response head accepted (bytes). Default 64 KiB. */
  maxHeaderBytes?: number;
  /** Extra trusted CA certificates (PEM) for https upstreams; default Node's store (and NODE_EXTRA_CA_CERTS). */
  ca?: string | Buffer | (string | Buffer)[];
  /** Largest body read whole (not streamed), bytes: past it the connection is dropped. Default 16 MiB. */
  maxResponseBytes?: number;
  /** Longest SSE line or event the adapters accept (reported as `limits`). Default 1 MiB. */
  maxSseLineBytes?: number;
}

/** A connection-level failure; `code` is what toUpstreamError classifies (ECONNRESET → connection). */
function connectionError(message: string, code = "ECONNRESET"): Error {
  return Object.assign(new Error(message), { code });
}

const CRLF = Buffer.from("\r\n");
const HEAD_END = Buffer.from("\r\n\r\n");
/** Request headers the client writes itself. */
const OWN_HEADERS = new Set(["host", "content-length", "connection", "transfer-encoding", "keep-alive"]);
const INVALID_HEADER_CHAR = /[\r\n\0]/;
/** Streamed bodies pause the socket above this many unread bytes. */
const HIGH_WATER = 1 << 20;

/** Parser states of a connection. */
const IDLE = 0;
const HEAD = 1;
const LENGTH = 2;
const UNTIL_CLOSE = 3;
const CHUNK_SIZE = 4;
const CHUNK_DATA = 5;
const CHUNK_END = 6;
const TRAILERS = 7;

/** Serialised caller headers per headers object: adapters pass the same frozen-in-practice object on every call. */
const headerBlocks = new WeakMap<Record<string, string>, string>();

function headerBlock(headers: Record<string, string>): string {
  let block = headerBlocks.get(headers);
  if (block === undefined) {
    block = "";
    for (const [name, value] of Object.entries(headers)) {
      if (OWN_HEADERS.has(name.toLowerCase())) continue;
      if (name === "" || INVALID_HEADER_CHAR.test(name) || name.includes(":") || INVALID_HEADER_CHAR.test(value)) {
        throw Object.assign(new Error(`invalid character in upstream request header "${name.replace(/[^\w-]/g, "?")}"`), { code: "ERR_INVALID_CHAR" });
      }
      block += `${name}: ${value}\r\n`;
    }
    headerBlocks.set(headers, block);
  }
  return block;
}

/**
 * What a request needs from its URL, read once per URL object: in Node 20 every URL getter but
 * `href` slices a new string, and adapters post to the same URL object on every call.
 */
interface Target {
  href: string;
  protocol: string;
  origin: string;
  /** The request line and host header. */
  head: string;
}
const targets = new WeakMap<URL, Target>();

function targetOf(url: URL): Target {
  const href = url.href;
  let t = targets.get(url);
  if (t === undefined || t.href !== href) {
    t = { href, protocol: url.protocol, origin: url.origin, head: `POST ${url.pathname}${url.search} HTTP/1.1\r\nhost: ${url.host}\r\n` };
    targets.set(url, t);
  }
  return t;
}

/** Listener options of every request's abort listener (one object, not one per request). */
const ONCE = { once: true } as const;

/** A response body: queued chunks read whole (`text`) or iterated (streams). */
class Body implements AsyncIterable<Uint8Array> {
  readonly #chunks: Buffer[] = [];
  #queued = 0;
  #done = false;
  #error: Error | undefined;
  #discard = false;
  /** Iterated (a stream): the socket pauses while the reader is behind. Read whole: never paused. */
  #streaming = false;
  #wake: (() => void) | undefined;
  readonly #conn: Connection;
  /** Largest body read whole (the pool's maxResponseBytes). */
  readonly #max: number;

  constructor(conn: Connection, max: number) {
    this.#conn = conn;
    this.#max = max;
  }

  push(chunk: Buffer): void {
    if (this.#discard || chunk.length === 0) return;
    this.#chunks.push(chunk);
    this.#queued += chunk.length;
    // Read whole, the body is held in memory: past the cap the upstream is cut off (a stream pauses instead).
    if (!this.#streaming && this.#queued > this.#max) return this.#conn.destroy(tooLarge(this.#max));
    if (this.#wake !== undefined) this.#notify();
  }

  end(): void {
    this.#done = true;
    this.#notify();
  }

  fail(error: Error): void {
    if (this.#done) return;
    this.#error = error;
    this.#done = true;
    this.#notify();
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  #settled(): Promise<void> {
    return new Promise((resolve) => {
      this.#wake = resolve;
    });
  }

  async bytes(): Promise<Buffer> {
    while (!this.#done) await this.#settled();
    if (this.#error !== undefined) throw this.#error;
    const chunks = this.#chunks;
    const bytes = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, this.#queued);
    chunks.length = 0;
    this.#queued = 0;
    return bytes;
  }

  async text(): Promise<string> {
    return (await this.bytes()).toString("utf8");
  }

  dump(): void {
    this.#discard = true;
    this.#chunks.length = 0;
    this.#queued = 0;
    this.#conn.resume();
  }

  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    this.#streaming = true;
    const next = async (): Promise<IteratorResult<Uint8Array>> => {
      for (;;) {
        const chunks = this.#chunks;
        if (chunks.length > 0) {
          // Everything queued goes as one piece: the HTTP chunks one socket read carried (a busy upstream's several SSE
          // events) reach the reader together, so a stream writer can send them to its client in one write.
          const chunk = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, this.#queued);
          chunks.length = 0;
          this.#queued = 0;
          this.#conn.resume();
          return { value: chunk, done: false };
        }
        if (this.#error !== undefined) throw this.#error;
        if (this.#done) return { value: undefined, done: true };
        await this.#settled();
      }
    };
    return {
      next,
      return: async (): Promise<IteratorResult<Uint8Array>> => {
        // The reader stopped early: the rest of the response cannot be skipped reliably, so the connection goes.
        if (!this.#done) this.#conn.destroy(connectionError("response body abandoned by the reader"));
        return { value: undefined, done: true };
      },
    };
  }

  get backedUp(): boolean {
    return this.#streaming && this.#queued >= HIGH_WATER;
  }
}

/** A response: its body, and its headers parsed from the head the first time they are read. */
class Http1Response implements TransportResponse {
  readonly status: number;
  readonly body: Body;
  readonly #head: string;
  readonly #from: number;
  #headers: Record<string, string | string[]> | undefined;

  constructor(status: number, body: Body, head: string, from: number) {
    this.status = status;
    this.body = body;
    this.#head = head;
    this.#from = from;
  }

  get headers(): Record<string, string | string[]> {
    return (this.#headers ??= headersOf(this.#head, this.#from));
  }

  text(): Promise<string> {
    return this.body.text();
  }

  bytes(): Promise<Buffer> {
    return this.body.bytes();
  }

  dump(): void {
    this.body.dump();
  }
}

/** The header fields of a response head from `pos` (after the status line): names lower-cased, repeats joined with ", " (set-cookie: a list). */
function headersOf(head: string, pos: number): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = {};
  while (pos < head.length) {
    let end = head.indexOf("\r\n", pos);
    if (end === -1) end = head.length;
    const colon = head.indexOf(":", pos);
    if (colon > pos && colon < end) {
      const name = head.slice(pos, colon).toLowerCase();
      const value = headerValue(head, colon + 1, end);
      const prev = headers[name];
      if (prev === undefined) headers[name] = value;
      else if (name === "set-cookie") headers[name] = Array.isArray(prev) ? [...prev, value] : [prev, value];
      else headers[name] = `${prev as string}, ${value}`;
    }
    pos = end + 2;
  }
  return headers;
}

/** A header value between `from` and `to`, without its surrounding spaces and tabs. */
function headerValue(head: string, from: number, to: number): string {
  while (from < to && (head.charCodeAt(from) === 32 || head.charCodeAt(from) === 9)) from++;
  while (to > from && (head.charCodeAt(to - 1) === 32 || head.charCodeAt(to - 1) === 9)) to--;
  return head.slice(from, to);
}

/** The last `Keep-Alive` value read and its timeout: an upstream sends the same one on every response. */
let lastKeepAlive = "";
let lastKeepAliveMs: number | undefined;

/** The `timeout=N` of a `Keep-Alive` header in ms (undefined when it has none). */
function keepAliveMs(header: string): number | undefined {
  if (header !== lastKeepAlive) {
    const timeout = /timeout=(\d+)/i.exec(header);
    lastKeepAliveMs = timeout === null ? undefined : Number(timeout[1]) * 1000;
    lastKeepAlive = header;
  }
  return lastKeepAliveMs;
}

/** Whether the header name at `pos` is `lower` (its length already checked), ASCII case-insensitively as toLowerCase on a latin1 head. */
function nameIs(head: string, pos: number, lower: string): boolean {
  for (let k = 0; k < lower.length; k++) {
    let c = head.charCodeAt(pos + k);
    if (c >= 65 && c <= 90) c += 32;
    if (c !== lower.charCodeAt(k)) return false;
  }
  return true;
}

/**
 * One request waiting for, or being served on, a connection. It is its own abort listener
 * (`handleEvent`), so a request costs no listener closure.
 */
class Exchange {
  /** The connection serving it, once it has one. */
  conn: Connection | undefined = undefined;

  constructor(
    readonly payload: string,
    readonly signal: AbortSignal,
    readonly pool: OriginPool,
    readonly resolve: (response: TransportResponse) => void,
    readonly reject: (error: Error) => void,
  ) {}

  /** The request's signal aborted: leave the queue, or end the exchange on its connection. */
  handleEvent(): void {
    const reason = this.signal.reason instanceof Error ? this.signal.reason : connectionError("aborted", "ABORT_ERR");
    if (this.pool.withdraw(this)) this.reject(reason);
    else this.conn?.abort(this, reason);
  }
}

/** One keep-alive socket to an origin and the parser of the response being read on it. */
class Connection {
  readonly socket: net.Socket;
  #exchange: Exchange | undefined;
  #body: Body | undefined;
  #state = IDLE;
  #remaining = 0;
  #pending: Buffer | undefined;
  #reusable = true;
  #keepAliveMs: number | undefined;
  #paused = false;
  #dead = false;
  /** Epoch ms after which this idle connection is not reused. */
  expiresAt = 0;
  readonly #pool: OriginPool;

  constructor(pool: OriginPool) {
    this.#pool = pool;
    const { hostname, port, secure } = pool;
    const host = hostname.startsWith("[") ? hostname.slice(1, -1) : hostname;
    this.socket = secure
      ? tls.connect({
          host,
          port,
          servername: net.isIP(host) === 0 ? host : undefined,
          ALPNProtocols: ["http/1.1"],
          ...(pool.ca !== undefined ? { ca: pool.ca } : {}),
        })
      : net.connect({ host, port, noDelay: true });
    if (secure) this.socket.setNoDelay(true);
    this.socket.on("data", (chunk: Buffer) => this.#onData(chunk));
    this.socket.on("error", (error: Error) => this.destroy(error));
    this.socket.on("close", () => this.#onClose());
  }

  start(exchange: Exchange): void {
    this.#exchange = exchange;
    exchange.conn = this;
    this.#state = HEAD;
    this.#reusable = true;
    this.#keepAliveMs = undefined;
    this.socket.ref();
    this.socket.write(exchange.payload);
  }

  /** The exchange was aborted: the response cannot be finished, so the connection goes with it. */
  abort(exchange: Exchange, reason: Error): void {
    if (this.#exchange === exchange) this.destroy(reason);
  }

  resume(): void {
    if (this.#paused && !this.#dead) {
      this.#paused = false;
      this.socket.resume();
    }
  }

  destroy(error: Error): void {
    if (this.#dead) return;
    this.#dead = true;
    this.#fail(error);
    this.socket.destroy();
    this.#pool.forget(this);
  }

  #fail(error: Error): void {
    const exchange = this.#exchange;
    if (exchange === undefined) return;
    this.#exchange = undefined;
    exchange.signal.removeEventListener("abort", exchange);
    if (this.#body !== undefined) this.#body.fail(error);
    else exchange.reject(error);
    this.#body = undefined;
  }

  #onClose(): void {
    if (this.#state === UNTIL_CLOSE && this.#exchange !== undefined) {
      this.#reusable = false;
      this.#finish();
    }
    this.destroy(connectionError("upstream closed the connection before the response ended"));
  }

  #onData(chunk: Buffer): void {
    if (this.#exchange === undefined) {
      this.destroy(connectionError("upstream sent data with no request outstanding"));
      return;
    }
    let buf = chunk;
    if (this.#pending !== undefined) {
      buf = Buffer.concat([this.#pending, chunk]);
      this.#pending = undefined;
    }
    let i = 0;
    const n = buf.length;
    while (i < n && this.#exchange !== undefined) {
      switch (this.#state) {
        case HEAD: {
          const end = buf.indexOf(HEAD_END, i);
          if ((end === -1 ? n : end) - i > this.#pool.maxHeaderBytes)
            return this.destroy(connectionError("upstream response head too large", "HPE_HEADER_OVERFLOW"));
          if (end === -1) {
            this.#pending = buf.subarray(i);
            return;
          }
          const head = buf.toString("latin1", i, end);
          i = end + 4;
          if (!this.#onHead(head)) return;
          break;
        }
        case LENGTH:
        case CHUNK_DATA: {
          const take = Math.min(this.#remaining, n - i);
          this.#body?.push(buf.subarray(i, i + take));
          i += take;
          this.#remaining -= take;
          if (this.#remaining === 0) {
            if (this.#state === LENGTH) this.#finish();
            else this.#state = CHUNK_END;
          }
          break;
        }
        case UNTIL_CLOSE:
          this.#body?.push(buf.subarray(i));
          i = n;
          break;
        case CHUNK_SIZE:
        case TRAILERS: {
          const eol = buf.indexOf(CRLF, i);
          if (eol === -1) {
            if (n - i > this.#pool.maxHeaderBytes) return this.destroy(connectionError("upstream chunk header too large", "HPE_INVALID_CHUNK_SIZE"));
            this.#pending = buf.subarray(i);
            return;
          }
          const line = buf.toString("latin1", i, eol);
          i = eol + 2;
          if (this.#state === TRAILERS) {
            if (line === "") this.#finish();
            break;
          }
          const semi = line.indexOf(";");
          const hex = (semi === -1 ? line : line.slice(0, semi)).trim();
          const size = /^[0-9a-fA-F]{1,12}$/.test(hex) ? Number.parseInt(hex, 16) : Number.NaN;
          if (Number.isNaN(size)) return this.destroy(connectionError(`upstream sent an invalid chunk size "${hex.slice(0, 20)}"`, "HPE_INVALID_CHUNK_SIZE"));
          if (size === 0) this.#state = TRAILERS;
          else {
            this.#remaining = size;
            this.#state = CHUNK_DATA;
          }
          break;
        }
        case CHUNK_END: {
          if (n - i < 2) {
            this.#pending = buf.subarray(i);
            return;
          }
          if (buf[i] !== 13 || buf[i + 1] !== 10) return this.destroy(connectionError("upstream chunk not terminated by CRLF", "HPE_INVALID_CHUNK_SIZE"));
          i += 2;
          this.#state = CHUNK_SIZE;
          break;
        }
        default:
          return this.destroy(connectionError("upstream sent data after the response ended"));
      }
    }
    if (i < n) {
      // Bytes after a complete response: nothing was asked for them (no pipelining), so the socket is out of step.
      this.#reusable = false;
      this.#release();
      return;
    }
    if (this.#exchange === undefined) this.#release();
    else if (this.#body?.backedUp === true && !this.#paused) {
      this.#paused = true;
      this.socket.pause();
    }
  }

  /** Parse a response head; false when the connection was dropped. */
  #onHead(head: string): boolean {
    // Hand-rolled scanning (no split, no regex per line): this runs once per upstream call.
    let eol = head.indexOf("\r\n");
    if (eol === -1) eol = head.length;
    const minor = head.charCodeAt(7);
    const d0 = head.charCodeAt(9) - 48;
    const d1 = head.charCodeAt(10) - 48;
    const d2 = head.charCodeAt(11) - 48;
    if (
      !head.startsWith("HTTP/1.") ||
      (minor !== 48 && minor !== 49) ||
      head.charCodeAt(8) !== 32 ||
      !(d0 >= 1 && d0 <= 5 && d1 >= 0 && d1 <= 9 && d2 >= 0 && d2 <= 9) ||
      (eol > 12 && head.charCodeAt(12) !== 32)
    ) {
      this.destroy(
        connectionError(`upstream sent an invalid status line "${head.slice(0, Math.min(eol, 40)).replace(/[^\x20-\x7e]/g, "?")}"`, "HPE_INVALID_CONSTANT"),
      );
      return false;
    }
    const status = d0 * 100 + d1 * 10 + d2;
    if (status < 200) return true; // interim (100 Continue, 103 Early Hints): the real head follows
    // Only the framing headers are read here; the rest only if a caller asks (Http1Response.headers).
    let connection: string | undefined;
    let keepAliveHeader: string | undefined;
    let encoding: string | undefined;
    let length: string | undefined;
    let pos = eol + 2;
    while (pos < head.length) {
      let end = head.indexOf("\r\n", pos);
      if (end === -1) end = head.length;
      const size = head.indexOf(":", pos) - pos;
      const which =
        size === 10
          ? nameIs(head, pos, "connection")
            ? 1
            : nameIs(head, pos, "keep-alive")
              ? 2
              : 0
          : size === 17
            ? nameIs(head, pos, "transfer-encoding")
              ? 3
              : 0
            : size === 14
              ? nameIs(head, pos, "content-length")
                ? 4
                : 0
              : 0;
      if (which !== 0 && pos + size < end) {
        const value = headerValue(head, pos + size + 1, end);
        // Repeated: joined with ", " as node:http and headersOf do (a repeated Content-Length is then invalid).
        if (which === 1) connection = connection === undefined ? value : `${connection}, ${value}`;
        else if (which === 2) keepAliveHeader = keepAliveHeader === undefined ? value : `${keepAliveHeader}, ${value}`;
        else if (which === 3) encoding = encoding === undefined ? value : `${encoding}, ${value}`;
        else length = length === undefined ? value : `${length}, ${value}`;
      }
      pos = end + 2;
    }
    const http11 = minor === 49;
    if (connection === undefined) this.#reusable = http11;
    else {
      const lower = connection.toLowerCase();
      this.#reusable = http11 ? !lower.includes("close") : lower.includes("keep-alive");
    }
    if (keepAliveHeader !== undefined) {
      const ms = keepAliveMs(keepAliveHeader);
      if (ms !== undefined) this.#keepAliveMs = ms;
    }
    if (status === 204 || status === 304) this.#remaining = 0;
    else if (encoding !== undefined) {
      if (/(?:^|,)\s*chunked\s*$/i.test(encoding)) this.#state = CHUNK_SIZE;
      else {
        this.#state = UNTIL_CLOSE;
        this.#reusable = false;
      }
    } else if (length !== undefined) {
      if (!/^\d{1,15}$/.test(length)) {
        this.destroy(connectionError(`upstream sent an invalid Content-Length "${length.slice(0, 20)}"`, "HPE_INVALID_CONTENT_LENGTH"));
        return false;
      }
      this.#remaining = Number(length);
      this.#state = LENGTH;
    } else {
      this.#state = UNTIL_CLOSE;
      this.#reusable = false;
    }
    const body = new Body(this, this.#pool.maxResponseBytes);
    this.#body = body;
    const exchange = this.#exchange as Exchange;
    exchange.resolve(new Http1Response(status, body, head, eol + 2));
    if ((this.#state === LENGTH && this.#remaining === 0) || status === 204 || status === 304) this.#finish();
    return true;
  }

  /** The response is complete: the exchange lets go of the connection (handed back in #release). */
  #finish(): void {
    const exchange = this.#exchange;
    if (exchange === undefined) return;
    exchange.signal.removeEventListener("abort", exchange);
    this.#exchange = undefined;
    this.#state = IDLE;
    this.#body?.end();
    this.#body = undefined;
  }

  #release(): void {
    if (this.#dead) return;
    if (!this.#reusable) {
      this.#dead = true;
      this.socket.destroy();
      this.#pool.forget(this);
      return;
    }
    if (this.#paused) {
      this.#paused = false;
      this.socket.resume();
    }
    const idleMs = this.#keepAliveMs === undefined ? this.#pool.idleMs : Math.min(this.#pool.idleMs, this.#keepAliveMs - 1000);
    this.expiresAt = Date.now() + idleMs;
    this.socket.unref();
    this.#pool.release(this);
  }
}

/** How often a pool with idle connections closes those past their idle time. */
const SWEEP_MS = 1_000;

/**
 * The connections to one origin: idle ones (reused newest first), busy ones, and requests waiting.
 * Idle connections past their idle time are closed by a sweep (an unref'd timer, only while some are
 * idle): after a burst of long streams the router does not keep thousands of sockets and fds open.
 */
class OriginPool {
  readonly #idle: Connection[] = [];
  readonly #waiting: Exchange[] = [];
  readonly #all = new Set<Connection>();
  #sweeper: ReturnType<typeof setInterval> | undefined;

  constructor(
    readonly hostname: string,
    readonly port: number,
    readonly secure: boolean,
    readonly maxSockets: number,
    readonly idleMs: number,
    readonly maxHeaderBytes: number,
    readonly ca: Http1TransportOptions["ca"],
    readonly maxResponseBytes: number,
  ) {}

  dispatch(exchange: Exchange): void {
    const now = Date.now();
    for (;;) {
      const conn = this.#idle.pop();
      if (conn === undefined) break;
      // A socket the server already half-closed (its FIN processed) is not writable: skip it rather than fail the call.
      if (conn.expiresAt > now && conn.socket.writable && !conn.socket.readableEnded) return conn.start(exchange);
      conn.destroy(connectionError("idle connection expired"));
    }
    if (this.#all.size < this.maxSockets) {
      const conn = new Connection(this);
      this.#all.add(conn);
      conn.start(exchange);
      return;
    }
    this.#waiting.push(exchange);
  }

  /** A waiting exchange was aborted before it got a connection. */
  withdraw(exchange: Exchange): boolean {
    const at = this.#waiting.indexOf(exchange);
    if (at === -1) return false;
    this.#waiting.splice(at, 1);
    return true;
  }

  release(conn: Connection): void {
    const next = this.#waiting.shift();
    if (next !== undefined) return conn.start(next);
    this.#idle.push(conn);
    if (this.#sweeper === undefined) {
      this.#sweeper = setInterval(() => this.#sweep(), SWEEP_MS);
      this.#sweeper.unref();
    }
  }

  /** Close the idle connections past their idle time; stop sweeping once none is idle. */
  #sweep(): void {
    const now = Date.now();
    const idle = this.#idle;
    let kept = 0;
    const expired: Connection[] = [];
    for (const conn of idle) {
      if (conn.expiresAt > now) idle[kept++] = conn;
      else expired.push(conn);
    }
    idle.length = kept;
    for (const conn of expired) conn.destroy(connectionError("idle connection expired"));
    if (idle.length === 0) this.#stopSweeping();
  }

  #stopSweeping(): void {
    if (this.#sweeper !== undefined) clearInterval(this.#sweeper);
    this.#sweeper = undefined;
  }

  forget(conn: Connection): void {
    const at = this.#idle.indexOf(conn);
    if (at !== -1) this.#idle.splice(at, 1);
    if (!this.#all.delete(conn)) return;
    // A slot freed up: a waiting request gets a fresh connection.
    const next = this.#waiting.shift();
    if (next !== undefined) this.dispatch(next);
  }

  close(): void {
    this.#stopSweeping();
    for (const exchange of this.#waiting.splice(0)) {
      exchange.signal.removeEventListener("abort", exchange);
      exchange.reject(connectionError("transport closed"));
    }
    this.#idle.length = 0;
    for (const conn of [...this.#all]) conn.destroy(connectionError("transport closed"));
  }
}

/**
 * Keep-alive HTTP/1.1 connections per origin (http: and https:), one request at a time per connection.
 * The router's default transport, in router.mjs and from source.
 *
 * @example
 * const transport = http1Transport();
 * const res = await transport.post({ url: new URL("http://127.0.0.1:8000/v1/chat/completions"), headers, body, signal });
 * const text = await res.text();
 * await transport.close();
 */
export function http1Transport(options: Http1TransportOptions = {}): Transport {
  const maxSockets = options.maxSockets ?? 10_000;
  const idleMs = options.idleMs ?? 4_000;
  const maxHeaderBytes = options.maxHeaderBytes ?? 64 * 1024;
  const limits: UpstreamLimits = {
    maxResponseBytes: options.maxResponseBytes ?? DEFAULT_MAX_UPSTREAM_BYTES,
    maxSseLineBytes: options.maxSseLineBytes ?? DEFAULT_MAX_SSE_LINE_BYTES,
  };
  const pools = new Map<string, OriginPool>();
  let closed = false;

  const poolFor = (url: URL, target: Target): OriginPool => {
    let pool = pools.get(target.origin);
    if (pool === undefined) {
      const secure = target.protocol === "https:";
      pool = new OriginPool(
        url.hostname,
        Number(url.port || (secure ? 443 : 80)),
        secure,
        maxSockets,
        idleMs,
        maxHeaderBytes,
        options.ca,
        limits.maxResponseBytes,
      );
      pools.set(target.origin, pool);
    }
    return pool;
  };

  return {
    limits,
    post(request: TransportRequest): Promise<TransportResponse> {
      const { url, signal } = request;
      if (closed) return Promise.reject(connectionError("transport closed"));
      if (signal.aborted) return Promise.reject(signal.reason instanceof Error ? signal.reason : connectionError("aborted", "ABORT_ERR"));
      const target = targetOf(url);
      if (target.protocol !== "http:" && target.protocol !== "https:")
        return Promise.reject(connectionError(`unsupported protocol ${target.protocol}`, "ERR_INVALID_PROTOCOL"));
      let block: string;
      try {
        block = headerBlock(request.headers);
      } catch (error) {
        return Promise.reject(error as Error);
      }
      const pool = poolFor(url, target);
      const payload = `${target.head}${block}content-length: ${Buffer.byteLength(request.body)}\r\n\r\n${request.body}`;
      return new Promise<TransportResponse>((resolve, reject) => {
        const exchange = new Exchange(payload, signal, pool, resolve, reject);
        signal.addEventListener("abort", exchange, ONCE);
        pool.dispatch(exchange);
      });
    },
    async close(): Promise<void> {
      closed = true;
      for (const pool of pools.values()) pool.close();
      pools.clear();
    },
  };
}

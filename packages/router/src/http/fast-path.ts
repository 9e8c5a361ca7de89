/**
 * @module The chat endpoint's lean HTTP/1.1 path in front of node:http. A connection's requests are
 * read here while each is a plain `POST /v1/chat/completions` (HTTP/1.1, a Host, a Content-Length body
 * within the limit, no Transfer-Encoding, Expect, Upgrade or repeated field); at the first request that
 * is anything else (or whose key or body size the router refuses on its head, before the body is
 * kept), the connection is handed to node:http from that request's first byte, and stays there. node:http's own request and response objects cost ~10 µs per request on the bench machine,
 * as much as the router's routing, governance and tracing together.
 */
import { type IncomingHttpHeaders, type OutgoingHttpHeader, type OutgoingHttpHeaders, STATUS_CODES, type Server } from "node:http";
import type { Socket } from "node:net";
import type { RouterError } from "../errors.ts";

/** node:http's default limit on a request head; a longer one goes to node:http, which answers 431. */
const MAX_HEAD_BYTES = 16 * 1024;
/** How long a connection may sit idle between requests (node:http's keepAliveTimeout is set to the same). */
export const KEEP_ALIVE_MS = 65_000;
/** node:http's headersTimeout as the router sets it: a head still incomplete after this long drops the connection. */
const HEAD_TIMEOUT_MS = 60_000;
const HEAD_END = Buffer.from("\r\n\r\n");
/** What an incomplete head must start with to stay here; anything else goes to node:http at once (which may answer 400 at once). */
const CHAT_LINE = "POST /v1/chat/completions";
/** In an incomplete head: a control character, a bare LF, or a CR before anything but LF. */
const BAD_PARTIAL = /[^\t\r\n\x20-\x7e\x80-\xff]|(?:^|[^\r])\n|\r(?!\n|$)/;
const REQUEST_LINE = /^POST (\/v1\/chat\/completions(?:\?[!-~]*)?) HTTP\/1\.1$/;
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const BAD_VALUE = /[^\t\x20-\x7e\x80-\xff]/;
const DIGITS = /^\d{1,15}$/;
/** A body up to this size is copied next to its head and written with it; a larger one is written beside it. */
const SMALL_BODY_BYTES = 16 * 1024;

/** A chat request read by the fast path: the whole body is in. */
export class FastRequest {
  constructor(
    readonly url: string,
    readonly headers: IncomingHttpHeaders,
    readonly body: Buffer,
  ) {}
  /** The body is already read: nothing to drain. */
  resume(): void {}
}

/** What parseRequest makes of the bytes at the start of a connection's buffer. */
export type ParsedRequest =
  | { kind: "need"; bytes: number }
  /** The head is in, the body is not: `bytes` in all. */
  | { kind: "body"; bytes: number; headers: IncomingHttpHeaders }
  | { kind: "handoff" }
  | { kind: "request"; request: FastRequest; used: number; close: boolean };

const NEED_HEAD: ParsedRequest = { kind: "need", bytes: 0 };
const HANDOFF: ParsedRequest = { kind: "handoff" };

/**
 * Read one request from the start of `buf`. Strict by design: whatever is not the plain case is
 * `handoff` (node:http then parses it, answers it or rejects it), never a lenient guess.
 */
export function parseRequest(buf: Buffer, maxBodyBytes: number): ParsedRequest {
  const end = buf.indexOf(HEAD_END);
  if (end === -1 || end > MAX_HEAD_BYTES) return buf.length > MAX_HEAD_BYTES || !plausibleHead(buf) ? HANDOFF : NEED_HEAD;
  const head = buf.toString("latin1", 0, end);
  let eol = head.indexOf("\r\n");
  if (eol === -1) eol = head.length;
  const start = REQUEST_LINE.exec(head.slice(0, eol));
  if (start === null) return HANDOFF;
  // A plain object (fast properties); `constructor` or `__proto__` as a field name reads as repeated below: handed off.
  const headers: Record<string, string> = {};
  let length = 0;
  let close = false;
  for (let at = eol + 2; at < head.length; at = eol + 2) {
    eol = head.indexOf("\r\n", at);
    if (eol === -1) eol = head.length;
    const colon = head.indexOf(":", at);
    if (colon === -1 || colon > eol) return HANDOFF;
    // A token (so no space, no control character, not empty) and a value without control characters (a bare CR or LF included).
    const rawName = head.slice(at, colon);
    if (!TOKEN.test(rawName)) return HANDOFF;
    let from = colon + 1;
    let to = eol;
    while (from < to && (head.charCodeAt(from) === 32 || head.charCodeAt(from) === 9)) from++;
    while (to > from && (head.charCodeAt(to - 1) === 32 || head.charCodeAt(to - 1) === 9)) to--;
    const value = head.slice(from, to);
    if (BAD_VALUE.test(value)) return HANDOFF;
    const name = rawName.toLowerCase();
    // node:http refuses `Content-Length: 62\t` and reads `Connection: close\t` as not `close`: a tab in either goes to node:http.
    if ((name === "content-length" || name === "connection") && head.slice(colon + 1, eol).includes("\t")) return HANDOFF;
    // node:http joins or drops repeated fields by rules of its own.
    if (headers[name] !== undefined) return HANDOFF;
    if (name === "content-length") {
      if (!DIGITS.test(value)) return HANDOFF;
      length = Number(value);
      // node:http's path answers body_too_large (and drains what follows).
      if (length > maxBodyBytes) return HANDOFF;
    } else if (name === "transfer-encoding" || name === "expect" || name === "upgrade") return HANDOFF;
    else if (name === "connection") {
      const option = value.toLowerCase();
      if (option === "close") close = true;
      else if (option !== "keep-alive") return HANDOFF;
    }
    headers[name] = value;
  }
  if (headers.host === undefined) return HANDOFF;
  const used = end + 4 + length;
  if (buf.length < used) return { kind: "body", bytes: used, headers };
  return { kind: "request", request: new FastRequest(start[1] as string, headers, buf.subarray(end + 4, used)), used, close };
}

/**
 * Whether an incomplete head may still become a plain chat request. Whatever node:http refuses as soon as
 * it sees it (another request line, a bare LF or CR, a control character) goes to node:http at once, so
 * both paths answer alike and at once rather than the fast path waiting for a `\r\n\r\n` that never comes.
 */
function plausibleHead(buf: Buffer): boolean {
  const text = buf.toString("latin1");
  return (text.startsWith(CHAT_LINE) || CHAT_LINE.startsWith(text)) && !BAD_PARTIAL.test(text);
}

let dateSecond = -1;
let dateText = "";
/** The Date header's value, formatted once per second. */
function httpDate(): string {
  const now = Date.now();
  const second = Math.floor(now / 1000);
  if (second !== dateSecond) {
    dateSecond = second;
    dateText = new Date(now).toUTCString();
  }
  return dateText;
}

type HeaderValue = string | number | readonly string[];

/** The part of node:http's ServerResponse the chat endpoint uses; FastResponse and ServerResponse both have it. */
export interface ResponseLike {
  statusCode: number;
  readonly headersSent: boolean;
  readonly writableEnded: boolean;
  readonly writableFinished: boolean;
  readonly destroyed: boolean;
  setHeader(name: string, value: HeaderValue): this;
  hasHeader(name: string): boolean;
  writeHead(status: number, headers?: OutgoingHttpHeaders | OutgoingHttpHeader[]): this;
  write(chunk: string): boolean;
  end(chunk?: string | Uint8Array): this;
  destroy(): void;
  on(event: "close" | "drain", listener: () => void): this;
  off(event: "close" | "drain", listener: () => void): this;
}

/** Field names already checked: the router sends the same few on every response. */
const checkedNames = new Set<string>();

/** One header line, validated as node:http validates (a token name, no control characters in the value). */
function fieldLine(name: string, value: HeaderValue): string {
  if (!checkedNames.has(name)) {
    if (!TOKEN.test(name)) throw new TypeError(`invalid header name "${name}"`);
    if (checkedNames.size < 256) checkedNames.add(name);
  }
  if (typeof value === "object") {
    let lines = "";
    for (const one of value) lines += fieldLine(name, one);
    return lines;
  }
  const text = String(value);
  if (BAD_VALUE.test(text)) throw new TypeError(`invalid character in header "${name}"`);
  return `${name}: ${text}\r\n`;
}

/** A response on a fast-path connection: HTTP/1.1, Content-Length or chunked, keep-alive unless closing. */
export class FastResponse implements ResponseLike {
  statusCode = 200;
  headersSent = false;
  writableEnded = false;
  writableFinished = false;
  destroyed = false;
  /** Close the connection after this response (the client or a `connection: close` header asked). */
  closeAfter: boolean;
  /** The head, until the first write takes it along. */
  #head = "";
  #chunked = false;
  #stored: Record<string, [string, HeaderValue]> | undefined;
  #onClose: (() => void)[] = [];
  #closed = false;

  constructor(
    private readonly connection: FastConnection,
    closeAfter: boolean,
  ) {
    this.closeAfter = closeAfter;
  }

  setHeader(name: string, value: HeaderValue): this {
    if (this.headersSent) throw new Error("headers already sent");
    (this.#stored ??= Object.create(null) as Record<string, [string, HeaderValue]>)[name.toLowerCase()] = [name, value];
    return this;
  }

  hasHeader(name: string): boolean {
    return this.#stored?.[name.toLowerCase()] !== undefined;
  }

  writeHead(status: number, headers?: OutgoingHttpHeaders | OutgoingHttpHeader[]): this {
    if (this.headersSent) throw new Error("headers already sent");
    // A flat [name, value, …] list; an object or headers set before are turned into one.
    let list = Array.isArray(headers) ? headers : [];
    if (headers !== undefined && !Array.isArray(headers)) for (const name in headers) list.push(name, headers[name] as OutgoingHttpHeader);
    if (this.#stored !== undefined) {
      // As in node:http, a field given to writeHead replaces one set before.
      for (let i = 0; i < list.length; i += 2) this.setHeader(String(list[i]), list[i + 1] as HeaderValue);
      list = Object.values(this.#stored).flat() as OutgoingHttpHeader[];
    }
    let fields = "";
    let length = false;
    for (let i = 0; i < list.length; i += 2) {
      const name = String(list[i]);
      const value = list[i + 1];
      if (value === undefined) continue;
      // Only these two names matter here; the length test spares a lower-casing per field.
      if (name.length === 14 && name.toLowerCase() === "content-length") length = true;
      else if (name.length === 10 && name.toLowerCase() === "connection" && String(value).toLowerCase() === "close") this.closeAfter = true;
      try {
        fields += fieldLine(name, value);
      } catch (error) {
        // A refused field leaves the response blank, as node:http's setHeader refuses before storing: a 500 can still go out.
        this.#stored = undefined;
        throw error;
      }
    }
    this.statusCode = status;
    this.#chunked = !length;
    this.#head = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? "Unknown"}\r\n${fields}date: ${httpDate()}\r\n${this.closeAfter ? "connection: close\r\n" : `connection: keep-alive\r\nkeep-alive: timeout=${KEEP_ALIVE_MS / 1000}\r\n`}${length ? "" : "transfer-encoding: chunked\r\n"}\r\n`;
    this.headersSent = true;
    return this;
  }

  write(chunk: string): boolean {
    if (this.writableEnded || this.destroyed) return false;
    if (!this.headersSent) this.writeHead(this.statusCode);
    if (chunk === "") return true;
    const out = `${this.#head}${this.#chunked ? `${Buffer.byteLength(chunk).toString(16)}\r\n${chunk}\r\n` : chunk}`;
    this.#head = "";
    return this.connection.socket.write(out);
  }

  end(chunk?: string | Uint8Array): this {
    if (this.writableEnded) return this;
    this.writableEnded = true;
    const size = chunk === undefined ? 0 : typeof chunk === "string" ? Buffer.byteLength(chunk) : chunk.length;
    if (!this.headersSent) {
      // As node:http does when the whole body is given to end().
      if (!this.hasHeader("content-length")) this.setHeader("content-length", size);
      this.writeHead(this.statusCode);
    }
    const socket = this.connection.socket;
    const framing = this.#chunked && size > 0 ? `${size.toString(16)}\r\n` : "";
    const trailer = this.#chunked ? (size > 0 ? "\r\n0\r\n\r\n" : "0\r\n\r\n") : "";
    const head = this.#head;
    this.#head = "";
    if (chunk === undefined || typeof chunk === "string") {
      socket.write(`${head}${framing}${chunk ?? ""}${trailer}`, this.connection.flushed);
    } else if (size <= SMALL_BODY_BYTES) {
      // One buffer (from Node's pool) and one write: a corked pair costs a writev and its bookkeeping, more than copying a small body.
      const prefix = `${head}${framing}`;
      const out = Buffer.allocUnsafe(prefix.length + size + trailer.length);
      out.write(prefix, 0, "latin1");
      out.set(chunk, prefix.length);
      out.write(trailer, prefix.length + size, "latin1");
      socket.write(out, this.connection.flushed);
    } else {
      socket.cork();
      if (head !== "" || framing !== "") socket.write(`${head}${framing}`, "latin1");
      socket.write(chunk, trailer === "" ? this.connection.flushed : undefined);
      if (trailer !== "") socket.write(trailer, "latin1", this.connection.flushed);
      socket.uncork();
    }
    return this;
  }

  destroy(): void {
    this.connection.socket.destroy();
  }

  /** `drain` is the socket's (one response at a time has it); `close` is this response's. */
  on(event: "close" | "drain", listener: () => void): this {
    if (event === "close") this.#onClose.push(listener);
    else this.connection.socket.on(event, listener);
    return this;
  }

  off(event: "close" | "drain", listener: () => void): this {
    if (event === "close") this.#onClose = this.#onClose.filter((one) => one !== listener);
    else this.connection.socket.off(event, listener);
    return this;
  }

  /** @internal The response is over: written out (`finished`) or its connection gone. */
  closed(finished: boolean): void {
    if (this.#closed) return;
    this.#closed = true;
    this.writableFinished = finished;
    if (!finished) this.destroyed = true;
    for (const listener of this.#onClose) listener();
  }
}

export interface FastPathOptions {
  /** The active release's body limit (a larger Content-Length goes to node:http, which refuses it). */
  maxBodyBytes(): number;
  /** Serve one chat request (the same handler node:http's requests get). */
  serve(req: FastRequest, res: FastResponse): void;
  /** New requests are answered with `connection: close` (the router is draining). */
  draining(): boolean;
  /**
   * A request whose head is in and whose body (`bytes` in all) is not: true reserves those bytes (given
   * back through `unreserve`) and the body is read here; false (a bad key, too many bodies held) hands
   * the connection to node:http before one more byte is kept, which answers as it answers any such request.
   */
  admit(headers: IncomingHttpHeaders, bytes: number): boolean;
  unreserve(bytes: number): void;
  /** The whole request (head and body) must arrive within this many ms: 408, or dropped. */
  requestTimeoutMs: number;
  /** The same error node:http's path answers when a request is too slow (written raw, the connection closes). */
  timedOut(): RouterError;
}

export interface FastPath {
  /** Drop the fast-path connections that have no request in flight. */
  closeIdle(): void;
  /** Drop every fast-path connection. */
  closeAll(): void;
}

/** A complete answer written straight to a socket, for a connection that closes after it (no request object to answer on). */
export function rawAnswer(error: RouterError): string {
  const body = error.toJson();
  return `HTTP/1.1 ${error.status} ${STATUS_CODES[error.status] ?? "Error"}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`;
}

/** One client connection while the fast path reads it. */
class FastConnection {
  /** Bytes received and not yet read, joined only when a parse needs them (a large body arrives in many). */
  #chunks: Buffer[] = [];
  #size = 0;
  /** Bytes the next request needs before parsing again (its head is in, its body is not). */
  #need = 0;
  /** When the unread request's first bytes were first parsed (0: no request under way), for the request timeout. */
  #headSince = 0;
  /** Body bytes reserved by `admit` for the request being read. */
  #reserved = 0;
  /** The connection closes after its answer: what else arrives is dropped, never kept. */
  #discard = false;
  response: FastResponse | undefined;

  constructor(
    readonly socket: Socket,
    private readonly options: FastPathOptions,
    private readonly all: Set<FastConnection>,
    private readonly handOver: (socket: Socket) => void,
  ) {
    all.add(this);
    for (const [event, listener] of this.#listeners) socket.on(event, listener);
    socket.setTimeout(KEEP_ALIVE_MS);
  }

  #onData = (chunk: Buffer): void => {
    if (this.#discard) return;
    this.#chunks.push(chunk);
    this.#size += chunk.length;
    if (this.response !== undefined) {
      // Pipelined requests wait for the response in flight; a flood waits in the kernel.
      if (this.#size > MAX_HEAD_BYTES + this.options.maxBodyBytes()) this.socket.pause();
      return;
    }
    if (this.#size >= this.#need) this.#next();
    // A body still arriving (a byte now and then resets the idle timer): its request timeout is checked on each piece.
    else if (Date.now() - this.#headSince > this.options.requestTimeoutMs) this.#timedOut();
  };

  readonly #listeners: [string, (chunk: Buffer) => void][] = [
    ["data", this.#onData],
    // As node:http does (without allowHalfOpen): the client's end aborts a request in flight and closes the connection.
    ["end", () => this.socket.end()],
    [
      "close",
      () => {
        this.all.delete(this);
        this.#unreserve();
        const response = this.response;
        this.response = undefined;
        response?.closed(false);
      },
    ],
    // Idle past the keep-alive timeout, or past the request timeout while a request arrives (a request in flight may take as long as it takes).
    ["timeout", () => this.response === undefined && (this.#headSince === 0 ? this.socket.destroy() : this.#timedOut())],
    ["error", () => this.socket.destroy()],
  ];

  /** Called when a response's last byte is written: the next request may start. */
  flushed = (error?: Error | null): void => {
    const response = this.response;
    if (error != null || response === undefined) return;
    this.response = undefined;
    response.closed(true);
    // A drain that began while this response ran closes its connection too, rather than at the drain's end.
    if (response.closeAfter || this.options.draining()) this.socket.end(() => this.socket.destroy());
    else this.#next();
  };

  /** The request being read is past the request timeout: 408 (nothing of it was answered yet), and the connection closes. */
  #timedOut(): void {
    this.#drop();
    this.socket.end(rawAnswer(this.options.timedOut()), () => this.socket.destroy());
  }

  #next(): void {
    if (this.socket.isPaused()) this.socket.resume();
    if (this.#size === 0) return;
    const chunks = this.#chunks;
    const pending = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, this.#size);
    if (chunks.length !== 1) chunks.splice(0, chunks.length, pending);
    const parsed = parseRequest(pending, this.options.maxBodyBytes());
    if (parsed.kind === "handoff") return this.#handOff();
    if (parsed.kind !== "request") {
      this.#need = parsed.bytes;
      const timeout = this.options.requestTimeoutMs;
      if (this.#headSince === 0) {
        // While a request arrives, the idle timer is its timeout (data that trickles in is checked here).
        this.#headSince = Date.now();
        this.socket.setTimeout(timeout);
      } else if (Date.now() - this.#headSince > (parsed.bytes === 0 ? Math.min(HEAD_TIMEOUT_MS, timeout) : timeout)) return this.#timedOut();
      if (parsed.kind === "body" && this.#reserved === 0) {
        // The key and the memory are checked on the head, before the body is kept.
        if (!this.options.admit(parsed.headers, parsed.bytes)) return this.#handOff();
        this.#reserved = parsed.bytes;
      }
      return;
    }
    this.#size -= parsed.used;
    if (this.#size === 0) chunks.length = 0;
    else chunks[0] = pending.subarray(parsed.used);
    this.#need = 0;
    if (this.#headSince !== 0) {
      this.#headSince = 0;
      this.socket.setTimeout(KEEP_ALIVE_MS);
    }
    this.#unreserve();
    const response = new FastResponse(this, parsed.close || this.options.draining());
    this.response = response;
    this.options.serve(parsed.request, response);
  }

  /** Forget what was received and drop what arrives from now on (the connection is closing). */
  #drop(): void {
    this.#discard = true;
    this.#chunks.length = 0;
    this.#size = 0;
    this.#need = 0;
    this.#headSince = 0;
    this.#unreserve();
  }

  #unreserve(): void {
    if (this.#reserved === 0) return;
    this.options.unreserve(this.#reserved);
    this.#reserved = 0;
  }

  /** From this request on, node:http reads the connection: it gets the unread bytes first. */
  #handOff(): void {
    const socket = this.socket;
    this.all.delete(this);
    this.#unreserve();
    for (const [event, listener] of this.#listeners) socket.off(event, listener);
    socket.setTimeout(0);
    if (this.#size > 0) socket.unshift(Buffer.concat(this.#chunks, this.#size));
    this.#chunks.length = 0;
    this.#size = 0;
    this.handOver(socket);
  }
}

/**
 * Put the fast path in front of `server`'s own connection handling. Returns undefined (node:http
 * serves everything, as before) when the server's connection listener is not the one node:http installs.
 */
export function installFastPath(server: Server, options: FastPathOptions): FastPath | undefined {
  const listeners = server.listeners("connection");
  if (listeners.length !== 1) return undefined;
  const nodeListener = listeners[0] as (socket: Socket) => void;
  server.removeListener("connection", nodeListener);
  const all = new Set<FastConnection>();
  const handOver = (socket: Socket): void => nodeListener.call(server, socket);
  server.on("connection", (socket: Socket) => new FastConnection(socket, options, all, handOver));
  return {
    closeIdle() {
      for (const connection of all) if (connection.response === undefined) connection.socket.destroy();
    },
    closeAll() {
      for (const connection of all) connection.socket.destroy();
    },
  };
}

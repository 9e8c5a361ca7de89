/**
 * @module A lean connection for the router's scripts: RESP2 written and read by hand, nothing else.
 *
 * Every governed request waits for one script on its hot path (ADMIT). Through ioredis that call costs
 * ≈ 35–100 µs more latency and ≈ 10–25 µs more CPU than the same bytes on a bare socket on the bench machine
 * (its Command object, argument flattening, a timer per command, its reply parser, the promise plumbing;
 * BENCHMARKS.md, State on Redis). This connection sends EVALSHA/EVAL and reads their replies, and does
 * what ioredis did for them: TLS for rediss://, AUTH (user and password, or password), SELECT of the
 * URL's database, a timeout on every command, reconnection with backoff. Everything else (pub/sub,
 * plain commands, the health probe) stays on ioredis, and RedisBackend falls back to ioredis for a
 * script while this connection is not ready. test/state-redis/lean.test.ts holds it to ioredis's
 * replies and failures on Redis and Valkey.
 */
import { type Socket, connect as netConnect } from "node:net";
import { type ConnectionOptions, connect as tlsConnect } from "node:tls";

/** An error reply from Redis (`-ERR …`, `-NOSCRIPT …`): its message is the reply's text, as ioredis's ReplyError. */
export class RedisReplyError extends Error {
  override readonly name = "ReplyError";
}

/** A reply: integers as numbers, bulk and simple strings as strings, nil as null, arrays nested. */
export type Reply = number | string | null | Array<Reply | RedisReplyError>;

export interface LeanOptions {
  url: string;
  /** Extra TLS options for rediss:// (ioredis's `tls`). */
  tls?: ConnectionOptions;
  /** Each command fails after this long without its reply (the connection is then dropped and made again). */
  commandTimeoutMs: number;
  connectTimeoutMs: number;
}

interface Pending {
  resolve(reply: Reply): void;
  reject(error: Error): void;
  /** When the command was written (ms, the monotonic clock). */
  sentAt: number;
}

/** What the connection needs from the URL (checkRedisUrl has vetted it at start). */
interface Target {
  host: string;
  port: number;
  tls: boolean;
  /** AUTH's arguments: [password] or [user, password]; none without a password. */
  auth: string[];
  db: number;
}

function targetOf(url: string): Target {
  const u = new URL(url);
  const password = decodeURIComponent(u.password);
  const user = decodeURIComponent(u.username);
  const db = u.pathname.replace(/^\//, "");
  return {
    host: u.hostname.replace(/^\[(.*)\]$/, "$1"),
    port: u.port === "" ? 6379 : Number(u.port),
    tls: u.protocol === "rediss:",
    auth: password === "" ? [] : user === "" || user === "default" ? [password] : [user, password],
    db: db === "" ? 0 : Number(db),
  };
}

/** The lean connection's name in CLIENT LIST. */
export const LEAN_CLIENT_NAME = "switchyard:scripts";

/** A command's words: strings, and numbers (written as JavaScript prints them). */
export type Word = string | number;

const DOLLAR = 0x24;
const STAR = 0x2a;
const CR = 0x0d;
const LF = 0x0a;

/** Digits of a whole number ≥ 0 (a length or a count). */
function digitsOf(n: number): number {
  let d = 1;
  while (n >= 10) {
    n = Math.floor(n / 10);
    d++;
  }
  return d;
}

/** Write the whole number `n` ≥ 0 at `at` as ASCII digits (`width` of them); returns the offset after them. */
function writeDigits(buf: Buffer, at: number, n: number, width: number): number {
  for (let i = at + width - 1; i >= at; i--) {
    buf[i] = 0x30 + (n % 10);
    n = Math.floor(n / 10);
  }
  return at + width;
}

/** A word's text, or undefined for a whole number from 0 to 2^53 − 1 (written digit by digit, no string made). */
function textOf(word: Word): string | undefined {
  if (typeof word === "string") return word;
  return Number.isSafeInteger(word) && word >= 0 ? undefined : String(word);
}

/** Each word's text (undefined: digits) and byte length, reused call to call: encoding allocates only its Buffer. */
const scratchText: Array<string | undefined> = [];
const scratchBytes: number[] = [];

/**
 * One command in RESP2 (an array of bulk strings) from the words of several lists in turn, as one Buffer: the
 * script calls' hot path (EVALSHA, its sha, its KEYS, its ARGV) without joining the lists or building strings.
 */
export function encodeCommand(...parts: ReadonlyArray<ReadonlyArray<Word>>): Buffer {
  let count = 0;
  let size = 0;
  for (const part of parts) {
    for (const word of part) {
      const text = textOf(word);
      const bytes = text === undefined ? digitsOf(word as number) : Buffer.byteLength(text);
      scratchText[count] = text;
      scratchBytes[count] = bytes;
      size += 1 + digitsOf(bytes) + 2 + bytes + 2;
      count++;
    }
  }
  size += 1 + digitsOf(count) + 2;
  const buf = Buffer.allocUnsafe(size);
  buf[0] = STAR;
  let at = writeDigits(buf, 1, count, digitsOf(count));
  buf[at++] = CR;
  buf[at++] = LF;
  let i = 0;
  for (const part of parts) {
    for (const word of part) {
      const text = scratchText[i];
      const bytes = scratchBytes[i]!;
      buf[at++] = DOLLAR;
      at = writeDigits(buf, at, bytes, digitsOf(bytes));
      buf[at++] = CR;
      buf[at++] = LF;
      at = text === undefined ? writeDigits(buf, at, word as number, bytes) : at + buf.write(text, at, bytes, "utf8");
      buf[at++] = CR;
      buf[at++] = LF;
      scratchText[i] = undefined; // no string outlives the call here
      i++;
    }
  }
  return buf;
}

/** Returned by the parser when the buffer holds only part of a reply. */
const INCOMPLETE = Symbol("incomplete");

/**
 * Reads RESP2 replies from the chunks a socket delivers (a reply may span chunks; a chunk may hold several).
 * Bulk strings are read as UTF-8, as ioredis does for string replies.
 */
export class ReplyReader {
  #buffer: Buffer = Buffer.alloc(0);
  #at = 0;

  /** Append a chunk; returns every reply it completes, in order (an error reply as a RedisReplyError). */
  push(chunk: Buffer): Array<Reply | RedisReplyError> {
    this.#buffer = this.#at < this.#buffer.length ? Buffer.concat([this.#buffer.subarray(this.#at), chunk]) : chunk;
    this.#at = 0;
    const out: Array<Reply | RedisReplyError> = [];
    for (;;) {
      const start = this.#at;
      const reply = this.#read();
      if (reply === INCOMPLETE) {
        this.#at = start;
        break;
      }
      out.push(reply);
      if (this.#at >= this.#buffer.length) break;
    }
    return out;
  }

  /** The integer written from `from` to `end` (a length or an integer reply: ASCII digits, maybe a minus). */
  #integer(from: number, end: number): number {
    const buf = this.#buffer;
    const negative = buf[from] === 0x2d;
    let value = 0;
    for (let i = negative ? from + 1 : from; i < end; i++) value = value * 10 + (buf[i]! - 0x30);
    return negative ? -value : value;
  }

  #read(): Reply | RedisReplyError | typeof INCOMPLETE {
    const buf = this.#buffer;
    const start = this.#at;
    if (start >= buf.length) return INCOMPLETE;
    const type = buf[start]!;
    // A line ends with CRLF; a CR is never inside one (a bulk string's bytes are read by length, not here).
    const end = buf.indexOf(0x0d, start + 1);
    if (end < 0 || end + 1 >= buf.length) return INCOMPLETE;
    this.#at = end + 2;
    switch (type) {
      case 0x2b: // '+'
        return buf.toString("utf8", start + 1, end);
      case 0x2d: // '-'
        return new RedisReplyError(buf.toString("utf8", start + 1, end));
      case 0x3a: // ':'
        return this.#integer(start + 1, end);
      case 0x24: {
        // '$'
        const length = this.#integer(start + 1, end);
        if (length < 0) return null;
        if (this.#at + length + 2 > buf.length) return INCOMPLETE;
        const text = buf.toString("utf8", this.#at, this.#at + length);
        this.#at += length + 2;
        return text;
      }
      case 0x2a: {
        // '*'
        const count = this.#integer(start + 1, end);
        if (count < 0) return null;
        const items: Array<Reply | RedisReplyError> = [];
        for (let i = 0; i < count; i++) {
          const item = this.#read();
          if (item === INCOMPLETE) return INCOMPLETE;
          // An error inside an array (a script returning redis.error_reply in a table) stays an error object, as ioredis gives it.
          items.push(item);
        }
        return items;
      }
      default:
        throw new Error(`unexpected RESP type byte 0x${type.toString(16)}`);
    }
  }
}

/** The lean connection: ready once connected, authenticated and on the URL's database. */
export class LeanConnection {
  readonly #options: LeanOptions;
  readonly #target: Target;
  #socket: Socket | undefined;
  #reader = new ReplyReader();
  #pending: Pending[] = [];
  #ready = false;
  #closed = false;
  #attempt = 0;
  #retry: NodeJS.Timeout | undefined;
  #timer: NodeJS.Timeout | undefined;
  /** Why the socket failed (its "error" comes before "close"). */
  #lastError = "";
  #whenReady: Array<() => void> = [];

  constructor(options: LeanOptions) {
    this.#options = options;
    this.#target = targetOf(options.url);
  }

  /** True while commands can be sent. */
  get ready(): boolean {
    return this.#ready;
  }

  /** Resolves once ready (at once when it is). */
  whenReady(): Promise<void> {
    if (this.#ready) return Promise.resolve();
    return new Promise((resolve) => this.#whenReady.push(resolve));
  }

  /** Connect (and keep reconnecting after a failure) until closed. */
  start(): void {
    if (this.#closed || this.#socket !== undefined) return;
    const { host, port } = this.#target;
    // No `servername`: tls.connect sends the host as SNI when it is a name (an IP address is not allowed there).
    const socket = this.#target.tls ? tlsConnect({ host, port, ...this.#options.tls }) : netConnect({ host, port });
    this.#socket = socket;
    this.#reader = new ReplyReader();
    socket.setNoDelay(true);
    socket.setTimeout(this.#options.connectTimeoutMs, () => socket.destroy(new Error(`connect timed out after ${this.#options.connectTimeoutMs} ms`)));
    socket.once(this.#target.tls ? "secureConnect" : "connect", () => {
      socket.setTimeout(0);
      void this.#handshake(socket);
    });
    socket.on("data", (chunk: Buffer) => this.#onData(chunk));
    socket.on("error", (error: Error) => {
      this.#lastError = error.message; // "close" follows and says what to do
    });
    socket.on("close", () => this.#onClose(socket));
  }

  /**
   * Run a command made of the words of `parts` in turn (e.g. `["EVALSHA", sha, 2]`, the keys, the arguments);
   * rejects with RedisReplyError for an error reply, or an Error when the connection fails or times out.
   */
  send(...parts: ReadonlyArray<ReadonlyArray<Word>>): Promise<Reply> {
    if (!this.#ready || this.#socket === undefined) return Promise.reject(new Error("the lean connection is not ready"));
    return this.#write(this.#socket, encodeCommand(...parts));
  }

  /** Run `send` with the socket corked: the commands it writes leave in one write. */
  corked(send: () => void): void {
    const socket = this.#ready ? this.#socket : undefined;
    socket?.cork();
    try {
      send();
    } finally {
      socket?.uncork();
    }
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#retry);
    this.#socket?.destroy();
  }

  #write(socket: Socket, command: Buffer): Promise<Reply> {
    return new Promise<Reply>((resolve, reject) => {
      this.#pending.push({ resolve, reject, sentAt: performance.now() });
      socket.write(command);
      if (this.#timer === undefined) this.#armTimer();
    });
  }

  async #handshake(socket: Socket): Promise<void> {
    try {
      const steps: Array<Promise<Reply>> = [];
      if (this.#target.auth.length > 0) steps.push(this.#write(socket, encodeCommand(["AUTH", ...this.#target.auth])));
      if (this.#target.db !== 0) steps.push(this.#write(socket, encodeCommand(["SELECT", this.#target.db])));
      // A name for CLIENT LIST; an ACL user without `client|setname` still gets a working connection.
      steps.push(this.#write(socket, encodeCommand(["CLIENT", "SETNAME", LEAN_CLIENT_NAME])).catch(() => "OK"));
      await Promise.all(steps);
      if (this.#socket !== socket) return;
      this.#attempt = 0;
      this.#lastError = "";
      this.#ready = true;
      for (const resolve of this.#whenReady.splice(0)) resolve();
    } catch (error) {
      socket.destroy(error instanceof Error ? error : new Error(String(error)));
    }
  }

  #onData(chunk: Buffer): void {
    let replies: Array<Reply | RedisReplyError>;
    try {
      replies = this.#reader.push(chunk);
    } catch (error) {
      this.#socket?.destroy(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    for (const reply of replies) {
      const waiter = this.#pending.shift();
      if (waiter === undefined) continue;
      if (reply instanceof RedisReplyError) waiter.reject(reply);
      else waiter.resolve(reply);
    }
    if (this.#pending.length === 0) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
  }

  /** One timer for the oldest command in flight (not one per command): it fires when that one is late. */
  #armTimer(): void {
    const oldest = this.#pending[0];
    if (oldest === undefined) {
      this.#timer = undefined;
      return;
    }
    const due = Math.max(0, oldest.sentAt + this.#options.commandTimeoutMs - performance.now());
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      const first = this.#pending[0];
      if (first === undefined) return;
      if (performance.now() - first.sentAt >= this.#options.commandTimeoutMs) {
        // Replies after a lost one could not be matched to their commands: drop the connection, make another.
        this.#socket?.destroy(new Error("Command timed out"));
        return;
      }
      this.#armTimer();
    }, due);
    this.#timer.unref();
  }

  #onClose(socket: Socket): void {
    if (this.#socket !== socket) return;
    this.#socket = undefined;
    this.#ready = false;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const failed = this.#pending;
    this.#pending = [];
    const reason = this.#lastError === "" ? "Connection is closed." : this.#lastError;
    for (const waiter of failed) waiter.reject(new Error(reason));
    if (this.#closed) return;
    const delay = Math.min(50 * 2 ** Math.min(this.#attempt++, 5), 1_000);
    this.#retry = setTimeout(() => this.start(), delay);
    this.#retry.unref();
  }
}

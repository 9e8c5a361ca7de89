/** @module Raw HTTP/1.1 exchanges for the fuzz harness: send any bytes on a fresh socket, read one answer strictly. */
import { connect } from "node:net";

/** What came back for one exchange. */
export type Outcome =
  | { kind: "response"; status: number; headers: Map<string, string>; body: Buffer; ms: number }
  | { kind: "closed"; ms: number }
  | { kind: "reset"; ms: number }
  | { kind: "refused" }
  | { kind: "hang"; received: number }
  | { kind: "malformed"; reason: string; head: string };

export interface ExchangeOptions {
  /** Give up (a hang) after this long without a complete answer or a close. */
  deadlineMs: number;
  /** End our side after sending (for bytes the server may rightly wait on for more). */
  halfClose?: boolean;
}

type Parsed = { done: false } | { done: true; status: number; headers: Map<string, string>; body: Buffer } | { error: string };

const STATUS_LINE = /^HTTP\/1\.1 (\d{3}) [\t -~\x80-\xff]*$/;
const FIELD_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** Parse one response from the start of `buf`; `ended`: the peer closed (a body without length ends there). */
export function parseResponse(buf: Buffer, ended: boolean): Parsed {
  const end = buf.indexOf("\r\n\r\n");
  if (end === -1) return ended && buf.length > 0 ? { error: "the answer ends inside its head" } : { done: false };
  const lines = buf.toString("latin1", 0, end).split("\r\n");
  const m = STATUS_LINE.exec(lines[0] ?? "");
  if (m === null) return { error: `bad status line ${JSON.stringify((lines[0] ?? "").slice(0, 80))}` };
  const status = Number(m[1]);
  const headers = new Map<string, string>();
  for (const line of lines.slice(1)) {
    // No regex over the value: a router echoing a 4 MB name in a header must not make this parser quadratic.
    const colon = line.indexOf(":");
    if (colon <= 0 || !FIELD_NAME.test(line.slice(0, colon))) return { error: `bad header line ${JSON.stringify(line.slice(0, 80))}` };
    const name = line.slice(0, colon).toLowerCase();
    const value = line
      .slice(colon + 1)
      .replace(/^[\t ]+/, "")
      .trimEnd();
    headers.set(name, headers.has(name) ? `${headers.get(name)}, ${value}` : value);
  }
  const rest = buf.subarray(end + 4);
  if (status < 200) {
    // An interim answer (100 Continue): the real one follows it.
    const next = parseResponse(rest, ended);
    return next;
  }
  const te = headers.get("transfer-encoding");
  if (te !== undefined) {
    if (te.toLowerCase() !== "chunked") return { error: `transfer-encoding ${te}` };
    const parts: Buffer[] = [];
    let at = 0;
    for (;;) {
      const eol = rest.indexOf("\r\n", at);
      if (eol === -1) return ended ? { error: "the answer ends inside a chunk size" } : { done: false };
      const size = Number.parseInt(rest.toString("latin1", at, eol).split(";")[0] ?? "", 16);
      if (!Number.isFinite(size) || size < 0) return { error: "bad chunk size" };
      if (size === 0) return { done: true, status, headers, body: Buffer.concat(parts) };
      if (rest.length < eol + 2 + size + 2) return ended ? { error: "the answer ends inside a chunk" } : { done: false };
      parts.push(rest.subarray(eol + 2, eol + 2 + size));
      at = eol + 2 + size + 2;
    }
  }
  const cl = headers.get("content-length");
  if (cl !== undefined) {
    if (!/^\d+$/.test(cl)) return { error: `content-length ${cl}` };
    const n = Number(cl);
    if (rest.length >= n) return { done: true, status, headers, body: rest.subarray(0, n) };
    return ended ? { error: "the answer ends inside its body" } : { done: false };
  }
  if (status === 204 || status === 304) return { done: true, status, headers, body: Buffer.alloc(0) };
  return ended ? { done: true, status, headers, body: rest } : { done: false };
}

/** Open a connection to `url`'s host and port, send `bytes`, read one answer. Never rejects. */
export function exchange(url: string, bytes: Buffer, options: ExchangeOptions): Promise<Outcome> {
  const { hostname, port } = new URL(url);
  const started = performance.now();
  return new Promise((resolve) => {
    const parts: Buffer[] = [];
    let size = 0;
    let settled = false;
    const socket = connect({ host: hostname, port: Number(port) });
    const finish = (outcome: Outcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(outcome);
    };
    const timer = setTimeout(() => finish({ kind: "hang", received: size }), options.deadlineMs);
    /** Where the search for the end of the head resumes (bytes before it were searched already). */
    let searched = 0;
    const look = (ended: boolean): void => {
      const buf = parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts);
      parts.length = 0;
      parts.push(buf);
      if (!ended && buf.indexOf("\r\n\r\n", searched) === -1) {
        searched = Math.max(0, buf.length - 3);
        return;
      }
      const parsed = parseResponse(buf, ended);
      const ms = performance.now() - started;
      if ("error" in parsed) finish({ kind: "malformed", reason: parsed.error, head: buf.toString("latin1", 0, 200) });
      else if (parsed.done) finish({ kind: "response", status: parsed.status, headers: parsed.headers, body: parsed.body, ms });
      else if (ended) finish({ kind: "closed", ms });
    };
    socket.on("connect", () => {
      socket.write(bytes, () => undefined);
      if (options.halfClose === true) socket.end();
    });
    socket.on("data", (d: Buffer) => {
      parts.push(d);
      size += d.length;
      look(false);
    });
    socket.on("end", () => look(true));
    socket.on("error", (error: NodeJS.ErrnoException) => {
      if (settled) return;
      if (error.code === "ECONNREFUSED") return finish({ kind: "refused" });
      // A reset after a complete answer was already settled above; with part of one, judge what came.
      if (size > 0) return look(true);
      finish({ kind: "reset", ms: performance.now() - started });
    });
    socket.on("close", () => {
      if (!settled) look(true);
    });
  });
}

/** GET /healthz on a fresh connection: true when it answers 200 within `deadlineMs`. */
export async function healthy(url: string, deadlineMs = 2_000): Promise<boolean> {
  const host = new URL(url).host;
  const out = await exchange(url, Buffer.from(`GET /healthz HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`), { deadlineMs });
  return out.kind === "response" && out.status === 200;
}

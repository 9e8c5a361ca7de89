/**
 * @module Dashboard sessions: server-side, so signing out ends them. The HttpOnly, SameSite=Strict cookie
 * holds only a random id — never the admin token; the router keeps a bounded table of live sessions.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

export const SESSION_COOKIE = "switchyard_dashboard";
/** A session unused this long ends (the open page polls, so an open tab keeps it alive). */
export const SESSION_IDLE_MS = 3_600_000;
/** A session ends this long after sign-in, used or not. */
export const SESSION_MAX_MS = 8 * 3_600_000;
/** Live sessions kept at once; past it the oldest ends. Only the right admin token opens one. */
export const SESSION_LIMIT = 1_000;

export interface SessionKeysOptions {
  /** Idle timeout, ms. Default SESSION_IDLE_MS (1 h). */
  idleMs?: number;
  /** Absolute lifetime, ms. Default SESSION_MAX_MS (8 h). */
  maxMs?: number;
  /** Live sessions kept. Default SESSION_LIMIT. */
  limit?: number;
}

interface Session {
  started: number;
  seen: number;
  /** sha256 of the admin token it was opened with: a different token (a restart with a new one) does not open it. */
  token: Buffer;
}

const digest = (text: string): Buffer => createHash("sha256").update(text).digest();

/**
 * Issues, checks and revokes session cookies. The cookie is `<64 hex chars>`, 32 random bytes; the table
 * is keyed by its SHA-256 (a lookup's timing says nothing about live ids) and lives in the router process,
 * so a restart ends every session, and so does logout.
 *
 * @example
 * const sessions = new SessionKeys();
 * res.setHeader("set-cookie", sessions.cookie(token, Date.now(), { secure: false }));
 * sessions.valid(req.headers.cookie, token, Date.now()) // → true, until sessions.revoke(req.headers.cookie)
 */
export class SessionKeys {
  readonly idleMs: number;
  readonly maxMs: number;
  readonly #limit: number;
  /** In sign-in order (oldest first), so the first entry is the one to end when full. */
  readonly #live = new Map<string, Session>();

  constructor(options: SessionKeysOptions = {}) {
    this.idleMs = options.idleMs ?? SESSION_IDLE_MS;
    this.maxMs = options.maxMs ?? SESSION_MAX_MS;
    this.#limit = options.limit ?? SESSION_LIMIT;
  }

  /** A `Set-Cookie` value starting a session at `now`. */
  cookie(token: string, now: number, options: { secure: boolean }): string {
    for (const [key, s] of this.#live) {
      if (this.#live.size < this.#limit && !this.#expired(s, now)) break;
      this.#live.delete(key);
    }
    const id = randomBytes(32).toString("hex");
    this.#live.set(digest(id).toString("hex"), { started: now, seen: now, token: digest(token) });
    return serialiseCookie(id, Math.floor(this.maxMs / 1000), options.secure);
  }

  /** Whether a `Cookie` header carries a live session opened with this token; a valid use keeps it from idling out. */
  valid(cookieHeader: string | undefined, token: string, now: number): boolean {
    const key = sessionKey(cookieHeader);
    const s = key === undefined ? undefined : this.#live.get(key);
    if (key === undefined || s === undefined) return false;
    if (this.#expired(s, now)) {
      this.#live.delete(key);
      return false;
    }
    if (!timingSafeEqual(s.token, digest(token))) return false;
    s.seen = now;
    return true;
  }

  /** End the session a `Cookie` header carries (sign-out); the cookie is worthless from now on. */
  revoke(cookieHeader: string | undefined): void {
    const key = sessionKey(cookieHeader);
    if (key !== undefined) this.#live.delete(key);
  }

  /** Live sessions held (at most the limit). */
  get size(): number {
    return this.#live.size;
  }

  #expired(s: Session, now: number): boolean {
    return now - s.started >= this.maxMs || now - s.seen >= this.idleMs;
  }
}

/** The table key of the session id in a `Cookie` header, undefined when there is none of the right shape. */
function sessionKey(cookieHeader: string | undefined): string | undefined {
  const value = readCookie(cookieHeader, SESSION_COOKIE);
  return value !== undefined && /^[0-9a-f]{64}$/.test(value) ? digest(value).toString("hex") : undefined;
}

/** A `Set-Cookie` value that ends the session. */
export function clearSessionCookie(secure: boolean): string {
  return serialiseCookie("", 0, secure);
}

function serialiseCookie(value: string, maxAgeSeconds: number, secure: boolean): string {
  return `${SESSION_COOKIE}=${value}; Path=/dashboard; Max-Age=${maxAgeSeconds}; HttpOnly; SameSite=Strict${secure ? "; Secure" : ""}`;
}

/** The value of cookie `name` in a `Cookie` header (first one wins), undefined when absent. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq === -1) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** @module Dashboard sessions: an HMAC-signed expiry in an HttpOnly, SameSite=Strict cookie — never the admin token itself. */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

export const SESSION_COOKIE = "switchyard_dashboard";

export interface SessionKeysOptions {
  /** How long a session lasts, ms. Default 12 h. */
  ttlMs?: number;
  /** Per-process secret; default 32 random bytes (sessions end when the router restarts). */
  secret?: Buffer;
}

/**
 * Issues and checks session cookies. The signing key mixes a per-process secret with the admin
 * token, so changing the token (or restarting) ends every session, and the cookie reveals nothing
 * about the token: it is `<expiry ms>.<hex HMAC-SHA256 of the expiry>`.
 *
 * @example
 * const sessions = new SessionKeys();
 * res.setHeader("set-cookie", sessions.cookie(token, Date.now(), { secure: false }));
 * sessions.valid(req.headers.cookie, token, Date.now()) // → true
 */
export class SessionKeys {
  readonly ttlMs: number;
  readonly #secret: Buffer;

  constructor(options: SessionKeysOptions = {}) {
    this.ttlMs = options.ttlMs ?? 12 * 3_600_000;
    this.#secret = options.secret ?? randomBytes(32);
  }

  #sign(token: string, expires: number): string {
    const key = createHmac("sha256", this.#secret).update(token).digest();
    return createHmac("sha256", key).update(`switchyard-dashboard:${expires}`).digest("hex");
  }

  /** A `Set-Cookie` value starting a session at `now`. */
  cookie(token: string, now: number, options: { secure: boolean }): string {
    const expires = now + this.ttlMs;
    return serialiseCookie(`${expires}.${this.#sign(token, expires)}`, Math.floor(this.ttlMs / 1000), options.secure);
  }

  /** Whether a `Cookie` header carries an unexpired session signed for this token. */
  valid(cookieHeader: string | undefined, token: string, now: number): boolean {
    const value = readCookie(cookieHeader, SESSION_COOKIE);
    if (value === undefined) return false;
    const match = /^(\d{1,16})\.([0-9a-f]{64})$/.exec(value);
    if (match === null) return false;
    const expires = Number(match[1]);
    if (!(expires > now)) return false;
    const given = Buffer.from(match[2] ?? "", "hex");
    const expected = Buffer.from(this.#sign(token, expires), "hex");
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
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

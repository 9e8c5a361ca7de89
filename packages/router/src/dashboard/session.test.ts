/** @module Unit tests of dashboard sessions: server-side, revocable, 1 h idle / 8 h absolute, bounded. */
import { describe, expect, it } from "vitest";
import { SESSION_COOKIE, SESSION_IDLE_MS, SESSION_MAX_MS, SessionKeys, clearSessionCookie, readCookie } from "./session.ts";

const TOKEN = "admin-token-123";

function valueOf(setCookie: string): string {
  return setCookie.split(";")[0] ?? "";
}

describe("SessionKeys", () => {
  it("issues an HttpOnly, SameSite=Strict cookie holding a random id, never the token, for 8 h at most", () => {
    const sessions = new SessionKeys();
    const cookie = sessions.cookie(TOKEN, 1_000, { secure: false });
    expect(cookie).toMatch(new RegExp(`^${SESSION_COOKIE}=[0-9a-f]{64}; Path=/dashboard; Max-Age=28800; HttpOnly; SameSite=Strict$`));
    expect(cookie).not.toContain(TOKEN);
    expect(sessions.cookie(TOKEN, 1_000, { secure: true })).toMatch(/; Secure$/);
    expect(valueOf(sessions.cookie(TOKEN, 1_000, { secure: false }))).not.toBe(valueOf(cookie));
    expect(sessions.valid(`other=1; ${valueOf(cookie)}`, TOKEN, 2_000)).toBe(true);
  });

  it("ends a session on revoke: the same cookie is refused afterwards", () => {
    const sessions = new SessionKeys();
    const value = valueOf(sessions.cookie(TOKEN, 0, { secure: false }));
    const other = valueOf(sessions.cookie(TOKEN, 0, { secure: false }));
    sessions.revoke(value);
    expect(sessions.valid(value, TOKEN, 1)).toBe(false);
    expect(sessions.valid(other, TOKEN, 1)).toBe(true); // another browser's session is untouched
    sessions.revoke(undefined);
    sessions.revoke(`${SESSION_COOKIE}=garbage`);
    expect(sessions.size).toBe(1);
  });

  it("ends a session after 1 h without use, and 8 h after sign-in however much it is used", () => {
    const sessions = new SessionKeys();
    const idle = valueOf(sessions.cookie(TOKEN, 0, { secure: false }));
    expect(sessions.valid(idle, TOKEN, SESSION_IDLE_MS - 1)).toBe(true); // a use resets the idle clock
    expect(sessions.valid(idle, TOKEN, 2 * SESSION_IDLE_MS - 2)).toBe(true);
    expect(sessions.valid(idle, TOKEN, 3 * SESSION_IDLE_MS - 1)).toBe(false);
    const busy = valueOf(sessions.cookie(TOKEN, 0, { secure: false }));
    for (let at = 0; at < SESSION_MAX_MS; at += SESSION_IDLE_MS / 2) expect(sessions.valid(busy, TOKEN, at)).toBe(true);
    expect(sessions.valid(busy, TOKEN, SESSION_MAX_MS)).toBe(false);
  });

  it("refuses tampered, foreign and token-rotated sessions", () => {
    const sessions = new SessionKeys();
    const value = valueOf(sessions.cookie(TOKEN, 0, { secure: false }));
    expect(sessions.valid(value, "rotated-token", 1)).toBe(false);
    expect(
      sessions.valid(
        value.replace(/=(.)/, (_m, c: string) => `=${c === "0" ? "1" : "0"}`),
        TOKEN,
        1,
      ),
    ).toBe(false);
    expect(new SessionKeys().valid(value, TOKEN, 1)).toBe(false);
    expect(sessions.valid(undefined, TOKEN, 1)).toBe(false);
    expect(sessions.valid(`${SESSION_COOKIE}=${TOKEN}`, TOKEN, 1)).toBe(false);
    expect(sessions.valid(value, TOKEN, 1)).toBe(true);
  });

  it("keeps at most `limit` sessions: past it the oldest ends", () => {
    const sessions = new SessionKeys({ limit: 3 });
    const values = [0, 1, 2, 3].map((at) => valueOf(sessions.cookie(TOKEN, at, { secure: false })));
    expect(sessions.size).toBe(3);
    expect(values.map((value) => sessions.valid(value, TOKEN, 10))).toEqual([false, true, true, true]);
  });

  it("clears the cookie and reads cookies by name", () => {
    expect(clearSessionCookie(false)).toMatch(new RegExp(`^${SESSION_COOKIE}=; Path=/dashboard; Max-Age=0;`));
    expect(readCookie("a=1; b = 2 ;c=3", "b")).toBe("2");
    expect(readCookie("a=1", "b")).toBeUndefined();
  });
});

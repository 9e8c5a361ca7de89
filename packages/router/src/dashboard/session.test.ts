/** @module Unit tests of dashboard session cookies. */
import { describe, expect, it } from "vitest";
import { SESSION_COOKIE, SessionKeys, clearSessionCookie, readCookie } from "./session.ts";

const TOKEN = "admin-token-123";

function valueOf(setCookie: string): string {
  return setCookie.split(";")[0] ?? "";
}

describe("SessionKeys", () => {
  it("issues an HttpOnly, SameSite=Strict cookie that never contains the token", () => {
    const sessions = new SessionKeys();
    const cookie = sessions.cookie(TOKEN, 1_000, { secure: false });
    expect(cookie).toMatch(new RegExp(`^${SESSION_COOKIE}=\\d+\\.[0-9a-f]{64}; Path=/dashboard; Max-Age=43200; HttpOnly; SameSite=Strict$`));
    expect(cookie).not.toContain(TOKEN);
    expect(sessions.cookie(TOKEN, 1_000, { secure: true })).toMatch(/; Secure$/);
    expect(sessions.valid(`other=1; ${valueOf(cookie)}`, TOKEN, 2_000)).toBe(true);
  });

  it("refuses expired, tampered, foreign and token-rotated sessions", () => {
    const sessions = new SessionKeys({ ttlMs: 10_000 });
    const value = valueOf(sessions.cookie(TOKEN, 0, { secure: false }));
    expect(sessions.valid(value, TOKEN, 9_999)).toBe(true);
    expect(sessions.valid(value, TOKEN, 10_000)).toBe(false);
    expect(sessions.valid(value, "rotated-token", 1)).toBe(false);
    expect(sessions.valid(value.replace(/\.(.)/, (_m, c: string) => `.${c === "0" ? "1" : "0"}`), TOKEN, 1)).toBe(false);
    expect(sessions.valid(value.replace("=10000.", "=99999999."), TOKEN, 1)).toBe(false);
    expect(new SessionKeys({ ttlMs: 10_000 }).valid(value, TOKEN, 1)).toBe(false);
    expect(sessions.valid(undefined, TOKEN, 1)).toBe(false);
    expect(sessions.valid(`${SESSION_COOKIE}=${TOKEN}`, TOKEN, 1)).toBe(false);
  });

  it("clears the cookie and reads cookies by name", () => {
    expect(clearSessionCookie(false)).toMatch(new RegExp(`^${SESSION_COOKIE}=; Path=/dashboard; Max-Age=0;`));
    expect(readCookie("a=1; b = 2 ;c=3", "b")).toBe("2");
    expect(readCookie("a=1", "b")).toBeUndefined();
  });
});

/** @module Wrong admin tokens per address: a window's allowance, then 429 until it ends; a right token clears it; memory stays bounded. */
import { describe, expect, it } from "vitest";
import { ADMIN_FAILURE_WINDOW_MS, ADMIN_FAILURES_PER_WINDOW, ADMIN_TRACKED_ADDRESSES, AdminAttempts, checkAdminAccess } from "./attempts.ts";

const TOKEN = "admin-token-0123456789";
const request = (authorization: string | undefined, address = "10.0.0.1") => ({ headers: authorization === undefined ? {} : { authorization }, socket: { remoteAddress: address } }) as Parameters<typeof checkAdminAccess>[0];

describe("AdminAttempts", () => {
  it("refuses an address that used up its wrong tokens until its window ends, with the seconds left", () => {
    let clock = 1_000_000;
    const attempts = new AdminAttempts(() => clock);
    for (let i = 0; i < ADMIN_FAILURES_PER_WINDOW; i++) {
      expect(attempts.refusal("a")).toBeUndefined();
      attempts.failed("a");
    }
    const refused = attempts.refusal("a");
    expect(refused?.code).toBe("too_many_admin_attempts");
    expect(refused?.status).toBe(429);
    expect(refused?.headers).toEqual({ "retry-after": "60" });
    expect(attempts.refusal("b")).toBeUndefined(); // another address is not affected
    clock += 45_500;
    expect(attempts.refusal("a")?.headers).toEqual({ "retry-after": "15" });
    clock += ADMIN_FAILURE_WINDOW_MS - 45_500;
    expect(attempts.refusal("a")).toBeUndefined();
    attempts.failed("a");
    expect(attempts.refusal("a")).toBeUndefined(); // a new window, one failure in it
  });

  it("forgets an address's failures on a right token", () => {
    const attempts = new AdminAttempts(() => 0);
    for (let i = 0; i < ADMIN_FAILURES_PER_WINDOW - 1; i++) attempts.failed("a");
    attempts.succeeded("a");
    attempts.failed("a");
    expect(attempts.refusal("a")).toBeUndefined();
  });

  it("remembers at most ADMIN_TRACKED_ADDRESSES addresses, expired ones dropped first", () => {
    let clock = 0;
    const attempts = new AdminAttempts(() => clock);
    for (let i = 0; i < ADMIN_TRACKED_ADDRESSES; i++) attempts.failed(`old-${i}`);
    clock += ADMIN_FAILURE_WINDOW_MS;
    for (let i = 0; i < 5; i++) attempts.failed(`new-${i}`);
    expect(attempts.tracked).toBe(5);
    for (let i = 0; i < ADMIN_TRACKED_ADDRESSES; i++) attempts.failed(`more-${i}`);
    expect(attempts.tracked).toBe(ADMIN_TRACKED_ADDRESSES);
  });
});

describe("checkAdminAccess", () => {
  it("counts presented wrong tokens only, and refuses even the right token once over the allowance", () => {
    const attempts = new AdminAttempts(() => 0);
    for (let i = 0; i < 3 * ADMIN_FAILURES_PER_WINDOW; i++) expect(checkAdminAccess(request(undefined), TOKEN, attempts)?.code).toBe("invalid_admin_token");
    expect(checkAdminAccess(request(`Bearer ${TOKEN}`), TOKEN, attempts)).toBeUndefined();
    for (let i = 0; i < ADMIN_FAILURES_PER_WINDOW; i++) expect(checkAdminAccess(request("Bearer wrong"), TOKEN, attempts)?.code).toBe("invalid_admin_token");
    expect(checkAdminAccess(request("Bearer wrong"), TOKEN, attempts)?.code).toBe("too_many_admin_attempts");
    expect(checkAdminAccess(request(`Bearer ${TOKEN}`), TOKEN, attempts)?.code).toBe("too_many_admin_attempts");
    expect(checkAdminAccess(request(`Bearer ${TOKEN}`, "10.0.0.2"), TOKEN, attempts)).toBeUndefined();
  });

  it("leaves a router without a token at admin_disabled, counting nothing", () => {
    const attempts = new AdminAttempts(() => 0);
    for (let i = 0; i < 2 * ADMIN_FAILURES_PER_WINDOW; i++) expect(checkAdminAccess(request("Bearer x"), undefined, attempts)?.code).toBe("admin_disabled");
    expect(attempts.tracked).toBe(0);
  });
});

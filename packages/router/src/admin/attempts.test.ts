/** @module Wrong admin tokens per address, per /24 or /64 network and per router: allowances, then 429; lockdown never refuses the right token from a clean source; memory stays bounded. */
import { describe, expect, it } from "vitest";
import {
  ADMIN_FAILURE_WINDOW_MS,
  ADMIN_FAILURES_PER_WINDOW,
  ADMIN_GLOBAL_FAILURES_PER_WINDOW,
  ADMIN_NETWORK_FAILURES_PER_WINDOW,
  ADMIN_TRACKED_ADDRESSES,
  AdminAttempts,
  type TrustedProxies,
  checkAdminAccess,
  clientAddress,
  networkOf,
  parseTrustedProxies,
} from "./attempts.ts";

const TOKEN = "admin-token-0123456789";
const request = (authorization: string | undefined, address = "10.0.0.1") =>
  ({ headers: authorization === undefined ? {} : { authorization }, socket: { remoteAddress: address } }) as Parameters<typeof checkAdminAccess>[0];

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

describe("trusted proxies (SWITCHYARD_TRUSTED_PROXIES)", () => {
  const trusted = (text: string): TrustedProxies => {
    const parsed = parseTrustedProxies(text);
    if (!("list" in parsed) || parsed.list === undefined) throw new Error(`expected a list from ${text}`);
    return parsed.list;
  };
  const from = (peer: string, forwarded?: string | string[]) =>
    ({ socket: { remoteAddress: peer }, headers: forwarded === undefined ? {} : { "x-forwarded-for": forwarded } }) as Parameters<typeof clientAddress>[0];

  it("reads addresses and CIDR ranges, IPv4 and IPv6; unset or empty is no list", () => {
    expect(parseTrustedProxies(undefined)).toEqual({ list: undefined });
    expect(parseTrustedProxies(" , ")).toEqual({ list: undefined });
    const list = trusted("10.0.0.0/8, 192.168.1.7 ,fd00::/8");
    expect(list.check("10.200.3.4", "ipv4")).toBe(true);
    expect(list.check("192.168.1.7", "ipv4")).toBe(true);
    expect(list.check("192.168.1.8", "ipv4")).toBe(false);
    expect(list.check("fd12::1", "ipv6")).toBe(true);
  });

  it.each(["10.0.0.0/33", "fd00::/129", "10.0.0.1/8/1", "10.0.0.256", "proxy.internal", "10.0.0.0/x", "10.0.0.0/"])("refuses %s, naming it", (entry) => {
    expect(parseTrustedProxies(`10.0.0.1, ${entry}`)).toEqual({
      error: `SWITCHYARD_TRUSTED_PROXIES: \`${entry}\` is not an IP address or a CIDR range (e.g. 10.0.0.0/8, 192.168.1.7, fd00::/8)`,
    });
  });

  it("believes X-Forwarded-For only from a trusted peer, and takes its last address that is not a trusted proxy", () => {
    const list = trusted("10.0.0.0/8");
    expect(clientAddress(from("203.0.113.9", "198.51.100.1"), list)).toBe("203.0.113.9");
    expect(clientAddress(from("203.0.113.9", "198.51.100.1"))).toBe("203.0.113.9");
    expect(clientAddress(from("10.0.0.2", "198.51.100.1"), list)).toBe("198.51.100.1");
    // What the client wrote itself (left of the first untrusted hop) does not count.
    expect(clientAddress(from("10.0.0.2", "1.2.3.4, 198.51.100.1, 10.0.0.9"), list)).toBe("198.51.100.1");
    expect(clientAddress(from("10.0.0.2", ["1.2.3.4", "198.51.100.1"]), list)).toBe("198.51.100.1");
    expect(clientAddress(from("::ffff:10.0.0.2", "::ffff:198.51.100.1"), list)).toBe("198.51.100.1");
    expect(clientAddress(from("10.0.0.2", "10.0.0.7, 10.0.0.9"), list)).toBe("10.0.0.7");
    expect(clientAddress(from("10.0.0.2"), list)).toBe("10.0.0.2");
  });

  it("gives each client behind the proxy its own allowance", () => {
    const attempts = new AdminAttempts(() => 0, undefined, undefined, trusted("10.0.0.1"));
    const behind = (client: string, authorization: string) =>
      ({ headers: { authorization, "x-forwarded-for": client }, socket: { remoteAddress: "10.0.0.1" } }) as unknown as Parameters<typeof checkAdminAccess>[0];
    for (let i = 0; i < ADMIN_FAILURES_PER_WINDOW; i++) checkAdminAccess(behind("198.51.100.1", "Bearer wrong"), TOKEN, attempts);
    expect(checkAdminAccess(behind("198.51.100.1", `Bearer ${TOKEN}`), TOKEN, attempts)?.code).toBe("too_many_admin_attempts");
    expect(checkAdminAccess(behind("198.51.100.2", `Bearer ${TOKEN}`), TOKEN, attempts)).toBeUndefined();
  });
});

describe("networkOf (the /24 and /64 a wrong token also counts against)", () => {
  it.each([
    ["203.0.113.77", "203.0.113.0/24"],
    ["127.0.0.1", "127.0.0.0/24"],
    ["2001:db8:0:1:aa::5", "2001:db8:0:1::/64"],
    ["2001:0DB8:0000:0001:ffff:ffff:ffff:ffff", "2001:db8:0:1::/64"],
    ["2001:db8::1", "2001:db8:0:0::/64"],
    ["2001:db8:0:1::", "2001:db8:0:1::/64"],
    ["::1", "0:0:0:0::/64"],
    ["::", "0:0:0:0::/64"],
    ["fe80::1%eth0", "fe80:0:0:0::/64"],
    ["64:ff9b::192.0.2.33", "64:ff9b:0:0::/64"],
    ["1:2:3:4:5:6:7:8", "1:2:3:4::/64"],
  ])("%s → %s", (address, network) => {
    expect(networkOf(address)).toBe(network);
  });

  it("puts every address of one /64 in one network and a neighbouring /64 in another", () => {
    const nets = new Set(["2001:db8:a:b::1", "2001:db8:a:b:ffff::", "2001:db8:a:b:1:2:3:4", "2001:0db8:000a:000b::9"].map(networkOf));
    expect([...nets]).toEqual(["2001:db8:a:b::/64"]);
    expect(networkOf("2001:db8:a:c::1")).not.toBe("2001:db8:a:b::/64");
  });

  it("gives what is not an IP address no network", () => {
    expect(networkOf("unknown")).toBeUndefined();
    expect(networkOf("old-1")).toBeUndefined();
  });
});

describe("per-network and global allowances", () => {
  it("refuses a /64 whose rotating addresses used up the network's allowance, right token or not", () => {
    const attempts = new AdminAttempts(() => 0);
    for (let i = 0; i < ADMIN_NETWORK_FAILURES_PER_WINDOW; i++) {
      // A fresh address for every guess: the per-address count never reaches its limit.
      expect(checkAdminAccess(request("Bearer wrong", `2001:db8:1:2::${(i + 1).toString(16)}`), TOKEN, attempts)?.code).toBe("invalid_admin_token");
    }
    const refused = checkAdminAccess(request(`Bearer ${TOKEN}`, "2001:db8:1:2:dead::beef"), TOKEN, attempts);
    expect(refused?.code).toBe("too_many_admin_attempts");
    expect(refused?.message).toBe("too many wrong admin tokens from this network (2001:db8:1:2::/64); try again in 60 s");
    expect(checkAdminAccess(request(`Bearer ${TOKEN}`, "2001:db8:1:3::1"), TOKEN, attempts)).toBeUndefined();
  });

  it("locks down after the global cap: wrong tokens answer 429, sources with failures are refused, the right token from elsewhere works", () => {
    let clock = 0;
    const attempts = new AdminAttempts(() => clock);
    // One guess from each of many /24s: no address and no network reaches its own limit.
    for (let i = 0; i < ADMIN_GLOBAL_FAILURES_PER_WINDOW - 1; i++)
      expect(checkAdminAccess(request("Bearer wrong", `10.${i}.0.1`), TOKEN, attempts)?.code).toBe("invalid_admin_token");
    const last = checkAdminAccess(request("Bearer wrong", "10.200.0.1"), TOKEN, attempts);
    expect(last?.code).toBe("too_many_admin_attempts");
    expect(last?.message).toBe("too many wrong admin tokens to this router; try again in 60 s");
    clock += 10_000;
    // A fresh source: its wrong token is checked and answers 429 (and counts)…
    expect(checkAdminAccess(request("Bearer wrong", "10.201.0.1"), TOKEN, attempts)?.headers).toEqual({ "retry-after": "50" });
    // …after which even its right token is refused until the lockdown ends: one guess per source.
    expect(checkAdminAccess(request(`Bearer ${TOKEN}`, "10.201.0.1"), TOKEN, attempts)?.code).toBe("too_many_admin_attempts");
    expect(checkAdminAccess(request(`Bearer ${TOKEN}`, "10.3.0.1"), TOKEN, attempts)?.code).toBe("too_many_admin_attempts");
    expect(checkAdminAccess(request(`Bearer ${TOKEN}`, "10.3.0.2"), TOKEN, attempts)?.code).toBe("too_many_admin_attempts"); // same /24
    // The operator, from an address and network that sent no wrong token: not locked out.
    expect(checkAdminAccess(request(`Bearer ${TOKEN}`, "192.0.2.10"), TOKEN, attempts)).toBeUndefined();
    expect(checkAdminAccess(request(undefined, "192.0.2.10"), TOKEN, attempts)?.code).toBe("invalid_admin_token");
    clock += 50_000;
    // The window is over: a failure is a 401 again.
    expect(checkAdminAccess(request("Bearer wrong", "10.202.0.1"), TOKEN, attempts)?.code).toBe("invalid_admin_token");
  });

  it("remembers at most ADMIN_TRACKED_ADDRESSES networks as well", () => {
    const attempts = new AdminAttempts(() => 0);
    for (let i = 0; i < ADMIN_TRACKED_ADDRESSES + 50; i++) attempts.failed(`2001:db8:${(i >> 16).toString(16)}:${(i & 0xffff).toString(16)}::1`);
    expect(attempts.tracked).toBe(2 * ADMIN_TRACKED_ADDRESSES);
  });
});

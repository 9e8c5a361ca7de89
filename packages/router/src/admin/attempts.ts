/**
 * @module Wrong admin tokens per client address, per network (/24, /64) and per router: after too many
 * in a window the address or network is refused (429 `too_many_admin_attempts`) until the window ends,
 * right token or not; past the router's cap only sources without failures get their token checked.
 * Shared by the admin API and the dashboard's sign-in, so guesses cannot be spread across the two.
 */
import type { IncomingMessage } from "node:http";
import { BlockList, isIP } from "node:net";
import { RouterError } from "../errors.ts";
import { bearerToken } from "../runtime/auth.ts";
import { checkAdminToken } from "./auth.ts";
import { retryAfterSeconds } from "../governance/headers.ts";

/** Wrong tokens one address may present per window. */
export const ADMIN_FAILURES_PER_WINDOW = 10;
/** Wrong tokens one network (IPv4 /24, IPv6 /64: what one host or site holds) may present per window. */
export const ADMIN_NETWORK_FAILURES_PER_WINDOW = 30;
/** Wrong tokens the whole router takes per window before it locks down (see AdminAttempts). */
export const ADMIN_GLOBAL_FAILURES_PER_WINDOW = 100;
/** The window, from the first wrong token of an address, a network or the router. */
export const ADMIN_FAILURE_WINDOW_MS = 60_000;
/** Addresses (and, apart, networks) remembered at once; past it the oldest entry goes. */
export const ADMIN_TRACKED_ADDRESSES = 10_000;
/** Proxies (addresses or CIDR ranges, comma-separated) whose `X-Forwarded-For` names the client. */
export const TRUSTED_PROXIES_ENV = "SWITCHYARD_TRUSTED_PROXIES";

/** Addresses or ranges whose `X-Forwarded-For` is believed. */
export type TrustedProxies = BlockList;

/**
 * Parse SWITCHYARD_TRUSTED_PROXIES (`10.0.0.0/8, 192.168.1.7, fd00::/8`): the list, undefined when unset
 * or empty, or the message naming the first entry that is not an address or a CIDR range.
 */
export function parseTrustedProxies(text: string | undefined): { list: TrustedProxies | undefined } | { error: string } {
  const entries = (text ?? "")
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "");
  if (entries.length === 0) return { list: undefined };
  const list = new BlockList();
  for (const entry of entries) {
    const [address = "", prefix, extra] = entry.split("/");
    const family = isIP(address);
    const bits = prefix === undefined ? (family === 6 ? 128 : 32) : /^\d{1,3}$/.test(prefix) ? Number(prefix) : Number.NaN;
    if (family === 0 || extra !== undefined || !(bits >= 0 && bits <= (family === 6 ? 128 : 32))) {
      return { error: `${TRUSTED_PROXIES_ENV}: \`${entry}\` is not an IP address or a CIDR range (e.g. 10.0.0.0/8, 192.168.1.7, fd00::/8)` };
    }
    list.addSubnet(address, bits, family === 6 ? "ipv6" : "ipv4");
  }
  return { list };
}

/** An address as the trusted list is checked against it: `::ffff:10.1.2.3` is 10.1.2.3. */
function plainAddress(address: string): string {
  return address.startsWith("::ffff:") && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}

function isTrusted(trusted: TrustedProxies, address: string): boolean {
  const family = isIP(address);
  return family !== 0 && trusted.check(address, family === 6 ? "ipv6" : "ipv4");
}

/**
 * The network an address belongs to for counting: IPv4 /24, IPv6 /64 (a host or a site is handed a
 * whole /64 and can rotate through it freely). Undefined for what is not an IP address (then only the
 * address itself and the router's total count it).
 *
 * @example networkOf("2001:db8:0:1:aa::5") // "2001:db8:0:1::/64"
 */
export function networkOf(address: string): string | undefined {
  const family = isIP(address);
  if (family === 4) return `${address.slice(0, address.lastIndexOf("."))}.0/24`;
  if (family !== 6) return undefined;
  const [head = "", tail] = (address.split("%")[0] ?? "").split("::");
  const groups = head === "" ? [] : head.split(":");
  // `::` stands for the zero groups that make eight; an IPv4 tail (`::ffff:1.2.3.4`) is two of the eight.
  if (tail !== undefined)
    groups.push(...Array<string>(8 - groups.length - (tail === "" ? 0 : tail.split(":").length + (tail.includes(".") ? 1 : 0))).fill("0"));
  return `${groups
    .slice(0, 4)
    .map((g) => Number.parseInt(g, 16).toString(16))
    .join(":")}::/64`;
}

interface Failures {
  since: number;
  count: number;
}

/** Failure counts by key, each in its own window from its first failure; at most `cap` keys. */
class Counts {
  readonly #map = new Map<string, Failures>();
  constructor(
    private readonly windowMs: number,
    private readonly cap: number,
  ) {}

  /** The key's failures in the window still running (an expired entry is dropped). */
  current(key: string, now: number): Failures | undefined {
    const f = this.#map.get(key);
    if (f !== undefined && now - f.since >= this.windowMs) {
      this.#map.delete(key);
      return undefined;
    }
    return f;
  }

  add(key: string, now: number): void {
    const f = this.current(key, now);
    if (f !== undefined) {
      f.count++;
      return;
    }
    // Entries go in as their windows start, so the first is the oldest: dropping from the front is O(1)
    // and takes expired entries first.
    for (const [first, g] of this.#map) {
      if (this.#map.size < this.cap && now - g.since < this.windowMs) break;
      this.#map.delete(first);
    }
    this.#map.set(key, { since: now, count: 1 });
  }

  delete(key: string): void {
    this.#map.delete(key);
  }

  get size(): number {
    return this.#map.size;
  }
}

/**
 * Wrong admin tokens, counted three ways in one-minute windows:
 * - per address (10): past it the address is refused, right token or not — a refused guess must not
 *   say whether it was right, or the allowance would not bound guessing;
 * - per network, IPv4 /24 and IPv6 /64 (30): the same for a host that rotates addresses;
 * - for the whole router (100): past it the router is in lockdown until that window ends. A wrong
 *   token then answers 429, and an address or network that sent a wrong token in its current window
 *   is refused outright, so each attacker source gets one guess a window; a request from anywhere
 *   else with the right token still succeeds, so no attacker can lock the operator out.
 * Memory is bounded: ADMIN_TRACKED_ADDRESSES addresses and as many networks.
 */
export class AdminAttempts {
  readonly #addresses: Counts;
  readonly #networks: Counts;
  /** The router's own count, under the one key "". */
  readonly #router: Counts;

  constructor(
    private readonly now: () => number,
    private readonly limit = ADMIN_FAILURES_PER_WINDOW,
    private readonly windowMs = ADMIN_FAILURE_WINDOW_MS,
    /** Proxies whose `X-Forwarded-For` names the client (SWITCHYARD_TRUSTED_PROXIES); none by default. */
    readonly trusted?: TrustedProxies,
  ) {
    this.#addresses = new Counts(windowMs, ADMIN_TRACKED_ADDRESSES);
    this.#networks = new Counts(windowMs, ADMIN_TRACKED_ADDRESSES);
    this.#router = new Counts(windowMs, 1);
  }

  /** The 429 for a client over its address's or network's allowance, or with failures during lockdown; else undefined. */
  refusal(client: string): RouterError | undefined {
    const at = this.now();
    const address = this.#addresses.current(client, at);
    const net = networkOf(client);
    const network = net === undefined ? undefined : this.#networks.current(net, at);
    if (address !== undefined && address.count >= this.limit) return this.#refuse(address.since, "from this address");
    if (network !== undefined && network.count >= ADMIN_NETWORK_FAILURES_PER_WINDOW) return this.#refuse(network.since, `from this network (${net})`);
    const global = this.#lockdown(at);
    // Refused until the lockdown ends or the client's own windows do, whichever is first.
    if (global !== undefined && (address ?? network) !== undefined)
      return this.#refuse(Math.min(global.since, Math.max(address?.since ?? 0, network?.since ?? 0)), "to this router");
    return undefined;
  }

  /** Count a wrong token from `client`; the 429 to answer instead of 401 when the router is now in lockdown. */
  failed(client: string): RouterError | undefined {
    const at = this.now();
    this.#addresses.add(client, at);
    const net = networkOf(client);
    if (net !== undefined) this.#networks.add(net, at);
    this.#router.add("", at);
    const global = this.#lockdown(at);
    return global === undefined ? undefined : this.#refuse(global.since, "to this router");
  }

  /** Addresses and networks remembered now (at most ADMIN_TRACKED_ADDRESSES of each). */
  get tracked(): number {
    return this.#addresses.size + this.#networks.size;
  }

  /** A right token clears the address's count (not its network's: that may hold others). */
  succeeded(client: string): void {
    this.#addresses.delete(client);
  }

  /** The router's window while it is over the global cap. */
  #lockdown(at: number): Failures | undefined {
    const g = this.#router.current("", at);
    return g !== undefined && g.count >= ADMIN_GLOBAL_FAILURES_PER_WINDOW ? g : undefined;
  }

  #refuse(since: number, scope: string): RouterError {
    const wait = retryAfterSeconds(since + this.windowMs - this.now());
    return new RouterError("too_many_admin_attempts", `too many wrong admin tokens ${scope}; try again in ${wait} s`, { headers: { "retry-after": wait } });
  }
}

/**
 * The address a request came from: the socket's peer, unless that peer is a trusted proxy; then the
 * last address in `X-Forwarded-For` that is not a trusted proxy (each proxy appends the address it saw,
 * so the entries left of the first untrusted one could be anything the client sent).
 */
export function clientAddress(req: Pick<IncomingMessage, "socket" | "headers">, trusted?: TrustedProxies): string {
  const peer = req.socket?.remoteAddress;
  if (peer === undefined) return "unknown";
  if (trusted === undefined || !isTrusted(trusted, plainAddress(peer))) return plainAddress(peer);
  const header = req.headers["x-forwarded-for"];
  const hops = (Array.isArray(header) ? header.join(",") : (header ?? "")).split(",").map((hop) => plainAddress(hop.trim()));
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i] as string;
    if (hop !== "" && !isTrusted(trusted, hop)) return hop;
  }
  // Every hop is a trusted proxy (or there is no header): the one farthest away is the best answer there is.
  return hops.find((hop) => hop !== "") ?? plainAddress(peer);
}

/**
 * checkAdminToken() behind the allowances: refused with 429 while the address or its network is over
 * its allowance (or, in lockdown, has any failure); a presented wrong token counts (and answers 429 in
 * lockdown), a right one clears the address (no token at all does neither).
 */
export function checkAdminAccess(
  req: Pick<IncomingMessage, "headers" | "socket">,
  configuredToken: string | undefined,
  attempts: AdminAttempts,
): RouterError | undefined {
  const client = clientAddress(req, attempts.trusted);
  const blocked = attempts.refusal(client);
  if (blocked !== undefined) return blocked;
  const refused = checkAdminToken(req, configuredToken);
  if (refused === undefined) attempts.succeeded(client);
  else if (refused.code === "invalid_admin_token" && bearerToken(req.headers.authorization) !== undefined) return attempts.failed(client) ?? refused;
  return refused;
}

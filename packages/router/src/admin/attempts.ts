/**
 * @module Wrong admin tokens per client address: after too many in a window, that address is refused
 * (429 `too_many_admin_attempts`) until the window ends, right token or not. Shared by the admin API
 * and the dashboard's sign-in, so guesses cannot be spread across the two.
 */
import type { IncomingMessage } from "node:http";
import { BlockList, isIP } from "node:net";
import { RouterError } from "../errors.ts";
import { bearerToken } from "../runtime/auth.ts";
import { checkAdminToken } from "./auth.ts";
import { retryAfterSeconds } from "../governance/headers.ts";

/** Wrong tokens one address may present per window. */
export const ADMIN_FAILURES_PER_WINDOW = 10;
/** The window, from an address's first wrong token. */
export const ADMIN_FAILURE_WINDOW_MS = 60_000;
/** Addresses remembered at once; past it, expired entries go first, then the oldest. */
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
  const entries = (text ?? "").split(",").map((entry) => entry.trim()).filter((entry) => entry !== "");
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

interface Failures {
  since: number;
  count: number;
}

export class AdminAttempts {
  readonly #failures = new Map<string, Failures>();

  constructor(
    private readonly now: () => number,
    private readonly limit = ADMIN_FAILURES_PER_WINDOW,
    private readonly windowMs = ADMIN_FAILURE_WINDOW_MS,
    /** Proxies whose `X-Forwarded-For` names the client (SWITCHYARD_TRUSTED_PROXIES); none by default. */
    readonly trusted?: TrustedProxies,
  ) {}

  /** The 429 for an address that used up its wrong tokens in the current window, else undefined. */
  refusal(client: string): RouterError | undefined {
    const f = this.#current(client);
    if (f === undefined || f.count < this.limit) return undefined;
    const wait = retryAfterSeconds(f.since + this.windowMs - this.now());
    return new RouterError("too_many_admin_attempts", `too many wrong admin tokens from this address; try again in ${wait} s`, { headers: { "retry-after": wait } });
  }

  /** Count a wrong token from `client`. */
  failed(client: string): void {
    const f = this.#current(client);
    if (f !== undefined) {
      f.count++;
      return;
    }
    if (this.#failures.size >= ADMIN_TRACKED_ADDRESSES) this.#evict();
    this.#failures.set(client, { since: this.now(), count: 1 });
  }

  /** Addresses remembered now (at most ADMIN_TRACKED_ADDRESSES). */
  get tracked(): number {
    return this.#failures.size;
  }

  /** A right token clears the address's count. */
  succeeded(client: string): void {
    this.#failures.delete(client);
  }

  /** The address's failures in the window still running (an expired entry is dropped). */
  #current(client: string): Failures | undefined {
    const f = this.#failures.get(client);
    if (f !== undefined && this.now() - f.since >= this.windowMs) {
      this.#failures.delete(client);
      return undefined;
    }
    return f;
  }

  #evict(): void {
    const at = this.now();
    for (const [client, f] of this.#failures) if (at - f.since >= this.windowMs) this.#failures.delete(client);
    if (this.#failures.size >= ADMIN_TRACKED_ADDRESSES) this.#failures.delete(this.#failures.keys().next().value as string);
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
 * checkAdminToken() behind the address's allowance: refused with 429 while the address is over it;
 * a presented wrong token counts against it, a right one clears it (no token at all does neither).
 */
export function checkAdminAccess(req: Pick<IncomingMessage, "headers" | "socket">, configuredToken: string | undefined, attempts: AdminAttempts): RouterError | undefined {
  const client = clientAddress(req, attempts.trusted);
  const blocked = attempts.refusal(client);
  if (blocked !== undefined) return blocked;
  const refused = checkAdminToken(req, configuredToken);
  if (refused === undefined) attempts.succeeded(client);
  else if (refused.code === "invalid_admin_token" && bearerToken(req.headers.authorization) !== undefined) attempts.failed(client);
  return refused;
}

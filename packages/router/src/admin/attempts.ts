/**
 * @module Wrong admin tokens per client address: after too many in a window, that address is refused
 * (429 `too_many_admin_attempts`) until the window ends, right token or not. Shared by the admin API
 * and the dashboard's sign-in, so guesses cannot be spread across the two.
 */
import type { IncomingMessage } from "node:http";
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

/** The address a request came from, as the socket saw it (a proxy in front makes it the proxy's). */
export function clientAddress(req: Pick<IncomingMessage, "socket">): string {
  return req.socket?.remoteAddress ?? "unknown";
}

/**
 * checkAdminToken() behind the address's allowance: refused with 429 while the address is over it;
 * a presented wrong token counts against it, a right one clears it (no token at all does neither).
 */
export function checkAdminAccess(req: Pick<IncomingMessage, "headers" | "socket">, configuredToken: string | undefined, attempts: AdminAttempts): RouterError | undefined {
  const client = clientAddress(req);
  const blocked = attempts.refusal(client);
  if (blocked !== undefined) return blocked;
  const refused = checkAdminToken(req, configuredToken);
  if (refused === undefined) attempts.succeeded(client);
  else if (refused.code === "invalid_admin_token" && bearerToken(req.headers.authorization) !== undefined) attempts.failed(client);
  return refused;
}

/**
 * @module The admin API's HTTP client (`@switchyard/router/admin-client`): the one implementation the
 * CLI and the Pulumi provider share. Depends on nothing but `fetch`.
 */
import type { AdminActivationResult, AdminDiagnostic, AdminErrorBody, AdminReleaseInfo, AdminReleaseList, AdminState, AdminUploadResult } from "./types.ts";

export type { AdminActivationResult, AdminDiagnostic, AdminErrorBody, AdminReleaseInfo, AdminReleaseList, AdminState, AdminUploadResult } from "./types.ts";

export interface AdminClientOptions {
  /** The router's base URL, e.g. `http://127.0.0.1:8787`. */
  url: string;
  /** The admin token (the router's SWITCHYARD_ADMIN_TOKEN). Never logged or put in an error. */
  token: string;
  /** Default: the global fetch. */
  fetch?: typeof fetch;
  /** Per-call timeout, ms. Default 30 000. */
  timeoutMs?: number;
}

/**
 * A failed admin call. `code` is the router's error code (`invalid_admin_token`, `invalid_release`,
 * `release_not_found`, `no_previous_release`, `admin_disabled`, …) or, when no answer came,
 * `unreachable` / `timeout` (status 0), or `invalid_response` when the answer was not the API's.
 */
export class AdminClientError extends Error {
  override readonly name = "AdminClientError";
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    /** The router's diagnostics for a rejected release (400 `invalid_release`). */
    readonly diagnostics: AdminDiagnostic[] = [],
  ) {
    super(message);
  }
}

/**
 * Talks to one router's admin API.
 *
 * @example
 * const admin = new AdminClient({ url: "http://127.0.0.1:8787", token: process.env.SWITCHYARD_ADMIN_TOKEN ?? "" });
 * const { hash } = await admin.pushRelease(await readFile("dist/prod/switchyard.json", "utf8"));
 * await admin.activate(hash);
 */
export class AdminClient {
  readonly url: string;
  readonly #token: string;
  readonly #fetch: typeof fetch;
  readonly #timeoutMs: number;

  constructor(options: AdminClientOptions) {
    this.url = options.url.replace(/\/+$/, "");
    this.#token = options.token;
    this.#fetch = options.fetch ?? fetch;
    this.#timeoutMs = options.timeoutMs ?? 30_000;
  }

  /** Upload the text of a compiled `switchyard.json` (its hash is read from it; the router verifies it). */
  pushRelease(releaseJsonText: string): Promise<AdminUploadResult> {
    const hash = releaseHashOf(releaseJsonText);
    return this.#call<AdminUploadResult>("PUT", `/admin/releases/${hash}`, releaseJsonText);
  }

  /** Make an uploaded release the active one (atomic; in-flight requests finish on the old one). */
  activate(hash: string): Promise<AdminActivationResult> {
    return this.#call<AdminActivationResult>("POST", `/admin/releases/${encodeURIComponent(hash)}/activate`);
  }

  /** Return to the release that was active before the current one. */
  rollback(): Promise<AdminActivationResult> {
    return this.#call<AdminActivationResult>("POST", "/admin/rollback");
  }

  /** Known releases, most recent first, the active one marked. */
  listReleases(options: { limit?: number } = {}): Promise<AdminReleaseList> {
    return this.#call<AdminReleaseList>("GET", `/admin/releases${options.limit === undefined ? "" : `?limit=${options.limit}`}`);
  }

  /** One release the router knows (throws `release_not_found` otherwise). */
  getRelease(hash: string): Promise<AdminReleaseInfo> {
    return this.#call<AdminReleaseInfo>("GET", `/admin/releases/${encodeURIComponent(hash)}`);
  }

  /** Live state: breakers, latency, in-flight, canaries, budgets, limits, and the active release. */
  state(): Promise<AdminState> {
    return this.#call<AdminState>("GET", "/admin/state");
  }

  async #call<T>(method: string, path: string, body?: string): Promise<T> {
    const target = `${this.url}${path}`;
    let response: Response;
    try {
      response = await this.#fetch(target, {
        method,
        headers: { authorization: `Bearer ${this.#token}`, accept: "application/json", ...(body !== undefined ? { "content-type": "application/json" } : {}) },
        ...(body !== undefined ? { body } : {}),
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (error) {
      const name = (error as Error).name;
      if (name === "TimeoutError" || name === "AbortError")
        throw new AdminClientError("timeout", 0, `the router at ${this.url} did not answer ${method} ${path} within ${this.#timeoutMs} ms`);
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new AdminClientError("unreachable", 0, `cannot reach the router at ${this.url}: ${cause?.code ?? cause?.message ?? (error as Error).message}`);
    }
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new AdminClientError(
        "invalid_response",
        response.status,
        `${method} ${path} answered ${response.status} with a body that is not JSON: is ${this.url} a Switchyard router?`,
      );
    }
    if (response.ok) return parsed as T;
    const error = (parsed as Partial<AdminErrorBody>).error;
    if (typeof error !== "object" || error === null || typeof error.code !== "string") {
      throw new AdminClientError(
        "invalid_response",
        response.status,
        `${method} ${path} answered ${response.status} without an error body: is ${this.url} a Switchyard router?`,
      );
    }
    const diagnostics = (parsed as AdminErrorBody).diagnostics;
    throw new AdminClientError(error.code, response.status, String(error.message), Array.isArray(diagnostics) ? diagnostics : []);
  }
}

/** The `hash` field of switchyard.json text, or an `invalid_release` AdminClientError (status 0). */
export function releaseHashOf(releaseJsonText: string): string {
  let raw: unknown;
  try {
    raw = JSON.parse(releaseJsonText);
  } catch (error) {
    throw new AdminClientError("invalid_release", 0, `the release is not valid JSON: ${(error as Error).message}`);
  }
  const hash = typeof raw === "object" && raw !== null && "hash" in raw ? raw.hash : undefined;
  if (typeof hash !== "string" || !/^[0-9a-f]{64}$/.test(hash))
    throw new AdminClientError("invalid_release", 0, "the release has no valid `hash` (64 hex digits): is this a switchyard.json from `switchyard build`?");
  return hash;
}

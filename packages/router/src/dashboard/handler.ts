/**
 * @module The /dashboard endpoints: sign-in form, session cookie, the page, and its JSON snapshot — all behind the admin token.
 * In router.mjs this file, with what it imports by value, is a separate compressed chunk loaded on the first /dashboard
 * request; it takes the router's own parts (errors, admin checks) from `DashboardOptions.core` instead of importing them.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Config } from "@switchyard/ir";
import { ADMIN_TOKEN_ENV } from "../admin/auth.ts";
import type { AdminAttempts, checkAdminAccess } from "../admin/attempts.ts";
import type { RouterError } from "../errors.ts";
import type { readBody } from "../http/read-body.ts";
import type { Awaitable, StateSnapshot } from "../state/store.ts";
import type { LiveStats } from "./live-stats.ts";
import { readLiveStats } from "./live-view.ts";
import { dashboardPage, loginPage, noticePage } from "./page.ts";
import { type DashboardRelease, type DashboardSnapshot, buildDashboardSnapshot } from "./snapshot.ts";
import { SessionKeys, clearSessionCookie } from "./session.ts";

/** Where the dashboard reads the router's live data from (the server wires these to its own parts). */
export interface DashboardSource {
  /** The active release. */
  release(): { hash: string; config: Config };
  /** Release history, newest first; omitted when the router keeps none. */
  releases?(): Awaitable<readonly DashboardRelease[]>;
  state(now: number): Awaitable<StateSnapshot>;
  /** Since when the store's budget ledger knows spend (see DashboardInput.ledgerSince). */
  ledgerSince?(): number | undefined;
}

/**
 * The router's own parts the dashboard uses, passed in rather than imported (`dashboardCore` in core.ts
 * is the router's set). In router.mjs the dashboard is bundled apart from the core (see
 * packages/compiler/src/emit/router-bundle.ts), so an imported copy would be a second RouterError class,
 * which the server's `instanceof` does not recognise, and a second wrong-token count.
 */
export interface DashboardCore {
  RouterError: typeof RouterError;
  readBody: typeof readBody;
  checkAdminAccess: typeof checkAdminAccess;
  AdminAttempts: typeof AdminAttempts;
  LiveStats: typeof LiveStats;
}

export interface DashboardOptions {
  /** The router's parts the dashboard uses: `dashboardCore` from ./core.ts. */
  core: DashboardCore;
  /** The admin token (`SWITCHYARD_ADMIN_TOKEN`); unset or empty disables the dashboard (403 `admin_disabled`). */
  token: string | undefined;
  source: DashboardSource;
  /** The live aggregator the router fans trace records into. Default: a new one on `now`. */
  stats?: LiveStats;
  /** Injected clock, epoch ms. */
  now?: () => number;
  sessions?: SessionKeys;
  /** Wrong-token counts per address, shared with the admin API. Default: the dashboard's own. */
  attempts?: AdminAttempts;
}

export interface Dashboard {
  /** Feed this the router's trace records. */
  readonly stats: LiveStats;
  /** Serve a request whose path is `/dashboard` or below. Throws RouterError for JSON errors (the server renders them). */
  handle(req: IncomingMessage, res: ServerResponse, path: string): Promise<void>;
  /** The snapshot the page shows, for tests and other readers. */
  snapshot(): Promise<DashboardSnapshot>;
}

/** The sign-in form is small: anything bigger is not a token. */
const LOGIN_BODY_LIMIT = 8 * 1024;

/**
 * Create the control panel. A browser without a session gets the sign-in form (401); posting the admin
 * token there sets an HttpOnly, SameSite=Strict session cookie (a random id of a server-side session,
 * never the token; 1 h idle, 8 h at most, ended by `POST /dashboard/logout`) and redirects
 * to the page, which polls `GET /dashboard/api/snapshot`. That endpoint takes the cookie or
 * `Authorization: Bearer <admin token>`.
 *
 * @example
 * const dashboard = createDashboard({ core: dashboardCore, token: env.SWITCHYARD_ADMIN_TOKEN, source: { release: () => active.current, state: (now) => stores.snapshot(active.current.config, now) } });
 * if (path === "/dashboard" || path.startsWith("/dashboard/")) return dashboard.handle(req, res, path);
 */
export function createDashboard(options: DashboardOptions): Dashboard {
  const { RouterError, readBody, checkAdminAccess } = options.core;
  const now = options.now ?? Date.now;
  const stats = options.stats ?? new options.core.LiveStats({ now });
  const sessions = options.sessions ?? new SessionKeys();
  const token = options.token === "" ? undefined : options.token;
  const attempts = options.attempts ?? new options.core.AdminAttempts(now);

  const snapshot = async (): Promise<DashboardSnapshot> => {
    const at = now();
    const [state, releases] = await Promise.all([options.source.state(at), options.source.releases?.() ?? []]);
    return buildDashboardSnapshot({
      now: at,
      release: options.source.release(),
      releases,
      state,
      stats: readLiveStats(stats, at),
      ledgerSince: options.source.ledgerSince?.(),
    });
  };

  const disabled = (req: IncomingMessage, res: ServerResponse): void => {
    req.resume();
    const message = `The control panel is disabled on this router: start it with ${ADMIN_TOKEN_ENV} set.`;
    if (wantsHtml(req)) return sendHtml(res, 403, noticePage(message));
    throw new RouterError("admin_disabled", message);
  };

  const refuseMethod = (req: IncomingMessage, allowed: "GET" | "POST"): never => {
    req.resume();
    throw new RouterError("method_not_allowed", `${req.method ?? "?"} is not allowed here; use ${allowed}`, {
      headers: { allow: allowed === "GET" ? "GET, HEAD" : allowed },
    });
  };

  const hasSession = (req: IncomingMessage): boolean => token !== undefined && sessions.valid(req.headers.cookie, token, now());

  const handle = async (req: IncomingMessage, res: ServerResponse, path: string): Promise<void> => {
    const method = req.method ?? "GET";
    const secure = isHttps(req);
    if (path === "/dashboard/login") {
      if (method !== "POST") return refuseMethod(req, "POST");
      if (token === undefined) return disabled(req, res);
      const body = await readBody(req, LOGIN_BODY_LIMIT).catch(() => "");
      const presented = new URLSearchParams(body).get("token") ?? "";
      if (presented === "") return sendHtml(res, 401, loginPage("Enter the admin token."));
      // One comparison, one place: the admin API's constant-time check and wrong-token allowance, fed the form's token.
      const refused = checkAdminAccess({ headers: { ...req.headers, authorization: `Bearer ${presented}` }, socket: req.socket }, token, attempts);
      if (refused?.code === "too_many_admin_attempts") {
        const seconds = refused.headers?.["retry-after"] ?? "60";
        res.setHeader("retry-after", seconds);
        return sendHtml(res, 429, loginPage(`Too many wrong admin tokens: try again in ${seconds} s.`));
      }
      if (refused !== undefined) return sendHtml(res, 401, loginPage("That token is not valid for this router."));
      res.setHeader("set-cookie", sessions.cookie(token, now(), { secure }));
      return redirect(res, "/dashboard");
    }
    if (path === "/dashboard/logout") {
      if (method !== "POST") return refuseMethod(req, "POST");
      req.resume();
      // Server-side: the old cookie is refused from now on, even if a copy of it survives somewhere.
      sessions.revoke(req.headers.cookie);
      res.setHeader("set-cookie", clearSessionCookie(secure));
      return redirect(res, "/dashboard");
    }
    if (path === "/dashboard" || path === "/dashboard/") {
      if (method !== "GET" && method !== "HEAD") return refuseMethod(req, "GET");
      req.resume();
      if (token === undefined) return disabled(req, res);
      if (!hasSession(req)) return sendHtml(res, 401, loginPage());
      const page = dashboardPage();
      if (req.headers["if-none-match"] === page.etag) {
        res.writeHead(304, { etag: page.etag, "cache-control": "private, no-cache" });
        return void res.end();
      }
      const accepted = String(req.headers["accept-encoding"] ?? "");
      const encoding = /\bbr\b/.test(accepted) ? "br" : /\bgzip\b/.test(accepted) ? "gzip" : undefined;
      const body = encoding === "br" ? page.brotli : encoding === "gzip" ? page.gzip : Buffer.from(page.html);
      res.writeHead(200, {
        ...PAGE_HEADERS,
        // Only the page's own inline script may run (by hash); data comes from this origin only.
        "content-security-policy": `default-src 'none'; script-src 'sha256-${page.scriptSha256}'; style-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`,
        "cache-control": "private, no-cache",
        etag: page.etag,
        vary: "accept-encoding, cookie",
        ...(encoding !== undefined ? { "content-encoding": encoding } : {}),
        "content-length": body.length,
      });
      return void res.end(method === "HEAD" ? undefined : body);
    }
    if (path === "/dashboard/api/snapshot") {
      if (method !== "GET" && method !== "HEAD") return refuseMethod(req, "GET");
      req.resume();
      if (!hasSession(req)) {
        const refused = checkAdminAccess(req, token, attempts);
        if (refused !== undefined) throw refused;
      }
      const json = JSON.stringify(await snapshot());
      res.writeHead(200, { "content-type": "application/json", "cache-control": "no-store", "content-length": Buffer.byteLength(json) });
      return void res.end(method === "HEAD" ? undefined : json);
    }
    req.resume();
    throw new RouterError("not_found", `no endpoint at ${method} ${path}; the dashboard serves GET /dashboard and GET /dashboard/api/snapshot`);
  };

  return { stats, handle, snapshot };
}

const PAGE_HEADERS = {
  "content-type": "text/html; charset=utf-8",
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "no-referrer",
} as const;

function sendHtml(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, {
    ...PAGE_HEADERS,
    "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "cache-control": "no-store",
    "content-length": Buffer.byteLength(html),
  });
  res.end(html);
}

function redirect(res: ServerResponse, location: string): void {
  res.writeHead(303, { location, "cache-control": "no-store", "content-length": 0 });
  res.end();
}

function wantsHtml(req: IncomingMessage): boolean {
  return String(req.headers.accept ?? "").includes("text/html");
}

/** Behind a TLS-terminating proxy the cookie must be Secure; on plain local HTTP it cannot be. */
function isHttps(req: IncomingMessage): boolean {
  return (req.socket as { encrypted?: boolean }).encrypted === true || req.headers["x-forwarded-proto"] === "https";
}

/** @module The admin API (`/admin/*`): upload, activate, list and roll back releases; read live state. */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Release } from "@switchyard/ir";
import type { AdapterRegistry, Transport } from "../adapters/types.ts";
import type { RouterError } from "../errors.ts";
import type { readBody } from "../http/read-body.ts";
import type { ActivationError, ActiveRelease, ReleaseRecord, RuntimeRelease, activateRelease } from "../runtime/release.ts";
import type { StateStores, StoredRelease } from "../state/stores.ts";
import type { ValidatorRegistry } from "../validators/types.ts";
import { ADMIN_TOKEN_ENV } from "./auth.ts";
import type { AdminAttempts, checkAdminAccess } from "./attempts.ts";
import { type ReleaseAdmission, admissionProblems } from "./admission.ts";
import { verifyReleaseText } from "./verify-release.ts";
import type { AdminActivationResult, AdminDiagnostic, AdminReleaseInfo, AdminReleaseList, AdminSharedState, AdminState, AdminUploadResult } from "./types.ts";
import { withPromptCanaries } from "../prompts/canary.ts";

export interface AdminApiOptions {
  active: ActiveRelease;
  /** Where the admin token (SWITCHYARD_ADMIN_TOKEN) and the keys a release names are read from. */
  env: Readonly<Record<string, string | undefined>>;
  adapters: AdapterRegistry;
  validators: ValidatorRegistry;
  transport: Transport;
  state: StateStores;
  now: () => number;
  /** Largest release accepted by PUT, in bytes. Default: the admission's (SWITCHYARD_MAX_RELEASE_BYTES, 2 MiB). */
  maxReleaseBytes?: number;
  /** What uploads may name (secrets, hosts, trace folder). Default: read from `env` and the release active now. */
  admission?: ReleaseAdmission;
  /** Operator log lines (each activation and rollback, an audit trail). Default: none. */
  log?: (line: string) => void;
  /** Wrong-token counts per address, shared with the dashboard's sign-in. Default: the API's own. */
  attempts?: AdminAttempts;
}

/**
 * The router's own parts the admin handler uses, passed in (`adminCore` from ./core.ts) rather than imported: in
 * router.mjs the handler is a lazily loaded chunk, which must not carry a second RouterError class (the server's
 * `instanceof`), a second release runtime or a second wrong-token count.
 */
export interface AdminCore {
  RouterError: typeof RouterError;
  readBody: typeof readBody;
  activateRelease: typeof activateRelease;
  ActivationError: typeof ActivationError;
  checkAdminAccess: typeof checkAdminAccess;
}

/** createAdminHandler's options: AdminApiOptions with the router's parts and the defaults resolved (createAdminApi does that). */
export interface AdminHandlerOptions extends AdminApiOptions {
  core: AdminCore;
  admission: ReleaseAdmission;
  attempts: AdminAttempts;
}

export interface AdminApi {
  /** Serve one `/admin…` request (auth included). Never throws. */
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
  /**
   * With shared state (a release store): follow every activation another replica makes (and one made while this
   * router was starting). Never throws:
   * a release this router cannot run is logged and shown in `/admin/state`, and the current one keeps serving.
   */
  followSharedReleases(): Promise<void>;
  /** Stop following (shutdown). */
  close(): void;
}

const HASH_RE = /^[0-9a-f]{64}$/;
const MAX_LIST = 100;

/** A rejected release: 400 `invalid_release` with the diagnostics that explain it. */
class ReleaseRejected extends Error {
  constructor(
    message: string,
    readonly diagnostics: AdminDiagnostic[],
  ) {
    super(message);
  }
}

/**
 * The admin API handler for one router (createAdminApi and mountAdmin call it). The token is read once from `env`;
 * without one every admin request gets 403 `admin_disabled`. In router.mjs this module, with what it imports by
 * value, is the compressed admin chunk (packages/compiler/src/emit/router-bundle.ts), loaded on the first /admin request.
 *
 * @example const admin = createAdminHandler({ ...options, core: adminCore, admission, attempts });
 */
export function createAdminHandler(options: AdminHandlerOptions): AdminApi {
  const { active, env, now, attempts, admission } = options;
  const { RouterError, readBody, activateRelease, ActivationError, checkAdminAccess } = options.core;
  const token = env[ADMIN_TOKEN_ENV];
  const maxBytes = options.maxReleaseBytes ?? admission.maxReleaseBytes;
  /** Activations (this replica's and those followed from others) run one at a time, in arrival order. */
  let queue: Promise<unknown> = Promise.resolve();
  const queued = <T>(run: () => Promise<T>): Promise<T> => {
    const result = queue.then(run, run);
    queue = result.catch(() => undefined);
    return result;
  };
  /** Shared releases (Redis state): the release, the active pointer and the history every replica reads. */
  const releases = options.state.releases;
  const environment = active.current.config.environment;
  /** The last shared activation this replica could not run (cleared by the next one it runs). */
  let unfollowed: AdminSharedState["unfollowed"];
  let stopFollowing: (() => void) | undefined;

  /** A release this router knows, or (shared state) one any replica stored. */
  const lookup = async (hash: string): Promise<ReleaseRecord | undefined> => active.get(hash) ?? (await releases?.get(hash));

  const prepare = (release: Release): RuntimeRelease => {
    try {
      return activateRelease({ release, env, adapters: options.adapters, validators: options.validators, transport: options.transport });
    } catch (error) {
      if (error instanceof ActivationError)
        throw new ReleaseRejected(`release ${release.hash} cannot run on this router: ${error.message}`, [{ code: error.code, message: error.message }]);
      // A schema-valid config can still be inconsistent (a hand-made release naming a missing model).
      throw new ReleaseRejected(`release ${release.hash} cannot be activated: ${(error as Error).message}`, [
        { code: "activation_failed", message: (error as Error).message },
      ]);
    }
  };
  /**
   * The one gate to running a release on this router, whichever way it comes: uploaded here, activated (perhaps
   * uploaded through another replica), or followed from shared state. It must meet this router's admission (secrets,
   * hosts, state) and activate; it is then ready to swap in.
   */
  const admitted = (release: Release): RuntimeRelease => {
    const refused = admissionProblems(admission, release.config);
    const first = refused[0];
    if (first !== undefined)
      throw new ReleaseRejected(`not allowed on this router (${first.code}${first.path !== undefined ? ` at ${first.path}` : ""}): ${first.message}`, refused);
    return prepare(release);
  };

  /** Activate a known release, or (`"rollback"`) the one active before the current one. */
  const activate = (target: string | "rollback"): Promise<AdminActivationResult> => {
    const run = async (): Promise<AdminActivationResult> => {
      const rollback = target === "rollback";
      const current = active.current;
      let hash = target;
      if (rollback) {
        const previous = releases !== undefined ? await releases.previous(environment) : active.previous()?.hash;
        if (previous === undefined)
          throw new RouterError(
            "no_previous_release",
            `there is no earlier release to roll back to: ${current.hash} is the only one activated on this router that it still remembers`,
          );
        hash = previous;
      }
      const record = await lookup(hash);
      if (record === undefined)
        throw new RouterError("release_not_found", `release ${hash} is not known to this router; upload it first with PUT /admin/releases/${hash}`);
      if (current.hash === hash && (releases === undefined || (await releases.active(environment)) === hash)) {
        return {
          hash,
          environment: record.environment,
          activatedAt: iso(record.activatedAt ?? now()),
          previous: hash,
          changed: false,
          warnings: current.warnings,
        };
      }
      const next = admitted(record.release);
      try {
        if (releases !== undefined) {
          // The shared pointer first: when Redis refuses, no replica (this one included) changes release.
          await releases.put(stored(record));
          await releases.activate(environment, hash, { now: now(), rollback });
        }
        await options.state.rollout.activate(withPromptCanaries(next.config), now());
        options.state.health.retain(next.config);
      } catch (error) {
        await next.close();
        throw error;
      }
      const at = now();
      if (active.get(hash) === undefined) active.record(record.release, record.uploadedAt, record.bytes);
      const previous = active.swap(next, { now: at, rollback });
      unfollowed = undefined;
      // Requests that began on the previous release keep it until they finish; close it after.
      void active.drained(previous).then(() => previous.close());
      options.log?.(
        `switchyard router: ${rollback ? "rolled back to" : "activated"} release ${hash.slice(0, 12)} (environment ${record.environment}); was ${previous.hash.slice(0, 12)}`,
      );
      return { hash, environment: record.environment, activatedAt: iso(at), previous: previous.hash, changed: true, warnings: next.warnings };
    };
    return queued(run);
  };

  /** Serve `hash`, activated through another replica (or found active at start); a failure leaves the current release serving. */
  const follow = (hash: string, why: string, options_: { quiet?: boolean } = {}): Promise<void> =>
    queued(async () => {
      const current = active.current;
      if (current.hash === hash) {
        unfollowed = undefined;
        return;
      }
      try {
        const record = await lookup(hash);
        if (record === undefined) throw new Error("it is not in the shared release store");
        const next = admitted(record.release);
        try {
          await options.state.rollout.activate(withPromptCanaries(next.config), now());
          options.state.health.retain(next.config);
        } catch (error) {
          await next.close();
          throw error;
        }
        if (active.get(hash) === undefined) active.record(record.release, record.uploadedAt, record.bytes);
        const previous = active.swap(next, { now: now() });
        void active.drained(previous).then(() => previous.close());
        unfollowed = undefined;
        options.log?.(`switchyard router: serving release ${hash.slice(0, 12)} (environment ${environment}, ${why}); was ${previous.hash.slice(0, 12)}`);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        unfollowed = { hash, message, at: iso(now()) };
        if (options_.quiet !== true)
          options.log?.(
            `switchyard router: cannot serve release ${hash.slice(0, 12)} (environment ${environment}, ${why}): ${message}; still serving ${current.hash.slice(0, 12)}`,
          );
      }
    });

  const followSharedReleases = async (): Promise<void> => {
    if (releases === undefined || stopFollowing !== undefined) return;
    stopFollowing = releases.onActivate((env, hash) => {
      if (env === environment) void follow(hash, "activated through another replica");
    });
    // Start-up already chose the release to serve (runtime/startup-release.ts); catch up on any activation made since,
    // and note in /admin/state an active release this replica cannot run.
    try {
      const shared = await releases.active(environment);
      // Quiet: start-up has already said in one line why it serves its own release instead.
      if (shared !== undefined && shared !== active.current.hash) await follow(shared, "the environment's active release in shared state", { quiet: true });
    } catch (error) {
      options.log?.(
        `switchyard router: could not read the active release from shared state (${(error as Error).message}); serving ${active.current.hash.slice(0, 12)} until it answers`,
      );
    }
  };

  const upload = async (req: IncomingMessage, hash: string): Promise<{ status: number; body: AdminUploadResult }> => {
    const text = await readBody(req, maxBytes);
    const known = await lookup(hash);
    const verified = verifyReleaseText(text, hash);
    if (!verified.ok) {
      const [first] = verified.diagnostics;
      const more = verified.diagnostics.length > 1 ? ` (and ${verified.diagnostics.length - 1} more)` : "";
      throw new ReleaseRejected(
        `the uploaded release is invalid: ${first?.path !== undefined ? `${first.path}: ` : ""}${first?.message ?? "unknown problem"}${more}`,
        verified.diagnostics,
      );
    }
    if (known !== undefined) {
      if (releases !== undefined) await releases.put(stored(known));
      return { status: 200, body: { ...info(known, await activeHash()), created: false, warnings: [] } };
    }
    const trial = admitted(verified.release);
    const warnings = trial.warnings;
    await trial.close();
    const local = active.record(verified.release, now(), Buffer.byteLength(text));
    const created = releases !== undefined ? (await releases.put(stored(local.record))).created : local.created;
    return { status: created ? 201 : 200, body: { ...info(local.record, await activeHash()), created, warnings } };
  };

  /** The environment's active release: the shared pointer with shared state (this router's current one until any is stored). */
  const activeHash = async (): Promise<string> => (releases !== undefined ? await releases.active(environment) : undefined) ?? active.current.hash;

  const info = (record: ReleaseRecord, activeNow: string): AdminReleaseInfo => ({
    hash: record.hash,
    environment: record.environment,
    uploadedAt: iso(record.uploadedAt),
    activatedAt: record.activatedAt === undefined ? null : iso(record.activatedAt),
    active: record.hash === activeNow,
  });

  const list = async (query: URLSearchParams): Promise<AdminReleaseList> => {
    const raw = query.get("limit");
    let limit = 20;
    if (raw !== null) {
      limit = Number(raw);
      if (!/^\d+$/.test(raw) || limit < 1 || limit > MAX_LIST)
        throw new RouterError("invalid_request", `limit must be an integer 1..${MAX_LIST}, got "${raw}"`, { param: "limit" });
    }
    if (releases === undefined) return { active: active.current.hash, releases: active.history(limit).map((r) => info(r, active.current.hash)) };
    const [shared, history] = await Promise.all([activeHash(), releases.history(environment, limit)]);
    return { active: shared, releases: history.map((r) => info(r, shared)) };
  };

  const state = async (): Promise<AdminState> => {
    const current = active.current;
    const snapshot = await options.state.snapshot(current.config, now());
    const activatedAt = active.get(current.hash)?.activatedAt;
    const shared: AdminSharedState = { kind: options.state.kind, up: options.state.backendUp() };
    if (releases !== undefined) {
      const pointer = options.state.backendUp()
        ? await Promise.resolve()
            .then(() => releases.active(environment))
            .catch(() => undefined)
        : undefined;
      if (pointer !== undefined) shared.activeRelease = pointer;
      if (unfollowed !== undefined) shared.unfollowed = unfollowed;
    }
    return {
      release: { hash: current.hash, environment: current.config.environment, activatedAt: activatedAt === undefined ? null : iso(activatedAt) },
      ...snapshot,
      state: shared,
    };
  };

  const refuse = (method: string, allowed: string): never => {
    throw new RouterError("method_not_allowed", `${method} is not allowed here; use ${allowed}`, {
      headers: { allow: allowed.includes("GET") ? `${allowed}, HEAD` : allowed },
    });
  };

  const dispatch = async (req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams): Promise<void> => {
    const method = req.method ?? "GET";
    const read = method === "GET" || method === "HEAD";
    if (path === "/admin/releases") {
      if (!read) return refuse(method, "GET");
      return sendJson(res, 200, await list(query));
    }
    if (path === "/admin/state") {
      if (!read) return refuse(method, "GET");
      return sendJson(res, 200, await state());
    }
    if (path === "/admin/rollback") {
      if (method !== "POST") return refuse(method, "POST");
      return sendJson(res, 200, await activate("rollback"));
    }
    const m = /^\/admin\/releases\/([^/]+)(\/activate)?$/.exec(path);
    if (m !== null) {
      const hash = m[1] ?? "";
      if (!HASH_RE.test(hash)) {
        throw new ReleaseRejected(`"${hash.slice(0, 80)}" is not a release hash (64 lower-case hex digits)`, [
          { code: "invalid_hash", message: "a release hash is 64 lower-case hex digits", path: "hash" },
        ]);
      }
      if (m[2] !== undefined) {
        if (method !== "POST") return refuse(method, "POST");
        return sendJson(res, 200, await activate(hash));
      }
      if (method === "PUT") {
        const { status, body } = await upload(req, hash);
        return sendJson(res, status, body);
      }
      if (!read) return refuse(method, "GET, PUT");
      const record = await lookup(hash);
      if (record === undefined) throw new RouterError("release_not_found", `release ${hash} is not known to this router`);
      return sendJson(res, 200, info(record, await activeHash()));
    }
    throw new RouterError(
      "not_found",
      `no admin endpoint at ${method} ${path}; the admin API serves PUT /admin/releases/{hash}, POST /admin/releases/{hash}/activate, GET /admin/releases, POST /admin/rollback, GET /admin/state`,
    );
  };

  return {
    followSharedReleases,
    close: () => stopFollowing?.(),
    async handle(req, res) {
      const url = new URL(req.url ?? "/", "http://admin.invalid");
      try {
        const refused = checkAdminAccess(req, token, attempts);
        if (refused !== undefined) throw refused;
        if (req.method !== "PUT") req.resume();
        await dispatch(req, res, url.pathname, url.searchParams);
      } catch (error) {
        req.resume();
        if (error instanceof ReleaseRejected)
          return sendJson(res, 400, { ...new RouterError("invalid_release", error.message).toBody(), diagnostics: error.diagnostics });
        sendError(res, error instanceof RouterError ? error : new RouterError("internal_error", `internal error: ${(error as Error).message}`));
      }
    },
  };
}

/** A release record as the shared release store keeps it. */
function stored(record: ReleaseRecord): StoredRelease {
  return {
    hash: record.hash,
    environment: record.environment,
    uploadedAt: record.uploadedAt,
    activatedAt: record.activatedAt,
    release: record.release,
    bytes: record.bytes,
  };
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  if (res.headersSent) {
    if (!res.writableEnded) res.end();
    return;
  }
  const body = JSON.stringify(value);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(body), "cache-control": "no-store" });
  res.end(body);
}

function sendError(res: ServerResponse, error: RouterError): void {
  if (res.headersSent) {
    if (!res.writableEnded) res.end();
    return;
  }
  for (const [name, value] of Object.entries(error.headers ?? {})) res.setHeader(name, value);
  if (error.code === "body_too_large") res.setHeader("connection", "close");
  sendJson(res, error.status, error.toBody());
}

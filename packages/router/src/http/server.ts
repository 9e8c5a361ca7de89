/**
 * @module The router's composition and lifecycle: state, release, governance, telemetry, admin and dashboard put together
 * at start; the HTTP server (node:http plus the lean fast path) with its per-request frame; graceful shutdown. Which code
 * answers a request is http/endpoints.ts; a generation request in any dialect is http/generate.ts.
 */
import { randomBytes } from "node:crypto";
import { type IncomingMessage, type Server, type ServerResponse, createServer } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import type { Release } from "@switchyard/ir";
import type { AdapterRegistry, Transport } from "../adapters/types.ts";
import { http1Transport } from "../adapters/transport/http1.ts";
import { upstreamLimits } from "../adapters/limits.ts";
import { positiveIntSetting } from "../settings.ts";
import { RouterError } from "../errors.ts";
import type { RouterHooks } from "../execute/context.ts";
import type { ExecuteDeps } from "../execute/execute.ts";
import { ClientGoneError, type RequestCancel } from "../execute/timers.ts";
import { ActiveRelease, type RuntimeRelease, activateRelease } from "../runtime/release.ts";
import { stateEnvWarnings } from "../runtime/state-env.ts";
import type { RedisStateSupport } from "../state/redis/start.ts";
import type { ValidatorRegistry } from "../validators/types.ts";
import { chatDialect } from "../protocol/chat-dialect.ts";
import { BodyBudget, MAX_BUFFERED_BYTES } from "./read-body.ts";
import { type FastPath, type FastRequest, KEEP_ALIVE_MS, type ResponseLike, installFastPath, rawAnswer } from "./fast-path.ts";
import { createMemoryStateStores, type StateStores } from "../state/index.ts";
import { type TelemetryOptions, createRouterTelemetry } from "../telemetry/index.ts";
import { mountAdmin } from "../admin/mount.ts";
import { AdminAttempts, TRUSTED_PROXIES_ENV, parseTrustedProxies } from "../admin/attempts.ts";
import { admissionOrError } from "../admin/admission.ts";
import { mountDashboard } from "../dashboard/mount.ts";
import { CanaryController, createGovernor } from "../governance/index.ts";
import { MemoryFeedbackStore } from "../governance/feedback.ts";
import { DEFAULT_CACHE_MAX_BYTES, cacheLoader } from "../cache/load.ts";
import type { RouterTelemetry } from "../telemetry/index.ts";
import { authenticate } from "./access.ts";
import { type EndpointDeps, dispatch } from "./endpoints.ts";
import { type GenerationDeps, type GenerationRequest, serveGeneration } from "./generate.ts";
import { answerFailure } from "./respond.ts";
import { withPromptCanaries } from "../prompts/canary.ts";

export interface StartRouterOptions {
  release: Release;
  /** 0 picks a free port. Default 8787. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Where provider and team keys are read from (the env vars routes.ts names). Default process.env. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Adapter factories by provider kind (router.mjs passes only the kinds its release uses). */
  adapters: AdapterRegistry;
  /** Validator factories by kind; a release using a kind not given here fails to start. */
  validators?: ValidatorRegistry;
  /** Upstream HTTP client; default `http1Transport()` (lean keep-alive HTTP/1.1, adapters/transport/http1.ts). */
  transport?: Transport;
  /** Live state: budgets, rate limits, routing health and rollout (canary steps). Default: what the release's `state` declares (fresh in-memory stores without one). */
  state?: StateStores;
  /**
   * Redis state (`redisState` of `@switchyard/router/redis`): router.mjs passes it only when its release declares
   * `state: { kind: "redis" }`. Without it such a release does not start.
   */
  redis?: RedisStateSupport;
  hooks?: RouterHooks;
  /** Injected clock (epoch ms) and uniform random source. */
  now?: () => number;
  rng?: () => number;
  /** How long close() waits for in-flight requests before cutting them (ms). Default 10 000. */
  drainMs?: number;
  /** Extra trace sinks and the OTLP exporter factory; the release's `telemetry` section chooses the rest. */
  telemetry?: TelemetryOptions;
  /** How often canary guards are evaluated, ms (default 5 000; 0: never on a timer, call `canaries.evaluate()`). */
  canaryIntervalMs?: number;
  /**
   * Read plain `POST /v1/chat/completions` requests on the lean HTTP/1.1 path (http/fast-path.ts) rather
   * than node:http's; anything else still goes to node:http. Default true; false serves all on node:http.
   */
  fastPath?: boolean;
}

export interface RunningRouter {
  /** e.g. `http://127.0.0.1:8787` */
  url: string;
  port: number;
  host: string;
  active: ActiveRelease;
  /** Operator warnings from activation (unset env vars); never secret values. */
  warnings: string[];
  /** Requests being served right now. */
  inFlight(): number;
  /** Trace records, metrics and alert delivery of this router (add sinks with `telemetry.addSink`). */
  telemetry: RouterTelemetry;
  /** Canary progression of this router (runs on a timer unless `canaryIntervalMs` is 0). */
  canaries: CanaryController;
  /**
   * Shut down gracefully: readyz turns 503 at once; after `unreadyMs` (default 0: time for a load
   * balancer to notice, requests are still served meanwhile) stop accepting, let in-flight requests
   * finish (up to `drainMs`), then close pools.
   */
  close(options?: { unreadyMs?: number }): Promise<void>;
}

/** A start failure worth a one-line message (port in use, release needing a missing adapter…). */
export class RouterStartError extends Error {
  override readonly name = "RouterStartError";
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const REQUEST_ID_RE = /^[\w.:@/+=-]{1,128}$/;

/**
 * Start the router on `host:port` serving one release.
 *
 * @example
 * const router = await startRouter({ release, port: 0, adapters: builtinAdapters, validators: builtinValidators });
 * await fetch(`${router.url}/v1/chat/completions`, { method: "POST", body: JSON.stringify({ model: "chat", messages }) });
 * await router.close();
 */
export async function startRouter(options: StartRouterOptions): Promise<RunningRouter> {
  const env = options.env ?? process.env;
  const trusted = parseTrustedProxies(env[TRUSTED_PROXIES_ENV]);
  if ("error" in trusted) throw new RouterStartError("invalid_trusted_proxies", trusted.error);
  const requestTimeoutMs = envLimit(env, "SWITCHYARD_REQUEST_TIMEOUT_MS", 30_000);
  const budget = new BodyBudget(envLimit(env, "SWITCHYARD_MAX_BUFFERED_BYTES", MAX_BUFFERED_BYTES));
  const maxConnections = envLimit(env, "SWITCHYARD_MAX_CONNECTIONS", 10_000);
  // Connections the kernel queues before the router accepts them (Node's default 511; the kernel caps it at
  // net.core.somaxconn). A burst of connects while the event loop is busy overflows a short queue: the kernel drops them.
  const listenBacklog = envLimit(env, "SWITCHYARD_LISTEN_BACKLOG", 511);
  const limits = upstreamLimits(env);
  if ("error" in limits) throw new RouterStartError("invalid_setting", limits.error);
  const admission = admissionOrError(env, options.release.config);
  if (typeof admission === "string") throw new RouterStartError("invalid_setting", admission);
  // The canary controller's timing (SWITCHYARD_CANARY_INTERVAL_MS; with shared state SWITCHYARD_CANARY_LEASE_TTL_MS bounds a takeover).
  const canaryIntervalMs = env["SWITCHYARD_CANARY_INTERVAL_MS"] === undefined ? undefined : envLimit(env, "SWITCHYARD_CANARY_INTERVAL_MS", 1);
  const leaseTtlMs = env["SWITCHYARD_CANARY_LEASE_TTL_MS"] === undefined ? undefined : envLimit(env, "SWITCHYARD_CANARY_LEASE_TTL_MS", 1);
  const now = options.now ?? Date.now;
  const log = options.telemetry?.log ?? ((line: string) => void process.stderr.write(`${line}\n`));
  // The stores the release declares (unless the caller brought its own): in memory, or connected to Redis.
  const declared = options.release.config.state;
  let state: StateStores;
  if (options.state !== undefined) state = options.state;
  else if (declared?.kind === "redis") {
    if (options.redis === undefined)
      throw new RouterStartError(
        "missing_state_client",
        "state: the release keeps its state on Redis, but this router was started without the Redis client (run the router.mjs `switchyard build` made from this release, or pass startRouter `redis: redisState` from @switchyard/router/redis)",
      );
    try {
      state = await options.redis.open(declared, env, options.release.config.environment, log);
    } catch (error) {
      throw new RouterStartError((error as { code?: string }).code ?? "state_unavailable", (error as Error).message);
    }
  } else state = createMemoryStateStores();
  // A stream holds its upstream connection throughout: as many per origin as client connections, unless set lower.
  const transport = options.transport ?? http1Transport({ ...limits, maxSockets: envLimit(env, "SWITCHYARD_MAX_UPSTREAM_CONNECTIONS", maxConnections) });
  const validators = options.validators ?? {};
  let runtime: RuntimeRelease;
  try {
    const activate = (release: Release): RuntimeRelease => activateRelease({ release, env, adapters: options.adapters, validators, transport });
    // On shared state the environment's active release may not be this router's own (runtime/startup-release.ts).
    runtime =
      state.releases !== undefined && options.redis !== undefined
        ? await options.redis.startupRelease({ boot: options.release, releases: state.releases, admission, now: now(), activate, log })
        : activate(options.release);
  } catch (error) {
    await transport.close();
    if (options.state === undefined) await state.close();
    throw new RouterStartError((error as { code?: string }).code ?? "activation_failed", (error as Error).message);
  }
  const active = new ActiveRelease(runtime, { now: now(), ...admission.history });
  const deps: ExecuteDeps = { state, hooks: options.hooks ?? {}, rng: options.rng ?? Math.random, now };
  await deps.state.rollout.activate(withPromptCanaries(runtime.config), now());
  deps.state.health.retain(runtime.config);
  const telemetry = createRouterTelemetry({ ...options.telemetry, release: () => active.current, state: deps.state, now, env });
  const governor = createGovernor({
    budgets: deps.state.budgets,
    limits: deps.state.limits,
    admission: deps.state.admission,
    now,
    onBudgetAlert: (alert) => {
      telemetry.budgetAlert(alert);
      deps.hooks.onBudgetAlert?.(alert);
    },
  });
  deps.governor = governor;
  const canaries = new CanaryController({
    ...(leaseTtlMs !== undefined ? { leaseTtlMs } : {}),
    rollout: deps.state.rollout,
    health: deps.state.health,
    config: () => withPromptCanaries(active.current.config),
    now,
    ...((options.canaryIntervalMs ?? canaryIntervalMs) !== undefined ? { intervalMs: options.canaryIntervalMs ?? canaryIntervalMs } : {}),
    onChange: (c) => {
      log(`switchyard router: canary of route ${c.route} ${c.action === "rollback" ? "rolled back to" : "advanced to"} ${c.percent} % (${c.reason})`);
      telemetry.canary(c);
    },
  });
  if (options.canaryIntervalMs !== 0) canaries.start();
  // One count of wrong admin tokens per address for the admin API and the dashboard's sign-in.
  const adminAttempts = new AdminAttempts(now, undefined, undefined, trusted.list);
  const admin = mountAdmin({
    ...(options.redis !== undefined ? { handler: options.redis.createAdminHandler } : {}),
    active,
    env,
    adapters: options.adapters,
    validators,
    transport,
    state: deps.state,
    now,
    log,
    attempts: adminAttempts,
    admission,
  });
  // Shared state: serve the environment's active release from Redis, and follow the other replicas' activations.
  await admin.followSharedReleases();
  const dashboard = mountDashboard({ env, active, state: deps.state, now, attempts: adminAttempts });
  if (dashboard.sink !== undefined) telemetry.addSink(dashboard.sink);
  /** Served requests a `POST /v1/feedback` score is matched against: shared with Redis state, else this replica's (bounded: governance/feedback.ts). */
  const served = deps.state.feedback ?? new MemoryFeedbackStore();
  const idPrefix = randomBytes(4).toString("hex");
  let counter = 0;
  let inFlight = 0;
  /** readyz answers 503 (shutdown has begun). */
  let unready = false;
  /** No longer accepting: new requests on kept-alive connections get 503 shutting_down. */
  let draining = false;
  /** Cancellation handles of the chat requests in flight (aborted when a drain times out). */
  const cancels = new Set<RequestCancel>();
  let drained: (() => void) | undefined;

  /** Every request's frame: in-flight count, the release it runs on, its id, and the last-resort error answer. */
  const serve = <Q extends GenerationRequest, S extends ResponseLike>(
    req: Q,
    res: S,
    next: (req: Q, res: S, release: RuntimeRelease, id: string) => Promise<void>,
  ): void => {
    inFlight++;
    const release = active.enter();
    const theirs = req.headers[release.requestIdHeader];
    const id = typeof theirs === "string" && REQUEST_ID_RE.test(theirs) ? theirs : `${idPrefix}-${(++counter).toString(36)}`;
    if (draining) res.setHeader("connection", "close");
    // "close" fires once per response: `on` spares the per-request wrapper `once` allocates.
    res.on("close", () => {
      active.leave(release);
      inFlight--;
      if (inFlight === 0 && drained !== undefined) drained();
    });
    // The per-request error boundary: whatever the handler throws, synchronously or not, ends here.
    const fail = (error: unknown): void => answerFailure(res, error, id, release.hash);
    try {
      next(req, res, release, id).catch(fail);
    } catch (error) {
      fail(error);
    }
  };

  /** Routes' cached answers: shared with Redis state, else this replica's LRU, bounded by SWITCHYARD_CACHE_MAX_BYTES. */
  const cache = cacheLoader({ store: deps.state.cache, maxBytes: envLimit(env, "SWITCHYARD_CACHE_MAX_BYTES", DEFAULT_CACHE_MAX_BYTES) });
  const generation: GenerationDeps = { deps, governor, telemetry, budget, served, cancels, draining: () => draining, cache };
  const endpoints: EndpointDeps = { ...generation, admin, dashboard, unready: () => unready };
  const handler = (req: IncomingMessage, res: ServerResponse): void => serve(req, res, (q, s, release, id) => dispatch(endpoints, q, s, release, id));
  /** The fast path serves only plain `POST /v1/chat/completions`. */
  const fastChat = (req: FastRequest, res: ResponseLike, release: RuntimeRelease, id: string): Promise<void> =>
    serveGeneration(chatDialect, generation, req, res, release, id);

  const timedOut = (): RouterError => new RouterError("request_timeout", `the request did not arrive within ${requestTimeoutMs} ms`);
  const server: Server = createServer(
    {
      keepAliveTimeout: KEEP_ALIVE_MS,
      // The whole request (head and body) within SWITCHYARD_REQUEST_TIMEOUT_MS, as on the fast path; the head within 60 s at most.
      requestTimeout: requestTimeoutMs,
      headersTimeout: Math.min(60_000, requestTimeoutMs),
      // How often node:http looks for requests past them (its default, 30 s, would let a short timeout run long).
      connectionsCheckingInterval: Math.min(1_000, requestTimeoutMs),
    },
    handler,
  );
  server.maxConnections = maxConnections;
  server.on("clientError", (error: NodeJS.ErrnoException, socket: Socket & { _httpMessage?: { headersSent: boolean } | null }) => {
    // As node:http's own handler: answer only when nothing of a response went out on the connection (an SSE body may be
    // in flight: a 400 written into it would corrupt it), else cut it.
    if (!socket.writable || socket._httpMessage?.headersSent === true) return void socket.destroy();
    socket.end(rawAnswer(error.code === "ERR_HTTP_REQUEST_TIMEOUT" ? timedOut() : new RouterError("invalid_request", "malformed HTTP request")));
  });
  const fast: FastPath | undefined =
    options.fastPath === false
      ? undefined
      : installFastPath(server, {
          maxBodyBytes: () => active.current.config.router.maxBodyBytes,
          serve: (req, res) => serve(req, res, fastChat),
          draining: () => draining,
          admit: (headers, bytes) => {
            try {
              authenticate(headers, active.current, chatDialect);
            } catch {
              return false;
            }
            return budget.take(bytes);
          },
          unreserve: (bytes) => budget.give(bytes),
          requestTimeoutMs,
          timedOut,
        });
  const host = options.host ?? "127.0.0.1";
  const port = options.port ?? 8787;
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) => {
      const message =
        error.code === "EADDRINUSE"
          ? `port ${port} on ${host} is already in use; pick another with --port`
          : error.code === "EACCES"
            ? `not allowed to listen on ${host}:${port}`
            : `cannot listen on ${host}:${port}: ${error.message}`;
      reject(new RouterStartError(error.code ?? "listen_failed", message));
    });
    server.listen({ port, host, backlog: listenBacklog }, () => resolve());
  }).catch(async (error: unknown) => {
    await runtime.close();
    await transport.close();
    if (options.state === undefined) await state.close();
    throw error;
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === "IPv6" ? `[${address.address}]` : address.address;

  let closing: Promise<void> | undefined;
  return {
    url: `http://${shownHost}:${address.port}`,
    port: address.port,
    host: address.address,
    active,
    // A store handed in is the caller's choice; only the one the release declares may ignore SWITCHYARD_REDIS_URL.
    warnings: [...runtime.warnings, ...telemetry.warnings, ...(options.state === undefined ? stateEnvWarnings(env, options.release.config) : [])],
    inFlight: () => inFlight,
    telemetry,
    canaries,
    close(closeOptions = {}) {
      closing ??= (async () => {
        unready = true;
        canaries.stop();
        admin.close();
        if ((closeOptions.unreadyMs ?? 0) > 0) await new Promise((resolve) => setTimeout(resolve, closeOptions.unreadyMs));
        draining = true;
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        fast?.closeIdle();
        if (inFlight > 0) {
          await new Promise<void>((resolve) => {
            drained = resolve;
            const timer = setTimeout(resolve, options.drainMs ?? 10_000);
            timer.unref();
          });
        }
        for (const cancel of cancels) cancel.cancel(new ClientGoneError("router shutting down"));
        server.closeAllConnections();
        fast?.closeAll();
        await closed;
        await active.current.close();
        await transport.close();
        await telemetry.close();
        if (options.state === undefined) await deps.state.close(); // stores the caller passed are the caller's to close
      })();
      return closing;
    },
  };
}

/** A positive integer setting from the environment, or its default; a bad value stops the start, naming it. */
function envLimit(env: Readonly<Record<string, string | undefined>>, name: string, fallback: number): number {
  const value = positiveIntSetting(env, name, fallback);
  if (typeof value !== "number") throw new RouterStartError("invalid_setting", value.error);
  return value;
}

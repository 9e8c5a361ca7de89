/** @module The router's HTTP server on node:http: endpoints, auth, errors, headers, streaming, lifecycle. */
import { randomBytes } from "node:crypto";
import { type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse, createServer } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import type { Release } from "@switchyard/ir";
import { type Candidate, canaryStickyKey, chatRequestFeatures, decideWithTable } from "../core/index.ts";
import type { AdapterRegistry, StreamEvent, Transport } from "../adapters/types.ts";
import { UpstreamError, toUpstreamError } from "../adapters/types.ts";
import { http1Transport } from "../adapters/transport/http1.ts";
import { upstreamLimits } from "../adapters/limits.ts";
import { positiveIntSetting } from "../settings.ts";
import { RouterError, clip } from "../errors.ts";
import type { RequestContext, RouterHooks } from "../execute/context.ts";
import { type ExecuteDeps, type OpenedStream, executeCompletion, noteChunkUsage, openStream } from "../execute/execute.ts";
import { ClientGoneError, RequestCancel } from "../execute/timers.ts";
import { ActiveRelease, type RuntimeRelease, activateRelease } from "../runtime/release.ts";
import { bearerToken, teamForKey } from "../runtime/auth.ts";
import { stateEnvWarnings } from "../runtime/state-env.ts";
import type { RedisStateSupport } from "../state/redis/start.ts";
import type { ValidatorRegistry } from "../validators/types.ts";
import { type ChatBody, validateChatBody } from "./chat-body.ts";
import { BodyBudget, readBody } from "./read-body.ts";
import { StreamedOutput, settleProduced } from "./stream-usage.ts";
import { type FastPath, FastRequest, KEEP_ALIVE_MS, type ResponseLike, installFastPath, rawAnswer } from "./fast-path.ts";
import { createMemoryStateStores, type StateStores } from "../state/index.ts";
import { type RouterTelemetry, type TelemetryOptions, completionText, createRouterTelemetry, serveMetrics } from "../telemetry/index.ts";
import { traceRegion } from "../telemetry/record.ts";
import { mountAdmin } from "../admin/mount.ts";
import { AdminAttempts, TRUSTED_PROXIES_ENV, parseTrustedProxies } from "../admin/attempts.ts";
import { admissionOrError } from "../admin/admission.ts";
import { mountDashboard } from "../dashboard/mount.ts";
import { CanaryController, createGovernor } from "../governance/index.ts";
import { FeedbackLedger, parseFeedbackBody } from "../governance/feedback.ts";

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

const JSON_TYPE = "application/json";
/** A chat request from node:http or from the fast path. */
type ChatRequest = IncomingMessage | FastRequest;
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
  const budget = new BodyBudget(envLimit(env, "SWITCHYARD_MAX_BUFFERED_BYTES", 64 * 1024 * 1024));
  const maxConnections = envLimit(env, "SWITCHYARD_MAX_CONNECTIONS", 10_000);
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
  await deps.state.rollout.activate(runtime.config, now());
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
    config: () => active.current.config,
    now,
    ...((options.canaryIntervalMs ?? canaryIntervalMs) !== undefined ? { intervalMs: options.canaryIntervalMs ?? canaryIntervalMs } : {}),
    onChange: (c) =>
      log(`switchyard router: canary of route ${c.route} ${c.action === "rollback" ? "rolled back to" : "advanced to"} ${c.percent} % (${c.reason})`),
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
  /** Served requests a `POST /v1/feedback` score is matched against (bounded: governance/feedback.ts). */
  const served = new FeedbackLedger();
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
  const serve = <Q extends ChatRequest, S extends ResponseLike>(
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

  const handler = (req: IncomingMessage, res: ServerResponse): void => serve(req, res, route);

  const route = async (req: IncomingMessage, res: ServerResponse, release: RuntimeRelease, id: string): Promise<void> => {
    const url = req.url ?? "/";
    const q = url.indexOf("?");
    const path = q === -1 ? url : url.slice(0, q);
    const method = req.method ?? "GET";
    // A served chat completion sends these with its one writeHead (answerHeaders); everything else gets them now.
    if (path !== "/v1/chat/completions" || method !== "POST") stampIds(res, id, release.hash);
    /** The read-only endpoints below answer GET and HEAD only. */
    const readable = method === "GET" || method === "HEAD";
    switch (path) {
      case "/v1/chat/completions":
        if (method !== "POST") return sendError(res, methodNotAllowed(method, "POST"));
        return chat(req, res, release, id);
      case "/v1/feedback":
        if (method !== "POST") return sendError(res, methodNotAllowed(method, "POST"));
        return feedback(req, res, release);
      case "/v1/models":
        if (!readable) return sendError(res, methodNotAllowed(method, "GET"));
        return models(req, res, release);
      case "/metrics":
        if (!readable) return sendError(res, methodNotAllowed(method, "GET"));
        req.resume();
        return serveMetrics(res, telemetry.metrics, method === "HEAD");
      case "/healthz":
        if (!readable) return sendError(res, methodNotAllowed(method, "GET"));
        return sendJson(res, 200, `{"status":"ok"}`);
      case "/readyz":
        if (!readable) return sendError(res, methodNotAllowed(method, "GET"));
        return unready
          ? sendJson(res, 503, `{"status":"draining"}`)
          : sendJson(res, 200, JSON.stringify({ status: "ready", release: release.hash, environment: release.config.environment }));
      default:
        if (path.startsWith("/admin/") || path === "/admin") return admin.handle(req, res);
        if (path === "/dashboard" || path.startsWith("/dashboard/")) return dashboard.handle(req, res, path);
        req.resume();
        return sendError(
          res,
          new RouterError(
            "not_found",
            `no endpoint at ${method} ${path}; the router serves POST /v1/chat/completions, POST /v1/feedback, GET /v1/models, GET /healthz, GET /readyz, GET /metrics, GET /dashboard and /admin/* (admin token)`,
          ),
        );
    }
  };

  /** Authenticate; returns the team (undefined on an open router). */
  const authenticate = (req: { headers: IncomingHttpHeaders }, release: RuntimeRelease): string | undefined => {
    if (release.keys.open) return undefined;
    const header = req.headers.authorization;
    const key = bearerToken(header);
    if (key === undefined) {
      throw new RouterError(
        "missing_api_key",
        header === undefined ? "missing Authorization header: send `Authorization: Bearer <team key>`" : "the Authorization header must be `Bearer <team key>`",
      );
    }
    const team = teamForKey(release.keys, key);
    if (team === undefined) throw new RouterError("invalid_api_key", "the API key is not valid for this router");
    return team;
  };

  const models = (req: IncomingMessage, res: ServerResponse, release: RuntimeRelease): void => {
    req.resume();
    try {
      const team = authenticate(req, release);
      sendJson(res, 200, team === undefined ? release.models.open : (release.models.byTeam.get(team) ?? `{"object":"list","data":[]}`));
    } catch (error) {
      sendError(res, error as RouterError);
    }
  };

  /** `POST /v1/feedback`: a quality score for one of the caller team's answers, counted into its canary arm's guard window. */
  const feedback = async (req: IncomingMessage, res: ServerResponse, release: RuntimeRelease): Promise<void> => {
    let team: string | undefined;
    try {
      team = authenticate(req, release);
    } catch (error) {
      req.resume();
      throw error; // serve()'s boundary answers it
    }
    const body = parseFeedbackBody(parseJson(await readBody(req, FEEDBACK_MAX_BODY_BYTES, budget)));
    const { served: request, repeated } = served.score(team, body);
    const { route, model, arm = null, servedAt } = request;
    // score() has just set it (or found it set).
    const scored = request.feedback as NonNullable<typeof request.feedback>;
    if (!repeated && arm !== null) scored.counted = await deps.state.rollout.recordCanaryFeedback({ route, arm, model, score: body.score, servedAt });
    const { score, label = null, counted } = scored;
    sendJson(res, 200, JSON.stringify({ object: "feedback", request_id: body.requestId, score, label, route, model, arm, counted }));
  };

  const chat = async (req: ChatRequest, res: ResponseLike, release: RuntimeRelease, id: string): Promise<void> => {
    const cancel = new RequestCancel();
    cancels.add(cancel);
    res.on("close", () => {
      cancels.delete(cancel);
      if (!res.writableFinished) cancel.cancel(new ClientGoneError("client went away"));
    });
    let ctx: RequestContext | undefined;
    let routeName: string | undefined;
    const trace = telemetry.begin(id, now(), release, req.headers.traceparent);
    try {
      if (draining) throw new RouterError("shutting_down", "the router is shutting down; retry on another replica");
      let team: string | undefined;
      try {
        team = authenticate(req, release);
      } catch (error) {
        req.resume();
        throw error;
      }
      trace.team = team;
      const text = req instanceof FastRequest ? req.body.toString("utf8") : await readBody(req, release.config.router.maxBodyBytes, budget);
      const body: ChatBody = validateChatBody(parseJson(text));
      // The table's Map, not the config object: `__proto__` or `toString` must not find Object.prototype's.
      const routeDef = release.table.routes.get(body.model)?.route;
      if (routeDef === undefined) {
        throw new RouterError("route_not_found", `route \`${clip(body.model)}\` does not exist; \`model\` names a route (GET /v1/models lists yours)`, {
          param: "model",
        });
      }
      // Only a route that exists is named in x-switchyard-route: its id is a config id, always header-safe,
      // while the client's string may hold any character (a control character in a header throws).
      routeName = body.model;
      trace.route = body.model;
      if (team !== undefined && release.table.teams.get(team)?.has(body.model) !== true) {
        throw new RouterError("route_not_allowed", `team \`${team}\` may not use route \`${body.model}\``, { param: "model" });
      }
      const stream = body.stream === true;
      ctx = {
        id,
        startedAt: now(),
        release,
        team,
        route: body.model,
        body,
        bodyText: text,
        stream,
        includeUsage: stream && body.stream_options?.include_usage === true,
        plan: undefined,
        attempts: [],
        answered: undefined,
        usage: undefined,
        costUsd: undefined,
        cancel,
        responseHeaders: undefined,
        governed: undefined,
      };
      const features = chatRequestFeatures(body);
      const admitted = governor.admitRequest(ctx, features);
      if (admitted instanceof Promise) await admitted;
      const region = req.headers["x-switchyard-region"];
      const traced = traceRegion(region);
      if (traced !== undefined) trace.region = traced;
      const at = now();
      const decision = decideWithTable(
        release.table,
        {
          route: body.model,
          team,
          promptTokens: features.promptTokens,
          maxOutputTokens: features.maxOutputTokens,
          region: typeof region === "string" && region !== "" ? region : undefined,
          stickyKey: canaryStickyKey(routeDef, { user: body.user, headers: req.headers }),
          requires: features.requires,
        },
        deps.state.view(at),
        { rng: deps.rng, now: at },
      );
      if (!decision.ok) {
        // decide()'s failure codes are RouterError codes of the same name.
        const code = decision.code;
        const why = decision.excluded.map((e) => `${e.model}: ${e.reason}`).join("; ");
        const param = code === "no_candidates" ? undefined : code === "context_length_exceeded" ? "messages" : "model";
        throw new RouterError(code, `${decision.message}${why === "" ? "" : ` (${why})`}`, param === undefined ? {} : { param });
      }
      ctx.plan = decision.plan;
      if (stream) await streamAnswer(res, ctx, features.promptTokens);
      else {
        const answering = ctx;
        // The answer is written before the attempt's bookkeeping runs (see executeCompletion).
        await executeCompletion(ctx, deps, (result) => {
          if (routeDef.logPayloads) trace.completion = completionText(result.completion);
          const answer = result.bytes ?? result.text;
          res.writeHead(
            200,
            answerHeaders(answering, routeName, [
              "content-type",
              JSON_TYPE,
              "content-length",
              String(typeof answer === "string" ? Buffer.byteLength(answer) : answer.length),
            ]),
          );
          res.end(answer);
        });
      }
    } catch (error) {
      trace.error = error;
      if (error instanceof ClientGoneError) {
        if (!res.writableEnded) res.destroy();
        return;
      }
      if (!res.headersSent) {
        if (ctx !== undefined) {
          // The same headers a served answer sends (answerHeaders), set one by one: the error body adds its own.
          const list = answerHeaders(ctx, routeName, []);
          for (let i = 0; i < list.length; i += 2) res.setHeader(list[i] as string, list[i + 1] as string);
        } else {
          stampIds(res, id, release.hash);
          if (routeName !== undefined) res.setHeader("x-switchyard-route", routeName);
        }
      }
      if (res.headersSent) {
        // Streams end themselves (with an error event) on upstream failures; anything else is a bug: cut, never a clean end.
        if (!res.writableEnded) res.destroy();
        return;
      }
      sendError(res, error instanceof RouterError ? error : new RouterError("internal_error", `internal error: ${(error as Error).message}`));
    } finally {
      telemetry.end({ draft: trace, ctx, status: res.statusCode, clientGone: trace.error instanceof ClientGoneError || cancel.cancelled });
      const answered = ctx?.answered;
      if (ctx !== undefined && answered !== undefined && res.statusCode === 200) {
        const source = release.config.routes[ctx.route]?.canary === undefined ? undefined : answered.source;
        const arm = source === "canary" ? source : source === "primary" && ctx.plan?.canary === false ? "baseline" : undefined;
        served.remember(id, { team: ctx.team, route: ctx.route, model: answered.model, arm, servedAt: now() });
      }
      if (ctx !== undefined) {
        try {
          governor.finishRequest(ctx);
          deps.hooks.afterRequest?.(ctx);
        } catch {
          // hooks must not break the response
        }
      }
    }
  };

  const streamAnswer = async (res: ResponseLike, ctx: RequestContext, promptTokens: number): Promise<void> => {
    /** The output sent so far: a stream cut before the upstream's usage report settles on it (settleProduced). */
    const output = new StreamedOutput();
    /** The SSE frame of an event, or "" for a usage-only chunk the client did not ask for. */
    const frame = (event: StreamEvent): string => {
      output.add(event.chunk);
      return noteChunkUsage(ctx, event.chunk) && !ctx.includeUsage ? "" : `data: ${event.raw ?? JSON.stringify(event.chunk)}\n\n`;
    };
    const write = async (text: string): Promise<void> => {
      if (text !== "" && !res.write(text)) await drain(res, ctx.cancel);
    };
    // The response is committed at the first upstream event: the headers name the attempt that sent it.
    let committed = false;
    const commit = (answered: Candidate | undefined): void => {
      committed = true;
      res.writeHead(200, answerHeaders(ctx, ctx.route, SSE_HEADERS, answered));
    };
    let opened: OpenedStream;
    try {
      opened = await openStream(ctx, deps, (event, candidate) => {
        // A fallback's preamble is dropped: the client already has a role chunk.
        if (committed) return;
        commit(candidate);
        return write(frame(event));
      });
    } catch (thrown) {
      // Every candidate failed after the 200 went out: the status can no longer say so.
      if (committed && !(thrown instanceof ClientGoneError) && !res.writableEnded) res.end(streamErrorFrame((thrown as Error).message));
      throw thrown;
    }
    const { attempt } = opened;
    if (!committed) commit(ctx.answered);
    try {
      // What arrived up to the first token leaves in one write (with the headers when not yet committed).
      let head = "";
      for (const event of opened.head) head += frame(event);
      await write(head);
      if (opened.rest !== undefined) {
        for (;;) {
          const next = await opened.rest.next();
          if (next.done === true) break;
          await write(frame(next.value));
        }
      }
      res.end("data: [DONE]\n\n");
      attempt.succeed(opened.ttftMs);
    } catch (thrown) {
      // Cut part-way (the client left, or the upstream broke): the budget settles on what was produced.
      settleProduced(ctx, promptTokens, output);
      if (ctx.cancel.reason !== undefined) {
        attempt.fail(new UpstreamError("rejected", "client went away"));
        throw ctx.cancel.reason;
      }
      const error = toUpstreamError(thrown, attempt.abort.signal);
      attempt.fail(
        error.errorClass === "stream_interrupted"
          ? error
          : new UpstreamError(error.errorClass, `stream interrupted: ${error.message}`, error.status !== undefined ? { status: error.status } : {}),
      );
      if (!res.writableEnded) res.end(streamErrorFrame(error.message));
    }
  };

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
          serve: (req, res) => serve(req, res, chat),
          draining: () => draining,
          admit: (headers, bytes) => {
            try {
              authenticate({ headers }, active.current);
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
    server.listen(port, host, () => resolve());
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

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new RouterError("invalid_json", `the request body is not valid JSON: ${(error as Error).message}`);
  }
}

/** A feedback body is a request id, a score and a short label: 16 KiB is plenty. */
const FEEDBACK_MAX_BODY_BYTES = 16 * 1024;

function methodNotAllowed(method: string, allowed: string): RouterError {
  return new RouterError("method_not_allowed", `${method} is not allowed here; use ${allowed}`, {
    headers: { allow: allowed === "GET" ? "GET, HEAD" : allowed },
  });
}

function stampIds<S extends ResponseLike>(res: S, id: string, hash: string): S {
  res.setHeader("x-switchyard-request-id", id);
  res.setHeader("x-switchyard-config-version", hash);
  return res;
}

/**
 * A served answer's headers as one flat list for writeHead: setHeader per header would build a
 * header map and a [name, value] pair each, per request (the error path sets the same list one by one).
 */
function answerHeaders(ctx: RequestContext, route: string | undefined, tail: readonly string[], answered: Candidate | undefined = ctx.answered): string[] {
  // Sized up front: grown by push, the list would be copied two or three times.
  const out = new Array<string>(32);
  let n = 0;
  out[n++] = "x-switchyard-request-id";
  out[n++] = ctx.id;
  out[n++] = "x-switchyard-config-version";
  out[n++] = ctx.release.hash;
  if (route !== undefined) {
    out[n++] = "x-switchyard-route";
    out[n++] = route;
  }
  const extra = ctx.responseHeaders;
  if (extra !== undefined) {
    for (const name in extra) {
      out[n++] = name;
      out[n++] = extra[name] as string;
    }
  }
  out[n++] = "x-switchyard-attempts";
  out[n++] = String(ctx.attempts.length);
  if (answered !== undefined) {
    out[n++] = "x-switchyard-model";
    out[n++] = answered.model;
    out[n++] = "x-switchyard-provider";
    out[n++] = answered.provider;
  }
  for (let i = 0; i < tail.length; i++) out[n++] = tail[i] as string;
  out.length = n;
  return out;
}

const SSE_HEADERS = ["content-type", "text/event-stream; charset=utf-8", "cache-control", "no-cache", "x-accel-buffering", "no"];

/** The one SSE error event that ends a stream which failed after its 200 went out (no `[DONE]`). */
function streamErrorFrame(message: string): string {
  const payload = {
    error: { message: `the upstream stream failed after the response started: ${message}`, type: "upstream_error", code: "stream_interrupted", param: null },
  };
  return `data: ${JSON.stringify(payload)}\n\n`;
}

/**
 * The last-resort answer of a request whose handler threw: a 500 `internal_error` (or the RouterError
 * thrown) when nothing was written yet, else the connection is cut (a half-sent answer must not look
 * complete). Never throws: a failure here destroys the connection, so nothing reaches unhandledRejection.
 */
export function answerFailure(res: ResponseLike, error: unknown, id: string, hash: string): void {
  try {
    if (res.writableEnded) return;
    if (res.headersSent) return res.destroy();
    sendError(stampIds(res, id, hash), error instanceof RouterError ? error : new RouterError("internal_error", "internal error"));
  } catch {
    res.destroy();
  }
}

function sendJson(res: ResponseLike, status: number, body: string): void {
  res.writeHead(status, { "content-type": JSON_TYPE, "content-length": Buffer.byteLength(body) });
  res.end(body);
}

function sendError(res: ResponseLike, error: RouterError): void {
  if (res.headersSent) {
    if (!res.writableEnded) res.end();
    return;
  }
  if (!res.hasHeader("x-switchyard-attempts")) res.setHeader("x-switchyard-attempts", "0");
  for (const [name, value] of Object.entries(error.headers ?? {})) res.setHeader(name, value);
  // Their bodies are left unread: the connection cannot carry another request.
  if (error.code === "body_too_large" || error.code === "overloaded") res.setHeader("connection", "close");
  sendJson(res, error.status, error.toJson());
}

/** Wait until the client can take more (or is gone: then reject with the cancellation reason). */
function drain(res: ResponseLike, cancel: RequestCancel): Promise<void> {
  return new Promise((resolve, reject) => {
    if (cancel.reason !== undefined) return reject(cancel.reason);
    const done = (): void => {
      res.off("drain", done);
      res.off("close", done);
      if (res.destroyed && !res.writableFinished) reject(cancel.reason ?? new ClientGoneError("client went away"));
      else resolve();
    };
    res.on("drain", done);
    res.on("close", done);
  });
}

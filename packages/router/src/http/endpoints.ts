/**
 * @module Which code answers a request: one table of paths. Generation endpoints name their dialect (protocol/*) and
 * share one handler (http/generate.ts); the rest are small handlers here, or the admin API and dashboard mounts.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AdminApi } from "../admin/api.ts";
import type { MountedDashboard } from "../dashboard/mount.ts";
import { RouterError, clip } from "../errors.ts";
import { parseFeedbackBody } from "../governance/feedback.ts";
import { bearerKey, chatDialect } from "../protocol/chat-dialect.ts";
import { type MessagesCore, type MessagesDialect, loadMessagesDialect } from "../protocol/messages/index.ts";
import { parseJson, tooDeep } from "../protocol/json.ts";
import { parseTags } from "../protocol/tags.ts";
import { responsesDialect } from "../protocol/responses/load.ts";
import { type RuntimeRelease, modelEntry } from "../runtime/release.ts";
import { serveMetrics } from "../telemetry/index.ts";
import { authenticate, routeFor } from "./access.ts";
import { type GenerationDeps, serveGeneration } from "./generate.ts";
import type { EmbeddingsCore } from "./embeddings.ts";
import { chatRequestFeatures, decideWithTable } from "../core/index.ts";
import { runPlan } from "../execute/execute.ts";
import { ClientGoneError, RequestCancel } from "../execute/timers.ts";
import { priceUsage } from "../execute/usage.ts";
import { requestRegion } from "../telemetry/record.ts";
import { readBody } from "./read-body.ts";
import { JSON_TYPE, answerHeaders, methodNotAllowed, sendError, sendJson, stampIds } from "./respond.ts";

export interface EndpointDeps extends GenerationDeps {
  admin: AdminApi;
  dashboard: MountedDashboard;
  /** readyz answers 503: shutdown has begun. */
  unready(): boolean;
}

/** The endpoints a client sees in a 404's message. */
const SERVED =
  "POST /v1/chat/completions, POST /v1/responses, POST /v1/messages, POST /v1/messages/count_tokens, POST /v1/embeddings, POST /v1/feedback, GET /v1/models, GET /v1/models/{id}, GET /healthz, GET /readyz, GET /metrics, GET /dashboard and /admin/* (admin token)";

/** A feedback body is a request id, a score and a short label: 16 KiB is plenty. */
const FEEDBACK_MAX_BODY_BYTES = 16 * 1024;

/** Answer one node:http request (the fast path hands chat completions straight to serveGeneration). */
export async function dispatch(e: EndpointDeps, req: IncomingMessage, res: ServerResponse, release: RuntimeRelease, id: string): Promise<void> {
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
      return serveGeneration(chatDialect, e, req, res, release, id);
    case "/v1/responses":
      if (method !== "POST") return sendError(res, methodNotAllowed(method, "POST"));
      return serveGeneration(await responsesDialect(), e, req, res, release, id);
    case "/v1/messages": {
      const messages = await loadMessagesDialect(MESSAGES_CORE);
      if (method !== "POST") return sendError(res, methodNotAllowed(method, "POST"), messages);
      return serveGeneration(messages, e, req, res, release, id);
    }
    case "/v1/messages/count_tokens": {
      const messages = await loadMessagesDialect(MESSAGES_CORE);
      if (method !== "POST") return sendError(res, methodNotAllowed(method, "POST"), messages);
      return countTokens(messages, e, req, res, release);
    }
    case "/v1/embeddings":
      if (method !== "POST") return sendError(res, methodNotAllowed(method, "POST"));
      return (await embeddingsHandler())(EMBEDDINGS_CORE, e, req, res, release, id);
    case "/v1/feedback":
      if (method !== "POST") return sendError(res, methodNotAllowed(method, "POST"));
      return feedback(e, req, res, release);
    case "/v1/models":
      if (!readable) return sendError(res, methodNotAllowed(method, "GET"));
      return models(req, res, release);
    case "/metrics":
      if (!readable) return sendError(res, methodNotAllowed(method, "GET"));
      req.resume();
      return serveMetrics(res, e.telemetry.metrics, method === "HEAD");
    case "/healthz":
      if (!readable) return sendError(res, methodNotAllowed(method, "GET"));
      return sendJson(res, 200, `{"status":"ok"}`);
    case "/readyz":
      if (!readable) return sendError(res, methodNotAllowed(method, "GET"));
      return e.unready()
        ? sendJson(res, 503, `{"status":"draining"}`)
        : sendJson(res, 200, JSON.stringify({ status: "ready", release: release.hash, environment: release.config.environment }));
    default:
      if (path.startsWith("/admin/") || path === "/admin") return e.admin.handle(req, res);
      if (path === "/dashboard" || path.startsWith("/dashboard/")) return e.dashboard.handle(req, res, path);
      if (path.startsWith(MODEL_PREFIX)) {
        if (!readable) return sendError(res, methodNotAllowed(method, "GET"));
        return model(req, res, release, path.slice(MODEL_PREFIX.length));
      }
      req.resume();
      return sendError(res, new RouterError("not_found", `no endpoint at ${method} ${path}; the router serves ${SERVED}`));
  }
}

/** The router's parts the (lazily loaded) Messages dialect uses. */
const MESSAGES_CORE: MessagesCore = { RouterError, bearerKey, tooDeep, promptTokens: (body) => chatRequestFeatures(body).promptTokens };

/**
 * `POST /v1/messages/count_tokens`: the router's prompt-token estimate of a Messages body, `{ "input_tokens": N }`, after
 * the same key and route checks as `/v1/messages`. Nothing is sent upstream and nothing is spent.
 */
async function countTokens(messages: MessagesDialect, e: EndpointDeps, req: IncomingMessage, res: ServerResponse, release: RuntimeRelease): Promise<void> {
  try {
    let team: string | undefined;
    try {
      team = authenticate(req.headers, release, messages);
    } catch (error) {
      req.resume();
      throw error;
    }
    const { body } = messages.readCount(parseJson(await readBody(req, release.config.router.maxBodyBytes, e.budget)), req.headers);
    routeFor(release, team, body.model);
    sendJson(res, 200, messages.countTokens(body));
  } catch (error) {
    sendError(res, error instanceof RouterError ? error : new RouterError("internal_error", `internal error: ${(error as Error).message}`), messages);
  }
}

/** The core's parts the embeddings handler uses (it is a lazy chunk of router.mjs: see http/embeddings.ts). */
const EMBEDDINGS_CORE: EmbeddingsCore = {
  RouterError,
  ClientGoneError,
  RequestCancel,
  authenticate,
  routeFor,
  readBody,
  parseJson,
  decideWithTable,
  runPlan,
  priceUsage,
  requestRegion,
  answerHeaders,
  sendError,
  stampIds,
  JSON_TYPE,
  parseTags,
  bearer: chatDialect,
};

let embeddings: Promise<typeof import("./embeddings.ts")> | undefined;
/** `POST /v1/embeddings`'s handler, loaded on the first such request (in router.mjs a brotli chunk unpacked then). */
async function embeddingsHandler(): Promise<(typeof import("./embeddings.ts"))["serveEmbeddings"]> {
  return (await (embeddings ??= import("./embeddings.ts"))).serveEmbeddings;
}

/** `GET /v1/models`: the routes the caller's team may use, as OpenAI's model list. */
function models(req: IncomingMessage, res: ServerResponse, release: RuntimeRelease): void {
  req.resume();
  try {
    const team = authenticate(req.headers, release, chatDialect);
    sendJson(res, 200, team === undefined ? release.models.open : (release.models.byTeam.get(team) ?? `{"object":"list","data":[]}`));
  } catch (error) {
    sendError(res, error as RouterError);
  }
}

const MODEL_PREFIX = "/v1/models/";

/**
 * `GET /v1/models/{id}`: one route the caller's team may use, as OpenAI's model object. A route that does not exist
 * and one the team may not use get the same 404 (`route_not_found`): like the list, it never tells a team which
 * other routes exist.
 */
function model(req: IncomingMessage, res: ServerResponse, release: RuntimeRelease, encoded: string): void {
  req.resume();
  try {
    const team = authenticate(req.headers, release, chatDialect);
    let name: string;
    try {
      name = decodeURIComponent(encoded);
    } catch {
      name = encoded;
    }
    const allowed = release.table.routes.has(name) && (team === undefined || release.table.teams.get(team)?.has(name) === true);
    if (!allowed) {
      throw new RouterError("route_not_found", `the model \`${clip(name)}\` does not exist or you do not have access to it (GET /v1/models lists yours)`, {
        param: "model",
      });
    }
    sendJson(res, 200, JSON.stringify(modelEntry(name)));
  } catch (error) {
    sendError(res, error as RouterError);
  }
}

/** `POST /v1/feedback`: a quality score for one of the caller team's answers, counted into its canary arm's guard window. */
async function feedback(e: EndpointDeps, req: IncomingMessage, res: ServerResponse, release: RuntimeRelease): Promise<void> {
  let team: string | undefined;
  try {
    team = authenticate(req.headers, release, chatDialect);
  } catch (error) {
    req.resume();
    throw error; // the request frame's boundary answers it
  }
  const body = parseFeedbackBody(parseJson(await readBody(req, FEEDBACK_MAX_BODY_BYTES, e.budget)));
  const scored = await e.served.score(team, body, e.deps.now());
  const { route, model, arm = null, servedAt } = scored.served;
  let { counted } = scored.feedback;
  if (!scored.repeated && arm !== null) {
    counted = await e.deps.state.rollout.recordCanaryFeedback({ route, arm, model, score: body.score, servedAt });
    if (counted) await e.served.markCounted(scored, true);
  }
  const { score, label = null } = scored.feedback;
  sendJson(res, 200, JSON.stringify({ object: "feedback", request_id: body.requestId, score, label, route, model, arm, counted }));
}

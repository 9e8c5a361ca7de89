/**
 * @module `POST /v1/embeddings`: authenticate, read OpenAI's embeddings request, check the route (an embedding route, once,
 * in access.ts), admit (rate limits, budgets priced per input token), decide, run the plan's candidates with the adapter's
 * `embed` (retries and fallbacks: execute.ts's runPlan), answer in OpenAI's shape, and account (traces, metrics, JSONL,
 * governance) as a chat request does. Loaded on first use (a lazy chunk of router.mjs), like the admin API.
 */
import type { parseTags } from "../protocol/tags.ts";
import type { decideWithTable } from "../core/index.ts";
import type { RouterError } from "../errors.ts";
import type { RequestContext } from "../execute/context.ts";
import type { runPlan } from "../execute/execute.ts";
import type { ClientGoneError, RequestCancel } from "../execute/timers.ts";
import type { priceUsage } from "../execute/usage.ts";
import type { chatDialect } from "../protocol/chat-dialect.ts";
import { type EmbeddingsBody, type EmbeddingsResponse, estimateEmbeddingTokens, inputsOf, readEmbeddingsBody } from "../protocol/embeddings.ts";
import { estimateTextTokens } from "../core/tokens.ts";
import { PROMPT_HEADER } from "../prompts/keys.ts";
import type { parseJson } from "../protocol/json.ts";
import type { RuntimeRelease } from "../runtime/release.ts";
import type { requestRegion } from "../telemetry/record.ts";
import type { authenticate, routeFor } from "./access.ts";
import type { GenerationDeps } from "./generate.ts";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { readBody } from "./read-body.ts";
import type { JSON_TYPE, answerHeaders, sendError, stampIds } from "./respond.ts";

/**
 * The core's parts the embeddings chunk uses (packages/compiler/src/emit/router-bundle.ts, EMBEDDINGS_CHUNK): passed in, so
 * the chunk carries no second copy of a class (`instanceof RouterError`) or of stateful code. http/endpoints.ts builds it.
 */
export interface EmbeddingsCore {
  RouterError: typeof RouterError;
  ClientGoneError: typeof ClientGoneError;
  RequestCancel: typeof RequestCancel;
  authenticate: typeof authenticate;
  routeFor: typeof routeFor;
  readBody: typeof readBody;
  parseJson: typeof parseJson;
  decideWithTable: typeof decideWithTable;
  runPlan: typeof runPlan;
  priceUsage: typeof priceUsage;
  requestRegion: typeof requestRegion;
  answerHeaders: typeof answerHeaders;
  sendError: typeof sendError;
  stampIds: typeof stampIds;
  JSON_TYPE: typeof JSON_TYPE;
  /** The caller's `x-switchyard-tags` header, checked (it throws the core's RouterError). */
  parseTags: typeof parseTags;
  /** How OpenAI's clients send their key (`Authorization: Bearer`). */
  bearer: Pick<typeof chatDialect, "apiKey">;
}

/** The most tokens of one input (what a model's `context` bounds for embeddings). */
function largestInputTokens(body: EmbeddingsBody): number {
  let largest = 0;
  for (const item of inputsOf(body.input)) largest = Math.max(largest, typeof item === "string" ? estimateTextTokens(item) : item.length);
  return largest;
}

/** Serve one `POST /v1/embeddings` (the caller's frame has counted it and chosen its id and release). */
export async function serveEmbeddings(
  core: EmbeddingsCore,
  g: GenerationDeps,
  req: IncomingMessage,
  res: ServerResponse,
  release: RuntimeRelease,
  id: string,
): Promise<void> {
  const { RouterError, ClientGoneError, answerHeaders } = core;
  const { deps, governor, telemetry } = g;
  const now = deps.now;
  const cancel = new core.RequestCancel();
  g.cancels.add(cancel);
  res.on("close", () => {
    g.cancels.delete(cancel);
    if (!res.writableFinished) cancel.cancel(new ClientGoneError("client went away"));
  });
  let ctx: RequestContext | undefined;
  let routeName: string | undefined;
  const trace = telemetry.begin(id, now(), release, req.headers.traceparent);
  try {
    if (g.draining()) throw new RouterError("shutting_down", "the router is shutting down; retry on another replica");
    let team: string | undefined;
    try {
      team = core.authenticate(req.headers, release, core.bearer);
    } catch (error) {
      req.resume();
      throw error;
    }
    trace.team = team;
    const read = readEmbeddingsBody(core.parseJson(await core.readBody(req, release.config.router.maxBodyBytes, g.budget)));
    if ("problem" in read)
      throw new RouterError(
        "invalid_request",
        read.param === "" ? read.problem : `\`${read.param}\` ${read.problem}`,
        read.param === "" ? {} : { param: read.param },
      );
    if (req.headers[PROMPT_HEADER] !== undefined)
      throw new RouterError(
        "invalid_request",
        `the \`${PROMPT_HEADER}\` header is not read by embeddings: routes.ts prompts render chat, Responses and Messages requests; send the text to embed in \`input\``,
      );
    const body = read;
    const tags = core.parseTags(req.headers["x-switchyard-tags"]);
    if (tags !== undefined) trace.tags = tags;
    core.routeFor(release, team, body.model, "embedding");
    routeName = body.model;
    trace.route = body.model;
    ctx = {
      id,
      startedAt: now(),
      release,
      team,
      route: body.model,
      // The chat body is the internal request of generation; an embeddings request carries its own (`embed` gets it), so
      // this one holds only what traces attribute: the route and the caller's `user`.
      body: { model: body.model, messages: [], ...(body.user !== undefined ? { user: body.user } : {}) },
      api: "embeddings",
      tags,
      stream: false,
      includeUsage: false,
      plan: undefined,
      attempts: [],
      answered: undefined,
      usage: undefined,
      costUsd: undefined,
      cancel,
      responseHeaders: undefined,
      governed: undefined,
    };
    // Limits and budgets reserve on the estimated input tokens; embeddings produce no output tokens.
    const promptTokens = estimateEmbeddingTokens(body.input);
    const admitted = governor.admitRequest(ctx, { promptTokens, maxOutputTokens: 0 });
    if (admitted instanceof Promise) await admitted;
    const region = core.requestRegion(req.headers, release.config.router);
    if (region !== undefined) trace.region = region;
    const at = now();
    const decision = core.decideWithTable(
      release.table,
      {
        route: body.model,
        team,
        // A model's `context` bounds each input, not the batch.
        promptTokens: largestInputTokens(body),
        maxOutputTokens: 0,
        region,
        stickyKey: undefined,
        requires: [],
        // What `when` rules can read of an embeddings request (it has no metadata, and complexity scores chat).
        tags,
      },
      deps.state.view(at),
      { rng: deps.rng, now: at },
    );
    if (!decision.ok) {
      trace.excluded = decision.excluded;
      const why = decision.excluded.map((e) => `${e.model}: ${e.reason}`).join("; ");
      const param = decision.code === "no_candidates" ? undefined : decision.code === "context_length_exceeded" ? "input" : "model";
      throw new RouterError(decision.code, `${decision.message}${why === "" ? "" : ` (${why})`}`, param === undefined ? {} : { param });
    }
    ctx.plan = decision.plan;
    const widest = decision.plan.candidates.map((c) => release.config.models[c.model]?.dimensions ?? 0).reduce((a, b) => Math.max(a, b), 0);
    if (body.dimensions !== undefined && widest > 0 && body.dimensions > widest)
      throw new RouterError("invalid_request", `\`dimensions\` is ${body.dimensions}; route \`${body.model}\` makes vectors of ${widest}`, {
        param: "dimensions",
      });
    const { value, attempt } = await core.runPlan(ctx, deps, (call, adapter) => {
      if (adapter.embed === undefined) throw new RouterError("internal_error", `provider \`${call.model.provider}\` cannot embed`);
      return adapter.embed({ ...call, embeddings: body });
    });
    settle(ctx, value, promptTokens, core.priceUsage);
    try {
      const answer = JSON.stringify({ object: "list", data: value.data, model: value.model, usage: value.usage } satisfies EmbeddingsResponse);
      res.writeHead(200, answerHeaders(ctx, routeName, ["content-type", core.JSON_TYPE, "content-length", String(Buffer.byteLength(answer))]));
      res.end(answer);
    } finally {
      attempt.succeed();
    }
  } catch (error) {
    trace.error = error;
    if (error instanceof ClientGoneError) {
      if (!res.writableEnded) res.destroy();
      return;
    }
    if (res.headersSent) {
      if (!res.writableEnded) res.destroy();
      return;
    }
    if (ctx !== undefined) {
      const list = answerHeaders(ctx, routeName, []);
      for (let i = 0; i < list.length; i += 2) res.setHeader(list[i] as string, list[i + 1] as string);
    } else {
      core.stampIds(res, id, release.hash);
      if (routeName !== undefined) res.setHeader("x-switchyard-route", routeName);
    }
    core.sendError(res, error instanceof RouterError ? error : new RouterError("internal_error", `internal error: ${(error as Error).message}`));
  } finally {
    telemetry.end({ draft: trace, ctx, status: res.statusCode, clientGone: trace.error instanceof ClientGoneError || cancel.cancelled });
    if (ctx !== undefined) {
      try {
        governor.finishRequest(ctx);
        deps.hooks.afterRequest?.(ctx);
      } catch {
        // hooks must not break the response
      }
    }
  }
}

/** The answer's usage, priced per input token at the answering model's price (before the attempt closes: its budget settles on it). */
function settle(ctx: RequestContext, answer: EmbeddingsResponse, estimate: number, priceUsage: EmbeddingsCore["priceUsage"]): void {
  // An upstream that reports no usage is charged the estimate: never free.
  const tokens = answer.usage.prompt_tokens > 0 ? answer.usage.prompt_tokens : estimate;
  ctx.usage = { prompt_tokens: tokens, completion_tokens: 0, total_tokens: Math.max(tokens, answer.usage.total_tokens) };
  const model = ctx.answered === undefined ? undefined : ctx.release.config.models[ctx.answered.model];
  if (model !== undefined) ctx.costUsd = priceUsage(model, ctx.usage);
}

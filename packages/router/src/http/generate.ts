/**
 * @module One generation request in any dialect: authenticate, read the dialect's body into the internal request,
 * check the route, admit (limits, budgets), decide, execute (plain or streamed), answer in the dialect's shape, and
 * account (traces, governance, the feedback ledger). The dialect only translates; everything else is the same code.
 */
import type { CacheRuntime, CacheSession } from "../cache/session.ts";
import { canaryStickyKey, chatRequestFeatures, decideWithTable, ruleComplexityScore } from "../core/index.ts";
import { RouterError } from "../errors.ts";
import type { RequestContext } from "../execute/context.ts";
import { type ExecuteDeps, executeCompletion } from "../execute/execute.ts";
import { ClientGoneError, RequestCancel } from "../execute/timers.ts";
import type { FeedbackStore } from "../governance/feedback.ts";
import type { Governor } from "../governance/index.ts";
import type { Dialect } from "../protocol/dialect.ts";
import { parseJson } from "../protocol/json.ts";
import { TAGS_HEADER, parseTags } from "../protocol/tags.ts";
import type { RuntimeRelease } from "../runtime/release.ts";
import { type RouterTelemetry, completionText } from "../telemetry/index.ts";
import { requestRegion } from "../telemetry/record.ts";
import { allowTeam, authenticate, findRoute } from "./access.ts";
import { FastRequest, type ResponseLike } from "./fast-path.ts";
import type { IncomingMessage } from "node:http";
import { type BodyBudget, readBody } from "./read-body.ts";
import { JSON_TYPE, answerHeaders, sendError, stampIds } from "./respond.ts";
import { streamAnswer } from "./sse.ts";
import { namesPrompt, promptRenderer, recordPromptOutcome } from "../prompts/load.ts";

/** A request from node:http or from the fast path. */
export type GenerationRequest = IncomingMessage | FastRequest;

/** What the generation handler works with: the router's parts, fixed at start. */
export interface GenerationDeps {
  deps: ExecuteDeps;
  governor: Governor;
  telemetry: RouterTelemetry;
  /** Bytes of request bodies buffered across connections. */
  budget: BodyBudget;
  /** Answered requests a `POST /v1/feedback` score is matched against. */
  served: FeedbackStore;
  /** Cancellation handles of the requests in flight (aborted when a drain times out). */
  cancels: Set<RequestCancel>;
  /** The router is shutting down: new requests are refused. */
  draining(): boolean;
  /** The response cache of routes with a `cache` (memory, or Redis with shared state), loaded on first use. */
  cache(): Promise<CacheRuntime>;
}

/** Serve one generation request in `dialect` (the caller's frame has counted it and chosen its id and release). */
export async function serveGeneration(
  dialect: Dialect,
  g: GenerationDeps,
  req: GenerationRequest,
  res: ResponseLike,
  release: RuntimeRelease,
  id: string,
): Promise<void> {
  const { deps, governor, telemetry } = g;
  const now = deps.now;
  const cancel = new RequestCancel();
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
      team = authenticate(req.headers, release, dialect);
    } catch (error) {
      req.resume();
      throw error;
    }
    trace.team = team;
    const text = req instanceof FastRequest ? req.body.toString("utf8") : await readBody(req, release.config.router.maxBodyBytes, g.budget);
    // Prompts as code: a named prompt is rendered into the dialect's own body before the dialect reads it.
    const parsed = parseJson(text);
    const prompted = namesPrompt(parsed, req.headers)
      ? (await promptRenderer()).applyPrompt(release.config, dialect.name, parsed, req.headers, (key) => deps.state.rollout.canaryPercent(key), deps.rng)
      : undefined;
    if (prompted !== undefined) trace.prompt = prompted.use;
    const request = dialect.read(prompted === undefined ? parsed : prompted.body, req.headers);
    const body = request.body;
    const tags = parseTags(req.headers[TAGS_HEADER]);
    if (tags !== undefined) trace.tags = tags;
    const routeDef = findRoute(release, body.model);
    // Only a route that exists is named in x-switchyard-route: its id is a config id, always header-safe,
    // while the client's string may hold any character (a control character in a header throws).
    routeName = body.model;
    trace.route = body.model;
    // After the route is named: a refused team's request is traced and counted under the route it asked for.
    allowTeam(release, team, body.model);
    const stream = request.stream;
    ctx = {
      id,
      startedAt: now(),
      release,
      team,
      route: body.model,
      body,
      tags,
      api: dialect.name,
      metadata: request.metadata,
      // Only the native dialect's text is the internal request's: an adapter may patch it instead of re-serialising.
      // (A plain field, not a spread: every request's context keeps one shape, which the hot path's property reads rely on.)
      bodyText: dialect.native === true && prompted === undefined ? text : undefined,
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
    // After admission: a cached answer still counts against rate limits, but costs nothing (no attempt reserves budget).
    const cached: CacheSession | undefined =
      routeDef.cache === undefined ? undefined : await (await g.cache()).open(ctx, routeDef, routeDef.cache, req.headers["cache-control"], now());
    if (cached !== undefined) trace.cache = cached.trace;
    if (cached?.hit !== undefined) {
      // A team whose rate limit waits for its first attempt (Redis state with a budget) has it taken here: a hit makes none.
      const taken = governor.admitWithoutAttempt(ctx);
      if (taken instanceof Promise) await taken;
      if (routeDef.logPayloads) trace.completion = completionText(cached.hit.completion);
      return cached.serveHit(res, ctx, dialect, request, { requestId: id, route: body.model, createdAt: ctx.startedAt });
    }
    const region = requestRegion(req.headers, release.config.router);
    if (region !== undefined) trace.region = region;
    const complexity = ruleComplexityScore(release.table, body.model, body);
    if (complexity !== undefined) trace.complexity = complexity;
    trace.requires = features.requires;
    const at = now();
    const decision = decideWithTable(
      release.table,
      {
        route: body.model,
        team,
        promptTokens: features.promptTokens,
        maxOutputTokens: features.maxOutputTokens,
        region,
        stickyKey: canaryStickyKey(routeDef, { user: body.user, headers: req.headers }),
        requires: features.requires,
        // What `when` rules read (issue 24).
        tags,
        metadata: request.metadata ?? body.metadata ?? undefined,
        complexity,
      },
      deps.state.view(at),
      { rng: deps.rng, now: at },
    );
    if (!decision.ok) {
      trace.excluded = decision.excluded;
      // decide()'s failure codes are RouterError codes of the same name.
      const code = decision.code;
      const why = decision.excluded.map((e) => `${e.model}: ${e.reason}`).join("; ");
      const param = code === "no_candidates" ? undefined : code === "context_length_exceeded" ? "messages" : "model";
      throw new RouterError(code, `${decision.message}${why === "" ? "" : ` (${why})`}`, param === undefined ? {} : { param });
    }
    ctx.plan = decision.plan;
    const info = { requestId: id, route: body.model, createdAt: ctx.startedAt };
    if (stream) {
      const encoder = dialect.stream(info, request);
      await streamAnswer(res, ctx, deps, cached === undefined ? encoder : cached.capture(encoder), features.promptTokens);
      cached?.keep(ctx, now());
    } else {
      const answering = ctx;
      // The answer is written before the attempt's bookkeeping runs (see executeCompletion).
      await executeCompletion(ctx, deps, (result) => {
        if (routeDef.logPayloads) trace.completion = completionText(result.completion);
        const answer = dialect.native === true ? (result.bytes ?? result.text) : dialect.completion(result.completion, info, request);
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
        cached?.keep(answering, now(), result.completion);
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
    sendError(res, error instanceof RouterError ? error : new RouterError("internal_error", `internal error: ${(error as Error).message}`), dialect);
  } finally {
    telemetry.end({ draft: trace, ctx, status: res.statusCode, clientGone: trace.error instanceof ClientGoneError || cancel.cancelled });
    recordPromptOutcome(deps.state.rollout, trace.prompt, ctx, res.statusCode, now());
    const answered = ctx?.answered;
    if (ctx !== undefined && answered !== undefined && res.statusCode === 200) {
      const source = release.config.routes[ctx.route]?.canary === undefined ? undefined : answered.source;
      const arm = source === "canary" ? source : source === "primary" && ctx.plan?.canary === false ? "baseline" : undefined;
      g.served.remember(id, { team: ctx.team, route: ctx.route, model: answered.model, arm, servedAt: now() });
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
}

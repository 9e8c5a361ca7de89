/** @module Building the trace record of one request from what the HTTP layer and the executor know at its end. Pure. */
import type { AttemptSummary } from "../errors.ts";
import { RouterError } from "../errors.ts";
import type { RequestContext } from "../execute/context.ts";
import type { ChatCompletion } from "../protocol/chat.ts";
import { answerOf } from "../validators/types.ts";
import { reasoningTokens, usageTokens } from "../execute/usage.ts";
import type { RequestTags } from "../protocol/tags.ts";
import type { TraceCache } from "../cache/types.ts";
import type { RuntimeRelease } from "../runtime/release.ts";
import type { IncomingHttpHeaders } from "node:http";
import type { RouterSettings } from "@switchyard/ir";
import type { Exclusion } from "../core/types.ts";
import { DEFAULT_REGION_HEADER } from "../core/placement.ts";
import { type AttemptReason, TRACE_SCHEMA_VERSION, type TraceAttempt, type TraceRecord } from "./types.ts";

/**
 * What the HTTP layer learns about a request as it goes, before a RequestContext exists (a 401 or
 * 404 never gets one). Filled in place; `finishTrace` turns it into a record.
 */
export interface TraceDraft {
  requestId: string;
  startedAt: number;
  release: RuntimeRelease;
  /** Set once authenticated. */
  team: string | undefined;
  /** Set only when the request named a route of the config (never raw user input). */
  route: string | undefined;
  /** What ended the request, if it failed before or instead of answering. */
  error: unknown;
  /** The answer text, kept only for routes with `logPayloads`. */
  completion: string | undefined;
  /** The caller's `traceparent` header, already validated. */
  traceparent?: string;
  /** The caller's region hint, when it reads as a region id (see `traceRegion`). */
  region?: string;
  /** The caller's `x-switchyard-tags`, once checked (a request refused before has none). */
  tags?: RequestTags;
  /** What the route's response cache did (routes with a `cache` only). */
  cache?: TraceCache;
  /** The prompt the request named, once rendered (prompts/render.ts): id, version, canary arm. */
  prompt?: { id: string; version: string; arm?: "canary" | "baseline" };
  /** What `when` rules read: the complexity score (when computed) and the capabilities needed (issue 24). */
  complexity?: number;
  requires?: readonly string[];
  /** decide()'s exclusions when it refused the request (with a plan, the trace reads the plan's). */
  excluded?: readonly Exclusion[];
}

/** The longest `user` a trace keeps: OpenAI sets no limit, a trace line must have one. */
export const TRACE_USER_MAX = 256;

const REGION_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** The `x-switchyard-region` header for the trace: a region id, or undefined (absent, repeated, or not one: never arbitrary text in a trace). */
export function traceRegion(header: string | string[] | undefined): string | undefined {
  return typeof header === "string" && REGION_RE.test(header) ? header : undefined;
}

/**
 * The caller's region, for routing and the trace: the header a trusted proxy sets (`router.regionHeader`, default
 * `x-switchyard-region`; the proxy must overwrite what a client sent) when it reads as a region id, else undefined.
 */
export function requestRegion(headers: IncomingHttpHeaders, router: RouterSettings): string | undefined {
  return traceRegion(headers[router.regionHeader ?? DEFAULT_REGION_HEADER]);
}

const TRACEPARENT_RE = /^00-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-[0-9a-f]{2}$/;

/** A W3C trace-context `traceparent` header value, or undefined when absent or malformed. */
export function validTraceparent(header: string | string[] | undefined): string | undefined {
  return typeof header === "string" && TRACEPARENT_RE.test(header) ? header : undefined;
}

export interface FinishTraceOptions {
  draft: TraceDraft;
  ctx: RequestContext | undefined;
  /** The HTTP status sent (or about to be sent). */
  status: number;
  /** True when the client went away before the answer was complete. */
  clientGone: boolean;
  now: number;
}

/** The candidate of the plan an attempt tried (a loop, not find() with a closure: once per request). */
function sourceOf(ctx: RequestContext, attempt: AttemptSummary): AttemptReason {
  const candidates = ctx.plan?.candidates ?? [];
  for (let i = 0; i < candidates.length; i++) {
    const c = candidates[i] as (typeof candidates)[number];
    if (c.model === attempt.model && c.step === attempt.step) return c.source === "fallback" ? "fallback" : c.source;
  }
  return "primary";
}

/** The trace's attempts; an attempt's reason follows from the attempt before it, the first's from its candidate's source. */
function attemptsOf(ctx: RequestContext): TraceAttempt[] {
  const providers = ctx.release.config.providers;
  const out = new Array<TraceAttempt>(ctx.attempts.length);
  let previous: AttemptSummary | undefined;
  for (let index = 0; index < ctx.attempts.length; index++) {
    const a = ctx.attempts[index] as AttemptSummary;
    out[index] = {
      model: a.model,
      provider: a.provider,
      region: providers[a.provider]?.region,
      step: a.step,
      attempt: a.attempt,
      outcome: a.outcome,
      errorClass: a.errorClass,
      status: a.status,
      latencyMs: a.latencyMs,
      ttftMs: a.ttftMs ?? (a.outcome === "ok" && !ctx.stream ? a.latencyMs : undefined),
      reason: previous === undefined ? sourceOf(ctx, a) : previous.step === a.step && previous.model === a.model ? "retry" : "fallback",
      after: previous?.errorClass,
    };
    previous = a;
  }
  return out;
}

/** The plan's candidates for the trace: the route table's frozen ones have exactly the trace's fields and never change, so they are shared, not copied. */
function traceCandidates(ctx: RequestContext | undefined): TraceRecord["candidates"] {
  const candidates = ctx?.plan?.candidates;
  if (candidates === undefined) return [];
  let frozen = true;
  for (let i = 0; i < candidates.length && frozen; i++) frozen = Object.isFrozen(candidates[i]);
  if (frozen) return candidates;
  return candidates.map((c) =>
    Object.isFrozen(c) ? c : { model: c.model, provider: c.provider, step: c.step, source: c.source, tier: c.tier, reason: c.reason },
  );
}

let lastMs = Number.NaN;
let lastIso = "";
let lastSecond = Number.NaN;
/** `YYYY-MM-DDTHH:MM:SS.` of `lastSecond`. */
let secondPrefix = "";
/**
 * The ISO-8601 form of an epoch ms (`Date#toISOString`). Formatting a Date costs ~1 µs and at
 * thousands of requests per second nearly every call is a new millisecond, so the text up to the
 * seconds is kept per second and only the milliseconds are appended.
 */
export function isoTime(ms: number): string {
  if (ms === lastMs) return lastIso;
  if (!Number.isInteger(ms)) return new Date(ms).toISOString(); // fractional or not a time: Date's rules (and errors)
  const second = Math.floor(ms / 1000);
  const milli = ms - second * 1000;
  if (second !== lastSecond) {
    const iso = new Date(second * 1000).toISOString();
    // Years past 9999 or before 0 have a longer form: not cached.
    if (iso.length !== 24) return new Date(ms).toISOString();
    secondPrefix = iso.slice(0, 20);
    lastSecond = second;
  }
  lastIso = `${secondPrefix}${milli < 10 ? "00" : milli < 100 ? "0" : ""}${milli}Z`;
  lastMs = ms;
  return lastIso;
}

/** Round USD to 1e-9 so sums across sinks agree without float noise growing in the output. */
function usd(value: number): number {
  return Math.round(value * 1e9) / 1e9;
}

/**
 * The trace record of a finished request. Never includes a key; includes prompt and completion text
 * only when the route sets `logPayloads`.
 *
 * @example const record = finishTrace({ draft, ctx, status: res.statusCode, clientGone: false, now: Date.now() });
 */
export function finishTrace(options: FinishTraceOptions): TraceRecord {
  const { draft, ctx, now } = options;
  const config = draft.release.config;
  const attempts = ctx === undefined ? [] : attemptsOf(ctx);
  const last = attempts.at(-1);
  const answered = ctx?.answered;
  const streamFailed = answered !== undefined && last !== undefined && last.outcome === "error";
  let errorCode: TraceRecord["errorCode"];
  if (options.clientGone) errorCode = "client_gone";
  else if (draft.error instanceof RouterError) errorCode = draft.error.code;
  else if (draft.error !== undefined) errorCode = "internal_error";
  else if (streamFailed) errorCode = "stream_interrupted";
  // 499: the client went away before the answer was complete (before any answer, or part-way through a stream).
  const status = options.clientGone && options.status < 400 && (answered === undefined || streamFailed) ? 499 : options.status;
  const ok = errorCode === undefined && status < 400;
  // One pass instead of findLast/some/filter: no callback or filtered array per request.
  let answering: TraceAttempt | undefined;
  let validationFailed = false;
  let retries = 0;
  for (const a of attempts) {
    if (answered !== undefined && a.model === answered.model && a.step === answered.step) answering = a;
    if (a.errorClass === "validation") validationFailed = true;
    if (a.reason === "retry") retries++;
  }
  const route = ctx?.route ?? draft.route;
  const validators = route === undefined ? [] : (config.routes[route]?.validate ?? []);
  const record: TraceRecord = {
    v: TRACE_SCHEMA_VERSION,
    requestId: draft.requestId,
    time: isoTime(draft.startedAt),
    environment: config.environment,
    configVersion: draft.release.hash,
    route,
    team: ctx?.team ?? draft.team,
    status,
    outcome: ok ? "ok" : "error",
    errorCode,
    stream: ctx?.stream ?? false,
    candidates: traceCandidates(ctx),
    attempts,
    model: answered?.model,
    provider: answered?.provider,
    inputTokens: ctx?.usage?.prompt_tokens ?? 0,
    outputTokens: ctx?.usage?.completion_tokens ?? 0,
    costUsd: usd(ctx?.costUsd ?? 0),
    canary: ctx?.plan?.canary === true,
    fallback: answered !== undefined && answered.step > 0,
    retries,
    validation: validators.length === 0 ? "none" : answered !== undefined && !streamFailed ? "passed" : validationFailed ? "failed" : "none",
    latencyMs: Math.max(0, now - draft.startedAt),
    ttftMs: answering?.ttftMs,
  };
  if (draft.traceparent !== undefined) record.traceparent = draft.traceparent;
  if (draft.region !== undefined) record.region = draft.region;
  if (draft.cache !== undefined) record.cache = draft.cache;
  // Absent for Chat Completions, the API every trace spoke before there were others.
  if (ctx?.api !== undefined && ctx.api !== "chat") record.api = ctx.api;
  const usage = ctx?.usage;
  if (usage !== undefined) {
    const tokens = usageTokens(usage);
    if (tokens.cachedInput !== undefined) record.cachedInputTokens = tokens.cachedInput;
    if (tokens.cacheWrite !== undefined) record.cacheWriteTokens = tokens.cacheWrite;
    const reasoning = reasoningTokens(usage);
    if (reasoning !== undefined) record.reasoningTokens = reasoning;
  }
  const user = ctx?.body.user;
  if (typeof user === "string" && user !== "") record.user = user.length > TRACE_USER_MAX ? user.slice(0, TRACE_USER_MAX) : user;
  const metadata = ctx?.metadata ?? ctx?.body.metadata;
  if (metadata !== undefined && metadata !== null && Object.keys(metadata).length > 0) record.metadata = metadata;
  const tags = ctx?.tags ?? draft.tags;
  if (tags !== undefined) record.tags = { ...tags };
  if (draft.prompt !== undefined) record.prompt = { ...draft.prompt };
  const rule = ctx?.plan?.rule;
  if (rule !== undefined) record.rule = rule.index;
  if (draft.complexity !== undefined) record.complexity = draft.complexity;
  if (draft.requires !== undefined && draft.requires.length > 0) record.requires = [...draft.requires];
  const excluded = ctx?.plan?.excluded ?? draft.excluded;
  if (excluded !== undefined && excluded.length > 0) record.excluded = excluded.map((e) => ({ model: e.model, step: e.step, code: e.code, reason: e.reason }));
  if (route !== undefined && config.routes[route]?.logPayloads === true && ctx !== undefined) {
    record.payload = { messages: ctx.body.messages, completion: draft.completion };
  }
  return record;
}

/** The answer text of a completion, for routes with `logPayloads`. */
export function completionText(completion: ChatCompletion): string {
  return answerOf(completion).content;
}

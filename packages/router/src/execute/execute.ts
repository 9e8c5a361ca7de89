/** @module Executing decide()'s plan: attempts, retries with backoff, timeouts, fallback, validators, state recording. */
import type { ErrorClass } from "@switchyard/ir";
import type { Candidate } from "../core/index.ts";
import type { AttemptErrorClass, AttemptOutcome, InFlightLease, StateStores } from "../state/index.ts";
import { type AdapterCall, type CompletionResult, type ProviderAdapter, type StreamEvent, UpstreamError, toUpstreamError } from "../adapters/types.ts";
import { type AttemptSummary, type FailureClass, RouterError, allFailedStatus } from "../errors.ts";
import { STOP_SEQUENCE } from "../protocol/stop-sequence.ts";
import type { ChatCompletion, ChatCompletionChunk, ChatToolCall } from "../protocol/chat.ts";
import { answerOf } from "../validators/types.ts";
import type { RequestContext, RouterHooks } from "./context.ts";
import { type AttemptAbort, ClientGoneError, attemptAbort, sleep } from "./timers.ts";
import { priceUsage } from "./usage.ts";
import type { AttemptAdmission, AttemptTicket, Governor } from "../governance/index.ts";

export interface ExecuteDeps {
  /** Live state: routing health per attempt (synchronous), canary guard windows (fire-and-forget), the view decide() reads. */
  state: StateStores;
  hooks: RouterHooks;
  rng: () => number;
  now: () => number;
  /** Budgets per attempt (absent: nothing governed). */
  governor?: Governor;
}

/** An attempt that succeeded far enough to answer; the caller closes it once the answer is complete. */
export interface OpenAttempt {
  candidate: Candidate;
  abort: AttemptAbort;
  /** Record the attempt as successful (call once the whole answer is delivered). */
  succeed(ttftMs?: number): void;
  /** Record a failure after the answer started (mid-stream): never falls back. */
  fail(error: UpstreamError): void;
}

const CLASS_FOR_RETRY: Record<FailureClass, ErrorClass | undefined> = {
  "429": "429",
  "5xx": "5xx",
  timeout: "timeout",
  connection: "connection",
  stream_interrupted: "connection",
  invalid_response: "5xx",
  "4xx": undefined,
  provider_4xx: undefined,
  validation: undefined,
  rejected: undefined,
};

/** Full-jitter exponential backoff: uniform in [0, base·2^(n-1)). */
export function backoffMs(base: number, retry: number, rng: () => number): number {
  return Math.floor(rng() * base * 2 ** (retry - 1));
}

/** How the state store sees a failure class (validation and client faults do not trip breakers). */
const STATE_CLASS: Record<FailureClass, AttemptErrorClass | undefined> = {
  "429": "429",
  "5xx": "5xx",
  timeout: "timeout",
  connection: "connection",
  stream_interrupted: "connection",
  invalid_response: "other",
  "4xx": "client",
  provider_4xx: "other",
  validation: "validation",
  rejected: undefined,
};

/** Run a state-store write without ever failing or blocking the request (method and arguments, not a closure per call). */
function fireAndForget<T, A, B>(fn: (this: T, a: A, b: B) => unknown, self: T, a: A, b: B): void {
  try {
    const result = fn.call(self, a, b); // fixed arity: no rest array per call on the hot path
    if (result instanceof Promise) result.catch(() => undefined);
  } catch {
    // The state store must never fail a request.
  }
}

/**
 * One attempt's bookkeeping, closed once: the breaker window and latency, the in-flight lease and the
 * budget reservation. A class rather than closures over runPlan's locals (a context and three
 * function objects per attempt).
 */
class RunningAttempt implements OpenAttempt {
  #closed = false;

  constructor(
    private readonly ctx: RequestContext,
    private readonly deps: ExecuteDeps,
    readonly candidate: Candidate,
    readonly abort: AttemptAbort,
    private readonly summary: AttemptSummary,
    private readonly startedAt: number,
    private readonly lease: InFlightLease | undefined,
    private readonly ticket: AttemptTicket | undefined,
  ) {}

  succeed(ttftMs?: number): void {
    this.close(true, ttftMs, undefined);
  }

  fail(error: UpstreamError): void {
    this.close(false, undefined, error);
  }

  close(ok: boolean, ttftMs: number | undefined, error: UpstreamError | undefined): void {
    if (this.#closed) return;
    this.#closed = true;
    this.abort.dispose();
    const { summary, candidate, deps } = this;
    const at = deps.now();
    summary.latencyMs = at - this.startedAt;
    if (ttftMs !== undefined) summary.ttftMs = ttftMs;
    if (error !== undefined) {
      summary.outcome = "error";
      summary.errorClass = error.errorClass;
      if (error.status !== undefined) summary.status = error.status;
      summary.message = error.message;
    }
    const errorClass = error === undefined ? undefined : STATE_CLASS[error.errorClass];
    if (ok || errorClass !== undefined) {
      // Built field by field: conditional spreads would allocate a throwaway object each.
      const record: AttemptOutcome = { model: candidate.model, route: this.ctx.route, ok, latencyMs: at - this.startedAt, now: at };
      if (errorClass !== undefined) record.errorClass = errorClass;
      if (ttftMs !== undefined) record.ttftMs = ttftMs;
      if (candidate.probe === true) record.probe = true;
      // The guard compares the canary with the route's primary on requests that did not draw the canary.
      const canaryModel = this.ctx.release.config.routes[this.ctx.route]?.canary?.model;
      if (canaryModel !== undefined) {
        if (candidate.source === "canary" || candidate.model === canaryModel) record.arm = "canary";
        else if (candidate.source === "primary" && this.ctx.plan?.canary === false) record.arm = "baseline";
      }
      if (ok && this.ctx.costUsd !== undefined) record.costUsd = this.ctx.costUsd;
      const health = deps.state.health;
      fireAndForget(health.recordAttempt, health, record, undefined);
      // Client faults are the request's, not the arm's.
      if (errorClass !== "client" && record.arm !== undefined) {
        const rollout = deps.state.rollout;
        fireAndForget(rollout.recordCanaryAttempt, rollout, this.ctx.route, record);
      }
    }
    if (this.lease !== undefined) fireAndForget(this.lease.release, this.lease, undefined, undefined);
    // The answering attempt carries its cost even when it failed part-way (a stream cut after its first token is priced on what it produced).
    const costUsd = ok || this.ctx.answered === this.candidate ? this.ctx.costUsd : undefined;
    if (this.ticket !== undefined) fireAndForget(this.ticket.close, this.ticket, { ok, costUsd }, undefined);
  }
}

/**
 * Try the plan's candidates in order. Each candidate gets `route.retry.attempts` tries on the route's
 * retryable error classes (429 waits `Retry-After` when it is within `maxRetryAfterMs`, otherwise the
 * candidate is skipped), then the next candidate. `perform` does one attempt and throws on failure.
 * Throws RouterError("all_candidates_failed") listing every attempt when none succeeds.
 */
export async function runPlan<T>(
  ctx: RequestContext,
  deps: ExecuteDeps,
  perform: (call: AdapterCall, adapter: ProviderAdapter, abort: AttemptAbort, candidate: Candidate) => Promise<T>,
): Promise<{ value: T; attempt: OpenAttempt }> {
  const plan = ctx.plan;
  if (plan === undefined) throw new RouterError("internal_error", "no plan");
  const route = ctx.release.config.routes[ctx.route];
  if (route === undefined) throw new RouterError("route_not_found", `route \`${ctx.route}\` does not exist`, { param: "model" });
  const retry = route.retry;
  const timeouts = { firstTokenMs: ctx.stream ? route.timeout.firstTokenMs : undefined, totalMs: route.timeout.totalMs };

  /** The last budget refusal: the answer when no candidate could even be tried. */
  let budgetRefusal: RouterError | undefined;
  /** The first parameter a skipped candidate could not honour: the answer when no candidate could. */
  let unsupported: RouterError | undefined;
  /** The largest context window an upstream refused the prompt for: only a longer one is tried after it. */
  let refusedContext = 0;
  /** The last attempt's failure when it was the request's own (an upstream 400/413/422). */
  let clientFault: UpstreamError | undefined;
  for (const candidate of plan.candidates) {
    const adapter = ctx.release.adapters.get(candidate.provider);
    const model = ctx.release.config.models[candidate.model];
    if (adapter === undefined || model === undefined) continue;
    // Skipped without an attempt: a parameter this provider cannot honour, or a window no longer than one refused the prompt.
    const refusal = adapter.refuses?.(ctx.body, model);
    if (refusal !== undefined || model.context <= refusedContext) {
      const reason = refusal?.message ?? `context window ≤ ${refusedContext} (refused)`;
      (ctx.skipped ??= []).push({ model: candidate.model, provider: candidate.provider, step: candidate.step, reason });
      unsupported ??= refusal;
      continue;
    }
    for (let n = 1; n <= retry.attempts; n++) {
      const refused = deps.hooks.beforeAttempt?.(ctx, candidate);
      if (refused !== undefined) throw refused;
      if (ctx.cancel.cancelled) throw new ClientGoneError("client went away");
      // Every attempt (retries and fallback steps alike) reserves against its own model's price.
      let admission: AttemptAdmission | undefined;
      if (deps.governor !== undefined) {
        const pending = deps.governor.admitAttempt(ctx, candidate);
        admission = pending instanceof Promise ? await pending : pending;
        if (admission !== undefined && !admission.admitted) {
          (ctx.skipped ??= []).push({ model: candidate.model, provider: candidate.provider, step: candidate.step, reason: admission.reason });
          budgetRefusal = admission.error;
          break;
        }
      }
      const ticket = admission?.admitted === true ? admission.ticket : undefined;
      const abort = attemptAbort(ctx.cancel, timeouts);
      const startedAt = deps.now();
      const summary: AttemptSummary = { model: candidate.model, provider: candidate.provider, step: candidate.step, attempt: n, outcome: "ok", latencyMs: 0 };
      ctx.attempts.push(summary);
      let lease: InFlightLease | undefined;
      try {
        lease = deps.state.health.acquire(candidate.model, startedAt);
      } catch {
        lease = undefined;
      }
      const call: AdapterCall = {
        body: ctx.body,
        bodyText: ctx.bodyText,
        modelId: candidate.model,
        model,
        route: ctx.route,
        requestId: ctx.id,
        attempt: ctx.attempts.length,
        signal: abort.signal,
      };
      const attempt = new RunningAttempt(ctx, deps, candidate, abort, summary, startedAt, lease, ticket);
      try {
        const value = await perform(call, adapter, abort, candidate);
        ctx.answered = candidate;
        return { value, attempt };
      } catch (thrown) {
        if (ctx.cancel.cancelled) {
          attempt.close(false, undefined, new UpstreamError("rejected", "client went away"));
          throw new ClientGoneError("client went away");
        }
        if (thrown instanceof RouterError) {
          // The request's own fault, e.g. an adapter could not build the upstream request (`unsendable`):
          // nothing reached the upstream, so no breaker or latency record and no fallback to another model.
          attempt.close(false, undefined, new UpstreamError("rejected", thrown.message));
          throw thrown;
        }
        const error = toUpstreamError(thrown, abort.signal);
        attempt.close(false, undefined, error);
        clientFault = error.errorClass === "4xx" ? error : undefined;
        if (clientFault !== undefined) {
          // The request's own fault: another model would refuse it alike, unless the prompt only outgrew this one's window.
          if (clientFault.detail?.contextLength !== true) throw passedThrough(clientFault);
          refusedContext = Math.max(refusedContext, model.context);
          break;
        }
        const retryClass = CLASS_FOR_RETRY[error.errorClass];
        if (n === retry.attempts || retryClass === undefined || !retry.on.includes(retryClass)) break;
        let wait: number;
        if (error.errorClass === "429" && error.retryAfterMs !== undefined) {
          if (error.retryAfterMs > retry.maxRetryAfterMs) break;
          wait = error.retryAfterMs;
        } else wait = backoffMs(retry.backoffMs, n, deps.rng);
        try {
          await sleep(wait, ctx.cancel);
        } catch {
          throw new ClientGoneError("client went away");
        }
      }
    }
  }
  const attempts = ctx.attempts;
  if (clientFault !== undefined) throw passedThrough(clientFault);
  if (unsupported !== undefined && attempts.length === 0) throw unsupported;
  if (budgetRefusal !== undefined) {
    // A step the budget ruled out might have answered: the budget is why the request went unserved.
    if (attempts.length === 0) throw budgetRefusal;
    const failed = attempts.map((a) => `${a.model}@${a.provider}: ${a.message ?? a.errorClass ?? "error"}`).join("; ");
    throw new RouterError("budget_exceeded", `${budgetRefusal.message} (after ${failed})`, {
      ...(budgetRefusal.headers !== undefined ? { headers: budgetRefusal.headers } : {}),
      attempts,
    });
  }
  const tried =
    attempts.length === 0 ? "no candidate could be tried" : attempts.map((a) => `${a.model}@${a.provider}: ${a.message ?? a.errorClass ?? "error"}`).join("; ");
  throw new RouterError(
    "all_candidates_failed",
    `every candidate for route \`${ctx.route}\` failed (${attempts.length} attempt${attempts.length === 1 ? "" : "s"}): ${tried}`,
    {
      status: allFailedStatus(attempts),
      attempts,
    },
  );
}

/**
 * An upstream's client error (400, 413, 422) as the client's answer: the upstream's status, message, `type`, `code` and
 * `param` (in OpenAI's terms: UpstreamErrorDetail); a context-length refusal is `context_length_exceeded`.
 */
export function passedThrough(error: UpstreamError): RouterError {
  const detail = error.detail ?? { message: error.message, type: "invalid_request_error", code: null, contextLength: false };
  const param = detail.param ?? (detail.contextLength ? "messages" : undefined);
  return new RouterError(detail.contextLength ? "context_length_exceeded" : "upstream_invalid_request", detail.message, {
    status: error.status ?? 400,
    wire: { type: detail.type, code: detail.code },
    ...(param !== undefined ? { param } : {}),
  });
}

function validate(ctx: RequestContext, completion: ChatCompletion): void {
  const checks = ctx.release.validators.get(ctx.route);
  if (checks === undefined) return;
  const answer = answerOf(completion);
  for (const check of checks) {
    const problem = check(answer);
    if (problem !== undefined) throw new UpstreamError("validation", problem);
  }
}

function settleUsage(ctx: RequestContext, usage: RequestContext["usage"]): void {
  if (usage === undefined || ctx.answered === undefined) return;
  ctx.usage = usage;
  const model = ctx.release.config.models[ctx.answered.model];
  if (model !== undefined) ctx.costUsd = priceUsage(model, usage);
}

/**
 * Run a non-streaming request to a validated completion (or throw RouterError / ClientGoneError).
 * `deliver`, when given, is called with the completion before the answering attempt is closed, so
 * the answer leaves before that bookkeeping (breaker window, in-flight lease, budget settlement)
 * rather than after it; the attempt closes as succeeded even if `deliver` throws.
 */
export async function executeCompletion(ctx: RequestContext, deps: ExecuteDeps, deliver?: (result: CompletionResult) => void): Promise<CompletionResult> {
  // Only validators need the answer as an object: adapters may build it only when it is read. Without
  // validators the adapter's promise is the attempt's (no async wrapper, one microtask turn less).
  const validated = ctx.release.validators.has(ctx.route);
  const { value, attempt } = await runPlan(ctx, deps, (call, adapter) =>
    validated
      ? adapter.complete(call).then((result) => {
          validate(ctx, result.completion);
          return result;
        })
      : adapter.complete(call),
  );
  settleUsage(ctx, value.usage); // before succeed(): the attempt's budget settles at the real cost
  try {
    deliver?.(value);
  } finally {
    attempt.succeed();
  }
  return value;
}

/** A stream whose first chunk (or, on routes with validators, whole body) has arrived. */
export interface OpenedStream {
  /** Chunks received so far, to write first. */
  head: StreamEvent[];
  /** The rest of the upstream stream (undefined when `head` already holds everything). */
  rest: AsyncIterator<StreamEvent> | undefined;
  attempt: OpenAttempt;
  ttftMs: number;
}

/** Join streamed chunks into a completion for validators. */
export function completionOf(events: readonly StreamEvent[]): ChatCompletion {
  let content = "";
  const calls: ChatToolCall[] = [];
  let finish: string | null = null;
  let stopSequence: string | undefined;
  let first: ChatCompletionChunk | undefined;
  for (const { chunk } of events) {
    first ??= chunk;
    for (const choice of chunk.choices) {
      if (choice.index !== 0) continue;
      const delta = (choice.delta as ChatCompletionChunk["choices"][number]["delta"] | undefined) ?? {};
      if (typeof delta.content === "string") content += delta.content;
      for (const tc of delta.tool_calls ?? []) {
        const call = (calls[tc.index] ??= { id: "", type: "function", function: { name: "", arguments: "" } });
        if (tc.id !== undefined) call.id = tc.id;
        if (tc.function?.name !== undefined) call.function.name += tc.function.name;
        if (tc.function?.arguments !== undefined) call.function.arguments += tc.function.arguments;
      }
      if (choice.finish_reason !== null && choice.finish_reason !== undefined) {
        finish = choice.finish_reason;
        stopSequence = choice[STOP_SEQUENCE];
      }
    }
  }
  const message: ChatCompletion["choices"][number]["message"] = { role: "assistant", content };
  if (calls.length > 0) message.tool_calls = calls;
  const joined: ChatCompletion["choices"][number] = { index: 0, message, finish_reason: finish };
  if (stopSequence !== undefined) joined[STOP_SEQUENCE] = stopSequence;
  return { id: first?.id ?? "", object: "chat.completion", created: first?.created ?? 0, model: first?.model ?? "", choices: [joined] };
}

/**
 * Called with each role-only preamble event of an attempt (OpenAI's first chunk, Anthropic's
 * message_start) as it arrives, before the attempt's first chunk with substance; a returned promise
 * is awaited (back-pressure). A throw fails the attempt.
 */
export type OnPreamble = (event: StreamEvent, candidate: Candidate) => void | Promise<void>;

/**
 * Open a stream: fall back until an upstream delivers its first chunk with substance (a 200 that dies
 * before it still falls back). Role-only preambles before it go to `onPreamble` at once, so the
 * caller can commit the response at the first upstream event; without it they are held in `head`.
 * On routes with validators the whole stream is buffered and validated first (no `onPreamble`).
 */
export async function openStream(ctx: RequestContext, deps: ExecuteDeps, onPreamble?: OnPreamble): Promise<OpenedStream> {
  const buffered = ctx.release.validators.has(ctx.route);
  const early = buffered ? undefined : onPreamble;
  const { value, attempt } = await runPlan(ctx, deps, async (call, adapter, abort, candidate) => {
    const startedAt = deps.now();
    const iterable = await adapter.stream(call);
    const iterator = iterable[Symbol.asyncIterator]();
    const head: StreamEvent[] = [];
    // Until the first chunk with substance the attempt has delivered nothing the client could not get
    // from another candidate: a failure (or the first-token timeout) here still falls back.
    for (;;) {
      const next = await iterator.next();
      if (next.done === true) throw new UpstreamError("stream_interrupted", `${call.modelId}'s stream ended before its first token`);
      if (hasSubstance(next.value.chunk)) {
        head.push(next.value);
        break;
      }
      if (early === undefined) head.push(next.value);
      else {
        const sent = early(next.value, candidate);
        if (sent !== undefined) await sent;
      }
    }
    const ttftMs = deps.now() - startedAt;
    abort.firstToken();
    if (!buffered) return { head, rest: iterator, ttftMs };
    for (;;) {
      const next = await iterator.next();
      if (next.done === true) break;
      head.push(next.value);
    }
    validate(ctx, completionOf(head));
    return { head, rest: undefined, ttftMs };
  });
  return { ...value, attempt };
}

/** True when a chunk carries something beyond a role announcement (text, tool calls, a finish reason, usage). */
export function hasSubstance(chunk: ChatCompletionChunk): boolean {
  if (chunk.choices.length === 0) return true;
  for (const choice of chunk.choices) {
    if (choice.finish_reason !== null && choice.finish_reason !== undefined) return true;
    const d = choice.delta as ChatCompletionChunk["choices"][number]["delta"] | undefined;
    if (d === undefined) continue;
    if (
      (typeof d.content === "string" && d.content !== "") ||
      (d.tool_calls !== undefined && d.tool_calls.length > 0) ||
      (typeof d.refusal === "string" && d.refusal !== "")
    )
      return true;
  }
  return false;
}

/** Note usage from a chunk (the usage-only chunk at the end of a stream); true when it is that chunk. */
export function noteChunkUsage(ctx: RequestContext, chunk: ChatCompletionChunk): boolean {
  if (chunk.usage === undefined || chunk.usage === null) return false;
  settleUsage(ctx, chunk.usage);
  return chunk.choices.length === 0;
}

/**
 * @module traceJson(): a TraceRecord as one JSON line, the same text `JSON.stringify` gives for a
 * record built by finishTrace(), at a fraction of its cost: the JSONL sink writes one per request.
 */
import type { TraceAttempt, TraceCandidate, TraceRecord } from "./types.ts";

/**
 * Escaped forms of the strings records repeat (config names, reasons, the release hash, outcomes),
 * so most strings cost a Map lookup instead of an escape. Bounded: cleared when full, so ids and
 * other one-off strings cannot grow it.
 */
const escaped = new Map<string, string>();
const ESCAPED_MAX = 4096;
/** Longer strings (payloads, long reasons) are escaped every time rather than kept. */
const ESCAPED_MAX_LENGTH = 256;

function str(s: string): string {
  let e = escaped.get(s);
  if (e === undefined) {
    e = JSON.stringify(s);
    if (s.length <= ESCAPED_MAX_LENGTH) {
      if (escaped.size >= ESCAPED_MAX) escaped.clear();
      escaped.set(s, e);
    }
  }
  return e;
}

/**
 * A string seen once (a request id, a time, a traceparent) as JSON: not looked up in or added to the
 * cache, where each would only push out the names worth keeping. Printable ASCII without quotes or
 * backslashes (what ids and times are) is quoted as it is; anything else goes through JSON.stringify.
 */
function fresh(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 32 || c > 126 || c === 34 || c === 92) return JSON.stringify(s);
  }
  return `"${s}"`;
}

/** A number as JSON.stringify writes it (non-finite → null). */
function num(n: number): string {
  return Number.isFinite(n) ? String(n) : "null";
}

/** `,"key":value` for a defined value (JSON.stringify omits undefined properties). */
function optStr(key: string, value: string | undefined): string {
  return value === undefined ? "" : `,"${key}":${str(value)}`;
}

function optNum(key: string, value: number | undefined): string {
  return value === undefined ? "" : `,"${key}":${num(value)}`;
}

/** JSON of the route table's frozen candidates, which recur in every trace of their route. */
const frozenCandidates = new WeakMap<TraceCandidate, string>();

function candidate(c: TraceCandidate): string {
  if (!Object.isFrozen(c)) return candidateJson(c);
  let json = frozenCandidates.get(c);
  if (json === undefined) frozenCandidates.set(c, (json = candidateJson(c)));
  return json;
}

function candidateJson(c: TraceCandidate): string {
  return `{"model":${str(c.model)},"provider":${str(c.provider)},"step":${num(c.step)},"source":${str(c.source)}${optStr("tier", c.tier)},"reason":${str(c.reason)}}`;
}

function attempt(a: TraceAttempt): string {
  return (
    `{"model":${str(a.model)},"provider":${str(a.provider)}${optStr("region", a.region)},"step":${num(a.step)},"attempt":${num(a.attempt)},"outcome":${str(a.outcome)}` +
    `${optStr("errorClass", a.errorClass)}${optNum("status", a.status)},"latencyMs":${num(a.latencyMs)}${optNum("ttftMs", a.ttftMs)},"reason":${str(a.reason)}${optStr("after", a.after)}}`
  );
}

function list<T>(items: readonly T[], one: (item: T) => string): string {
  let out = "[";
  for (let i = 0; i < items.length; i++) out += (i === 0 ? "" : ",") + one(items[i] as T);
  return `${out}]`;
}

/**
 * The record as JSON, fields in TraceRecord's order (finishTrace's order, so the text equals
 * `JSON.stringify(record)` for its records; a test checks that over generated records). The payload
 * of a `logPayloads` route goes through JSON.stringify as it is.
 *
 * @example sink.write(`${traceJson(record)}\n`);
 */
export function traceJson(r: TraceRecord): string {
  return (
    `{"v":${num(r.v)},"requestId":${fresh(r.requestId)},"time":${fresh(r.time)},"environment":${str(r.environment)},"configVersion":${str(r.configVersion)}` +
    `${optStr("route", r.route)}${optStr("team", r.team)},"status":${num(r.status)},"outcome":${str(r.outcome)}${optStr("errorCode", r.errorCode)},"stream":${r.stream}` +
    `,"candidates":${list(r.candidates, candidate)},"attempts":${list(r.attempts, attempt)}${optStr("model", r.model)}${optStr("provider", r.provider)}` +
    `,"inputTokens":${num(r.inputTokens)},"outputTokens":${num(r.outputTokens)},"costUsd":${num(r.costUsd)},"canary":${r.canary},"fallback":${r.fallback}` +
    `,"retries":${num(r.retries)},"validation":${str(r.validation)},"latencyMs":${num(r.latencyMs)}${optNum("ttftMs", r.ttftMs)}${r.traceparent === undefined ? "" : `,"traceparent":${fresh(r.traceparent)}`}` +
    `${optStr("region", r.region)}${r.cache === undefined ? "" : `,"cache":${JSON.stringify(r.cache)}`}${optStr("api", r.api)}${optNum("cachedInputTokens", r.cachedInputTokens)}${optNum("cacheWriteTokens", r.cacheWriteTokens)}${optNum("reasoningTokens", r.reasoningTokens)}` +
    `${r.user === undefined ? "" : `,"user":${fresh(r.user)}`}${r.metadata === undefined ? "" : `,"metadata":${JSON.stringify(r.metadata)}`}${r.tags === undefined ? "" : `,"tags":${JSON.stringify(r.tags)}`}` +
    `${r.prompt === undefined ? "" : `,"prompt":${JSON.stringify(r.prompt)}`}` +
    `${optNum("rule", r.rule)}${optNum("complexity", r.complexity)}${r.requires === undefined ? "" : `,"requires":${JSON.stringify(r.requires)}`}` +
    `${r.excluded === undefined ? "" : `,"excluded":${JSON.stringify(r.excluded)}`}` +
    `${r.payload === undefined ? "" : `,"payload":${JSON.stringify(r.payload)}`}}`
  );
}

/**
 * Every TraceRecord field is written above: adding one to TraceRecord without adding it to traceJson()
 * fails the type check here (the list must name every key).
 */
const FIELDS = [
  "v",
  "requestId",
  "time",
  "environment",
  "configVersion",
  "route",
  "team",
  "status",
  "outcome",
  "errorCode",
  "stream",
  "candidates",
  "attempts",
  "model",
  "provider",
  "inputTokens",
  "outputTokens",
  "costUsd",
  "canary",
  "fallback",
  "retries",
  "validation",
  "latencyMs",
  "ttftMs",
  "traceparent",
  "region",
  "cache",
  "api",
  "cachedInputTokens",
  "cacheWriteTokens",
  "reasoningTokens",
  "user",
  "metadata",
  "tags",
  "prompt",
  "rule",
  "complexity",
  "requires",
  "excluded",
  "payload",
] as const satisfies readonly (keyof TraceRecord)[];
const CANDIDATE_FIELDS = ["model", "provider", "step", "source", "tier", "reason"] as const satisfies readonly (keyof TraceCandidate)[];
const ATTEMPT_FIELDS = [
  "model",
  "provider",
  "region",
  "step",
  "attempt",
  "outcome",
  "errorClass",
  "status",
  "latencyMs",
  "ttftMs",
  "reason",
  "after",
] as const satisfies readonly (keyof TraceAttempt)[];
type Exhaustive<All, Listed> = [Exclude<All, Listed>] extends [never] ? true : { missing: Exclude<All, Listed> };
export const TRACE_JSON_COVERS_EVERY_FIELD: [
  Exhaustive<keyof TraceRecord, (typeof FIELDS)[number]>,
  Exhaustive<keyof TraceCandidate, (typeof CANDIDATE_FIELDS)[number]>,
  Exhaustive<keyof TraceAttempt, (typeof ATTEMPT_FIELDS)[number]>,
] = [true, true, true];

/**
 * @module simulate/trace-line — one line of a router trace file (JSONL, `TraceRecord` v1) as the request a
 * replay needs: route, team, tokens in and out, the caller's region, time, and what each upstream attempt did.
 * Pure; a line that is not a usable record is an error message, never a throw.
 */
import { CapabilitySchema, type Capability } from "@switchyard/ir";
import type { AttemptErrorClass } from "@switchyard/router";

/** One upstream attempt as the trace recorded it: the health the replay feeds to breakers and latency stats. */
export interface RecordedAttempt {
  model: string;
  ok: boolean;
  errorClass: AttemptErrorClass | undefined;
  latencyMs: number;
}

/** A traced request, as replayed. */
export interface TracedRequest {
  /** 1-based line of the file. */
  line: number;
  requestId: string;
  /** Epoch ms the request arrived. */
  time: number;
  route: string;
  team: string | undefined;
  /** The caller's region hint, when the record carries one. */
  region: string | undefined;
  inputTokens: number;
  /** Of inputTokens, read from and written to a prompt cache (replayed as the same cache hits on any model). */
  cachedInputTokens: number | undefined;
  cacheWriteTokens: number | undefined;
  outputTokens: number;
  attempts: RecordedAttempt[];
  /** What `when` rules read, as the trace recorded it (absent on older traces: no tags, no metadata, score 0, no needs). */
  tags?: Record<string, string>;
  metadata?: Record<string, string>;
  complexity?: number;
  requires?: Capability[];
}

/** Why a well-formed record is not replayed. */
export type SkipReason = "no-route" | "not-routed";

/** `event`: a router decision in the trace file (a canary promotion or rollback, `"kind":"canary"`), not a request. */
export type ParsedTraceLine =
  | { kind: "request"; request: TracedRequest }
  | { kind: "skip"; reason: SkipReason }
  | { kind: "malformed"; message: string }
  | { kind: "blank" }
  | { kind: "event" };

/**
 * Records the router answered before routing (an unknown key, a body it could not read): routing does not
 * change their answer, so they are not replayed. Budget and rate-limit refusals are replayed: they are demand.
 */
const NOT_ROUTED = new Set([
  "invalid_json",
  "invalid_request",
  "missing_api_key",
  "invalid_api_key",
  "not_found",
  "method_not_allowed",
  "body_too_large",
  "request_timeout",
]);

/** The trace's failure classes as the state store counts them (4xx other than 429 is the request's fault). */
function errorClassOf(value: unknown): AttemptErrorClass | undefined {
  switch (value) {
    case "429":
    case "5xx":
    case "timeout":
    case "connection":
    case "validation":
      return value;
    case "4xx":
      return "client";
    case undefined:
    case null:
      return undefined;
    default:
      return "other";
  }
}

/** A `{ key: "value" }` string map (tags, metadata), or undefined when the field is absent or not one. */
function stringMap(value: unknown): Record<string, string> | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  const entries = Object.entries(value);
  return entries.length > 0 && entries.every(([, v]) => typeof v === "string") ? (value as Record<string, string>) : undefined;
}

/** The request fields `when` rules read; a malformed one is left out (the request still replays, as one without it). */
function ruleFields(r: Record<string, unknown>): Pick<TracedRequest, "tags" | "metadata" | "complexity" | "requires"> {
  const out: Pick<TracedRequest, "tags" | "metadata" | "complexity" | "requires"> = {};
  const tags = stringMap(r.tags);
  if (tags !== undefined) out.tags = tags;
  const metadata = stringMap(r.metadata);
  if (metadata !== undefined) out.metadata = metadata;
  if (isCount(r.complexity)) out.complexity = r.complexity;
  if (Array.isArray(r.requires)) out.requires = r.requires.flatMap((c) => (CapabilitySchema.safeParse(c).success ? [c as Capability] : []));
  return out;
}

function isCount(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value) && value >= 0;
}

/**
 * The line without its `candidates` list, which a replay does not read and which is a third of a record's
 * bytes: parsing dominates a replay. The router writes `candidates` right before `attempts`, and the ids and
 * reasons inside cannot contain `,"attempts":[`; a line in any other shape is parsed whole.
 */
function withoutCandidates(text: string): string {
  const start = text.indexOf(',"candidates":[');
  if (start === -1) return text;
  const end = text.indexOf(',"attempts":[', start);
  return end === -1 ? text : text.slice(0, start) + text.slice(end);
}

/**
 * Parse one line. Checks exactly the fields a replay reads, so a record from a newer router with more
 * fields still replays, and a record missing one says which.
 *
 * @example parseTraceLine('{"v":1,"requestId":"r1","time":"2026-01-01T00:00:00.000Z",…}', 1)
 */
export function parseTraceLine(text: string, line: number): ParsedTraceLine {
  if (text.trim() === "") return { kind: "blank" };
  let value: unknown;
  try {
    value = JSON.parse(withoutCandidates(text));
  } catch {
    return { kind: "malformed", message: "not JSON" };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return { kind: "malformed", message: "not a JSON object" };
  const r = value as Record<string, unknown>;
  if (r.v !== 1)
    return { kind: "malformed", message: r.v === undefined ? "not a trace record (no `v`)" : `unsupported trace schema version ${JSON.stringify(r.v)}` };
  if (r.kind !== undefined) return { kind: "event" };
  if (typeof r.requestId !== "string") return { kind: "malformed", message: "field `requestId` is missing or not a string" };
  const time = typeof r.time === "string" ? Date.parse(r.time) : Number.NaN;
  if (!Number.isFinite(time)) return { kind: "malformed", message: "field `time` is missing or not an ISO-8601 time" };
  if (typeof r.errorCode === "string" && NOT_ROUTED.has(r.errorCode)) return { kind: "skip", reason: "not-routed" };
  if (r.route === undefined || r.route === null) return { kind: "skip", reason: "no-route" };
  if (typeof r.route !== "string") return { kind: "malformed", message: "field `route` is not a string" };
  if (r.team !== undefined && r.team !== null && typeof r.team !== "string") return { kind: "malformed", message: "field `team` is not a string" };
  if (r.region !== undefined && r.region !== null && typeof r.region !== "string") return { kind: "malformed", message: "field `region` is not a string" };
  if (!isCount(r.inputTokens)) return { kind: "malformed", message: "field `inputTokens` is missing or not a non-negative number" };
  if (!isCount(r.outputTokens)) return { kind: "malformed", message: "field `outputTokens` is missing or not a non-negative number" };
  const rawAttempts = r.attempts ?? [];
  if (!Array.isArray(rawAttempts)) return { kind: "malformed", message: "field `attempts` is not a list" };
  const attempts: RecordedAttempt[] = [];
  for (let i = 0; i < rawAttempts.length; i++) {
    const a = rawAttempts[i] as Record<string, unknown> | null;
    if (typeof a !== "object" || a === null || typeof a.model !== "string" || (a.outcome !== "ok" && a.outcome !== "error") || !isCount(a.latencyMs)) {
      return { kind: "malformed", message: `attempts[${i}] needs a model, an outcome ("ok" or "error") and latencyMs` };
    }
    attempts.push({ model: a.model, ok: a.outcome === "ok", errorClass: a.outcome === "ok" ? undefined : errorClassOf(a.errorClass), latencyMs: a.latencyMs });
  }
  return {
    kind: "request",
    request: {
      line,
      requestId: r.requestId,
      time,
      route: r.route,
      team: typeof r.team === "string" ? r.team : undefined,
      region: typeof r.region === "string" ? r.region : undefined,
      inputTokens: r.inputTokens,
      cachedInputTokens: isCount(r.cachedInputTokens) ? r.cachedInputTokens : undefined,
      cacheWriteTokens: isCount(r.cacheWriteTokens) ? r.cacheWriteTokens : undefined,
      outputTokens: r.outputTokens,
      attempts,
      ...ruleFields(r),
    },
  };
}

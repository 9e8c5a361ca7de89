/** @module The router's closed set of client-facing errors: one code union, one table, one error type. */

/** Every error the router answers a client with. Adding a code means adding a row to ERRORS. */
export type RouterErrorCode =
  | "invalid_json"
  | "invalid_request"
  | "unsupported_parameter"
  | "missing_api_key"
  | "invalid_api_key"
  | "route_not_allowed"
  | "route_not_found"
  | "not_found"
  | "method_not_allowed"
  | "body_too_large"
  | "request_timeout"
  | "overloaded"
  | "rate_limited"
  | "budget_exceeded"
  | "no_candidates"
  | "context_length_exceeded"
  | "upstream_invalid_request"
  | "all_candidates_failed"
  | "shutting_down"
  | "internal_error"
  | "invalid_admin_token"
  | "admin_disabled"
  | "too_many_admin_attempts"
  | "invalid_release"
  | "release_not_found"
  | "no_previous_release"
  | "request_not_found"
  | "feedback_conflict"
  | "state_unavailable"
  | "asset_missing";

/** OpenAI's `error.type` vocabulary (plus `upstream_error` for provider failures). */
export type RouterErrorType =
  "invalid_request_error" | "authentication_error" | "permission_error" | "not_found_error" | "rate_limit_error" | "upstream_error" | "server_error";

/** HTTP status and OpenAI error type of every code. */
export const ERRORS = {
  invalid_json: { status: 400, type: "invalid_request_error" },
  invalid_request: { status: 400, type: "invalid_request_error" },
  unsupported_parameter: { status: 400, type: "invalid_request_error" },
  missing_api_key: { status: 401, type: "authentication_error" },
  invalid_api_key: { status: 401, type: "authentication_error" },
  route_not_allowed: { status: 403, type: "permission_error" },
  route_not_found: { status: 404, type: "not_found_error" },
  not_found: { status: 404, type: "not_found_error" },
  method_not_allowed: { status: 405, type: "invalid_request_error" },
  body_too_large: { status: 413, type: "invalid_request_error" },
  request_timeout: { status: 408, type: "invalid_request_error" },
  overloaded: { status: 503, type: "server_error" },
  rate_limited: { status: 429, type: "rate_limit_error" },
  budget_exceeded: { status: 429, type: "rate_limit_error" },
  no_candidates: { status: 503, type: "upstream_error" },
  context_length_exceeded: { status: 400, type: "invalid_request_error" },
  upstream_invalid_request: { status: 400, type: "invalid_request_error" },
  all_candidates_failed: { status: 502, type: "upstream_error" },
  shutting_down: { status: 503, type: "server_error" },
  internal_error: { status: 500, type: "server_error" },
  invalid_admin_token: { status: 401, type: "authentication_error" },
  admin_disabled: { status: 403, type: "permission_error" },
  too_many_admin_attempts: { status: 429, type: "rate_limit_error" },
  invalid_release: { status: 400, type: "invalid_request_error" },
  release_not_found: { status: 404, type: "not_found_error" },
  no_previous_release: { status: 409, type: "invalid_request_error" },
  request_not_found: { status: 404, type: "not_found_error" },
  feedback_conflict: { status: 409, type: "invalid_request_error" },
  state_unavailable: { status: 503, type: "server_error" },
  asset_missing: { status: 503, type: "server_error" },
} as const satisfies Record<RouterErrorCode, { status: number; type: RouterErrorType }>;

/**
 * Why one attempt failed, as reported to the client in `all_candidates_failed`. `4xx` is the request's fault (an
 * upstream 400, 413 or 422: never booked against the model); `provider_4xx` is the deployment's (an upstream 401, 403,
 * 404 or another 4xx about the router's own call: its key, its model name, its account), booked like a 5xx.
 */
export type FailureClass =
  "429" | "5xx" | "4xx" | "provider_4xx" | "timeout" | "connection" | "invalid_response" | "validation" | "stream_interrupted" | "rejected";

/** One attempt, as listed in an `all_candidates_failed` error. Never holds keys or payloads. */
export interface AttemptSummary {
  model: string;
  provider: string;
  /** The candidate's position in the plan (0 = primary). */
  step: number;
  /** 1-based attempt number on this candidate. */
  attempt: number;
  outcome: "ok" | "error";
  errorClass?: FailureClass;
  /** Upstream HTTP status, when the upstream answered. */
  status?: number;
  message?: string;
  latencyMs: number;
  /** Time to the first token of a successful streamed attempt, ms (for traces and metrics). */
  ttftMs?: number;
}

export interface RouterErrorOptions {
  /** The request field at fault (`messages[2].role`), rendered as OpenAI's `param`. */
  param?: string;
  /** Overrides the table's status for codes that span several (all_candidates_failed: 502/503/504). */
  status?: number;
  /** Extra response headers (e.g. `retry-after`, `allow`). */
  headers?: Record<string, string>;
  attempts?: AttemptSummary[];
  /** The body's `type` and `code` instead of the table's: an upstream's own client error, passed through. */
  wire?: { type: string; code: string | null };
}

/**
 * A client-facing error. Renders OpenAI's `{ "error": { message, type, code, param } }` body.
 *
 * @example throw new RouterError("route_not_found", "route `chat` does not exist", { param: "model" });
 */
export class RouterError extends Error {
  override readonly name = "RouterError";
  readonly code: RouterErrorCode;
  readonly status: number;
  readonly type: RouterErrorType;
  readonly param: string | undefined;
  readonly headers: Record<string, string> | undefined;
  readonly attempts: AttemptSummary[] | undefined;
  /** What the body says for `type` and `code` when it is not the table's (an upstream's client error passed through). */
  readonly wire: { type: string; code: string | null } | undefined;

  constructor(code: RouterErrorCode, message: string, options: RouterErrorOptions = {}) {
    super(message);
    this.code = code;
    this.status = options.status ?? ERRORS[code].status;
    this.type = ERRORS[code].type;
    this.param = options.param;
    this.headers = options.headers;
    this.attempts = options.attempts;
    this.wire = options.wire;
  }

  /** The JSON body object (OpenAI's error shape; `attempts` only for upstream failures). */
  toBody(): { error: { message: string; type: string; code: string | null; param: string | null; attempts?: AttemptSummary[] } } {
    const error: { message: string; type: string; code: string | null; param: string | null; attempts?: AttemptSummary[] } = {
      message: this.message,
      type: this.wire?.type ?? this.type,
      code: this.wire === undefined ? this.code : this.wire.code,
      param: this.param ?? null,
    };
    if (this.attempts !== undefined) error.attempts = this.attempts;
    return { error };
  }

  toJson(): string {
    return JSON.stringify(this.toBody());
  }
}

/** The status for an `all_candidates_failed` from the attempts: 504 all timed out, 503 all overloaded/limited, else 502. */
export function allFailedStatus(attempts: readonly AttemptSummary[]): 502 | 503 | 504 {
  const failed = attempts.filter((a) => a.outcome === "error");
  if (failed.length === 0) return 502;
  if (failed.every((a) => a.errorClass === "timeout")) return 504;
  if (failed.every((a) => a.errorClass === "429" || a.status === 503 || a.status === 529 || a.errorClass === "rejected")) return 503;
  return 502;
}

/**
 * A client's string as quoted in an error message: at most `max` characters, then "…". A 4 MB `model`
 * must not come back whole in the answer, nor in traces and logs.
 *
 * @example clip("x".repeat(1000)) // → the first 80 characters, then "…"
 */
export function clip(text: string, max = 80): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}

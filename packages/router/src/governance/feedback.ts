/**
 * @module Quality feedback (`POST /v1/feedback`): the body's validation, and the bounded ledger of
 * served requests a score is matched against (request id → team, route, model, arm).
 */
import { RouterError } from "../errors.ts";
import type { CanaryArm } from "../state/index.ts";

/** A served request as the ledger remembers it, and the score it received (once). */
export interface ServedRequest {
  /** The caller's team; undefined on an open router (no team keys). */
  team: string | undefined;
  route: string;
  /** The model that answered. */
  model: string;
  /** The canary arm it served, when its route has a canary (`canary` or `baseline`); undefined otherwise. */
  arm: CanaryArm | undefined;
  /** Epoch ms the answer was served. */
  servedAt: number;
  /** The score it received, and whether the score counted in a canary guard window. */
  feedback: { score: number; label: string | undefined; counted: boolean } | undefined;
}

/** A validated feedback body. */
export interface FeedbackBody {
  requestId: string;
  score: number;
  label: string | undefined;
}

/** Served requests are remembered this long … */
export const FEEDBACK_TTL_MS = 6 * 60 * 60 * 1000;
/** … and at most this many (the oldest are forgotten first): about 10 MB at the cap. */
export const FEEDBACK_MAX_REQUESTS = 50_000;
const MAX_LABEL = 64;

/**
 * Check a feedback body: `{ request_id: string, score: number in [0, 1], label?: string (≤ 64 chars) }`.
 * Throws RouterError `invalid_request` naming the field (OpenAI's `param`).
 */
export function parseFeedbackBody(raw: unknown): FeedbackBody {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) throw new RouterError("invalid_request", "the body must be a JSON object");
  const body = raw as Record<string, unknown>;
  for (const key of Object.keys(body)) {
    if (key !== "request_id" && key !== "score" && key !== "label")
      throw new RouterError("invalid_request", `unknown field \`${key}\`; feedback takes request_id, score and label`, { param: key });
  }
  const id = body.request_id;
  if (typeof id !== "string" || id === "")
    throw new RouterError("invalid_request", "`request_id` must be the x-switchyard-request-id of an answer (a non-empty string)", { param: "request_id" });
  const score = body.score;
  if (typeof score !== "number" || !Number.isFinite(score) || score < 0 || score > 1)
    throw new RouterError("invalid_request", `\`score\` must be a number from 0 to 1, got ${JSON.stringify(score) ?? "nothing"}`, { param: "score" });
  const label = body.label;
  if (label !== undefined && label !== null && (typeof label !== "string" || label.length > MAX_LABEL))
    throw new RouterError("invalid_request", `\`label\` must be a string of at most ${MAX_LABEL} characters`, { param: "label" });
  return { requestId: id, score, label: typeof label === "string" ? label : undefined };
}

/**
 * The served requests of the last FEEDBACK_TTL_MS, at most FEEDBACK_MAX_REQUESTS, oldest forgotten
 * first (a Map keeps insertion order). Per replica: a score must reach the replica that served the
 * request (docs/http-api.md).
 */
export class FeedbackLedger {
  readonly #served = new Map<string, ServedRequest>();

  constructor(
    readonly maxRequests = FEEDBACK_MAX_REQUESTS,
    readonly ttlMs = FEEDBACK_TTL_MS,
  ) {}

  get size(): number {
    return this.#served.size;
  }

  remember(id: string, served: Omit<ServedRequest, "feedback">): void {
    this.#served.delete(id); // a reused request id moves to the newest end
    this.#served.set(id, { ...served, feedback: undefined });
    if (this.#served.size > this.maxRequests) {
      const oldest = this.#served.keys().next();
      if (oldest.done !== true) this.#served.delete(oldest.value);
    }
    this.#expire(served.servedAt);
  }

  /**
   * Attach a score to a request of `team`. A request another team made reads as unknown (no one
   * learns which ids exist). The first score stands: the same score and label again answer as the
   * first did (a retried POST is harmless); a different one is refused with `feedback_conflict`.
   */
  score(team: string | undefined, body: FeedbackBody, now: number): { served: ServedRequest; repeated: boolean } {
    this.#expire(now);
    const served = this.#served.get(body.requestId);
    if (served === undefined || served.team !== team)
      throw new RouterError(
        "request_not_found",
        `no answer with request id \`${body.requestId}\` to your team in the last ${this.ttlMs / 3_600_000} h on this router (feedback is kept for its ${this.maxRequests} most recent requests)`,
        { param: "request_id" },
      );
    const prior = served.feedback;
    if (prior !== undefined) {
      if (prior.score === body.score && prior.label === body.label) return { served, repeated: true };
      throw new RouterError(
        "feedback_conflict",
        `request \`${body.requestId}\` already has a score (${prior.score}${prior.label === undefined ? "" : `, label "${prior.label}"`}); a request is scored once`,
        { param: "score" },
      );
    }
    served.feedback = { score: body.score, label: body.label, counted: false };
    return { served, repeated: false };
  }

  /** Drop requests older than the TTL (from the oldest end; stops at the first young one). */
  #expire(now: number): void {
    for (const [id, served] of this.#served) {
      if (now - served.servedAt <= this.ttlMs) break;
      this.#served.delete(id);
    }
  }
}

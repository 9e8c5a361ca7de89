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

/** Answered requests remembered for feedback (the oldest are forgotten first): about 10 MB at the cap. */
export const FEEDBACK_MAX_REQUESTS = 50_000;
const MAX_LABEL = 64;

/**
 * Check a feedback body: `{ request_id: string, score: number in [0, 1], label?: string (≤ 64 chars) }` (other fields are ignored).
 * Throws RouterError `invalid_request` naming the field (OpenAI's `param`).
 */
export function parseFeedbackBody(raw: unknown): FeedbackBody {
  const body = (raw !== null && typeof raw === "object" && !Array.isArray(raw) ? raw : undefined) as Record<string, unknown> | undefined;
  const bad = (param: string | undefined, message: string): never => {
    throw new RouterError("invalid_request", message, param === undefined ? {} : { param });
  };
  if (body === undefined) return bad(undefined, "the body must be a JSON object");
  const { request_id: id, score, label } = body;
  if (typeof id !== "string" || id === "") bad("request_id", "`request_id` must be an answer's x-switchyard-request-id");
  if (typeof score !== "number" || !(score >= 0 && score <= 1)) bad("score", "`score` must be a number from 0 to 1");
  if (label != null && (typeof label !== "string" || label.length > MAX_LABEL)) bad("label", `\`label\` must be a string of at most ${MAX_LABEL} characters`);
  return { requestId: id as string, score: score as number, label: typeof label === "string" ? label : undefined };
}

/**
 * The FEEDBACK_MAX_REQUESTS most recently answered requests, oldest forgotten first (a Map keeps
 * insertion order): bounded by count, not time, so memory stays bounded whatever the traffic. Per
 * replica: a score must reach the replica that served the request (docs/http-api.md).
 */
export class FeedbackLedger {
  readonly #served = new Map<string, ServedRequest>();

  constructor(readonly maxRequests = FEEDBACK_MAX_REQUESTS) {}

  remember(id: string, served: Omit<ServedRequest, "feedback">): void {
    this.#served.delete(id); // a reused request id moves to the newest end
    this.#served.set(id, { ...served, feedback: undefined });
    if (this.#served.size > this.maxRequests) this.#served.delete(this.#served.keys().next().value as string);
  }

  /**
   * Attach a score to a request of `team`. A request another team made reads as unknown (no one
   * learns which ids exist). The first score stands: the same score and label again answer as the
   * first did (a retried POST is harmless); a different one is refused with `feedback_conflict`.
   */
  score(team: string | undefined, body: FeedbackBody): { served: ServedRequest; repeated: boolean } {
    const served = this.#served.get(body.requestId);
    if (served === undefined || served.team !== team)
      throw new RouterError("request_not_found", `no recent answer \`${body.requestId}\` to your team`, {
        param: "request_id",
      });
    const prior = served.feedback;
    if (prior !== undefined) {
      if (prior.score === body.score && prior.label === body.label) return { served, repeated: true };
      throw new RouterError("feedback_conflict", `\`${body.requestId}\` already has score ${prior.score}: a request is scored once`, { param: "score" });
    }
    served.feedback = { score: body.score, label: body.label, counted: false };
    return { served, repeated: false };
  }
}

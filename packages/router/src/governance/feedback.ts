/**
 * @module Quality feedback (`POST /v1/feedback`): the body's validation, and the store of served requests a
 * score is matched against (request id → team, route, model, arm, servedAt): the interface, and the in-memory one.
 */
import { RouterError } from "../errors.ts";
import type { Awaitable, CanaryArm } from "../state/index.ts";

/** A served request as a feedback store remembers it. */
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
}

/** The score a request received (once), and whether it counted in a canary guard window. */
export interface StandingFeedback {
  score: number;
  label: string | undefined;
  counted: boolean;
}

/** A score matched to its request: `repeated` when the request had this very score already (a retried POST). */
export interface ScoredRequest {
  requestId: string;
  served: ServedRequest;
  feedback: StandingFeedback;
  repeated: boolean;
}

/**
 * Answered requests a `POST /v1/feedback` score is matched against, and the score each received. In memory
 * (MemoryFeedbackStore, per replica) or shared (state/redis/feedback.ts: any replica accepts a score for an
 * answer any replica served). Conformance: ./feedback.conformance.ts.
 */
export interface FeedbackStore {
  /**
   * Remember an answered request under its id (a reused id replaces the older answer). Called after the
   * answer was sent; never waits and never throws (a shared store writes in the background).
   */
  remember(id: string, served: ServedRequest): void;
  /**
   * Attach a score to a request of `team`, answered at most `ttlMs` before `now`. A request another team
   * made reads as unknown (no one learns which ids exist): RouterError `request_not_found`. The first
   * score stands: the same score and label again answer `repeated` with the standing feedback; another is
   * refused with `feedback_conflict`. Exactly one of concurrent first scores wins, across replicas too.
   */
  score(team: string | undefined, body: FeedbackBody, now: number): Awaitable<ScoredRequest>;
  /** After the first score: record whether it counted in a canary guard window (a repeated POST then answers the same). */
  markCounted(scored: ScoredRequest, counted: boolean): Awaitable<void>;
}

/** How long an answered request can be scored: an hour (a canary step is typically minutes to hours). */
export const FEEDBACK_TTL_MS = 3_600_000;

/** A validated feedback body. */
export interface FeedbackBody {
  requestId: string;
  score: number;
  label: string | undefined;
}

/** Answered requests an in-memory store remembers (the oldest are forgotten first): about 10 MB at the cap. */
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

/** The error for an id that is unknown, expired, or another team's. */
export function requestNotFound(requestId: string): RouterError {
  return new RouterError("request_not_found", `no recent answer \`${requestId}\` to your team`, { param: "request_id" });
}

/** The first score stands: the same one again is a repeat, another one a conflict (RouterError `feedback_conflict`). */
export function repeatOrConflict(requestId: string, prior: StandingFeedback, body: FeedbackBody): StandingFeedback {
  if (prior.score === body.score && prior.label === body.label) return prior;
  throw new RouterError("feedback_conflict", `\`${requestId}\` already has score ${prior.score}: a request is scored once`, { param: "score" });
}

/**
 * The FeedbackStore of one replica: the `maxRequests` most recently answered requests within `ttlMs`,
 * oldest forgotten first (a Map keeps insertion order), so memory stays bounded whatever the traffic.
 * A score must reach the replica that served the request (docs/http-api.md); with Redis state the
 * shared store lifts that.
 */
export class MemoryFeedbackStore implements FeedbackStore {
  readonly #served = new Map<string, { served: ServedRequest; feedback: StandingFeedback | undefined }>();

  constructor(
    readonly maxRequests = FEEDBACK_MAX_REQUESTS,
    readonly ttlMs = FEEDBACK_TTL_MS,
  ) {}

  remember(id: string, served: ServedRequest): void {
    this.#served.delete(id); // a reused request id moves to the newest end
    this.#served.set(id, { served, feedback: undefined });
    if (this.#served.size > this.maxRequests) this.#served.delete(this.#served.keys().next().value as string);
  }

  score(team: string | undefined, body: FeedbackBody, now: number): ScoredRequest {
    const entry = this.#served.get(body.requestId);
    if (entry === undefined || entry.served.team !== team || entry.served.servedAt + this.ttlMs < now) throw requestNotFound(body.requestId);
    if (entry.feedback !== undefined)
      return { requestId: body.requestId, served: entry.served, feedback: repeatOrConflict(body.requestId, entry.feedback, body), repeated: true };
    entry.feedback = { score: body.score, label: body.label, counted: false };
    return { requestId: body.requestId, served: entry.served, feedback: entry.feedback, repeated: false };
  }

  markCounted(scored: ScoredRequest, counted: boolean): void {
    const entry = this.#served.get(scored.requestId);
    if (entry?.served === scored.served && entry.feedback !== undefined) entry.feedback = { ...entry.feedback, counted };
  }
}

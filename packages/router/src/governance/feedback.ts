/**
 * @module Quality feedback (`POST /v1/feedback`): the body's validation, and the store of served requests a
 * score is matched against (request id → team, route, model, arm, servedAt): the interface, and the in-memory one.
 */
import { fnv1a32 } from "../core/sticky.ts";
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

/** Answered requests an in-memory store remembers (the oldest are forgotten first): about 1.7 MB at the cap (MemoryFeedbackStore). */
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

/** What answered a request, without when: few distinct ones (teams × routes × models × arms), shared by the ring's slots. */
type Answer = Omit<ServedRequest, "servedAt">;

/** Distinct answers the in-memory store shares before it starts a new table (the slots keep theirs). */
const MAX_SHARED_ANSWERS = 1_024;

/**
 * The FeedbackStore of one replica: the `maxRequests` most recently answered requests within `ttlMs`,
 * oldest forgotten first, so memory stays bounded whatever the traffic. A score must reach the replica
 * that served the request (docs/http-api.md); with Redis state the shared store lifts that.
 *
 * Every answered request passes through `remember`, so the store keeps no object per answer: a ring of
 * slots (the id's 53-bit hash, when, and a shared Answer) and an open-addressing index from hash to slot,
 * ≈ 34 bytes per answer (a Map of id strings to ServedRequest objects took ≈ 240, ≈ 12 MB at the cap; BENCHMARKS.md, "Focused runs").
 * Forgetting the oldest overwrites its slot in O(1). Two ids with one hash would read as one answer:
 * the hash is seeded per store, and 50,000 answers leave a wrong match about a 1-in-10¹¹ chance per score.
 * A reused id takes a new slot; its old slot stays until overwritten, then forgets nothing.
 */
export class MemoryFeedbackStore implements FeedbackStore {
  /** The ring, one slot per answer: its id's hash, when (epoch ms) and what answered. `#next` is written next (the oldest once full). */
  readonly #hashes: Float64Array;
  readonly #servedAt: Float64Array;
  readonly #answers: Answer[] = [];
  #next = 0;
  /** Open addressing, linear probing: slot + 1 of each remembered hash at (its low bits + probe); 0 is empty. At most half full. */
  readonly #index: Int32Array;
  /** The score of each scored answer still remembered, by slot (few: most answers are never scored). */
  readonly #feedback = new Map<number, StandingFeedback>();
  /** Answers shared by the slots, by team, route, model and arm. */
  #shared = new Map<string, Answer>();
  #last: Answer | undefined;
  readonly #seeds = [(Math.random() * 2 ** 32) >>> 0, (Math.random() * 2 ** 32) >>> 0] as const;

  constructor(
    readonly maxRequests = FEEDBACK_MAX_REQUESTS,
    readonly ttlMs = FEEDBACK_TTL_MS,
  ) {
    this.#hashes = new Float64Array(maxRequests);
    this.#servedAt = new Float64Array(maxRequests);
    this.#index = new Int32Array(2 ** Math.ceil(Math.log2(maxRequests * 2)));
  }

  remember(id: string, served: ServedRequest): void {
    const slot = this.#next;
    this.#next = slot + 1 === this.maxRequests ? 0 : slot + 1;
    if (slot < this.#answers.length) {
      // The oldest answer is forgotten, unless its id was reused since (then its index entry names a newer slot).
      const at = this.#find(this.#hashes[slot]!);
      if (at >= 0 && this.#index[at] === slot + 1) this.#remove(at);
      this.#feedback.delete(slot);
    }
    const hash = this.#hash(id);
    const known = this.#find(hash);
    if (known >= 0) {
      this.#feedback.delete(this.#index[known]! - 1); // a reused id is a new answer: the older one's score does not carry over
      this.#index[known] = slot + 1;
    } else {
      this.#insert(hash, slot + 1);
    }
    this.#hashes[slot] = hash;
    this.#servedAt[slot] = served.servedAt;
    this.#answers[slot] = this.#answer(served);
  }

  score(team: string | undefined, body: FeedbackBody, now: number): ScoredRequest {
    const slot = this.#slotOf(body.requestId);
    const answer = slot < 0 ? undefined : this.#answers[slot]!;
    const servedAt = slot < 0 ? 0 : this.#servedAt[slot]!;
    if (answer === undefined || answer.team !== team || servedAt + this.ttlMs < now) throw requestNotFound(body.requestId);
    const served: ServedRequest = { ...answer, servedAt };
    const prior = this.#feedback.get(slot);
    if (prior !== undefined) return { requestId: body.requestId, served, feedback: repeatOrConflict(body.requestId, prior, body), repeated: true };
    const feedback = { score: body.score, label: body.label, counted: false };
    this.#feedback.set(slot, feedback);
    return { requestId: body.requestId, served, feedback, repeated: false };
  }

  markCounted(scored: ScoredRequest, counted: boolean): void {
    // Only while the request still stands as scored here (not forgotten, not answered anew, not scored by another store).
    const slot = this.#slotOf(scored.requestId);
    if (slot >= 0 && this.#feedback.get(slot) === scored.feedback) this.#feedback.set(slot, { ...scored.feedback, counted });
  }

  /** The slot of `id`'s newest answer, or -1. */
  #slotOf(id: string): number {
    const at = this.#find(this.#hash(id));
    return at < 0 ? -1 : this.#index[at]! - 1;
  }

  /** 53 bits of two seeded 32-bit hashes (an exact double; never 0). */
  #hash(id: string): number {
    return fnv1a32(id, this.#seeds[0]) * 2 ** 21 + (fnv1a32(id, this.#seeds[1]) >>> 11) || 1;
  }

  /** The index position holding `hash`, or -1 (linear probing stops at an empty position). */
  #find(hash: number): number {
    const mask = this.#index.length - 1;
    for (let at = hash % (mask + 1); ; at = (at + 1) & mask) {
      const held = this.#index[at]!;
      if (held === 0) return -1;
      if (this.#hashes[held - 1] === hash) return at;
    }
  }

  /** Write `held` (slot + 1) at the first empty position of `hash`'s probe sequence (a hash not in the index yet). */
  #insert(hash: number, held: number): void {
    const mask = this.#index.length - 1;
    let at = hash % (mask + 1);
    while (this.#index[at] !== 0) at = (at + 1) & mask;
    this.#index[at] = held;
  }

  /** Empty position `at`, moving later entries of its probe run back so that every entry stays reachable (no tombstones). */
  #remove(at: number): void {
    const mask = this.#index.length - 1;
    let hole = at;
    for (let next = (at + 1) & mask; this.#index[next] !== 0; next = (next + 1) & mask) {
      const home = this.#hashes[this.#index[next]! - 1]! % (mask + 1);
      // Move it into the hole unless its home lies cyclically in (hole, next]: then it must stay after its home.
      if (((next - home) & mask) >= ((next - hole) & mask)) {
        this.#index[hole] = this.#index[next]!;
        hole = next;
      }
    }
    this.#index[hole] = 0;
  }

  /** The shared Answer equal to `served`'s team, route, model and arm (most often the last one's). */
  #answer(served: ServedRequest): Answer {
    const last = this.#last;
    if (last !== undefined && last.team === served.team && last.route === served.route && last.model === served.model && last.arm === served.arm) return last;
    const key = `${served.team === undefined ? "" : `t:${served.team}`}\n${served.route}\n${served.model}\n${served.arm ?? ""}`;
    let answer = this.#shared.get(key);
    if (answer === undefined) {
      if (this.#shared.size === MAX_SHARED_ANSWERS) this.#shared = new Map();
      answer = { team: served.team, route: served.route, model: served.model, arm: served.arm };
      this.#shared.set(key, answer);
    }
    this.#last = answer;
    return answer;
  }
}

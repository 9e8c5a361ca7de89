/**
 * @module RedisFeedbackStore: the served requests `POST /v1/feedback` matches scores against, shared by every
 * replica, so a score may reach any replica (issue 21). Plain commands, no script:
 *
 *     <prefix><env>:served:{<id>}               string  JSON {team, route, model, arm, servedAt}; PX ttl
 *     <prefix><env>:served:{<id>}:<servedAt>    string  JSON {score, label, counted}: the standing score (SET NX); PX ttl
 *
 * The request id is the key's Cluster hash tag (a request's two keys share a slot; requests spread over the
 * shards). The score key names the answer's `servedAt`, so a reused request id starts unscored.
 */
import {
  type FeedbackBody,
  type FeedbackStore,
  MemoryFeedbackStore,
  type ScoredRequest,
  type ServedRequest,
  type StandingFeedback,
  repeatOrConflict,
  requestNotFound,
} from "../../governance/feedback.ts";
import { BackendDown, type RedisBackend } from "./backend.ts";

export interface RedisFeedbackOptions {
  prefix: string;
  environment: string;
  /** How long an answer can be scored, ms (the keys' time to live). */
  ttlMs: number;
}

/**
 * Shared: the answers of a canary arm (`canary` or `baseline`), the ones whose score counts in a guard window;
 * other answers (routes without a canary, fallbacks) are remembered by the replica that served them, as in memory.
 * `remember` is one SET sent after the answer, never awaited (ioredis pipelines it with whatever else goes out in
 * that tick): it adds no round trip to a request. A score is two or three commands: GET the answer, SET NX the
 * score (GET the standing one when another was first), and after counting it SET XX its `counted`.
 * Every answer is remembered in this replica's memory too: while Redis is unreachable a score is matched there
 * (`serve-local`) or refused with 503 `state_unavailable` (`refuse`), and an answer Redis does not know (its
 * SET was lost in an outage) is matched there as well.
 */
export class RedisFeedbackStore implements FeedbackStore {
  readonly #backend: RedisBackend;
  readonly #options: RedisFeedbackOptions;
  readonly #base: string;
  /** This replica's answers, scored while Redis is down (serve-local). */
  readonly #local: MemoryFeedbackStore;

  constructor(backend: RedisBackend, options: RedisFeedbackOptions) {
    this.#backend = backend;
    this.#options = options;
    this.#base = `${options.prefix}${options.environment}:served:`;
    this.#local = new MemoryFeedbackStore(undefined, options.ttlMs);
  }

  remember(id: string, served: ServedRequest): void {
    this.#local.remember(id, served);
    // Only an answer of a canary arm can count anywhere; the others' scores are acknowledged by the replica that served them.
    if (served.arm === undefined || !this.#backend.up) return;
    const value = JSON.stringify({ team: served.team ?? null, route: served.route, model: served.model, arm: served.arm ?? null, servedAt: served.servedAt });
    this.#backend.client.set(this.#servedKey(id), value, "PX", this.#options.ttlMs).catch(() => undefined);
  }

  async score(team: string | undefined, body: FeedbackBody, now: number): Promise<ScoredRequest> {
    try {
      return await this.#score(team, body, now);
    } catch (error) {
      if (!(error instanceof BackendDown)) throw error;
      if (this.#backend.onUnavailable === "refuse") throw this.#backend.refusal();
      return this.#local.score(team, body, now);
    }
  }

  /** backend.run takes any error its callback throws for an outage: the commands run in it, the verdicts out here. */
  async #score(team: string | undefined, body: FeedbackBody, now: number): Promise<ScoredRequest> {
    const served = parseServed(await this.#backend.run((client) => client.get(this.#servedKey(body.requestId))));
    // Not in Redis: perhaps answered here while Redis was down (this replica's own answers only).
    if (served === undefined) return this.#local.score(team, body, now);
    if (served.team !== team || served.servedAt + this.#options.ttlMs < now) throw requestNotFound(body.requestId);
    const key = this.#scoreKey(body.requestId, served.servedAt);
    const value = JSON.stringify({ score: body.score, label: body.label ?? null, counted: false });
    const claim = await this.#backend.run(async (client) =>
      (await client.set(key, value, "PX", this.#options.ttlMs, "NX")) === "OK" ? ("first" as const) : parseFeedback(await client.get(key)),
    );
    if (claim === "first") return { requestId: body.requestId, served, feedback: { score: body.score, label: body.label, counted: false }, repeated: false };
    // The standing score expired between the two commands: so did the answer.
    if (claim === undefined) throw requestNotFound(body.requestId);
    return { requestId: body.requestId, served, feedback: repeatOrConflict(body.requestId, claim, body), repeated: true };
  }

  async markCounted(scored: ScoredRequest, counted: boolean): Promise<void> {
    this.#local.markCounted(scored, counted);
    const value = JSON.stringify({ score: scored.feedback.score, label: scored.feedback.label ?? null, counted });
    try {
      await this.#backend.run((client) => client.set(this.#scoreKey(scored.requestId, scored.served.servedAt), value, "KEEPTTL", "XX"));
    } catch (error) {
      if (!(error instanceof BackendDown)) throw error;
      // Down: a repeated POST may answer `counted: false`; the guard window has the score either way.
    }
  }

  #servedKey(id: string): string {
    return `${this.#base}{${id}}`;
  }

  #scoreKey(id: string, servedAt: number): string {
    return `${this.#base}{${id}}:${servedAt}`;
  }
}

/** A stored answer, or undefined for a missing or unreadable value (treated as unknown). */
function parseServed(text: string | null): ServedRequest | undefined {
  if (text === null) return undefined;
  try {
    const v = JSON.parse(text) as Record<string, unknown>;
    const { team, route, model, arm, servedAt } = v;
    if (typeof route !== "string" || typeof model !== "string" || typeof servedAt !== "number") return undefined;
    return {
      team: typeof team === "string" ? team : undefined,
      route,
      model,
      arm: arm === "canary" || arm === "baseline" ? arm : undefined,
      servedAt,
    };
  } catch {
    return undefined;
  }
}

function parseFeedback(text: string | null): StandingFeedback | undefined {
  if (text === null) return undefined;
  try {
    const v = JSON.parse(text) as Record<string, unknown>;
    if (typeof v["score"] !== "number") return undefined;
    return { score: v["score"], label: typeof v["label"] === "string" ? v["label"] : undefined, counted: v["counted"] === true };
  } catch {
    return undefined;
  }
}

/** @module The per-request context: everything one request carries from auth to its last byte. */
import type { AttemptSummary, RouterError } from "../errors.ts";
import type { ChatBody, Usage } from "../protocol/chat.ts";
import type { RequestTags } from "../protocol/tags.ts";
import type { Candidate, Plan } from "../core/index.ts";
import type { RuntimeRelease } from "../runtime/release.ts";
import type { BudgetAlert, Governed } from "../governance/types.ts";
import type { RequestCancel } from "./timers.ts";

export interface RequestContext {
  id: string;
  /** Epoch ms when the request arrived. */
  startedAt: number;
  /** The release this request runs on, fixed at its start. */
  release: RuntimeRelease;
  /** The caller's team (undefined on an open router). */
  team: string | undefined;
  route: string;
  body: ChatBody;
  /** The caller's `x-switchyard-tags`, checked (traces, JSONL, `switchyard report --by tag`; never metric labels). */
  tags?: RequestTags | undefined;
  /** The inbound API the client spoke (`chat`, `responses`, `messages`, `embeddings`): in traces as `api`. */
  api?: string;
  /** Attribution metadata a dialect keeps out of the internal request (Responses' `metadata`); else the body's. */
  metadata?: Record<string, string> | undefined;
  /** The request text `body` was parsed from (adapters may patch it rather than re-serialise `body`); never changed after parsing. */
  bodyText?: string;
  stream: boolean;
  /** The client asked for `stream_options.include_usage`. */
  includeUsage: boolean;
  plan: Plan | undefined;
  attempts: AttemptSummary[];
  /** The candidate that answered (set when the first byte goes out, or the completion is accepted). */
  answered: Candidate | undefined;
  usage: Usage | undefined;
  /** USD, priced from the answering model's catalog price. */
  costUsd: number | undefined;
  /** Cancelled when the client goes away or the router shuts down hard; aborts the running attempt. */
  cancel: RequestCancel;
  /** Extra response headers set before the answer starts (governance: `x-ratelimit-*`, `x-switchyard-budget`). */
  responseHeaders?: Record<string, string> | undefined;
  /** Set by the governor when the team has a budget or rate limits: what its later hooks need. */
  governed?: Governed | undefined;
  /** Plan candidates skipped without an attempt, with why (e.g. a fallback that would break a hard budget). */
  skipped?: { model: string; provider: string; step: number; reason: string }[];
}

/**
 * Extension points for later issues (budgets, rate limits, canary guards, telemetry).
 * `beforeAttempt` runs before every upstream attempt and may refuse it with a RouterError
 * (e.g. `budget_exceeded`), which ends the request with that error; `afterRequest` sees the
 * settled context (usage, cost, attempts) once the response is finished.
 */
export interface RouterHooks {
  beforeAttempt?(ctx: RequestContext, candidate: Candidate): RouterError | undefined;
  afterRequest?(ctx: RequestContext): void;
  /** A team's spend crossed one of its budget's `alertAt` thresholds (once per threshold per period). */
  onBudgetAlert?(alert: BudgetAlert): void;
}

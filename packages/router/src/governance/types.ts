/** @module Governance types shared with the executor and the telemetry sinks: budget alerts and attempt admission. */
import type { BudgetPeriod, Team } from "@switchyard/ir";
import type { RouterError } from "../errors.ts";

/**
 * A team's settled spend crossed one of its budget's `alertAt` fractions. Raised once per
 * (team, period, threshold), after the settlement that crossed it.
 */
export interface BudgetAlert {
  team: string;
  /** The fraction crossed, e.g. 0.8. */
  threshold: number;
  spentUsd: number;
  limitUsd: number;
  period: BudgetPeriod;
  mode: "hard" | "soft";
  /** ISO times of the period ([start, end), UTC). */
  periodStart: string;
  periodEnd: string;
  /** ISO time of the settlement that crossed it. */
  at: string;
}

/** How an attempt ended, as far as its budget reservation is concerned. */
export interface AttemptClose {
  ok: boolean;
  /**
   * The answer's real cost when the upstream reported usage (undefined: charge the estimate); on a failed
   * attempt, the cost of what it produced before it was cut (undefined: nothing is charged).
   */
  costUsd: number | undefined;
}

/** A granted attempt: close it exactly once when the attempt ends (failures release, successes settle). */
export interface AttemptTicket {
  close(outcome: AttemptClose): void;
}

/** The answer before an attempt: go ahead with a ticket, or skip this candidate (its price does not fit). */
export type AttemptAdmission = { admitted: true; ticket: AttemptTicket } | { admitted: false; reason: string; error: RouterError };

/**
 * What the governor keeps of a governed request between its hooks, on `RequestContext.governed` (a
 * field rather than a WeakMap keyed by the context: one WeakMap entry per request cost more than the
 * rest of the bookkeeping, in the set and in the collector's ephemeron pass).
 */
export interface Governed {
  team: string;
  def: Team;
  promptTokens: number;
  maxOutputTokens: number | undefined;
  /** Tokens taken from the tpm bucket (corrected with real usage when the request ends). */
  tokensTaken: number;
  /** Tokens of a rate-limit take deferred to the first attempt's admission (taken with its reservation); undefined once taken. */
  deferredTokens?: number | undefined;
}

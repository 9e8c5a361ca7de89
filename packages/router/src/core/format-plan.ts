/** @module formatPlan(): a plain-text rendering of a decision for `switchyard explain`. */
import type { Config } from "@switchyard/ir";
import type { Decision } from "./types.ts";

/** Render a decision (candidates in order with reasons, exclusions, warnings) as text. Pure. */
export function formatPlan(decision: Decision, config: Config): string {
  void decision; void config;
  throw new Error("not implemented");
}

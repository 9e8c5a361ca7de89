/** @module diff/types — the data a semantic diff of two compiled configs produces. */
import type { AuthoredChange } from "./authored.ts";
import type { DiffImpact } from "./impact.ts";

/** The sections of a config, in the order a review reads them. */
export const SECTIONS = ["routes", "tiers", "models", "providers", "teams", "prompts", "policies", "router", "environment"] as const;
export type Section = (typeof SECTIONS)[number];

export type ChangeKind = "add" | "delete" | "update";

/**
 * One change at one key of the config. The flat list of these is what a Pulumi `diff` turns into
 * `detailedDiff` (`key` → `kind`).
 *
 * @example
 * { key: "routes.support-faq.fallback", kind: "update", old: ["frontier"], new: ["frontier", "llama-local"],
 *   summary: "route support-faq: fallback [frontier] → [frontier, llama-local]",
 *   section: "routes", id: "support-faq", phrase: "fallback [frontier] → [frontier, llama-local]" }
 */
export interface Change {
  /** Dotted path into the IR: `routes.support-faq.fallback`, `tiers.fast.models.gpt-mini`. */
  key: string;
  /**
   * The same location as segments (`["models", "gpt-4.1", "context"]`): unambiguous where an id
   * holds a dot, for consumers that need another path syntax (Pulumi's `models["gpt-4.1"].context`).
   */
  path: string[];
  kind: ChangeKind;
  /** The value before (absent for `add`). Secret values never appear: only secret names. */
  old?: unknown;
  /** The value after (absent for `delete`). */
  new?: unknown;
  /** A standalone human sentence: `route support-faq: fallback [frontier] → [frontier, llama-local]`. */
  summary: string;
  section: Section;
  /** The entity the change belongs to (route id, model id, pack id…); empty for `router`/`environment`. */
  id: string;
  /** The summary without its `<kind> <id>: ` prefix, for tables grouped by entity. */
  phrase: string;
}

/** Everything that changed about one entity (a route, a model…). */
export interface EntityChange {
  section: Section;
  id: string;
  /** `add`/`delete` for a whole entity, `update` when fields changed. */
  kind: ChangeKind;
  changes: Change[];
}

export interface SectionDiff {
  section: Section;
  entities: EntityChange[];
}

export interface DiffCounts {
  added: number;
  removed: number;
  changed: number;
}

/** The semantic plan of a change between two compiled configs. Deterministic. */
export interface ConfigDiff {
  hasChanges: boolean;
  environment: { old: string; new: string };
  /** Non-empty sections only, in `SECTIONS` order; entities sorted by id. */
  sections: SectionDiff[];
  /** Every change, flat, in the same order as `sections`. */
  changes: Change[];
  /** Entities added / removed / changed over all sections. */
  counts: DiffCounts;
}

/** The part of a compiler diagnostic the policy delta needs (structurally a `Diagnostic`). */
export interface FindingLike {
  code: string;
  severity: "error" | "warning";
  message: string;
  path?: (string | number)[];
  file?: string;
  line?: number;
  column?: number;
}

export interface PolicyFindingChange {
  code: string;
  severity: "error" | "warning";
  message: string;
  /** Dotted DSL path of the finding, e.g. `routes.legal-review.canary.steps[0]`; empty when unknown. */
  where: string;
  /** `file:line:column` on the side the finding comes from, when known. */
  location?: string;
}

export interface PolicySeverityChange extends PolicyFindingChange {
  oldSeverity: "error" | "warning";
}

/** Which findings newly fail, newly pass, or changed severity between OLD and NEW. */
export interface PolicyDelta {
  newlyFailing: PolicyFindingChange[];
  newlyPassing: PolicyFindingChange[];
  severityChanged: PolicySeverityChange[];
}

/** Where one side of a diff came from. */
export interface DiffSideInfo {
  /** What the user typed: `main`, `dist/prod`, `examples/acme/routes.ts`. */
  label: string;
  kind: "build" | "config" | "git";
  environment: string;
  hash: string;
}

/** What the formatters render: both sides, the config diff, its impact on routes and (when both were compiled) the policy delta. */
export interface DiffReport {
  old: DiffSideInfo;
  new: DiffSideInfo;
  diff: ConfigDiff;
  /** Absent when a side is a build (no diagnostics to compare). */
  policies?: PolicyDelta;
  /** Price and context-window impact on each affected route (createDiffReport always sets it). */
  impact?: DiffImpact;
  /** The changed settings as written in routes.ts; only when both sides were compiled from source. */
  authored?: AuthoredChange[];
}

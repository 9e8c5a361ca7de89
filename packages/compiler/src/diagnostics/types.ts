/** @module diagnostics/types — a diagnostic is data: code, severity, message and a 1-based range. */

/** One problem in the user's files; lines and columns are 1-based, end is exclusive. */
export interface Diagnostic {
  code: string;
  severity: "error" | "warning";
  message: string;
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  /** The DSL path of the node the diagnostic is about, e.g. `["routes", "faq", "fallback", 1]`. */
  path?: (string | number)[];
  hint?: string;
  /**
   * What `check` knows about the same span beyond a TypeScript error (its code, message and hint, e.g. SY0103's
   * duration format or SY0701's "rotate it"): shown as `note:` lines of this one entry instead of a second one.
   */
  related?: RelatedNote[];
}

/** A compiler diagnostic folded into the TypeScript diagnostic on the same span. */
export interface RelatedNote {
  code: string;
  message: string;
  hint?: string;
}

/** A range in a file, 1-based line/column plus 0-based offsets used for de-duplication. */
export interface SourceRange {
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  start: number;
  end: number;
}

/** A diagnostic together with its offsets (internal; offsets are dropped before returning). */
export interface LocatedDiagnostic extends Diagnostic {
  start: number;
  end: number;
}

export type DslPath = (string | number)[];

/** A policy finding a waiver in routes.ts suppresses: the finding where the policy reported it, and the waiver's reason and last day. */
export interface WaivedFinding {
  finding: Diagnostic;
  reason: string;
  /** `YYYY-MM-DD`, the last day the waiver holds. */
  until: string;
}

/** @module checks/report — what a check hands back: a code, a DSL path and a message; locating is the caller's job. */
import type { Code } from "../diagnostics/catalogue.ts";
import type { DslPath } from "../diagnostics/types.ts";

export interface Finding {
  code: Code;
  path: DslPath;
  message: string;
  hint?: string;
  /** Point at the property name (e.g. unknown keys) rather than its value. */
  prefer?: "key" | "value";
  /** The path is already a raw path in the file (it contains `environments`), not a merged-config path. */
  raw?: boolean;
  severity?: "error" | "warning";
}

export type Report = (finding: Finding) => void;

/** `routes.faq.fallback[1]` — how paths read in messages. */
export function showPath(path: DslPath): string {
  let out = "";
  for (const segment of path) {
    if (typeof segment === "number") out += `[${segment}]`;
    else if (!/^[A-Za-z_][A-Za-z0-9._-]*$/.test(segment)) out += `[${JSON.stringify(segment)}]`;
    else out += out.length === 0 ? segment : `.${segment}`;
  }
  return out;
}

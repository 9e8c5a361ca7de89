/** @module format/json — diagnostics as one JSON document (stable key order, paths relative to cwd). */
import type { Diagnostic } from "../diagnostics/types.ts";
import { displayPath, type FormatOptions } from "./shared.ts";

function shape(d: Diagnostic, options: FormatOptions) {
  return {
    code: d.code,
    severity: d.severity,
    message: d.message,
    file: displayPath(d.file, options.cwd),
    line: d.line,
    column: d.column,
    endLine: d.endLine,
    endColumn: d.endColumn,
    ...(d.path ? { path: d.path } : {}),
    ...(d.hint ? { hint: d.hint } : {}),
    ...(d.related && d.related.length > 0 ? { related: d.related } : {}),
  };
}

export function formatJson(diagnostics: Diagnostic[], options: FormatOptions = {}): string {
  const errorCount = diagnostics.filter((d) => d.severity === "error").length;
  const body = {
    ok: errorCount === 0,
    errorCount,
    warningCount: diagnostics.length - errorCount,
    diagnostics: diagnostics.map((d) => shape(d, options)),
    ...(options.warnings && options.warnings.length > 0 ? { warnings: options.warnings } : {}),
    ...(options.waived && options.waived.length > 0
      ? { waived: options.waived.map((entry) => ({ ...shape(entry.finding, options), waiver: { reason: entry.reason, until: entry.until } })) }
      : {}),
    ...(options.notes && options.notes.length > 0 ? { notes: options.notes } : {}),
  };
  return `${JSON.stringify(body, null, 2)}\n`;
}

/** @module format — pure formatters over an array of diagnostics. */
import type { Diagnostic } from "../diagnostics/types.ts";
import { formatGithub } from "./github.ts";
import { formatJson } from "./json.ts";
import { formatPretty } from "./pretty.ts";
import { formatSarif } from "./sarif.ts";
import type { Format, FormatOptions } from "./shared.ts";

export type { Format, FormatOptions } from "./shared.ts";

/**
 * Renders diagnostics in one of the formats `switchyard check --format` offers.
 *
 * @example process.stdout.write(formatDiagnostics(result.diagnostics, "pretty", { cwd: process.cwd() }));
 */
export function formatDiagnostics(diagnostics: Diagnostic[], format: Format, options: FormatOptions = {}): string {
  switch (format) {
    case "pretty": return formatPretty(diagnostics, options);
    case "json": return formatJson(diagnostics, options);
    case "sarif": return formatSarif(diagnostics, options);
    case "github": return formatGithub(diagnostics, options);
  }
}

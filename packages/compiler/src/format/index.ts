/** @module format — pure formatters over an array of diagnostics. */
import { maskDiagnostic, maskSecrets } from "../diagnostics/mask.ts";
import type { Diagnostic } from "../diagnostics/types.ts";
import { formatGithub } from "./github.ts";
import { formatJson } from "./json.ts";
import { formatPretty } from "./pretty.ts";
import { formatSarif } from "./sarif.ts";
import type { Format, FormatOptions } from "./shared.ts";

export type { Format, FormatOptions } from "./shared.ts";

/**
 * Renders diagnostics in one of the formats `switchyard check --format` offers. Key-shaped strings in
 * messages, hints, notes and code frames are masked in every format (diagnostics/mask.ts): the output
 * goes to CI logs, so a key pasted into routes.ts must not reach it. Locations are kept.
 *
 * @example process.stdout.write(formatDiagnostics(result.diagnostics, "pretty", { cwd: process.cwd() }));
 */
export function formatDiagnostics(input: Diagnostic[], format: Format, given: FormatOptions = {}): string {
  const diagnostics = input.map(maskDiagnostic);
  const options: FormatOptions = {
    ...given,
    ...(given.notes === undefined ? {} : { notes: given.notes.map(maskSecrets) }),
    ...(given.warnings === undefined ? {} : { warnings: given.warnings.map(maskSecrets) }),
    ...(given.waived === undefined
      ? {}
      : { waived: given.waived.map((entry) => ({ ...entry, reason: maskSecrets(entry.reason), finding: maskDiagnostic(entry.finding) })) }),
  };
  switch (format) {
    case "pretty":
      return formatPretty(diagnostics, options);
    case "json":
      return formatJson(diagnostics, options);
    case "sarif":
      return formatSarif(diagnostics, options);
    case "github":
      return formatGithub(diagnostics, options);
  }
}

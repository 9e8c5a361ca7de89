/** @module format/github — GitHub Actions workflow commands (`::error file=…::message`). */
import type { Diagnostic } from "../diagnostics/types.ts";
import { describeWaived, displayPath, fullText, type FormatOptions } from "./shared.ts";

function escapeData(text: string): string {
  return text.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, "%3A").replace(/,/g, "%2C");
}

export function formatGithub(diagnostics: Diagnostic[], options: FormatOptions = {}): string {
  return diagnostics
    .map((d) => {
      const properties = [
        `file=${escapeProperty(displayPath(d.file, options.cwd))}`,
        `line=${d.line}`,
        `col=${d.column}`,
        `endLine=${d.endLine}`,
        `endColumn=${d.endColumn}`,
        `title=${escapeProperty(d.code)}`,
      ].join(",");
      const message = fullText(d);
      return `::${d.severity === "error" ? "error" : "warning"} ${properties}::${escapeData(message)}\n`;
    })
    .concat((options.warnings ?? []).map((warning) => `::warning title=switchyard::${escapeData(warning)}\n`))
    .concat((options.waived ?? []).map((entry) => `::notice title=switchyard waiver::${escapeData(describeWaived(entry, options.cwd))}\n`))
    .concat((options.notes ?? []).map((note) => `::notice title=switchyard::${escapeData(note)}\n`))
    .join("");
}

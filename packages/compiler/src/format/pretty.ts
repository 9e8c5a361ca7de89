/** @module format/pretty — diagnostics like `tsc --pretty`: location, code, message, source line, carets, hint. */
import type { Diagnostic } from "../diagnostics/types.ts";
import { describeWaived, displayPath, frameLine, type FormatOptions } from "./shared.ts";

const ANSI = { red: "\u001b[91m", yellow: "\u001b[93m", cyan: "\u001b[96m", grey: "\u001b[90m", bold: "\u001b[1m", reset: "\u001b[0m" } as const;

export function formatPretty(diagnostics: Diagnostic[], options: FormatOptions = {}): string {
  const paint = (color: keyof typeof ANSI, text: string): string => (options.color ? `${ANSI[color]}${text}${ANSI.reset}` : text);
  const cache = new Map<string, string[]>();
  const blocks: string[] = [];
  for (const diagnostic of diagnostics) {
    const file = displayPath(diagnostic.file, options.cwd);
    const severity = diagnostic.severity === "error" ? paint("red", "error") : paint("yellow", "warning");
    const lines = [
      `${paint("cyan", file)}:${paint("yellow", String(diagnostic.line))}:${paint("yellow", String(diagnostic.column))} - ${severity} ${paint("grey", `${diagnostic.code}:`)} ${diagnostic.message}`,
    ];
    const source = frameLine(diagnostic.file, diagnostic.line, diagnostics, options, cache);
    if (source !== undefined && source.length > 0) {
      const gutter = String(diagnostic.line);
      const expanded = source.replace(/\t/g, " ");
      const start = Math.max(0, diagnostic.column - 1);
      const end = diagnostic.endLine === diagnostic.line ? Math.max(diagnostic.endColumn - 1, start + 1) : Math.max(expanded.length, start + 1);
      lines.push(
        "",
        `${paint("grey", gutter)} ${expanded}`,
        `${" ".repeat(gutter.length)} ${" ".repeat(start)}${paint(diagnostic.severity === "error" ? "red" : "yellow", "~".repeat(Math.max(1, end - start)))}`,
      );
    }
    for (const note of diagnostic.related ?? []) {
      lines.push(`${" ".repeat(2)}${paint("bold", "note:")} ${paint("grey", `${note.code}:`)} ${note.message}`);
      if (note.hint) lines.push(`${" ".repeat(2)}${paint("bold", "hint:")} ${note.hint}`);
    }
    if (diagnostic.hint) lines.push(`${" ".repeat(2)}${paint("bold", "hint:")} ${diagnostic.hint}`);
    blocks.push(lines.join("\n"));
  }
  const errors = diagnostics.filter((d) => d.severity === "error").length;
  const warnings = diagnostics.length - errors;
  const notes =
    (options.warnings ?? []).map((warning) => `${paint("yellow", "warning:")} ${warning}\n`).join("") +
    (options.waived ?? []).map((entry) => `${paint("bold", "waived:")} ${describeWaived(entry, options.cwd)}\n`).join("") +
    (options.notes ?? []).map((note) => `${paint("bold", "note:")} ${note}\n`).join("");
  if (diagnostics.length === 0) return notes;
  const files = [...new Set(diagnostics.map((d) => displayPath(d.file, options.cwd)))];
  const counts = [errors > 0 ? `${errors} error${errors === 1 ? "" : "s"}` : "", warnings > 0 ? `${warnings} warning${warnings === 1 ? "" : "s"}` : ""]
    .filter(Boolean)
    .join(" and ");
  const where = files.length === 1 ? ` in ${files[0]}` : ` in ${files.length} files`;
  return `${blocks.join("\n\n")}\n\nFound ${counts}${where}.\n${notes}`;
}

/** @module diagnostics/docs — renders docs/diagnostics.md from the catalogue (run: node --import tsx packages/compiler/src/diagnostics/docs.ts > docs/diagnostics.md). */
import { catalogue, type Code } from "./catalogue.ts";

const groups: [string, string][] = [
  ["SY00", "Loading and evaluating routes.ts"],
  ["SY01", "Shape: properties and values"],
  ["SY02", "References"],
  ["SY03", "Fallback chains and tiers"],
  ["SY04", "Canaries and long-context rules"],
  ["SY05", "Environments and duplicates"],
  ["SY06", "Budgets and limits"],
  ["SY07", "Secrets"],
  ["SY08", "Policy packs"],
  ["SY09", "Compiled IR"],
];

export function renderDiagnosticsDoc(): string {
  const out: string[] = [
    "# Diagnostics",
    "",
    "Every problem `switchyard check` and `switchyard build` find is a diagnostic:",
    "",
    "```ts",
    '{ code, severity: "error" | "warning", message, file, line, column, endLine, endColumn, path?, hint? }',
    "```",
    "",
    "Lines and columns are 1-based and point into your `routes.ts` (the property or value that caused",
    "the problem; for environment-specific problems, the override in `environments.<env>` when there is one).",
    "Three kinds of code appear:",
    "",
    "- `TS####` — TypeScript's own errors, unchanged (e.g. `TS2820` for a misspelt tier). The typed DSL",
    "  turns most misspellings into these, in your editor as well as in `check`.",
    "- `SY####` — the compiler's checks, listed below. They catch what the types cannot (values such as",
    "  canary steps, references behind `as any`, properties TypeScript skipped because it reports only the",
    "  first unknown property of an object literal). Each mistake is reported once: where TypeScript already",
    "  reported the same span, a compiler diagnostic that only restates it (SY0101, SY0102, SY0104) is",
    "  dropped, and any other is shown inside TypeScript's entry as a `note:` with its code, message and",
    "  hint (`related` in `--format json`) — SY0103's duration format under a `\"3 sec\"` type error, SY0701's",
    '  "rotate it" under an inline key\'s.',
    "- `pack/policy` — findings of policy packs (e.g. `prod-safety/timeouts-set`); see the policies docs.",
    "",
    "Errors make `check` exit 1 and `build` write nothing; warnings do not. Messages never contain a",
    "secret's value.",
    "",
    "**Keys in the output are masked**, in every format (`pretty`, `json`, `sarif`, `github`), because the",
    "output lands in CI logs. A key-shaped string, in a message (TypeScript quoting a literal), a hint, a",
    "note or the source line of a code frame, is shown with its vendor prefix, `*` for every other",
    "character and, for long keys, its last 4 (`sk-proj-****…****o5Vi`), so columns and carets still line",
    "up. Key-shaped means a known prefix (`sk-`, `sk-proj-`, `sk-ant-`, `ghp_`, `xoxb-`, `AKIA`, `AIza`, `hf_`,",
    "…) with 8+ characters after it, or a `-`/`_`-separated run of 20+ letters and digits that has both.",
    "In a code frame, the string literals inside an SY0701–SY0703 range are masked whatever their shape.",
    "Locations are never masked: `file:line:col` still points at the key to remove (and rotate).",
    "",
    "This page is generated from `packages/compiler/src/diagnostics/catalogue.ts`",
    "(`node --import tsx packages/compiler/src/diagnostics/docs.ts > docs/diagnostics.md`); a test keeps them in step.",
    "",
  ];
  const codes = Object.keys(catalogue) as Code[];
  for (const [prefix, title] of groups) {
    const inGroup = codes.filter((code) => code.startsWith(prefix));
    if (inGroup.length === 0) continue;
    out.push(`## ${title}`, "");
    for (const code of inGroup) {
      const entry = catalogue[code];
      out.push(`### ${code}`, "", `**${entry.name}** · ${entry.severity}`, "", entry.title, "", `Fix: ${entry.fix}`, "");
    }
  }
  return `${out.join("\n").trimEnd()}\n`;
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split("/").pop() ?? "")) {
  process.stdout.write(renderDiagnosticsDoc());
}

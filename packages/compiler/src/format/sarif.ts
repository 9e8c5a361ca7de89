/** @module format/sarif — SARIF 2.1.0 for code scanning (one run, rules from the catalogue). */
import { pathToFileURL } from "node:url";
import { catalogue, isCode } from "../diagnostics/catalogue.ts";
import { policyInfo } from "../policy/info.ts";
import type { Diagnostic } from "../diagnostics/types.ts";
import { displayPath, fullText, type FormatOptions } from "./shared.ts";

interface SarifRule {
  id: string;
  name?: string;
  shortDescription: { text: string };
  help?: { text: string };
  defaultConfiguration?: { level: "error" | "warning" };
}

function ruleFor(code: string, severity: "error" | "warning"): SarifRule {
  if (isCode(code)) {
    const entry = catalogue[code];
    return {
      id: code,
      name: entry.name,
      shortDescription: { text: entry.title },
      help: { text: `${entry.fix} (docs/diagnostics.md#${code.toLowerCase()})` },
      defaultConfiguration: { level: entry.severity },
    };
  }
  if (/^TS\d+$/.test(code)) {
    return {
      id: code,
      name: `typescript-${code.slice(2)}`,
      shortDescription: { text: `TypeScript ${code}: routes.ts (or a file it imports) does not match the SDK's types` },
      help: {
        text: `The result's message names the value and the type it should have; fix the value (your editor shows the same error at the literal). https://typescript.tv/errors/#${code.toLowerCase()}`,
      },
      defaultConfiguration: { level: "error" },
    };
  }
  // Code scanning shows a rule's description next to each alert: a built-in policy's own words, a user policy's id.
  const policy = policyInfo(code);
  if (policy !== undefined)
    return {
      id: code,
      name: code,
      shortDescription: { text: policy.description },
      help: { text: `${policy.rationale ?? policy.description} (docs/policies.md)` },
      defaultConfiguration: { level: severity },
    };
  return { id: code, name: code, shortDescription: { text: `Policy ${code} (a user policy pack's rule)` }, defaultConfiguration: { level: severity } };
}

export function formatSarif(diagnostics: Diagnostic[], options: FormatOptions = {}): string {
  const rules: SarifRule[] = [];
  const ruleIndex = new Map<string, number>();
  const waived = options.waived ?? [];
  for (const d of [...diagnostics, ...waived.map((entry) => entry.finding)]) {
    if (!ruleIndex.has(d.code)) {
      ruleIndex.set(d.code, rules.length);
      rules.push(ruleFor(d.code, d.severity));
    }
  }
  const base = options.cwd !== undefined ? `${pathToFileURL(options.cwd).href.replace(/\/?$/, "/")}` : undefined;
  // A waived finding is a result with an in-source suppression: code scanning lists it as dismissed, with the waiver's reason.
  const suppressions = new Map<Diagnostic, { kind: "inSource"; status: "accepted"; justification: string }[]>(
    waived.map((entry) => [entry.finding, [{ kind: "inSource", status: "accepted", justification: `${entry.reason} (waived until ${entry.until})` }]]),
  );
  const results = [...diagnostics, ...waived.map((entry) => entry.finding)].map((d) => ({
    ruleId: d.code,
    ruleIndex: ruleIndex.get(d.code) ?? 0,
    level: d.severity,
    message: { text: fullText(d) },
    locations: [
      {
        physicalLocation: {
          artifactLocation:
            base !== undefined && !displayPath(d.file, options.cwd).startsWith("/") && !displayPath(d.file, options.cwd).startsWith("..")
              ? { uri: encodeURI(displayPath(d.file, options.cwd)), uriBaseId: "SRCROOT" }
              : { uri: pathToFileURL(d.file).href },
          region: { startLine: d.line, startColumn: d.column, endLine: d.endLine, endColumn: Math.max(d.endColumn, d.endLine === d.line ? d.column : 1) },
        },
      },
    ],
    ...(suppressions.has(d) ? { suppressions: suppressions.get(d) } : {}),
  }));
  const log = {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        tool: { driver: { name: "switchyard", ...(options.toolVersion ? { version: options.toolVersion } : {}), rules } },
        ...(base !== undefined ? { originalUriBaseIds: { SRCROOT: { uri: base } } } : {}),
        results,
        ...((options.notes?.length ?? 0) + (options.warnings?.length ?? 0) > 0
          ? {
              invocations: [
                {
                  executionSuccessful: true,
                  toolExecutionNotifications: [
                    ...(options.warnings ?? []).map((text) => ({ level: "warning", message: { text } })),
                    ...(options.notes ?? []).map((text) => ({ level: "note", message: { text } })),
                  ],
                },
              ],
            }
          : {}),
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}

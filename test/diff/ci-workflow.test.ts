/** The CI example stays in step with the CLI: every `switchyard` command in it parses with the verb's real options. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { describe, expect, it } from "vitest";
import { commands } from "../../packages/cli/src/commands/index.ts";

const workflow = readFileSync(join(import.meta.dirname, "..", "..", "examples", "ci", "switchyard.yml"), "utf8");

/** Shell words of one command line, up to the first redirection; quotes removed. */
function words(line: string): string[] {
  const out: string[] = [];
  for (const match of line.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)) {
    const word = match[1] ?? match[2] ?? match[3] ?? "";
    if (match[3] !== undefined && /^\d?>/.test(word)) break;
    out.push(word);
  }
  return out;
}

const invocations = [...workflow.matchAll(/npx --no-install switchyard ([^\n]+)/g)].map((match) => words(match[1] ?? ""));

describe("examples/ci/switchyard.yml", () => {
  it("runs check as SARIF, uploads it, and posts diff as markdown on pull requests", () => {
    expect(workflow).toMatch(/^on:\n {2}pull_request:/m);
    expect(workflow).toContain("uses: github/codeql-action/upload-sarif@v3");
    expect(workflow).toContain("uses: marocchino/sticky-pull-request-comment@v2");
    expect(invocations.map((args) => args.slice(0, 1)[0])).toEqual(["check", "diff", "simulate", "check"]);
    expect(invocations[0]).toEqual(["check", "--env", "$SWITCHYARD_ENV", "--format", "sarif"]);
    expect(invocations[1]).toEqual(["diff", "origin/$BASE_REF", "HEAD", "--env", "$SWITCHYARD_ENV", "--format", "markdown"]);
  });

  it("replays recorded traffic with simulate only when a switchyard-traces artifact was found, and posts it as its own comment", () => {
    expect(invocations[2]).toEqual(["simulate", "origin/$BASE_REF", "HEAD", "--env", "$SWITCHYARD_ENV", "--traces", "$TRACES", "--format", "markdown"]);
    expect(workflow).toContain("if: ${{ !cancelled() && steps.traces.outputs.file != '' }}");
    expect(workflow).toContain("actions/artifacts?name=switchyard-traces");
    expect(workflow).toContain("header: switchyard-simulate");
  });

  it("uses only options the CLI accepts", () => {
    for (const [verb, ...args] of invocations) {
      const command = commands.find((c) => c.name === verb);
      expect(command, verb).toBeDefined();
      if (command === undefined) continue;
      const options = Object.fromEntries(
        Object.entries(command.options).map(([name, spec]) => [name, { type: spec.type, ...(spec.short ? { short: spec.short } : {}) }]),
      );
      const parsed = parseArgs({ args, options, strict: true, allowPositionals: true });
      if (typeof parsed.values.format === "string") expect(command.usage, `${verb} --format`).toContain(parsed.values.format);
    }
  });
});

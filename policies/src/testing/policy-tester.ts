/**
 * @module A table-driven tester for policies (in the style of typescript-eslint's RuleTester):
 * `valid` configs produce no finding, `invalid` ones exactly the listed findings, in order.
 */
import { describe, expect, it } from "vitest";
import type { Config, Severity } from "@switchyard/ir";
import type { NodeRef, Policy } from "../define.ts";
import { type PolicyFinding, runPolicies } from "../engine.ts";

export interface ValidCase {
  name: string;
  config: Config;
  options?: Record<string, unknown>;
  severities?: Record<string, Severity>;
  environment?: string;
  now?: Date;
}

export interface ExpectedFinding {
  messageId: string;
  node: NodeRef;
  /** Defaults to the policy's effective severity for the case. */
  severity?: "error" | "warning";
  /** Asserted when given: the exact rendered message, or a pattern it matches. */
  message?: string | RegExp;
  /** Defaults to the policy under test (set it for engine findings such as invalid options). */
  policyId?: string;
}

export interface InvalidCase extends ValidCase {
  errors: ExpectedFinding[];
}

export interface PolicyTable {
  policy: Policy;
  valid: ValidCase[];
  invalid: InvalidCase[];
  /** Now used when a case sets none. */
  now?: Date;
}

const DEFAULT_NOW = new Date("2026-06-01T12:00:00Z");

/** Run one policy through the engine, as the only policy of a pack named after its id's prefix. */
export function runOne(options: {
  policy: Policy;
  config: Config;
  selectionOptions?: Record<string, unknown>;
  severities?: Record<string, Severity>;
  environment?: string;
  now?: Date;
}): PolicyFinding[] {
  const packId = options.policy.id.includes("/") ? options.policy.id.slice(0, options.policy.id.lastIndexOf("/")) : "test";
  return runPolicies({
    config: options.config,
    environment: options.environment ?? options.config.environment,
    selections: [{ pack: packId, severities: options.severities ?? {}, options: options.selectionOptions ?? {} }],
    packs: { [packId]: { id: packId, description: "under test", policies: [options.policy] } },
    now: options.now ?? DEFAULT_NOW,
  });
}

function severityFor(policy: Policy, severities: Record<string, Severity> | undefined): "error" | "warning" {
  const short = policy.id.slice(policy.id.lastIndexOf("/") + 1);
  const severity = severities?.[policy.id] ?? severities?.[short] ?? policy.defaultSeverity;
  return severity === "off" ? "error" : severity;
}

/**
 * Register vitest tests for a policy table. Every invalid case is also run twice more as a lenient
 * selection would run it — the policy lowered to `warning` (same findings, at warning) and `off`
 * (no findings) — so each policy proves its per-environment severity. Those runs keep the case's own
 * environment (and config): a rule scoped to production is not asked to fire in `dev`.
 */
export function testPolicy(table: PolicyTable): void {
  const policy = table.policy;
  describe(policy.id, () => {
    describe("valid", () => {
      for (const testCase of table.valid) {
        it(testCase.name, () => {
          const findings = runOne({
            policy,
            config: testCase.config,
            selectionOptions: testCase.options,
            severities: testCase.severities,
            environment: testCase.environment,
            now: testCase.now ?? table.now,
          });
          expect(findings).toEqual([]);
        });
      }
    });
    describe("invalid", () => {
      for (const testCase of table.invalid) {
        it(testCase.name, () => {
          const findings = runOne({
            policy,
            config: testCase.config,
            selectionOptions: testCase.options,
            severities: testCase.severities,
            environment: testCase.environment,
            now: testCase.now ?? table.now,
          });
          const defaultSeverity = severityFor(policy, testCase.severities);
          expect(findings.map((f) => ({ policyId: f.policyId, messageId: f.messageId, node: f.node, severity: f.severity }))).toEqual(
            testCase.errors.map((e) => ({ policyId: e.policyId ?? policy.id, messageId: e.messageId, node: e.node, severity: e.severity ?? defaultSeverity })),
          );
          testCase.errors.forEach((expected, index) => {
            const actual = findings[index]?.message ?? "";
            if (typeof expected.message === "string") expect(actual).toBe(expected.message);
            else if (expected.message instanceof RegExp) expect(actual).toMatch(expected.message);
          });
          for (const finding of findings) expect(finding.message, "every {{placeholder}} is filled from the report's data").not.toMatch(/\{\{/);
        });
        if (testCase.errors.every((e) => e.policyId === undefined || e.policyId === policy.id) && testCase.severities === undefined) {
          it(`${testCase.name} — a selection lowers it to warning`, () => {
            const findings = runOne({
              policy,
              config: testCase.config,
              selectionOptions: testCase.options,
              severities: { [policy.id.slice(policy.id.lastIndexOf("/") + 1)]: "warning" },
              environment: testCase.environment,
              now: testCase.now ?? table.now,
            });
            const own = findings.filter((f) => f.messageId !== "invalid-options");
            expect(own.map((f) => f.severity)).toEqual(testCase.errors.filter((e) => e.messageId !== "invalid-options").map(() => "warning"));
          });
          it(`${testCase.name} — a selection turns it off`, () => {
            const findings = runOne({
              policy,
              config: testCase.config,
              selectionOptions: testCase.options,
              severities: { [policy.id]: "off" },
              environment: testCase.environment,
              now: testCase.now ?? table.now,
            });
            expect(findings).toEqual([]);
          });
        }
      }
    });
  });
}

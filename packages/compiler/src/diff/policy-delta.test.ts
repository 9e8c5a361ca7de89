import { describe, expect, it } from "vitest";
import { formatDslPath, policyDelta } from "./policy-delta.ts";
import type { FindingLike } from "./types.ts";

const finding = (code: string, path: (string | number)[] | undefined, extra: Partial<FindingLike> = {}): FindingLike => ({
  code,
  severity: "error",
  message: `${code} at ${path?.join(".") ?? "?"}`,
  ...(path === undefined ? {} : { path }),
  ...extra,
});

describe("policyDelta", () => {
  it("matches findings by code and path, not by line", () => {
    const old = [finding("baseline/fallback-required", ["routes", "a"], { file: "routes.ts", line: 10 })];
    const now = [finding("baseline/fallback-required", ["routes", "a"], { file: "routes.ts", line: 14 })];
    expect(policyDelta(old, now)).toEqual({ newlyFailing: [], newlyPassing: [], severityChanged: [] });
  });

  it("reports newly failing and newly passing findings, sorted errors first", () => {
    const old = [finding("baseline/owners-set", ["models", "x"], { severity: "warning" }), finding("prod-safety/timeouts", ["routes", "a"])];
    const now = [
      finding("prod-safety/timeouts", ["routes", "a"]),
      finding("eu-residency/chain", ["routes", "legal", "fallback", 2], { file: "routes.ts", line: 7, column: 5 }),
      finding("baseline/owners-set", ["models", "y"], { severity: "warning" }),
    ];
    const delta = policyDelta(old, now);
    expect(delta.newlyFailing).toEqual([
      {
        code: "eu-residency/chain",
        severity: "error",
        message: "eu-residency/chain at routes.legal.fallback.2",
        where: "routes.legal.fallback[2]",
        location: "routes.ts:7:5",
      },
      { code: "baseline/owners-set", severity: "warning", message: "baseline/owners-set at models.y", where: "models.y" },
    ]);
    expect(delta.newlyPassing).toEqual([{ code: "baseline/owners-set", severity: "warning", message: "baseline/owners-set at models.x", where: "models.x" }]);
    expect(delta.severityChanged).toEqual([]);
  });

  it("reports a severity change and counts duplicates", () => {
    const old = [finding("p/x", ["routes", "a"], { severity: "warning" }), finding("p/y", ["routes", "b"])];
    const now = [finding("p/x", ["routes", "a"]), finding("p/y", ["routes", "b"]), finding("p/y", ["routes", "b"])];
    const delta = policyDelta(old, now);
    expect(delta.severityChanged.map((c) => [c.code, c.oldSeverity, c.severity])).toEqual([["p/x", "warning", "error"]]);
    expect(delta.newlyFailing.map((c) => c.code)).toEqual(["p/y"]);
    expect(delta.newlyPassing).toEqual([]);
  });

  it("falls back to the message for findings without a path", () => {
    expect(policyDelta([finding("p/z", undefined)], [finding("p/z", undefined, { message: "other" })]).newlyFailing.map((f) => f.message)).toEqual(["other"]);
  });

  it("formats DSL paths", () => {
    expect(formatDslPath(["routes", "x", "canary", "steps", 0])).toBe("routes.x.canary.steps[0]");
    expect(formatDslPath(undefined)).toBe("");
  });
});

/** @module `switchyard explain --region` on examples/regions: the caller's region, where it came from, and each member's proximity. */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli, type Io } from "@switchyard/cli";

const root = join(import.meta.dirname, "..", "..");
const example = join(root, "examples", "regions", "routes.ts");

async function explain(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const io: Io = { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), cwd: root, env: { NO_COLOR: "1" } };
  const code = await runCli({ argv: ["explain", example, ...args], io });
  return { code, stdout, stderr };
}
const order = (text: string): string[] => [...text.matchAll(/^\s+\d+\. (\S+)/gm)].map((m) => m[1] ?? "");

describe("switchyard explain with region-aware placement", () => {
  it("--region orders nearest first and says why each member stands where it does", async () => {
    const r = await explain("--route", "assistant", "--team", "edge", "--region", "ap-south");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("placement: caller region ap-south (the request's region); nearest first: ap-south, eu-west, us-west, then the rest");
    expect(order(r.stdout).slice(0, 2)).toEqual(["chat-dub", "chat-sfo"]);
    // The unlisted rest by the tier's strategy (a weighted draw between them).
    expect(new Set(order(r.stdout).slice(2))).toEqual(new Set(["chat-fra", "chat-iad"]));
    expect(r.stdout).toContain("region eu-west: ap-south's choice 2 of 3");
    expect(r.stdout).toContain("region eu-central: not on ap-south's list, after ap-south, eu-west, us-west");
  });

  it("a team's region applies without --region; residency holds whatever the region", async () => {
    const team = await explain("--route", "assistant", "--team", "berlin");
    expect(team.stdout).toContain("placement: caller region eu-central (the team's region)");
    expect(order(team.stdout)[0]).toBe("chat-fra");
    const eu = await explain("--route", "eu-records", "--team", "edge", "--region", "us-east");
    expect(order(eu.stdout)).toEqual(["chat-dub", "chat-fra"]);
    expect(eu.stdout).toContain("chat-iad (step 0) residency: route requires residency eu");
  });

  it("a region nothing declares leaves the order to the strategy, and says so; JSON carries the placement", async () => {
    const r = await explain("--route", "assistant", "--team", "edge", "--region", "mars-1");
    expect(r.stdout).toContain("caller region mars-1 (the request's region) is no provider's region and has no `regions` entry");
    const json = await explain("--route", "assistant", "--team", "berlin", "--format", "json");
    const parsed = JSON.parse(json.stdout) as { plan: { placement: unknown } };
    expect(parsed.plan.placement).toEqual({ region: "eu-central", source: "team", nearest: ["eu-central", "eu-west", "us-east"] });
  });
});

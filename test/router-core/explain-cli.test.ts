/**
 * @module `switchyard explain` end to end: the real compiler on a fixture routes.ts, decide() against a
 * fresh state, the printed plan, JSON output, and the errors a user can cause (exit 1 / 2).
 */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli, type Io } from "@switchyard/cli";

const root = join(import.meta.dirname, "..", "..");
const fixture = join(import.meta.dirname, "fixtures", "explain", "routes.ts");

/** `switchyard explain` with these arguments, in-process, from the repository root. */
async function runExplain(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const io: Io = { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), cwd: root, env: { NO_COLOR: "1" } };
  const code = await runCli({ argv: ["explain", ...argv], io });
  return { code, stdout, stderr };
}

const explain = (...args: string[]) => runExplain([fixture, "--env", "prod", ...args]);

describe("switchyard explain", () => {
  it("prints the ordered plan with reasons and exclusions", async () => {
    const r = await explain("--route", "faq", "--team", "web", "--tokens", "14000", "--max-tokens", "4000");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("route faq (environment prod): tier small, strategy cost\nlong-context rule applied");
    const order = [...r.stdout.matchAll(/^\s+\d+\. (\S+)/gm)].map((m) => m[1]);
    expect(order).toEqual(["big", "local"]);
    expect(r.stdout).toContain("- mini-us (step 0) context-window: needs 18000 tokens (prompt 14000 + output 4000); context is 16000");
    expect(r.stdout).toContain("- big (step 1) duplicate");
  });

  it("the region hint breaks the cost tie; residency and data class hold through the chain", async () => {
    const eu = await explain("--route", "faq", "--region", "eu");
    expect([...eu.stdout.matchAll(/^\s+\d+\. (\S+)/gm)].map((m) => m[1])).toEqual(["mini-eu", "mini-us", "big", "local"]);
    const priv = await explain("--route", "private", "--team", "legal");
    expect(priv.code).toBe(0);
    expect([...priv.stdout.matchAll(/^\s+\d+\. (\S+)/gm)].map((m) => m[1])).toEqual(["mini-eu", "local"]);
    expect(priv.stdout).toContain("- mini-us (step 0) residency: route requires residency eu; provider us declares none");
  });

  it("canary assignment is sticky per --user and the JSON is stable", async () => {
    const a = await explain("--route", "assistant", "--team", "web", "--user", "alice", "--format", "json");
    const b = await explain("--route", "assistant", "--team", "web", "--user", "alice", "--format", "json");
    expect(a.code).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    const parsed = JSON.parse(a.stdout) as { ok: boolean; canaryPercent: number; plan: { canary: boolean; candidates: { model: string; source: string }[] } };
    expect(parsed.canaryPercent).toBe(50);
    const pretty = await explain("--route", "assistant", "--team", "web", "--user", "alice");
    expect(pretty.stdout).toMatch(/canary next at its first step, 50%; user alice is in bucket \d+\.\d → (on|not on) the canary/);
    expect(parsed.plan.candidates[0]).toMatchObject(parsed.plan.canary ? { model: "next", source: "canary" } : { model: "big", source: "primary" });
    const sides = new Set<boolean>();
    for (const user of ["u1", "u2", "u3", "u4", "u5", "u6", "u7", "u8"]) {
      const r = await explain("--route", "assistant", "--user", user, "--format", "json");
      sides.add((JSON.parse(r.stdout) as { plan: { canary: boolean } }).plan.canary);
    }
    expect(sides).toEqual(new Set([true, false])); // 50 %: eight users land on both sides
  });

  it("--canary forces the canary arm for every user; a route without a canary is a usage error", async () => {
    for (const user of ["u1", "u2", "u3", "u4"]) {
      const r = await explain("--route", "assistant", "--team", "web", "--user", user, "--canary", "--format", "json");
      expect(r.code).toBe(0);
      const parsed = JSON.parse(r.stdout) as {
        forcedCanary: boolean;
        canaryPercent: number;
        plan: { canary: boolean; candidates: { model: string; source: string }[] };
      };
      expect(parsed).toMatchObject({ forcedCanary: true, canaryPercent: 100, plan: { canary: true } });
      expect(parsed.plan.candidates[0]).toMatchObject({ model: "next", source: "canary" });
      expect(parsed.plan.candidates.slice(1).map((c) => c.source)).not.toContain("canary");
    }
    const pretty = await explain("--route", "assistant", "--team", "web", "--canary");
    expect(pretty.stdout).toContain("canary next forced (--canary): the plan of a request drawn onto the canary");
    expect(pretty.stdout).toMatch(/^\s+1\. next\b/m);
    const none = await explain("--route", "faq", "--canary");
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('--canary: route "faq" has no canary in this environment');
  });

  it("unknown route, undeclared team and a route the team may not use: exit 1 with a hint", async () => {
    const route = await explain("--route", "fqa");
    expect(route.code).toBe(1);
    expect(route.stderr).toContain('error route_not_found: route "fqa" does not exist');
    expect(route.stderr).toContain('hint: did you mean route "faq"?');
    const team = await explain("--route", "faq", "--team", "wbe");
    expect(team.code).toBe(1);
    expect(team.stderr).toContain('hint: did you mean team "web"?');
    const denied = await explain("--route", "private", "--team", "web");
    expect(denied.code).toBe(1);
    expect(denied.stderr).toContain('team "web" may not use route "private"');
    expect(denied.stderr).toContain("hint: team web may use: assistant, faq");
  });

  it("usage errors exit 2", async () => {
    expect((await explain()).code).toBe(2);
    expect((await explain("--route", "faq", "--format", "xml")).code).toBe(2);
    expect((await explain("--route", "faq", "--tokens", "many")).code).toBe(2);
    expect((await explain("--route", "faq", "--requires", "telepathy")).code).toBe(2);
    expect((await explain("--route", "faq", "--bogus")).code).toBe(2);
  });

  it("a config that does not compile prints its diagnostics and exits 1", async () => {
    let stderr = "";
    const io: Io = { stdout: () => undefined, stderr: (t) => (stderr += t), cwd: root, env: {} };
    const code = await runCli({ argv: ["explain", join(import.meta.dirname, "fixtures", "explain", "missing.ts"), "--route", "faq"], io });
    expect(code).toBe(1);
    expect(stderr).toContain("missing.ts");
  });

  it("runs as a process through the real bin", async () => {
    const bin = join(root, "packages", "cli", "src", "bin.ts");
    const out = await new Promise<{ code: number; stdout: string }>((done) => {
      execFile(
        process.execPath,
        ["--import", "tsx", bin, "explain", fixture, "--env", "prod", "--route", "faq"],
        { cwd: root, encoding: "utf8" },
        (error, stdout) => done({ code: error === null ? 0 : typeof error.code === "number" ? error.code : -1, stdout }),
      );
    });
    expect(out.code).toBe(0);
    expect(out.stdout).toContain("plan (tried in this order):");
  });
});

describe("switchyard explain on a route with `when` rules (examples/rules)", () => {
  const example = join(root, "examples", "rules", "routes.ts");
  const explainRules = (...args: string[]) => runExplain([example, "--route", "support", ...args]);
  const firstModel = (stdout: string) => /^plan \(tried in this order\):\n\s+1\. (\S+)/m.exec(stdout)?.[1];

  it("no flags: no rule holds, the primary stands", async () => {
    const r = await explainRules();
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("when rules: none matched; the primary (tier fast) stands");
    expect(firstModel(r.stdout)).toBe("mini");
  });

  it("--tag picks the tag rule and says why; a later rule that also holds is reported as shadowed", async () => {
    const r = await explainRules("--tag", "risk:high,feature:refunds", "--images");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("tags risk:high,feature:refunds");
    expect(r.stdout).toContain(
      "when rules: rule 1 matched (tag risk:high): tier frontier in place of the primary (tier fast); the fallback chain is the route's",
    );
    expect(r.stdout).toContain("   3. if with images → model big: holds, but rule 1 came first");
    expect(firstModel(r.stdout)).toBe("big");
  });

  it("--prompt-file computes the complexity from a chat body and prints what it is made of", async () => {
    const r = await explainRules("--prompt-file", "examples/rules/hard-prompt.json");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/complexity \d+ → high \(medium ≥ 20, high ≥ 45\): \d+ chars, 2 user turns, 2 code blocks, 1 tool, 0 images/);
    expect(r.stdout).toContain("needs tools");
    expect(r.stdout).toContain("2. if any of (complexity high | tokens over 8000) → tier frontier: matched, used");
  });

  it("--complexity takes a level under the route's thresholds, --metadata pairs; JSON carries the verdicts", async () => {
    const medium = await explainRules("--complexity", "medium", "--metadata", "tenant=acme", "--format", "json");
    const parsed = JSON.parse(medium.stdout) as {
      request: { complexity: number; metadata: object };
      rules: { index: number; holds: boolean }[];
      plan: { rule?: object };
    };
    expect(parsed.request).toMatchObject({ complexity: 20, metadata: { tenant: "acme" } });
    expect(parsed.rules.map((v) => v.holds)).toEqual([false, false, false]);
    expect(parsed.plan.rule).toBeUndefined();
    const high = await explainRules("--complexity", "high", "--format", "json");
    expect((JSON.parse(high.stdout) as { plan: { rule?: object } }).plan.rule).toMatchObject({ index: 2 });
  });

  it("bad rule flags are usage errors (exit 2) naming the flag", async () => {
    for (const [args, message] of [
      [["--tag", "risk"], '--tag "risk" is not key:value'],
      [["--metadata", "tenant"], '--metadata "tenant" is not key=value'],
      [["--complexity", "extreme"], "--complexity must be low, medium, high or a score from 0 to 100"],
      [["--prompt-file", "nope.json"], "--prompt-file nope.json: no such file"],
      [["--prompt-file", "package.json"], '--prompt-file package.json: a JSON body needs a "messages" list'],
      [["--complexity", "low", "--prompt-file", "examples/rules/hard-prompt.json"], "--complexity and --prompt-file both set the complexity"],
    ] as const) {
      const r = await explainRules(...args);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr).toContain(message);
    }
  });
});

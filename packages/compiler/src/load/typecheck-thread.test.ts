/** @module typecheck-thread.test — the tier-up flag fits the V8 it is set on (an unknown flag prints an error on stderr). */
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { tierUpFlag } from "./typecheck-thread.ts";

describe("tierUpFlag", () => {
  it("is --interrupt-budget on V8 11 (Node 20) and the TurboFan invocation count from V8 12 on (Node 22, 24)", () => {
    expect(tierUpFlag(600_000, "11.3.244.8-node.38")).toBe("--interrupt-budget=600000");
    expect(tierUpFlag(600_000, "12.4.254.21-node.57")).toBe("--invocation-count-for-turbofan=26634");
    expect(tierUpFlag(600_000, "13.6.233.17-node.63")).toBe("--invocation-count-for-turbofan=26634");
  });

  it("is a flag this process's V8 accepts: setting it prints nothing", () => {
    const flag = tierUpFlag(600_000);
    const script = `require("node:v8").setFlagsFromString(${JSON.stringify(flag)})`;
    const run = spawnSync(process.execPath, ["-e", script], { encoding: "utf8" });
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
  });
});

import { describe, expect, it } from "vitest";
import { parseConfig } from "@switchyard/ir";
import { bearerToken, buildKeyTable, teamForKey } from "./auth.ts";

const parsed = parseConfig({
  irVersion: 1,
  environment: "t",
  providers: { m: { kind: "mock" } },
  models: { a: { provider: "m", name: "a", context: 10, price: { input: 0, output: 0 } } },
  routes: { r: { model: "a" } },
  teams: { support: { keys: [{ secret: "SUPPORT_KEY" }, { secret: "UNSET_KEY" }], routes: ["r"] }, legal: { keys: [{ secret: "LEGAL_KEY" }] } },
});
if (!parsed.success) throw new Error("bad fixture");

describe("key table", () => {
  const table = buildKeyTable(parsed.data, { SUPPORT_KEY: "sk-support", LEGAL_KEY: "sk-legal" });

  it("finds the team by key hash and reports unset env vars by name only", () => {
    expect(teamForKey(table, "sk-support")).toBe("support");
    expect(teamForKey(table, "sk-legal")).toBe("legal");
    expect(teamForKey(table, "sk-nope")).toBeUndefined();
    expect(table.missing).toEqual(["UNSET_KEY"]);
    expect(JSON.stringify(table)).not.toContain("sk-support");
    expect(table.open).toBe(false);
  });

  it("answers a verified key again from its table's cache, and a rebuilt table (keys rotated) from its own keys only", () => {
    const t = buildKeyTable(parsed.data, { SUPPORT_KEY: "sk-support", LEGAL_KEY: "sk-legal" });
    for (let i = 0; i < 3; i++) {
      expect(teamForKey(t, "sk-support")).toBe("support");
      expect(teamForKey(t, "sk-nope")).toBeUndefined();
    }
    const rotated = buildKeyTable(parsed.data, { SUPPORT_KEY: "sk-support-2", LEGAL_KEY: "sk-legal" });
    expect(teamForKey(rotated, "sk-support")).toBeUndefined();
    expect(teamForKey(rotated, "sk-support-2")).toBe("support");
    expect(teamForKey(t, "sk-support")).toBe("support");
    expect(JSON.stringify(t)).not.toContain("sk-support");
  });

  it("parses bearer tokens", () => {
    expect(bearerToken("Bearer abc")).toBe("abc");
    expect(bearerToken("bearer  abc ")).toBe("abc");
    expect(bearerToken("Basic abc")).toBeUndefined();
    expect(bearerToken(undefined)).toBeUndefined();
  });
});

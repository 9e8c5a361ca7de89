/** One error per misspelling, at the misspelt token, none duplicated (TypeScript's where it can, the compiler's where it cannot). */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compile } from "@switchyard/compiler";
import { fixtures } from "./helpers.ts";

const file = join(fixtures, "misspellings.ts");

describe("misspellings", () => {
  it("yields exactly one error per misspelling at the right line and column", async () => {
    const result = await compile({ file });
    const actual = result.diagnostics.map((d) => `${d.line}:${d.column} ${d.code}`);
    expect(actual).toEqual([
      "6:65 TS2561", // regoin → region (property)
      "7:18 TS2820", // antropic → anthropic (provider kind)
      "10:13 TS2820", // opneai → openai (provider reference)
      "14:30 TS2820", // minni → mini (tier member)
      "18:12 TS2820", // fastt → fast (tier reference)
      "18:27 SY0101", // fallbak → fallback: TypeScript stops at the first error in this object literal
      "19:51 TS2820", // claud → claude (fallback step)
      "22:32 TS2820", // chatt → chat (team route)
    ]);
    expect(result.ok).toBe(false);
    const fallbak = result.diagnostics.find((d) => d.code === "SY0101");
    expect(fallbak?.message).toContain('"fallbak"');
    expect(fallbak?.hint).toContain('"fallback"');
    expect(fallbak?.endColumn).toBe(34);
  });

  it("still reports references that bypassed the types with `as any` (no TypeScript error there)", async () => {
    const result = await compile({ file: join(fixtures, "semantic", "unknown-target.ts") });
    expect(result.diagnostics.every((d) => d.code.startsWith("SY"))).toBe(true);
    expect(result.diagnostics.find((d) => d.code === "SY0205")?.hint).toBe('Did you mean "fast"?');
  });
});

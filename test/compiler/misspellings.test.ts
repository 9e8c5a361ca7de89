/** @module misspellings.test — One error per misspelling, at the misspelt token, none duplicated (TypeScript's where it can, the compiler's where it cannot). */
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
      // While a model's literal has a type error (opneai) the DSL's model ids are plain strings (the models section is
      // inferred whole, to tell chat from embedding models): the compiler reports these two, at the same literal.
      "14:30 SY0202", // minni → mini (tier member)
      "18:12 TS2820", // fastt → fast (tier reference)
      "18:27 SY0101", // fallbak → fallback: TypeScript stops at the first error in this object literal
      "19:51 SY0203", // claud → claude (fallback step)
      "22:32 TS2820", // chatt → chat (team route)
    ]);
    expect(result.ok).toBe(false);
    const fallbak = result.diagnostics.find((d) => d.code === "SY0101");
    expect(fallbak?.message).toContain('"fallbak"');
    expect(fallbak?.hint).toContain('"fallback"');
    expect(fallbak?.endColumn).toBe(34);
  });

  it("dense literals: one error per misspelling even where TypeScript reports only the first", async () => {
    const result = await compile({ file: join(fixtures, "misspellings-dense.ts") });
    const actual = result.diagnostics.map((d) => `${d.line}:${d.column} ${d.code}`);
    expect(actual).toEqual([
      "7:65 TS2561",
      "7:79 SY0101", // regoin, residncy
      "14:30 TS2820",
      "14:41 TS2322",
      "14:69 SY0101", // minni, bgi, stratgy
      "17:12 TS2322",
      "17:27 SY0101",
      "17:45 SY0101",
      "17:74 TS2561", // fastt, fallbak, optimise, firstTokn
      "18:39 TS2820",
      "18:48 TS2820",
      "18:84 TS2820", // fastt, bigg, fst
      "21:32 TS2820",
      "21:42 SY0101", // chatt, budgt
    ]);
    const words = result.diagnostics.map((d) => d.message);
    for (const word of ["residncy", "stratgy", "fallbak", "optimise", "budgt"]) expect(words.filter((m) => m.includes(`"${word}"`))).toHaveLength(1);
  });

  for (const env of [undefined, "dev"]) {
    it(`misspellings inside environment overrides: one error each (env ${env ?? "none"})`, async () => {
      const result = await compile({ file: join(fixtures, "misspellings-env.ts"), ...(env ? { env } : {}) });
      expect(result.diagnostics.map((d) => `${d.line}:${d.column} ${d.code}`)).toEqual(["11:30 TS2820", "12:25 TS2322", "12:40 SY0101"]);
    });
  }

  it("still reports references that bypassed the types with `as any` (no TypeScript error there)", async () => {
    const result = await compile({ file: join(fixtures, "semantic", "unknown-target.ts") });
    expect(result.diagnostics.every((d) => d.code.startsWith("SY"))).toBe(true);
    expect(result.diagnostics.find((d) => d.code === "SY0205")?.hint).toBe('Did you mean "fast"?');
  });
});

/** @module test/compiler/helpers — fixture paths and `// expect CODE` markers. */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const fixtures = join(repoRoot, "test", "fixtures", "compiler");

export interface Expectation {
  code: string;
  line: number;
}

/** Reads `// expect CODE [CODE…] [env=NAME]` markers: one expected diagnostic per code on that line. */
export function expectationsOf(file: string): { expected: Expectation[]; env?: string } {
  const expected: Expectation[] = [];
  let env: string | undefined;
  readFileSync(file, "utf8")
    .split("\n")
    .forEach((text, index) => {
      const marker = /\/\/ expect (.*)$/.exec(text);
      if (!marker) return;
      for (const word of (marker[1] ?? "").trim().split(/\s+/)) {
        if (word.startsWith("env=")) env = word.slice(4);
        else if (word.length > 0) expected.push({ code: word, line: index + 1 });
      }
    });
  return { expected, ...(env === undefined ? {} : { env }) };
}

export function byPosition(a: Expectation, b: Expectation): number {
  return a.line - b.line || a.code.localeCompare(b.code);
}

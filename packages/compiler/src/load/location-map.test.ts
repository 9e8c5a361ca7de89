/** @module location-map.test — locations collected as offsets give the lines and columns TypeScript itself computes. */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { collectLocations } from "./locations.ts";
import { locationMap, pathKey, SPAN_FIELDS } from "./location-map.ts";
import type { ts as TS } from "ts-morph";
import { ts } from "./ts-morph.ts";

const acme = fileURLToPath(new URL("../../../../examples/acme/routes.ts", import.meta.url));

function parse(file: string, text = readFileSync(file, "utf8")): TS.SourceFile {
  return ts.createSourceFile(file, text, ts.ScriptTarget.ES2023, true);
}

describe("location map", () => {
  it("every located node's line and column are TypeScript's, for key, value and entry", () => {
    const sourceFile = parse(acme);
    const data = collectLocations(sourceFile);
    const map = locationMap(data);
    expect(data.keys.length).toBeGreaterThan(100);
    const position = (offset: number) => {
      const { line, character } = sourceFile.getLineAndCharacterOfPosition(offset);
      return { line: line + 1, column: character + 1 };
    };
    for (const key of new Set(data.keys)) {
      const node = map.get(JSON.parse(key) as (string | number)[]);
      expect(node, key).toBeDefined();
      for (const range of [node?.key, node?.value, node?.entry]) {
        if (!range) continue;
        expect({ line: range.line, column: range.column }).toEqual(position(range.start));
        expect({ line: range.endLine, column: range.endColumn }).toEqual(position(range.end));
        expect(range.file).toBe(acme);
      }
    }
    expect(data.spans.length).toBe(data.keys.length * SPAN_FIELDS);
  });

  it("a repeated property: lookups get the last one, entryAt sees both", () => {
    const text = 'export default defineConfig({\n  routes: { a: { model: "x" }, a: { model: "y" } },\n});\n';
    const map = locationMap(collectLocations(parse("/tmp/dup.ts", text)));
    const model = map.get(["routes", "a", "model"]);
    expect(text.slice(model?.value.start, model?.value.end)).toBe('"y"');
    const first = text.indexOf('"x"');
    expect(map.entryAt(first)).toMatchObject({ leaf: true, range: { start: text.indexOf('model: "x"') } });
    expect(map.root).toMatchObject({ line: 1, column: 16 });
    expect(map.get([])?.entry.line).toBe(1);
    expect(map.entryAt(0)).toBeUndefined();
  });

  it("rangeAt clamps to the file and to the line", () => {
    const text = "export default defineConfig({});\nconst x = 1;\n";
    const map = locationMap(collectLocations(parse("/tmp/r.ts", text)));
    expect(map.rangeAt(2, 7, 1)).toMatchObject({ line: 2, column: 7, endLine: 2, endColumn: 8, start: text.indexOf("x = 1") });
    expect(map.rangeAt(99, 1, 1)).toMatchObject({ line: 3, column: 1 });
    expect(map.rangeAt(1, 500, 3)).toMatchObject({ line: 1, column: 33 });
    expect(pathKey(["routes", 1])).toBe('["routes",1]');
  });
});

/** @module The generated JSON Schema stays in step with the zod ConfigSchema. */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { configJsonSchema } from "./config-json-schema.ts";
import { configJsonSchemaSource, configJsonSchemaValue } from "./config-json-schema.generate.ts";

const STALE = "config-json-schema.ts is out of date: run `npx tsx packages/ir/scripts/generate-config-json-schema.ts`";

/** The file without its compressed bytes and their sizes: another brotli build may pack the same JSON differently. */
const withoutPackedBytes = (text: string): string => text.replace(/"[A-Za-z0-9+/=]{64,}"/, '"…"').replace(/\(\d+ bytes of JSON, \d+ brotli\)/, "(…)");

describe("config-json-schema.ts", () => {
  it("unpacks to the schema the generator derives from schema.ts", () => {
    expect(configJsonSchema(), STALE).toEqual(configJsonSchemaValue());
    expect(configJsonSchema(), "unpacked once, then shared").toBe(configJsonSchema());
  });

  it("is the text the generator writes", () => {
    const onDisk = readFileSync(new URL("./config-json-schema.ts", import.meta.url), "utf8");
    expect(withoutPackedBytes(onDisk), STALE).toBe(withoutPackedBytes(configJsonSchemaSource()));
  });
});

/** @module The generated JSON Schema stays in step with the zod ConfigSchema. */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { configJsonSchemaSource } from "./config-json-schema.generate.ts";

describe("config-json-schema.ts", () => {
  it("is what the generator writes from schema.ts (else run `npx tsx packages/ir/scripts/generate-config-json-schema.ts`)", () => {
    const onDisk = readFileSync(new URL("./config-json-schema.ts", import.meta.url), "utf8");
    expect(onDisk, "config-json-schema.ts is out of date: run `npx tsx packages/ir/scripts/generate-config-json-schema.ts`").toBe(configJsonSchemaSource());
  });
});

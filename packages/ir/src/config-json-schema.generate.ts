/** @module How config-json-schema.ts is generated from the zod ConfigSchema (used by the script and the drift test). */
import { z } from "zod";
import { ConfigSchema } from "./schema.ts";

/** The JSON Schema (draft 2020-12) of a compiled config as it appears in switchyard.json (zod's output side: defaults applied, so required). */
export function configJsonSchemaFromZod(): Record<string, unknown> {
  return z.toJSONSchema(ConfigSchema, { io: "output", unrepresentable: "any" }) as Record<string, unknown>;
}

/** Drop annotations that constrain nothing (`$schema`, `default`, `description`): smaller router bundles. */
function withoutAnnotations(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(withoutAnnotations);
  if (typeof schema !== "object" || schema === null) return schema;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === "$schema" || key === "default" || key === "description") continue;
    if (key === "const" || key === "enum") out[key] = value;
    else if (key === "properties") out[key] = Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([name, sub]) => [name, withoutAnnotations(sub)]));
    else out[key] = withoutAnnotations(value);
  }
  return out;
}

/** The exact text of src/config-json-schema.ts. */
export function configJsonSchemaSource(): string {
  return [
    "/**",
    " * @module The JSON Schema of a compiled config (switchyard.json's `config`), generated from the zod ConfigSchema so",
    " * the router can check an uploaded release without bundling zod. Generated: do not edit; after changing schema.ts run",
    " * `npx tsx packages/ir/scripts/generate-config-json-schema.ts` (a test fails while it is out of date).",
    " * Not expressed here (zod refinements): a route names exactly one of `tier` and `model`.",
    " */",
    `export const CONFIG_JSON_SCHEMA: Readonly<Record<string, unknown>> = ${JSON.stringify(withoutAnnotations(configJsonSchemaFromZod()), null, 2)};`,
    "",
  ].join("\n");
}

/** @module How config-json-schema.ts is generated from the zod ConfigSchema (used by the script and the drift test). */
import { brotliCompressSync, constants } from "node:zlib";
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
    else if (key === "properties")
      out[key] = Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([name, sub]) => [name, withoutAnnotations(sub)]));
    else out[key] = withoutAnnotations(value);
  }
  return out;
}

/** The schema the generated file carries: zod's output without annotations. */
export function configJsonSchemaValue(): Record<string, unknown> {
  return withoutAnnotations(configJsonSchemaFromZod()) as Record<string, unknown>;
}

/**
 * The exact text of src/config-json-schema.ts. The schema travels brotli-compressed (~9 KB of JSON as
 * ~1.6 KB of base64 in router.mjs, which has a 150 KB budget) and is unpacked on first use: the router
 * reads it only when a release is uploaded.
 */
export function configJsonSchemaSource(): string {
  const json = JSON.stringify(configJsonSchemaValue());
  const packed = brotliCompressSync(json, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: json.length } });
  return [
    "/**",
    " * @module The JSON Schema of a compiled config (switchyard.json's `config`), generated from the zod ConfigSchema so",
    " * the router can check an uploaded release without bundling zod. Generated: do not edit; after changing schema.ts run",
    " * `npx tsx packages/ir/scripts/generate-config-json-schema.ts` (a test fails while it is out of date).",
    " * Not expressed here (zod refinements): a route names exactly one of `tier` and `model`.",
    ` * Stored brotli-compressed (${json.length} bytes of JSON, ${packed.length} brotli) and unpacked on first use.`,
    " */",
    'import { brotliDecompressSync } from "node:zlib";',
    "",
    "/** The schema, brotli-compressed, base64. */",
    `export const CONFIG_JSON_SCHEMA_BROTLI_BASE64 =\n  ${JSON.stringify(packed.toString("base64"))};`,
    "",
    "let unpacked: Readonly<Record<string, unknown>> | undefined;",
    "",
    "/** The JSON Schema (draft 2020-12) of a compiled config; unpacked once, then shared (do not mutate). */",
    "export function configJsonSchema(): Readonly<Record<string, unknown>> {",
    '  unpacked ??= JSON.parse(brotliDecompressSync(Buffer.from(CONFIG_JSON_SCHEMA_BROTLI_BASE64, "base64")).toString("utf8")) as Record<string, unknown>;',
    "  return unpacked;",
    "}",
    "",
  ].join("\n");
}

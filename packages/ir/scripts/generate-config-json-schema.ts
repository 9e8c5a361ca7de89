/** @module Regenerate src/config-json-schema.ts from the zod ConfigSchema: `npx tsx packages/ir/scripts/generate-config-json-schema.ts`. */
import { writeFileSync } from "node:fs";
import { configJsonSchemaSource } from "../src/config-json-schema.generate.ts";

const target = new URL("../src/config-json-schema.ts", import.meta.url);
writeFileSync(target, configJsonSchemaSource());
process.stdout.write(`wrote ${target.pathname}\n`);

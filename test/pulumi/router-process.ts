/**
 * @module A router process for the Pulumi tests: `node --import tsx test/pulumi/router-process.ts <switchyard.json>`
 * runs the router entry (what router.mjs runs) on 127.0.0.1:0 with the release in the file; the
 * admin token comes from SWITCHYARD_ADMIN_TOKEN in the environment.
 */
import { readFileSync } from "node:fs";
import { parseRelease } from "@switchyard/ir";
import { builtinAdapters, builtinValidators, runMain } from "@switchyard/router";

const file = process.argv[2];
if (file === undefined) throw new Error("usage: router-process.ts <switchyard.json>");
const parsed = parseRelease(readFileSync(file, "utf8"));
if (!parsed.success) throw new Error(`invalid release ${file}: ${JSON.stringify(parsed.issues)}`);
await runMain({ release: parsed.data, adapters: builtinAdapters, validators: builtinValidators, argv: ["--port", "0", "--host", "127.0.0.1"] });

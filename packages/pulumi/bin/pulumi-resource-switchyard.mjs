#!/usr/bin/env node
/** @module pulumi-resource-switchyard — the provider plugin the Pulumi engine starts: registers tsx so the TypeScript sources run directly, then serves the provider over gRPC. */
import { register } from "tsx/esm/api";

register();
const { serve } = await import("../src/provider/serve.ts");
await serve(process.argv.slice(2));

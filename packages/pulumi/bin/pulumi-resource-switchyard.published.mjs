#!/usr/bin/env node
/** @module pulumi-resource-switchyard — the provider plugin of the published package: serves the compiled provider (dist/) over gRPC; bin/pulumi-resource-switchyard.mjs is the repo's, which runs the sources through tsx. */
const { serve } = await import("../dist/provider/serve.js");
await serve(process.argv.slice(2));

#!/usr/bin/env node
/** @module switchyard — npm bin of the published package: runs the compiled CLI (dist/); bin/switchyard.mjs is the repo's, which runs the TypeScript sources through tsx. */
await import("../dist/bin.js");

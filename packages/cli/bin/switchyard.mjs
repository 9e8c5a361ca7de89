#!/usr/bin/env node
/** @module switchyard — npm bin: registers tsx so the TypeScript sources run directly, then starts the CLI. */
import { register } from "tsx/esm/api";

register();
await import("../src/bin.ts");

/**
 * @module load/ts-morph — ts-morph and the TypeScript it bundles, loaded with `require` through the
 * V8 code cache (load/code-cache.ts): importing the CommonJS bundle from ESM makes Node scan
 * TypeScript's 9 MB source for named exports, and compiling it is most of a cold check's start-up.
 */
import { createRequire } from "node:module";
import type * as TsMorph from "ts-morph";
import { defaultCacheDirectory, requireWithCodeCache } from "./code-cache.ts";

function load(): typeof TsMorph {
  const require = createRequire(import.meta.url);
  const main = require.resolve("ts-morph");
  const common = createRequire(main).resolve("@ts-morph/common");
  const typescript = createRequire(common).resolve("./typescript");
  const options = { directory: defaultCacheDirectory() };
  // Dependencies first, so each file's `require` finds the cached instance.
  for (const file of [typescript, common]) requireWithCodeCache(file, options);
  return requireWithCodeCache(main, options) as typeof TsMorph;
}

const tsMorph = load();

export const Project = tsMorph.Project;
export const ts = tsMorph.ts;
export type Project = TsMorph.Project;
export type { SourceFile } from "ts-morph";

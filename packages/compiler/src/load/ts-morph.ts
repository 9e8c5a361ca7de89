/**
 * @module load/ts-morph — ts-morph loaded with `require`: importing the CommonJS bundle from ESM
 * makes Node scan TypeScript's 9 MB source for named exports (~0.3 s of every cold check).
 */
import { createRequire } from "node:module";
import type * as TsMorph from "ts-morph";

const tsMorph = createRequire(import.meta.url)("ts-morph") as typeof TsMorph;

export const Project = tsMorph.Project;
export const ts = tsMorph.ts;
export type Project = TsMorph.Project;
export type { SourceFile } from "ts-morph";

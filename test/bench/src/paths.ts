/** @module Where things are: the repository root and the bench folder. */
import { fileURLToPath } from "node:url";
import { dirname, resolve } from "node:path";

/** `test/bench`. */
export const BENCH_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const REPO_ROOT = resolve(BENCH_DIR, "../..");
/** Scratch space for generated routes.ts files and builds (ignored by git). */
export const WORK_DIR = resolve(BENCH_DIR, ".work");

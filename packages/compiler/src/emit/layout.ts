/**
 * @module emit/layout — what a directory given to `serve`, `release push` or `diff` stands for:
 * one rule for all of them, matching what `build` writes (`dist/<env>/switchyard.json`).
 */
import { statSync } from "node:fs";
import { join } from "node:path";

const isFile = (path: string): boolean => statSync(path, { throwIfNoEntry: false })?.isFile() === true;

/**
 * The file a directory stands for, in order: its `switchyard.json` (a build), `<env>/switchyard.json`
 * (a dist folder, given an environment), its `routes.ts` (a project). Undefined when it holds none.
 *
 * @example
 * releaseOrConfigIn("dist", "prod"); // { kind: "build", file: "dist/prod/switchyard.json" }
 */
export function releaseOrConfigIn(directory: string, env: string | undefined): { kind: "build" | "config"; file: string } | undefined {
  for (const file of [join(directory, "switchyard.json"), ...(env === undefined ? [] : [join(directory, env, "switchyard.json")])]) {
    if (isFile(file)) return { kind: "build", file };
  }
  const routes = join(directory, "routes.ts");
  return isFile(routes) ? { kind: "config", file: routes } : undefined;
}

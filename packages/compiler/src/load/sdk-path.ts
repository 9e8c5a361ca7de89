/** @module load/sdk-path — where the SDK's source lives, so any routes.ts on disk resolves `@switchyard/sdk`. */
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

let cached: string | undefined;

/** Absolute path of `@switchyard/sdk`'s `src/index.ts`. */
export function sdkEntry(): string {
  if (cached === undefined) {
    const require = createRequire(import.meta.url);
    cached = join(dirname(require.resolve("@switchyard/sdk/package.json")), "src", "index.ts");
  }
  return cached;
}

/**
 * @module Loading a part of router.mjs written beside it as its own file (an asset: the dashboard, the Responses and
 * Messages dialects; packages/compiler/src/emit/router-bundle.ts, placement "beside"). Only router.mjs calls this: its
 * stand-ins for those parts' `import(…)` do, with the asset's content-hashed file name.
 */
import { RouterError } from "../errors.ts";

/** Assets already reported missing: one log line each, not one per request. */
const reported = new Set<string>();

/**
 * Import the asset `file` from the folder router.mjs runs from. A missing file is the deployment's fault, not a crash:
 * a RouterError `asset_missing` (503) naming the file, logged once; everything else the router serves goes on.
 *
 * @example const chunk = await importAsset("switchyard-responses.3f9a1c2b.mjs", "the Responses dialect (POST /v1/responses)");
 */
export async function importAsset(file: string, what: string): Promise<Record<string, unknown>> {
  // This module is bundled into router.mjs: import.meta.url is router.mjs's own URL.
  const url = new URL(`./${file}`, import.meta.url);
  try {
    return (await import(url.href)) as Record<string, unknown>;
  } catch (error) {
    if ((error as { code?: unknown }).code !== "ERR_MODULE_NOT_FOUND") throw error;
    const message = `${what} is not deployed: ${file} is missing beside router.mjs; deploy the whole dist/<env>/ folder (router.mjs and its assets), not router.mjs alone`;
    if (!reported.has(file)) {
      reported.add(file);
      process.stderr.write(`switchyard router: ${message}\n`);
    }
    throw new RouterError("asset_missing", message);
  }
}

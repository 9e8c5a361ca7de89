/**
 * @module An adapter's calls loaded on its provider's first call: in router.mjs they are a chunk unpacked (or an asset
 * imported) then, not code every release parses at start (packages/compiler/src/emit/router-bundle.ts, LazyChunk).
 */
import { RouterError } from "../errors.ts";
import { UpstreamError } from "./types.ts";

/**
 * `load`, run by the first call that needs it and shared by the calls meanwhile. A failed load fails those calls as the
 * provider's error (an UpstreamError `5xx`, so fallback moves on; a RouterError such as `asset_missing` and an
 * UpstreamError pass as they are) and is tried again by the next call.
 *
 * @example const calls = loadOnce("the anthropic adapter", () => import("./calls.ts").then((m) => m.createAnthropicCalls(init, core)));
 */
export function loadOnce<T>(what: string, load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | undefined;
  return () =>
    (loading ??= load().catch((error: unknown) => {
      loading = undefined;
      if (error instanceof RouterError || error instanceof UpstreamError) throw error;
      throw new UpstreamError("5xx", `${what} could not be loaded: ${error instanceof Error ? error.message : String(error)}`);
    }));
}

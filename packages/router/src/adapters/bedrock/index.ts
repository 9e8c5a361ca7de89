/** @module PLACEHOLDER (issue 22, being built on a branch): the bedrock adapter. Replaced before this kind ships. */
import type { AdapterFactory } from "../types.ts";

export const createBedrockAdapter: AdapterFactory = (init) => {
  throw new Error(`provider \`${init.providerId}\`: the bedrock adapter is not built yet`);
};

/** @module PLACEHOLDER (issue 22, being built on a branch): the gemini adapter. Replaced before this kind ships. */
import type { AdapterFactory } from "../types.ts";

export const createGeminiAdapter: AdapterFactory = (init) => {
  throw new Error(`provider \`${init.providerId}\`: the gemini adapter is not built yet`);
};

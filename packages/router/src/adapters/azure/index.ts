/** @module PLACEHOLDER (issue 22, being built on a branch): the azure adapter. Replaced before this kind ships. */
import type { AdapterFactory } from "../types.ts";

export const createAzureAdapter: AdapterFactory = (init) => {
  throw new Error(`provider \`${init.providerId}\`: the azure adapter is not built yet`);
};

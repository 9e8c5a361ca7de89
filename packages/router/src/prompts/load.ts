/**
 * @module Prompt rendering, loaded on the first request that names a prompt: in router.mjs `import("./chunk.ts")` reads
 * an asset beside it (packages/compiler/src/emit/router-bundle.ts, PROMPTS_CHUNK), so routers whose clients never name
 * a prompt neither parse nor carry its code in the core's budget. The core's RouterError is handed to it, so its
 * refusals are the errors the server answers with.
 */
import type { IncomingHttpHeaders } from "node:http";
import { RouterError } from "../errors.ts";
import type { RequestContext } from "../execute/context.ts";
import type { RolloutStore } from "../state/index.ts";
import type { PromptRenderer } from "./chunk.ts";
import { PROMPT_HEADER } from "./keys.ts";
import type { PromptUse } from "./render.ts";

let loading: Promise<PromptRenderer> | undefined;
/** The renderer once loaded. */
let loaded: PromptRenderer | undefined;

/** The renderer (loaded once; every later call gets the same one). */
export function promptRenderer(): Promise<PromptRenderer> {
  return (loading ??= import("./chunk.ts").then(
    (m) => (loaded = m.createPromptRenderer({ RouterError })),
    (error: unknown) => {
      loading = undefined; // the next request tries again
      throw error;
    },
  ));
}

/** Whether a request names a prompt: the body's `prompt` or the `x-switchyard-prompt` header (what every request pays). */
export function namesPrompt(value: unknown, headers: IncomingHttpHeaders): boolean {
  return headers[PROMPT_HEADER] !== undefined || (typeof value === "object" && value !== null && (value as { prompt?: unknown }).prompt != null);
}

/**
 * Count a finished request into its prompt canary's guard window (outcome.ts). Only a request whose prompt was rendered
 * has a `use`, so the chunk is loaded by then; without one this does nothing.
 */
export function recordPromptOutcome(rollout: RolloutStore, use: PromptUse | undefined, ctx: RequestContext | undefined, status: number, now: number): void {
  if (use?.arm !== undefined) loaded?.recordPromptOutcome(rollout, use, ctx, status, now);
}

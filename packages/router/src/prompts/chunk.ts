/**
 * @module The prompts chunk's entry (PROMPTS_CHUNK in packages/compiler/src/emit/router-bundle.ts): rendering and the
 * canary's outcome counting, loaded by ./load.ts on the first request that names a prompt. The core's RouterError comes
 * in as `core`, so a refusal is the error class the server answers with, never a second copy of it.
 */
import type { IncomingHttpHeaders } from "node:http";
import type { Config } from "@switchyard/ir";
import type { RouterError } from "../errors.ts";
import { recordPromptOutcome } from "./outcome.ts";
import { PromptRefusal, type PromptUse, applyPrompt } from "./render.ts";

/** What the chunk takes from the router's core. */
export interface PromptCore {
  RouterError: typeof RouterError;
}

/** What the chunk gives the core. */
export interface PromptRenderer {
  /** applyPrompt (./render.ts), refusing with the core's RouterError `invalid_request` (400). */
  applyPrompt(
    config: Config,
    dialect: string,
    value: unknown,
    headers: IncomingHttpHeaders,
    canaryPercent: (key: string) => number,
    rng?: () => number,
  ): { body: Record<string, unknown>; use: PromptUse } | undefined;
  recordPromptOutcome: typeof recordPromptOutcome;
}

export function createPromptRenderer(core: PromptCore): PromptRenderer {
  return {
    applyPrompt(config, dialect, value, headers, canaryPercent, rng) {
      try {
        return applyPrompt(config, dialect, value, headers, canaryPercent, rng);
      } catch (error) {
        if (error instanceof PromptRefusal) throw new core.RouterError("invalid_request", error.message, { param: error.param });
        throw error;
      }
    },
    recordPromptOutcome,
  };
}

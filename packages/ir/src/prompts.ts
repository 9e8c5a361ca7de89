/**
 * @module Prompts as code (issue 24): named message templates in routes.ts, versioned with the release. A template's
 * `{{name}}` placeholders are its variables; the router renders a request's `prompt: { id, variables }` into messages
 * before routing (packages/router/src/prompts). The release hash covers every template, so a changed prompt is a new
 * release that `diff` shows and policies see.
 */
// Types only from the schemas: the router imports this module's functions without zod (packages/compiler/src/emit/router-bundle.ts).
import type { PromptCanarySchema, PromptMessageSchema, PromptParamsSchema, PromptSchema, PromptVariableSchema } from "./schema.ts";
import type { z } from "zod";
import { contentHash } from "./canonical.ts";

/** A variable's name as written between `{{` and `}}`: an identifier. */
export const PROMPT_VARIABLE = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
/** Every `{{…}}` in a template, valid name or not (a malformed one is a compile error, never sent as is). */
export const PLACEHOLDER = /\{\{([^{}]*)\}\}/g;

export type PromptMessage = z.output<typeof PromptMessageSchema>;
export type PromptVariable = z.output<typeof PromptVariableSchema>;
export type PromptParams = z.output<typeof PromptParamsSchema>;
export type PromptCanary = z.output<typeof PromptCanarySchema>;
export type Prompt = z.output<typeof PromptSchema>;

/**
 * A version of a prompt's messages: 12 hex digits of the SHA-256 of their roles and texts. The same text is the same
 * version in every release and environment; traces record it, `diff` shows it.
 */
export function promptVersion(messages: readonly { role: string; content: string }[]): string {
  return contentHash(messages.map((m) => [m.role, m.content])).slice(0, 12);
}

/** The `{{…}}` placeholders of some messages, in order of first use: `valid` names and `malformed` texts. */
export function promptPlaceholders(messages: readonly { content: string }[]): { valid: string[]; malformed: string[] } {
  const valid = new Set<string>();
  const malformed = new Set<string>();
  for (const m of messages) for (const match of m.content.matchAll(PLACEHOLDER)) (PROMPT_VARIABLE.test(match[1] ?? "") ? valid : malformed).add(match[1] ?? "");
  return { valid: [...valid], malformed: [...malformed] };
}

/** What is wrong with the prompts of a config (used by configRuleProblems, so an uploaded release is checked too). */
export function promptProblems(
  prompts: Record<string, Prompt> | undefined,
  routes: Record<string, { kind?: string | undefined }>,
): { code: "unknown_reference" | "prompt_template" | "canary_steps_order"; path: (string | number)[]; message: string }[] {
  const out: ReturnType<typeof promptProblems> = [];
  for (const [id, prompt] of Object.entries(prompts ?? {})) {
    const at = ["prompts", id];
    if (prompt.route !== undefined) {
      const route = routes[prompt.route];
      if (route === undefined) out.push({ code: "unknown_reference", path: [...at, "route"], message: `route "${prompt.route}" is not declared` });
      else if (route.kind === "embedding")
        out.push({ code: "prompt_template", path: [...at, "route"], message: `route "${prompt.route}" is an embedding route; a prompt renders chat messages` });
    }
    const versions: [(string | number)[], readonly PromptMessage[]][] = [[at, prompt.messages]];
    if (prompt.canary !== undefined) versions.push([[...at, "canary"], prompt.canary.messages]);
    for (const [where, messages] of versions) {
      const { valid, malformed } = promptPlaceholders(messages);
      for (const text of malformed)
        out.push({
          code: "prompt_template",
          path: [...where, "messages"],
          message: `placeholder {{${text}}} is not a variable name (letters, digits and '_'); no caller could provide it`,
        });
      for (const name of valid)
        if (!Object.hasOwn(prompt.variables, name))
          out.push({ code: "prompt_template", path: [...where, "messages"], message: `{{${name}}} is not one of the prompt's declared variables` });
    }
    const steps = prompt.canary?.steps ?? [];
    steps.forEach((step, i) => {
      const before = steps[i - 1];
      if (before !== undefined && step <= before)
        out.push({ code: "canary_steps_order", path: [...at, "canary", "steps", i], message: `canary step ${step} does not increase on ${before}` });
    });
  }
  return out;
}

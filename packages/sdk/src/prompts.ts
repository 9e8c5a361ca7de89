/**
 * @module Prompts as code: the types of `prompts` in routes.ts and the helpers applications call with them. A template's
 * `{{name}}` placeholders are its variables, inferred from the literal (or declared with `variables`), so a missing or
 * misspelt variable is a type error where the application calls `promptRequest` or `promptHeader`. See docs/prompts.md.
 */
import type { CanaryGuardDef, Duration } from "./index.ts";

export type PromptRole = "system" | "user" | "assistant";

/** One message of a template; `content` holds `{{name}}` placeholders. */
export interface PromptMessageDef {
  role: PromptRole;
  content: string;
}

export interface PromptVariableDef {
  description?: string;
  /** Used when the caller does not send the variable (the variable is then optional at the call site). */
  default?: string;
  /** Longest value a caller may send, characters; a longer one is refused with 400. */
  maxLength?: number;
}

/**
 * A named prompt. Its variables are the `{{name}}` placeholders of its messages (and its canary's), unless
 * `variables` declares them (then every placeholder must be declared, and defaults make a variable optional).
 *
 * @example
 * "support-answer": {
 *   route: "support",
 *   messages: [
 *     { role: "system", content: "You answer for {{product}}. Be brief." },
 *     { role: "user", content: "{{question}}" },
 *   ],
 *   params: { temperature: 0.2 },
 * }
 */
export interface PromptDef<R extends string> {
  messages: readonly PromptMessageDef[];
  variables?: Record<string, PromptVariableDef>;
  /** The route a request with this prompt and no `model` goes to. */
  route?: R;
  /** Sampling defaults, used when the request does not set them. */
  params?: { temperature?: number; topP?: number; maxTokens?: number };
  /** A second version of the messages served to a sticky, growing share of callers under the same guards as a model canary. */
  canary?: {
    messages: readonly PromptMessageDef[];
    steps: readonly number[];
    every: Duration;
    guard?: CanaryGuardDef;
    stickyBy?: "user" | { header: string };
  };
  owner?: string;
  description?: string;
}

/** The `{{name}}` placeholders of a template literal, e.g. `TemplateVariables<"Hi {{name}}, re {{topic}}">` is `"name" | "topic"`. */
export type TemplateVariables<S extends string> = S extends `${string}{{${infer V}}}${infer Rest}` ? V | TemplateVariables<Rest> : never;

type MessagesVariables<Ms> = Ms extends readonly (infer M)[] ? (M extends { content: infer C extends string } ? TemplateVariables<C> : never) : never;
type UsedVariables<P> =
  MessagesVariables<P extends { messages: infer Ms } ? Ms : never> | (P extends { canary: { messages: infer Cm } } ? MessagesVariables<Cm> : never);
type VariableNames<P> = P extends { variables: infer V } ? keyof V & string : UsedVariables<P>;
type DefaultedNames<P> = P extends { variables: infer V } ? { [K in keyof V]: V[K] extends { default: string } ? K : never }[keyof V] & string : never;

/** The variables a call must send for prompt P: each without a default required, each with one optional, nothing else. */
export type PromptVariables<P> = { [K in Exclude<VariableNames<P>, DefaultedNames<P>>]: string } & { [K in DefaultedNames<P>]?: string };

type PromptsOf<C> = C extends { prompts?: infer Ps } ? NonNullable<Ps> : never;
type RoutesOf<C> = C extends { routes: infer Rs } ? keyof Rs & string : string;
/** The ids of the prompts a config declares. */
export type PromptIds<C> = keyof PromptsOf<C> & string;
/** A call's options: `route` is required when the prompt names no route of its own. */
type PromptOptions<C, Id extends PromptIds<C>> = PromptsOf<C>[Id] extends { route: string }
  ? [options?: { route?: RoutesOf<C> }]
  : [options: { route: RoutesOf<C> }];

/** The request fields that ask the router to render a prompt: spread them into a Chat, Responses or Messages request. */
export interface PromptRequest<Id extends string = string> {
  model: string;
  prompt: { id: Id; variables: Record<string, string> };
}

/** The header that carries a prompt when the body cannot (`x-switchyard-prompt`, JSON with non-ASCII escaped). */
export const PROMPT_HEADER = "x-switchyard-prompt";

function routeOf(config: { prompts?: Record<string, { route?: string }> }, id: string, options: { route?: string } | undefined): string {
  const prompt = config.prompts?.[id];
  if (prompt === undefined) throw new Error(`prompt "${id}" is not declared in this config's prompts`);
  const route = options?.route ?? prompt.route;
  if (route === undefined) throw new Error(`prompt "${id}" names no route: pass { route }`);
  return route;
}

/**
 * The `model` and `prompt` fields of a request that renders prompt `id` with `variables`. A variable the prompt
 * does not use, or a required one left out, is a type error here.
 *
 * @example
 * import config from "./routes.ts";
 * await openai.chat.completions.create({ ...promptRequest(config, "support-answer", { product: "Acme", question }), messages: [] });
 */
export function promptRequest<C extends { prompts?: object }, const Id extends PromptIds<C>>(
  config: C,
  id: Id,
  variables: PromptVariables<PromptsOf<C>[Id]>,
  ...[options]: PromptOptions<C, Id>
): PromptRequest<Id> {
  return {
    model: routeOf(config as { prompts?: Record<string, { route?: string }> }, id, options),
    prompt: { id, variables: variables as Record<string, string> },
  };
}

/**
 * The `x-switchyard-prompt` header for prompt `id` with `variables`: for clients whose request types leave no room for
 * a `prompt` field. Non-ASCII characters are `\u` escapes (header values are ASCII).
 *
 * @example new Anthropic({ defaultHeaders: promptHeader(config, "support-answer", { product: "Acme", question }) })
 */
export function promptHeader<C extends { prompts?: object }, const Id extends PromptIds<C>>(
  config: C,
  id: Id,
  variables: PromptVariables<PromptsOf<C>[Id]>,
): Record<typeof PROMPT_HEADER, string> {
  if ((config as { prompts?: Record<string, unknown> }).prompts?.[id] === undefined) throw new Error(`prompt "${id}" is not declared in this config's prompts`);
  const json = JSON.stringify({ id, variables }).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  return { [PROMPT_HEADER]: json };
}

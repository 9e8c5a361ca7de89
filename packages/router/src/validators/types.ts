/** @module Response validators: a route's `validate` list, compiled once per release into checks over the answer. */
import type { Validator } from "@switchyard/ir";
import type { ChatCompletion } from "../protocol/chat.ts";

/** A compiled check: undefined when the answer passes, else why it failed. */
export type ValidatorCheck = (answer: ValidatedAnswer) => string | undefined;

/** What validators read: the first choice's text and whether it made tool calls. */
export interface ValidatedAnswer {
  content: string;
  toolCalls: number;
}

export type ValidatorFactory<K extends Validator["kind"] = Validator["kind"]> = (spec: Extract<Validator, { kind: K }>) => ValidatorCheck;

/** Factories by kind; router.mjs includes only the kinds its release uses. */
export type ValidatorRegistry = { [K in Validator["kind"]]?: ValidatorFactory<K> };

/** The answer validators see, from a completion. */
export function answerOf(completion: ChatCompletion): ValidatedAnswer {
  const message = completion.choices[0]?.message;
  return { content: typeof message?.content === "string" ? message.content : "", toolCalls: message?.tool_calls?.length ?? 0 };
}

/** @module Pricing usage from the catalog (`model.price` is USD per 1M tokens). */
import type { Model } from "@switchyard/ir";
import type { Usage } from "../protocol/chat.ts";

/** Cost in USD of a usage report at a model's price. */
export function priceUsage(model: Model, usage: Usage): number {
  return (usage.prompt_tokens * model.price.input + usage.completion_tokens * model.price.output) / 1_000_000;
}

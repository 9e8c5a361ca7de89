/**
 * @module validate/lower-prompts — the `prompts` section lowered to IR input: a prompt without `variables` gets the
 * variables its templates use (`{{name}}`, baseline and canary), a canary's durations become milliseconds. A prompt
 * that declares `variables` keeps them as written: the IR's rules then report a placeholder it does not declare.
 */
import { promptPlaceholders } from "@switchyard/ir";
import { parseDuration } from "./duration.ts";
import { dict, isDict, list, type Dict } from "./view.ts";

function messagesOf(value: unknown): { content: string }[] {
  return list(value).flatMap((m) => (isDict(m) && typeof m.content === "string" ? [{ content: m.content }] : []));
}

/** Lowers `prompts` (tolerant of odd shapes: validation reports them). */
export function lowerPrompts(value: unknown): Dict {
  const out: Dict = {};
  for (const [id, entry] of Object.entries(dict(value))) {
    if (!isDict(entry)) {
      out[id] = entry;
      continue;
    }
    const prompt: Dict = { ...entry };
    if (isDict(entry.canary)) {
      const { every, guard, ...rest } = entry.canary;
      const canary: Dict = { ...rest, everyMs: parseDuration(every) ?? every };
      if (isDict(guard)) {
        const { maxP95, ...guardRest } = guard;
        canary.guard = maxP95 === undefined ? guardRest : { ...guardRest, maxP95Ms: parseDuration(maxP95) ?? maxP95 };
      }
      prompt.canary = canary;
    }
    if (entry.variables === undefined) {
      const used = promptPlaceholders([...messagesOf(entry.messages), ...messagesOf(isDict(entry.canary) ? entry.canary.messages : undefined)]).valid;
      prompt.variables = Object.fromEntries(used.map((name) => [name, {}]));
    }
    out[id] = prompt;
  }
  return out;
}

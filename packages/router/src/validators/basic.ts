/** @module The small validators: `json`, `regex`, `non-empty`. */
import type { ValidatorFactory } from "./types.ts";

/** The answer parses as JSON (a tool-call-only answer passes). */
export const jsonValidator: ValidatorFactory<"json"> = () => (answer) => {
  if (answer.toolCalls > 0 && answer.content === "") return undefined;
  try {
    JSON.parse(answer.content);
    return undefined;
  } catch {
    return "the answer is not valid JSON";
  }
};

/** The answer matches the pattern. */
export const regexValidator: ValidatorFactory<"regex"> = (spec) => {
  const re = new RegExp(spec.pattern, spec.flags.replace(/[gy]/g, ""));
  return (answer) => (re.test(answer.content) ? undefined : `the answer does not match /${spec.pattern}/${spec.flags}`);
};

/** The answer has non-whitespace text or at least one tool call. */
export const nonEmptyValidator: ValidatorFactory<"non-empty"> = () => (answer) =>
  answer.content.trim() !== "" || answer.toolCalls > 0 ? undefined : "the answer is empty";

/** @module The `json-schema` validator (@cfworker/json-schema: small, no code generation, drafts 4–2020-12). */
import { Validator } from "@cfworker/json-schema";
import { MAX_JSON_DEPTH, tooDeep } from "../protocol/json.ts";
import type { ValidatorFactory } from "./types.ts";

/**
 * The answer parses as JSON and satisfies the schema; the first schema error is reported. The schema
 * may nest at most MAX_JSON_DEPTH levels (the library walks it recursively at activation); an answer
 * too deep for the library's recursive walk fails validation rather than throwing.
 */
export const jsonSchemaValidator: ValidatorFactory<"json-schema"> = (spec) => {
  const deep = tooDeep(spec.schema);
  if (deep !== undefined) throw new Error(`the schema nests more than ${MAX_JSON_DEPTH} levels deep (at \`${deep === "" ? "schema" : deep}\`)`);
  const validator = new Validator(spec.schema as ConstructorParameters<typeof Validator>[0], "2020-12", false);
  return (answer) => {
    let value: unknown;
    try {
      value = JSON.parse(answer.content);
    } catch {
      return "the answer is not valid JSON";
    }
    let result;
    try {
      result = validator.validate(value);
    } catch {
      // Stack overflow on a deeply nested answer (JSON.parse itself is iterative): the model's fault.
      return "the answer is nested too deeply to check against the JSON schema";
    }
    if (result.valid) return undefined;
    const first = result.errors[0];
    return `the answer does not match the JSON schema${first !== undefined ? `: ${first.instanceLocation} ${first.error}` : ""}`;
  };
};

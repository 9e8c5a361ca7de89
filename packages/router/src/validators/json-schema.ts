/** @module The `json-schema` validator (@cfworker/json-schema: small, no code generation, drafts 4–2020-12). */
import { Validator } from "@cfworker/json-schema";
import type { ValidatorFactory } from "./types.ts";

/** The answer parses as JSON and satisfies the schema; the first schema error is reported. */
export const jsonSchemaValidator: ValidatorFactory<"json-schema"> = (spec) => {
  const validator = new Validator(spec.schema as ConstructorParameters<typeof Validator>[0], "2020-12", false);
  return (answer) => {
    let value: unknown;
    try {
      value = JSON.parse(answer.content);
    } catch {
      return "the answer is not valid JSON";
    }
    const result = validator.validate(value);
    if (result.valid) return undefined;
    const first = result.errors[0];
    return `the answer does not match the JSON schema${first !== undefined ? `: ${first.instanceLocation} ${first.error}` : ""}`;
  };
};

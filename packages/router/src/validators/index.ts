/** @module Validator registry: every built-in kind. */
import { jsonValidator, nonEmptyValidator, regexValidator } from "./basic.ts";
import { jsonSchemaValidator } from "./json-schema.ts";
import type { ValidatorRegistry } from "./types.ts";

export { answerOf, type ValidatedAnswer, type ValidatorCheck, type ValidatorFactory, type ValidatorRegistry } from "./types.ts";
export { jsonValidator, nonEmptyValidator, regexValidator, jsonSchemaValidator };

/** All built-in validators. */
export const builtinValidators: ValidatorRegistry = {
  json: jsonValidator,
  "json-schema": jsonSchemaValidator,
  regex: regexValidator,
  "non-empty": nonEmptyValidator,
};

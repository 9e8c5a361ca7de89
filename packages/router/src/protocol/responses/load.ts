/**
 * @module The Responses dialect, loaded on first use: in router.mjs `import("./dialect.ts")` unpacks a compressed chunk
 * (packages/compiler/src/emit/router-bundle.ts, RESPONSES_CHUNK), so routers whose clients never call `/v1/responses`
 * neither parse nor carry its code in the core's budget.
 */
import { RouterError } from "../../errors.ts";
import { bearerKey } from "../chat-dialect.ts";
import type { Dialect } from "../dialect.ts";
import { tooDeep } from "../json.ts";

let loaded: Promise<Dialect> | undefined;

/** The Responses dialect (loaded once; every later call gets the same one). */
export function responsesDialect(): Promise<Dialect> {
  return (loaded ??= import("./dialect.ts").then(
    (m) => m.createResponsesDialect({ RouterError, bearerKey, tooDeep }),
    (error: unknown) => {
      loaded = undefined; // the next request tries again
      throw error;
    },
  ));
}

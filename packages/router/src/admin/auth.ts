/** @module The admin bearer token: compared by sha256 digest in constant time, never echoed. Shared by the admin API and the dashboard. */
import { timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { RouterError } from "../errors.ts";
import { bearerToken, sha256 } from "../runtime/auth.ts";

/** The environment variable holding the admin token; when unset or empty the admin API is disabled. */
export const ADMIN_TOKEN_ENV = "SWITCHYARD_ADMIN_TOKEN";

const CHALLENGE = { "www-authenticate": 'Bearer realm="switchyard-admin"' };

/**
 * Check a request's `Authorization: Bearer <admin token>` against the expected token.
 * Returns undefined when it matches, else a 401 `invalid_admin_token` error whose message never
 * contains what was presented. Both sides are hashed first, so the comparison is constant-time
 * whatever the lengths. Surrounding whitespace of the configured token is ignored. An empty or undefined expected token refuses everything with
 * `admin_disabled` (403): a router without a token has no admin API.
 *
 * @example
 * const refused = checkAdminToken(req, env.SWITCHYARD_ADMIN_TOKEN);
 * if (refused !== undefined) return sendError(res, refused);
 */
export function checkAdminToken(req: Pick<IncomingMessage, "headers">, configuredToken: string | undefined): RouterError | undefined {
  // A token read from a secret file often ends in a newline, which no bearer header can carry.
  const expectedToken = configuredToken?.trim();
  if (expectedToken === undefined || expectedToken === "") {
    return new RouterError("admin_disabled", `the admin API is disabled on this router: start it with ${ADMIN_TOKEN_ENV} set to enable it`);
  }
  const header = req.headers.authorization;
  const presented = bearerToken(header);
  if (presented === undefined) {
    return new RouterError(
      "invalid_admin_token",
      header === undefined
        ? "missing Authorization header: send `Authorization: Bearer <admin token>`"
        : "the Authorization header must be `Bearer <admin token>`",
      { headers: CHALLENGE },
    );
  }
  if (!timingSafeEqual(sha256(presented), sha256(expectedToken)))
    return new RouterError("invalid_admin_token", "the admin token is not valid for this router", { headers: CHALLENGE });
  return undefined;
}

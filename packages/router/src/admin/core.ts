/** @module The router's own parts the admin handler is given (see AdminCore): bundled with the router's core, never with the admin chunk. */
import { RouterError } from "../errors.ts";
import { readBody } from "../http/read-body.ts";
import { ActivationError, activateRelease } from "../runtime/release.ts";
import type { AdminCore } from "./api.ts";
import { checkAdminAccess } from "./attempts.ts";

/** What `createAdminHandler` is given as `core` by the router (mountAdmin) and by createAdminApi. */
export const adminCore: AdminCore = { RouterError, readBody, activateRelease, ActivationError, checkAdminAccess };

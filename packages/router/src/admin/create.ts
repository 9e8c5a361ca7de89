/** @module createAdminApi: the admin API for embedding (the router itself mounts it lazily: ./mount.ts). */
import { releaseAdmission } from "./admission.ts";
import { type AdminApi, type AdminApiOptions, createAdminHandler } from "./api.ts";
import { AdminAttempts } from "./attempts.ts";
import { adminCore } from "./core.ts";

/**
 * Create the admin API handler for one router. The token is read once from `env`; without one
 * every admin request gets 403 `admin_disabled`.
 *
 * @example
 * const admin = createAdminApi({ active, env, adapters, validators, transport, state, now: Date.now });
 * if (path.startsWith("/admin/")) return admin.handle(req, res);
 */
export function createAdminApi(options: AdminApiOptions): AdminApi {
  return createAdminHandler({
    ...options,
    core: adminCore,
    admission: options.admission ?? releaseAdmission(options.env, options.active.current.config),
    attempts: options.attempts ?? new AdminAttempts(options.now),
  });
}

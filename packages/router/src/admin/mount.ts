/** @module Mounting the admin API on the router: the handler's code (uploads, schema check, activation) only once it is needed. */
import type { AdminApi, AdminHandlerOptions, createAdminHandler } from "./api.ts";
import { adminCore } from "./core.ts";

/**
 * The router's admin API. Its handler (./api.ts with the release verification and the IR's JSON Schema) is loaded on
 * the first /admin request, or at start with shared state, whose activations every replica follows. In router.mjs
 * `import("./api.ts")` loads a brotli-compressed chunk embedded in the bundle (packages/compiler/src/emit/router-bundle.ts).
 * `handler`: the handler already loaded (Redis state's support brings it, so router.mjs carries it once).
 * The wrong-token counts (`attempts`) and the admission are the core's, made at start: a wrong token is counted and
 * throttled the same whether or not the handler has loaded.
 *
 * @example
 * const admin = mountAdmin({ active, env, adapters, validators, transport, state, now, admission, attempts });
 * await admin.followSharedReleases();
 * if (path.startsWith("/admin/")) return admin.handle(req, res);
 */
export function mountAdmin(options: Omit<AdminHandlerOptions, "core"> & { handler?: typeof createAdminHandler }): AdminApi {
  let loaded: Promise<AdminApi> | undefined;
  let api: AdminApi | undefined;
  const { handler, ...rest } = options;
  const load = (): Promise<AdminApi> =>
    (loaded ??= (handler !== undefined ? Promise.resolve(handler) : import("./api.ts").then((m) => m.createAdminHandler)).then(
      (create) => (api = create({ ...rest, core: adminCore })),
    ));
  return {
    handle: async (req, res) => (await load()).handle(req, res),
    // In memory there is nothing to follow: the handler stays unloaded until an admin request.
    followSharedReleases: async () => {
      if (options.state.releases !== undefined) await (await load()).followSharedReleases();
    },
    close: () => api?.close(),
  };
}

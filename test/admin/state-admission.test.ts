/**
 * @module Uploads and `state` over the real admin API (issue 19): the state store is chosen at start, so an upload must
 * declare the boot release's state exactly, and the environment whose state the replicas share; the state URL's variable is admitted as the boot release's other secrets
 * are, and can never be sent upstream.
 */
import { type Config, type State, contentHash } from "@switchyard/ir";
import type { RunningRouter } from "@switchyard/router";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMemoryStateStores } from "../../packages/router/src/state/index.ts";
import { ADMIN_TOKEN, adminFetch } from "../helpers/admin.ts";
import { releaseOf } from "../helpers/release.ts";
import { startTestRouter } from "../helpers/router.ts";

const redis: State = { kind: "redis", url: { secret: "REDIS_URL" }, keyPrefix: "switchyard", onUnavailable: "serve-local" };
const boot = releaseOf({
  environment: "prod",
  providers: { sim: { kind: "mock" } },
  models: { m: { provider: "sim", name: "mock-1", context: 8_000, price: { input: 0, output: 0 } } },
  routes: { chat: { model: "m" } },
  state: redis,
});

let router: RunningRouter;
beforeAll(async () => {
  // The stores handed in stand for the Redis ones: what is checked here is the upload, not the store.
  router = await startTestRouter(boot, { env: { SWITCHYARD_ADMIN_TOKEN: ADMIN_TOKEN }, state: createMemoryStateStores(), telemetry: { log: () => undefined } });
});
afterAll(async () => {
  await router.close();
});

/** Upload the boot config with `edit` applied. */
async function upload(edit: (config: Record<string, any>) => void) {
  const config = JSON.parse(JSON.stringify(boot.config)) as Record<string, any>;
  edit(config);
  const hash = contentHash(config as Config);
  const res = await adminFetch(router.url, "PUT", `/admin/releases/${hash}`, { body: JSON.stringify({ hash, config }) });
  return { status: res.status, diagnostics: (res.json as { diagnostics?: Array<{ code: string; path?: string }> }).diagnostics ?? [] };
}

describe("uploads and the boot release's state", () => {
  it("the same state with other routes is accepted", async () => {
    expect((await upload((c) => void (c.models.m.name = "mock-2"))).status).toBe(201);
  });

  it("another state (memory, another URL variable, prefix or mode) is refused as state_not_allowed", async () => {
    const edits: Array<(c: Record<string, any>) => void> = [
      (c) => void delete c.state,
      (c) => void (c.state = { kind: "memory" }),
      (c) => void (c.state.onUnavailable = "refuse"),
      (c) => void (c.state.keyPrefix = "other"),
      (c) => void (c.state.url = { secret: "OTHER_REDIS_URL" }),
    ];
    for (const edit of edits) {
      const { status, diagnostics } = await upload(edit);
      expect(status).toBe(400);
      expect(diagnostics).toContainEqual(expect.objectContaining({ code: "state_not_allowed", path: "config.state" }));
    }
  });

  it("a release of another environment is refused as environment_not_allowed: the replicas share this environment's state", async () => {
    // Found by the fuzz suite's redis target: it was stored under its own environment, then activating it here was a 500.
    for (const environment of ["staging", "valueOf", "PROD"]) {
      const { status, diagnostics } = await upload((c) => void (c.environment = environment));
      expect(status).toBe(400);
      expect(diagnostics).toContainEqual(expect.objectContaining({ code: "environment_not_allowed", path: "config.environment" }));
    }
  });

  it("the state URL's variable is never sent upstream (reserved_secret)", async () => {
    const { status, diagnostics } = await upload((c) => void (c.providers.sim.headers = { authorization: { secret: "REDIS_URL" } }));
    expect(status).toBe(400);
    expect(diagnostics).toContainEqual(expect.objectContaining({ code: "reserved_secret", path: "config.providers.sim.headers.authorization" }));
  });
});

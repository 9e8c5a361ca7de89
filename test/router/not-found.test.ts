/** @module The router's 404 for an unknown path names every endpoint it serves, and each one named is real. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningRouter } from "@switchyard/router";
import { releaseOf } from "../helpers/release.ts";
import { startTestRouter } from "../helpers/router.ts";

let router: RunningRouter;

beforeAll(async () => {
  const release = releaseOf({
    providers: { sim: { kind: "mock" } },
    models: { m: { provider: "sim", name: "mock-1", context: 8_000, price: { input: 0, output: 0 } } },
    routes: { faq: { model: "m" } },
  });
  router = await startTestRouter(release, { env: { SWITCHYARD_ADMIN_TOKEN: "admin-secret" } });
});

afterAll(async () => {
  await router.close();
});

describe("404 for an unknown path", () => {
  it("is an OpenAI error naming the chat, models, health, metrics, dashboard and admin endpoints", async () => {
    const res = await fetch(`${router.url}/v2/chat`);
    expect(res.status).toBe(404);
    const body = (await res.json()) as { error: { message: string; type: string; code: string } };
    expect(body.error.code).toBe("not_found");
    expect(body.error.type).toBe("not_found_error");
    expect(body.error.message).toMatch(/^no endpoint at GET \/v2\/chat; /);
    for (const endpoint of ["POST /v1/chat/completions", "GET /v1/models", "GET /healthz", "GET /readyz", "GET /metrics", "GET /dashboard", "/admin/*"]) {
      expect(body.error.message).toContain(endpoint);
    }
  });

  it("names only endpoints that exist (none of them answers not_found)", async () => {
    const auth = { authorization: "Bearer admin-secret" };
    for (const [method, path] of [
      ["GET", "/v1/models"],
      ["GET", "/healthz"],
      ["GET", "/readyz"],
      ["GET", "/metrics"],
      ["GET", "/dashboard"],
      ["GET", "/admin/releases"],
    ] as const) {
      const res = await fetch(`${router.url}${path}`, { method, headers: auth, redirect: "manual" });
      await res.arrayBuffer();
      expect(res.status, `${method} ${path}`).not.toBe(404);
    }
  });
});

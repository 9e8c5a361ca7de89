/** @module /dashboard over HTTP: the admin token gates the page and its data; sessions are server-side, the cookie a random id, never the token. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningRouter } from "@switchyard/router";
import { releaseOf } from "../helpers/release.ts";
import { startTestRouter } from "../helpers/router.ts";

const TOKEN = "dash-admin-token-0123456789";

const release = releaseOf({
  providers: { mock: { kind: "mock" } },
  models: { "secret-model-name": { provider: "mock", name: "m", context: 8_000, price: { input: 1, output: 1 } } },
  routes: { "secret-route-name": { model: "secret-model-name" } },
});

function loginBody(token: string): RequestInit {
  return {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ token }).toString(),
  };
}

async function expectNoData(response: Response): Promise<string> {
  const text = await response.text();
  expect(text).not.toContain("secret-route-name");
  expect(text).not.toContain("secret-model-name");
  expect(text).not.toContain(TOKEN);
  return text;
}

describe("dashboard access with SWITCHYARD_ADMIN_TOKEN set", () => {
  let router: RunningRouter;
  beforeAll(async () => {
    router = await startTestRouter(release, { env: { SWITCHYARD_ADMIN_TOKEN: TOKEN } });
  });
  afterAll(async () => {
    await router.close();
  });

  it("shows a browser without a session the sign-in form with 401 and no data", async () => {
    const response = await fetch(`${router.url}/dashboard`, { headers: { accept: "text/html" } });
    expect(response.status).toBe(401);
    expect(response.headers.get("content-type")).toMatch(/^text\/html/);
    const html = await expectNoData(response);
    expect(html).toContain('action="/dashboard/login"');
    expect(html).not.toContain("api/snapshot");
  });

  it("refuses the data endpoint without a token, with a wrong one, and with a forged cookie (OpenAI error shape, token never echoed)", async () => {
    const wrong = "wrong-token-that-must-not-echo";
    for (const headers of [
      {},
      { authorization: `Bearer ${wrong}` },
      { authorization: wrong },
      { cookie: `switchyard_dashboard=99999999999999.${"0".repeat(64)}` },
      { cookie: `switchyard_dashboard=${TOKEN}` },
    ] as Array<Record<string, string>>) {
      const response = await fetch(`${router.url}/dashboard/api/snapshot`, { headers });
      expect(response.status).toBe(401);
      const text = await expectNoData(response);
      expect(text).not.toContain(wrong);
      const body = JSON.parse(text) as { error: { code: string; type: string; message: string } };
      expect(body.error).toMatchObject({ code: "invalid_admin_token", type: "authentication_error" });
    }
  });

  it("refuses a wrong token at sign-in without setting a cookie", async () => {
    for (const token of ["nope", "", `${TOKEN}x`]) {
      const response = await fetch(`${router.url}/dashboard/login`, loginBody(token));
      expect(response.status).toBe(401);
      expect(response.headers.get("set-cookie")).toBeNull();
      await expectNoData(response);
    }
  });

  it("signs in with the token: an HttpOnly SameSite=Strict HMAC cookie, then the page and data; sign-out ends it", async () => {
    const login = await fetch(`${router.url}/dashboard/login`, loginBody(TOKEN));
    expect(login.status).toBe(303);
    expect(login.headers.get("location")).toBe("/dashboard");
    const setCookie = login.headers.get("set-cookie") ?? "";
    expect(setCookie).toMatch(/^switchyard_dashboard=[0-9a-f]{64}; Path=\/dashboard; Max-Age=28800; HttpOnly; SameSite=Strict$/);
    expect(setCookie).not.toContain(TOKEN);
    const cookie = setCookie.split(";")[0] ?? "";

    const page = await fetch(`${router.url}/dashboard`, { headers: { cookie, "accept-encoding": "gzip" } });
    expect(page.status).toBe(200);
    expect(page.headers.get("content-security-policy")).toMatch(/script-src 'sha256-[A-Za-z0-9+/=]+'/);
    expect(page.headers.get("x-frame-options")).toBe("DENY");
    const html = await page.text();
    expect(html).toContain("/dashboard/api/snapshot");
    expect(html).not.toContain(TOKEN);
    const etag = page.headers.get("etag") ?? "";
    expect((await fetch(`${router.url}/dashboard`, { headers: { cookie, "if-none-match": etag } })).status).toBe(304);

    const data = await fetch(`${router.url}/dashboard/api/snapshot`, { headers: { cookie } });
    expect(data.status).toBe(200);
    const snapshot = (await data.json()) as { release: { hash: string }; routes: Array<{ id: string }> };
    expect(snapshot.release.hash).toBe(release.hash);
    expect(snapshot.routes.map((r) => r.id)).toEqual(["secret-route-name"]);
    expect((await fetch(`${router.url}/dashboard/api/snapshot`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);

    const logout = await fetch(`${router.url}/dashboard/logout`, { method: "POST", redirect: "manual", headers: { cookie } });
    expect(logout.status).toBe(303);
    expect(logout.headers.get("set-cookie")).toMatch(/^switchyard_dashboard=; .*Max-Age=0/);
  });

  it("answers other methods and paths with the router's JSON errors", async () => {
    const put = await fetch(`${router.url}/dashboard`, { method: "PUT" });
    expect(put.status).toBe(405);
    expect(put.headers.get("allow")).toBe("GET, HEAD");
    expect(((await put.json()) as { error: { code: string } }).error.code).toBe("method_not_allowed");
    expect((await fetch(`${router.url}/dashboard/login`)).status).toBe(405);
    const missing = await fetch(`${router.url}/dashboard/nothing-here`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe("not_found");
  });
});

describe("dashboard on a router without an admin token", () => {
  it("is disabled: 403 admin_disabled for data, a plain page for a browser, and sign-in cannot succeed", async () => {
    const router = await startTestRouter(release, { env: {} });
    try {
      const data = await fetch(`${router.url}/dashboard/api/snapshot`, { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(data.status).toBe(403);
      expect(((await data.json()) as { error: { code: string } }).error.code).toBe("admin_disabled");
      const page = await fetch(`${router.url}/dashboard`, { headers: { accept: "text/html" } });
      expect(page.status).toBe(403);
      expect(await expectNoData(page)).toContain("SWITCHYARD_ADMIN_TOKEN");
      const login = await fetch(`${router.url}/dashboard/login`, {
        ...loginBody(""),
        headers: { "content-type": "application/x-www-form-urlencoded", accept: "text/html" },
      });
      expect(login.status).toBe(403);
      expect(login.headers.get("set-cookie")).toBeNull();
    } finally {
      await router.close();
    }
  });
});

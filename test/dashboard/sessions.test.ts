/**
 * @module Dashboard sessions over real HTTP: signing out ends the session on the server (a copy of the old
 * cookie is refused), a session idles out after 1 h and ends 8 h after sign-in however busy it is.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { RunningRouter } from "@switchyard/router";
import { releaseOf } from "../helpers/release.ts";
import { startTestRouter } from "../helpers/router.ts";

const TOKEN = "dash-admin-token-0123456789";
const HOUR = 3_600_000;
const release = releaseOf({
  providers: { mock: { kind: "mock" } },
  models: { m: { provider: "mock", name: "m", context: 8_000, price: { input: 1, output: 1 } } },
  routes: { chat: { model: "m" } },
});

let router: RunningRouter | undefined;
let clock = Date.parse("2026-12-06T12:00:00.000Z");
afterEach(async () => {
  await router?.close();
  router = undefined;
});

async function start(): Promise<string> {
  router = await startTestRouter(release, { env: { SWITCHYARD_ADMIN_TOKEN: TOKEN }, now: () => clock });
  return router.url;
}

/** Sign in over the form; the `name=value` of the session cookie. */
async function signIn(url: string): Promise<string> {
  const login = await fetch(`${url}/dashboard/login`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ token: TOKEN }).toString(),
  });
  expect(login.status).toBe(303);
  return (login.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
}

const page = (url: string, cookie: string) =>
  fetch(`${url}/dashboard`, { headers: { cookie, accept: "text/html" } }).then(async (res) => ({ status: res.status, html: await res.text() }));
const data = (url: string, cookie: string) => fetch(`${url}/dashboard/api/snapshot`, { headers: { cookie } }).then((res) => res.status);

describe("dashboard sessions (real HTTP)", () => {
  it("logout ends the session: the old cookie, replayed, gets the sign-in form (401) and no data", async () => {
    const url = await start();
    const cookie = await signIn(url);
    const other = await signIn(url); // another browser
    expect((await page(url, cookie)).status).toBe(200);
    expect(await data(url, cookie)).toBe(200);
    const logout = await fetch(`${url}/dashboard/logout`, { method: "POST", redirect: "manual", headers: { cookie } });
    expect(logout.status).toBe(303);
    expect(logout.headers.get("set-cookie")).toMatch(/^switchyard_dashboard=; .*Max-Age=0/);
    // Before: the stateless cookie kept reading 200 for 12 h after logout.
    const replayed = await page(url, cookie);
    expect(replayed.status).toBe(401);
    expect(replayed.html).toContain('action="/dashboard/login"');
    expect(await data(url, cookie)).toBe(401);
    expect(await data(url, other)).toBe(200); // only the signed-out session ended
  });

  it("idles out after 1 h without a request, and ends 8 h after sign-in even while the page polls", async () => {
    const url = await start();
    const idle = await signIn(url);
    const busy = await signIn(url);
    // The page polls `busy` every 30 min for 7.5 h; `idle` is used at 30 and 60 min, then left alone.
    for (let step = 1; step <= 15; step++) {
      clock += 30 * 60_000;
      expect(await data(url, busy)).toBe(200);
      if (step <= 2) expect(await data(url, idle)).toBe(200);
      if (step === 4) expect(await data(url, idle)).toBe(401); // 1 h since its last request: idled out
    }
    clock += 30 * 60_000; // 8 h since sign-in
    expect(await data(url, busy)).toBe(401);
    expect((await page(url, busy)).status).toBe(401);
  });
});

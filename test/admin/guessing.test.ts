/**
 * @module Guessing the admin token from many addresses over real sockets: each client socket is bound
 * to its own loopback address (`localAddress`), so the router sees 127.x.y.z peers as it would see a
 * botnet. A /24 shares one allowance; past the router-wide cap every wrong token answers 429, sources
 * that guessed are refused outright, and the right token from anywhere else still works.
 */
import { request } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import type { RunningRouter } from "@switchyard/router";
import { createMockAdapter } from "../../packages/router/src/adapters/mock/index.ts";
import { startTestRouter } from "../helpers/router.ts";
import { ADMIN_TOKEN, numberedRelease } from "../helpers/admin.ts";

let router: RunningRouter | undefined;
afterEach(async () => {
  await router?.close();
  router = undefined;
});

async function start(): Promise<RunningRouter> {
  const clock = Date.parse("2026-12-06T12:00:00.000Z");
  router = await startTestRouter(numberedRelease(0), {
    env: { SWITCHYARD_ADMIN_TOKEN: ADMIN_TOKEN },
    adapters: { mock: createMockAdapter },
    now: () => clock,
    telemetry: { log: () => undefined },
  });
  return router;
}

/** GET /admin/releases with `token` from a socket bound to `from`: the status, Retry-After and error message. */
function adminFrom(url: string, from: string, token: string): Promise<{ status: number; retryAfter: string | undefined; message: string | undefined }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: hostname, port, path: "/admin/releases", localAddress: from, agent: false, headers: { authorization: `Bearer ${token}` } },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (body += chunk));
        res.on("end", () => {
          const message = res.statusCode === 200 ? undefined : (JSON.parse(body) as { error: { message: string } }).error.message;
          resolve({ status: res.statusCode ?? 0, retryAfter: res.headers["retry-after"] as string | undefined, message });
        });
      },
    );
    req.on("error", reject);
    req.end();
  });
}

describe("guessing the admin token from many addresses (real sockets, 127.x.y.z peers)", () => {
  it("30 addresses of one /24 share its allowance of 30: the 31st guess is refused, even with the right token", async () => {
    const { url } = await start();
    // Before: 30 addresses × 10 tries = 300 guesses with no 429. Now the /24 has 30 in all.
    for (let i = 0; i < 30; i++) expect((await adminFrom(url, `127.0.0.${i + 2}`, `wrong-${i}`)).status).toBe(401);
    const refused = await adminFrom(url, "127.0.0.100", ADMIN_TOKEN);
    expect(refused).toEqual({ status: 429, retryAfter: "60", message: "too many wrong admin tokens from this network (127.0.0.0/24); try again in 60 s" });
    expect((await adminFrom(url, "127.0.1.100", ADMIN_TOKEN)).status).toBe(200); // the next /24 is not affected
  });

  it("past 100 wrong tokens router-wide, every wrong token answers 429 and guessers are refused; the right token from a clean address still works", async () => {
    const { url } = await start();
    // 12 addresses in 12 different /24s, 9 guesses each: no address or network reaches its own limit.
    const statuses: number[] = [];
    for (let a = 0; a < 12; a++) for (let i = 0; i < 9; i++) statuses.push((await adminFrom(url, `127.1.${a}.1`, `wrong-${a}-${i}`)).status);
    expect(statuses.slice(0, 99).every((status) => status === 401)).toBe(true);
    expect(statuses[99]).toBe(429); // the 100th wrong token locks the router down…
    expect(statuses.slice(99).every((status) => status === 429)).toBe(true); // …and every later one is refused
    expect(await adminFrom(url, "127.1.11.1", ADMIN_TOKEN)).toEqual({
      status: 429,
      retryAfter: "60",
      message: "too many wrong admin tokens to this router; try again in 60 s",
    });
    expect((await adminFrom(url, "127.1.0.1", ADMIN_TOKEN)).status).toBe(429);
    // A source that has not guessed gets its one check: wrong → 429 (and it is refused from then on)…
    expect((await adminFrom(url, "127.2.0.1", "wrong-fresh")).status).toBe(429);
    expect((await adminFrom(url, "127.2.0.1", ADMIN_TOKEN)).status).toBe(429);
    // …right → 200: the attacker cannot lock the operator out.
    expect((await adminFrom(url, "127.3.0.1", ADMIN_TOKEN)).status).toBe(200);
    expect((await adminFrom(url, "127.3.0.1", ADMIN_TOKEN)).status).toBe(200);
  });
});

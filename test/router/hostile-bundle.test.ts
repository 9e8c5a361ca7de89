/**
 * @module router.mjs itself against hostile input (issue 17, item 1): a model name no header can carry
 * answers 404 and the process serves on; a stray rejection and an uncaught exception outside any request
 * are logged in one line each (no stack) and the process serves on.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundleRouter } from "../../packages/compiler/src/emit/router-bundle.ts";
import { type RouterProcess, spawnRouter } from "../helpers/process.ts";
import { releaseOf } from "../helpers/release.ts";

const release = releaseOf({
  providers: { sim: { kind: "mock" } },
  models: { m: { provider: "sim", name: "mock-1", context: 8_000, price: { input: 1, output: 2 } } },
  routes: { chat: { model: "m" } },
  teams: { demo: { keys: [{ secret: "DEMO_KEY" }], routes: ["chat"] } },
});

// Test-only code loaded before router.mjs by node's --import (nothing in the router knows of it): on SIGUSR2 it
// leaves a rejected promise unhandled and throws from a timer, as a bug outside any request would.
const stray = `data:text/javascript,${encodeURIComponent(
  'process.on("SIGUSR2", () => { Promise.reject(new Error("stray rejection")); setTimeout(() => { throw new TypeError("stray throw"); }, 10); });',
)}`;

let dir: string;
let router: RouterProcess;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "switchyard-hostile-"));
  await bundleRouter({ release, outFile: path.join(dir, "router.mjs") });
  router = await spawnRouter(["--import", stray, "router.mjs", "--port", "0"], { cwd: dir, env: { DEMO_KEY: "demo-key" } });
}, 60_000);
afterAll(async () => {
  router?.child.kill("SIGTERM");
  await router?.exited;
  await rm(dir, { recursive: true, force: true });
});

const post = (model: string): Promise<Response> =>
  fetch(`${router.url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: "Bearer demo-key", "content-type": "application/json" },
    body: JSON.stringify({ model, messages: [{ role: "user", content: "hi" }] }),
  });

describe("router.mjs under hostile input", () => {
  it("a model name with a control character, an emoji, CJK or a prototype name is a 404, and /healthz still answers", async () => {
    for (const model of ["x\u0001", "😀", "客服", "__proto__", "toString"]) {
      const res = await post(model);
      expect(res.status).toBe(404);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("route_not_found");
      expect((await fetch(`${router.url}/healthz`)).status).toBe(200);
    }
    expect((await post("chat")).status).toBe(200);
  });

  it("logs a stray rejection and an uncaught exception in one line each, no stack, and keeps serving", async () => {
    router.child.kill("SIGUSR2");
    for (let i = 0; i < 50 && !router.stderr().includes("stray throw"); i++) await new Promise((r) => setTimeout(r, 20));
    expect(router.stderr()).toContain("switchyard router: unhandled rejection (still serving): Error: stray rejection\n");
    expect(router.stderr()).toContain("switchyard router: uncaught exception (still serving): TypeError: stray throw\n");
    expect(router.stderr()).not.toMatch(/\n\s+at /);
    expect(router.child.exitCode).toBeNull();
    expect((await fetch(`${router.url}/healthz`)).status).toBe(200);
    expect((await post("chat")).status).toBe(200);
  });
});

/** The HTTP contract: error bodies and statuses, auth, body limits, headers, methods, health. */
import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningRouter } from "@switchyard/router";
import { releaseOf } from "../helpers/release.ts";
import { chat, startTestRouter } from "../helpers/router.ts";

let router: RunningRouter;
let open: RunningRouter;

const base = {
  providers: { sim: { kind: "mock" as const } },
  models: { m: { provider: "sim", name: "mock-1", context: 8_000, price: { input: 0, output: 0 } } },
  routes: { faq: { model: "m" }, legal: { model: "m" } },
};

beforeAll(async () => {
  router = await startTestRouter(
    releaseOf({ ...base, teams: { support: { keys: [{ secret: "SUPPORT_KEY" }], routes: ["faq"] } }, router: { maxBodyBytes: 2_000 } }),
    { env: { SUPPORT_KEY: "support-secret" } },
  );
  open = await startTestRouter(releaseOf(base));
});

afterAll(async () => {
  await router.close();
  await open.close();
});

const auth = { authorization: "Bearer support-secret" };
const hi = [{ role: "user", content: "hi" }];

async function errorOf(res: Response): Promise<unknown> {
  expect(res.headers.get("content-type")).toBe("application/json");
  return res.json();
}

describe("error bodies", () => {
  it("401 without a key", async () => {
    const res = await chat(router, { model: "faq", messages: hi });
    expect(res.status).toBe(401);
    expect(await errorOf(res)).toEqual({
      error: {
        message: "missing Authorization header: send `Authorization: Bearer <team key>`",
        type: "authentication_error",
        code: "missing_api_key",
        param: null,
      },
    });
  });

  it("401 with an unknown key, which is never echoed", async () => {
    const res = await chat(router, { model: "faq", messages: hi }, { authorization: "Bearer sk-wrong-key-123" });
    expect(res.status).toBe(401);
    const text = await res.text();
    expect(JSON.parse(text)).toEqual({
      error: { message: "the API key is not valid for this router", type: "authentication_error", code: "invalid_api_key", param: null },
    });
    expect(text).not.toContain("sk-wrong-key-123");
  });

  it("403 for a route the team may not use", async () => {
    const res = await chat(router, { model: "legal", messages: hi }, auth);
    expect(res.status).toBe(403);
    expect(await errorOf(res)).toEqual({
      error: { message: "team `support` may not use route `legal`", type: "permission_error", code: "route_not_allowed", param: "model" },
    });
  });

  it("404 for an unknown route", async () => {
    const res = await chat(router, { model: "nope", messages: hi }, auth);
    expect(res.status).toBe(404);
    expect(await errorOf(res)).toEqual({
      error: {
        message: "route `nope` does not exist; `model` names a route (GET /v1/models lists yours)",
        type: "not_found_error",
        code: "route_not_found",
        param: "model",
      },
    });
  });

  it("400 for malformed JSON", async () => {
    const res = await chat(router, '{"model": "faq", ', auth);
    expect(res.status).toBe(400);
    const body = (await errorOf(res)) as { error: Record<string, unknown> };
    expect(body.error).toMatchObject({ type: "invalid_request_error", code: "invalid_json", param: null });
    expect(String(body.error["message"])).toMatch(/^the request body is not valid JSON/);
  });

  it.each([
    [{ model: "faq" }, "messages", "`messages` is required"],
    [{ model: "faq", messages: "hi" }, "messages", "`messages` must be an array, got a string"],
    [{ model: 42, messages: hi }, "model", "`model` must be a non-empty string (a route name), got a number"],
    [
      { model: "faq", messages: [{ role: "user", content: 7 }] },
      "messages[0].content",
      "`messages[0].content` must be a string or an array of content parts, got a number",
    ],
    [{ model: "faq", messages: hi, stream: "yes" }, "stream", "`stream` must be a boolean, got a string"],
    [{ model: "faq", messages: hi, max_tokens: -1 }, "max_tokens", "`max_tokens` must be at least 1, got -1"],
  ])("400 naming the field for %j", async (body, param, message) => {
    const res = await chat(router, body, auth);
    expect(res.status).toBe(400);
    expect(await errorOf(res)).toEqual({ error: { message, type: "invalid_request_error", code: "invalid_request", param } });
  });

  it("413 for a body over maxBodyBytes (declared length)", async () => {
    const res = await chat(router, { model: "faq", messages: [{ role: "user", content: "x".repeat(5_000) }] }, auth);
    expect(res.status).toBe(413);
    expect(await errorOf(res)).toEqual({
      error: { message: "the request body exceeds the limit of 2000 bytes", type: "invalid_request_error", code: "body_too_large", param: null },
    });
  });

  it("413 for a huge chunked body, without reading it all", async () => {
    const url = new URL(`${router.url}/v1/chat/completions`);
    const result = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(url, { method: "POST", headers: { ...auth, "content-type": "application/json", "transfer-encoding": "chunked" } }, (res) => {
        let body = "";
        res.on("data", (d: Buffer) => (body += d.toString()));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on("error", reject);
      let sent = 0;
      const pump = (): void => {
        while (sent < 50 * 1024 * 1024) {
          sent += 64 * 1024;
          if (!req.write("x".repeat(64 * 1024))) return void req.once("drain", pump);
        }
        req.end();
      };
      pump();
    });
    expect(result.status).toBe(413);
    expect(JSON.parse(result.body).error.code).toBe("body_too_large");
  });

  it("404 JSON for unknown paths and 405 for wrong methods", async () => {
    const notFound = await fetch(`${router.url}/v2/whatever`);
    expect(notFound.status).toBe(404);
    expect(((await notFound.json()) as { error: { code: string } }).error.code).toBe("not_found");
    const wrong = await fetch(`${router.url}/v1/chat/completions`);
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get("allow")).toBe("POST");
    expect(((await wrong.json()) as { error: { code: string } }).error.code).toBe("method_not_allowed");
  });
});

describe("headers", () => {
  it("every response carries the x-switchyard headers, errors too", async () => {
    for (const res of [
      await chat(router, { model: "faq", messages: hi }, auth),
      await chat(router, { model: "nope", messages: hi }, auth),
      await fetch(`${router.url}/healthz`),
    ]) {
      expect(res.headers.get("x-switchyard-request-id")).toBeTruthy();
      expect(res.headers.get("x-switchyard-config-version")).toBe(router.active.current.hash);
    }
    const ok = await chat(router, { model: "faq", messages: hi }, auth);
    expect(ok.headers.get("x-switchyard-route")).toBe("faq");
    expect(ok.headers.get("x-switchyard-model")).toBe("m");
    expect(ok.headers.get("x-switchyard-provider")).toBe("sim");
    expect(ok.headers.get("x-switchyard-attempts")).toBe("1");
    const missing = await chat(router, { model: "nope", messages: hi }, auth);
    // A name that is no route is not echoed: the client's string may hold anything (docs/http-api.md).
    expect(missing.headers.get("x-switchyard-route")).toBeNull();
    expect(missing.headers.get("x-switchyard-attempts")).toBe("0");
    expect(missing.headers.get("x-switchyard-model")).toBeNull();
  });

  it("echoes a caller's x-request-id", async () => {
    const res = await chat(router, { model: "faq", messages: hi }, { ...auth, "x-request-id": "trace-abc-123" });
    expect(res.headers.get("x-switchyard-request-id")).toBe("trace-abc-123");
  });
});

describe("models and health", () => {
  it("GET /v1/models lists only the team's routes; an open router lists all and needs no key", async () => {
    const team = await fetch(`${router.url}/v1/models`, { headers: auth });
    expect(((await team.json()) as { data: Array<{ id: string }> }).data.map((m) => m.id)).toEqual(["faq"]);
    expect((await fetch(`${router.url}/v1/models`)).status).toBe(401);
    const all = await fetch(`${open.url}/v1/models`);
    expect(await all.json()).toEqual({
      object: "list",
      data: [
        { id: "faq", object: "model", created: 0, owned_by: "switchyard" },
        { id: "legal", object: "model", created: 0, owned_by: "switchyard" },
      ],
    });
    expect((await chat(open, { model: "legal", messages: hi })).status).toBe(200);
  });

  it("healthz and readyz", async () => {
    expect(await (await fetch(`${router.url}/healthz`)).json()).toEqual({ status: "ok" });
    const ready = await fetch(`${router.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: "ready", release: router.active.current.hash, environment: "test" });
  });
});

describe("graceful shutdown in process", () => {
  it("readyz turns 503 at once, requests are still served during unreadyMs, in-flight ones finish, then it stops accepting", async () => {
    const slow = await startTestRouter(
      releaseOf({
        providers: { sim: { kind: "mock", mock: { ttftMs: 300 } } },
        models: { m: { provider: "sim", name: "mock-1", context: 8_000, price: { input: 0, output: 0 } } },
        routes: { faq: { model: "m" } },
      }),
    );
    const inflight = chat(slow, { model: "faq", messages: hi });
    await new Promise((r) => setTimeout(r, 50));
    const closed = slow.close({ unreadyMs: 200 });
    const ready = await fetch(`${slow.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({ status: "draining" });
    expect((await fetch(`${slow.url}/healthz`)).status).toBe(200);
    const res = await inflight;
    expect(res.status).toBe(200);
    await closed;
    await expect(fetch(`${slow.url}/healthz`)).rejects.toThrow();
  });
});

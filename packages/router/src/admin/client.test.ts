/** @module AdminClient against injected fetches: request shape, error mapping, and that the token never reaches an error. */
import { describe, expect, it } from "vitest";
import { AdminClient, AdminClientError, releaseHashOf } from "./client.ts";

const HASH = "a".repeat(64);
const TOKEN = "tok-secret-123";

function fakeFetch(answer: (url: string, init: RequestInit) => Response | Promise<Response>): {
  fetch: typeof fetch;
  calls: Array<{ url: string; init: RequestInit }>;
} {
  const calls: Array<{ url: string; init: RequestInit }> = [];
  const f = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = String(input);
    calls.push({ url, init: init ?? {} });
    return answer(url, init ?? {});
  }) as typeof fetch;
  return { fetch: f, calls };
}

async function caught(promise: Promise<unknown>): Promise<AdminClientError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AdminClientError) return error;
    throw error;
  }
  throw new Error("expected an AdminClientError");
}

describe("AdminClient", () => {
  it("sends the bearer token and the release to PUT /admin/releases/{hash from the body}", async () => {
    const { fetch, calls } = fakeFetch(() => Response.json({ hash: HASH, created: true }, { status: 201 }));
    const client = new AdminClient({ url: "http://router:8787/", token: TOKEN, fetch });
    const text = JSON.stringify({ hash: HASH, config: {} });
    expect(await client.pushRelease(text)).toEqual({ hash: HASH, created: true });
    expect(calls[0]?.url).toBe(`http://router:8787/admin/releases/${HASH}`);
    expect(calls[0]?.init.method).toBe("PUT");
    expect(calls[0]?.init.body).toBe(text);
    expect((calls[0]?.init.headers as Record<string, string>)["authorization"]).toBe(`Bearer ${TOKEN}`);
    await client.listReleases({ limit: 5 });
    expect(calls[1]?.url).toBe("http://router:8787/admin/releases?limit=5");
  });

  it("maps the router's error body, with diagnostics", async () => {
    const { fetch } = fakeFetch(() =>
      Response.json(
        {
          error: { message: "bad", type: "invalid_request_error", code: "invalid_release" },
          diagnostics: [{ code: "hash_mismatch", message: "m", path: "hash" }],
        },
        { status: 400 },
      ),
    );
    const error = await caught(new AdminClient({ url: "http://r", token: TOKEN, fetch }).activate(HASH));
    expect(error).toMatchObject({ code: "invalid_release", status: 400, message: "bad", diagnostics: [{ code: "hash_mismatch", path: "hash" }] });
  });

  it("not a Switchyard answer → invalid_response; no answer → unreachable or timeout (status 0); never the token", async () => {
    const html = await caught(
      new AdminClient({ url: "http://r", token: TOKEN, fetch: fakeFetch(() => new Response("<html>", { status: 502 })).fetch }).state(),
    );
    expect(html).toMatchObject({ code: "invalid_response", status: 502 });
    const other = await caught(
      new AdminClient({ url: "http://r", token: TOKEN, fetch: fakeFetch(() => Response.json({ nope: 1 }, { status: 500 })).fetch }).state(),
    );
    expect(other).toMatchObject({ code: "invalid_response", status: 500 });
    const refused = fakeFetch(() => {
      throw Object.assign(new TypeError("fetch failed"), { cause: { code: "ECONNREFUSED" } });
    });
    const unreachable = await caught(new AdminClient({ url: "http://r", token: TOKEN, fetch: refused.fetch }).rollback());
    expect(unreachable).toMatchObject({ code: "unreachable", status: 0, message: "cannot reach the router at http://r: ECONNREFUSED" });
    const hanging = fakeFetch(
      (_url, init) => new Promise<Response>((_resolve, reject) => init.signal?.addEventListener("abort", () => reject(init.signal?.reason))),
    );
    const timeout = await caught(new AdminClient({ url: "http://r", token: TOKEN, fetch: hanging.fetch, timeoutMs: 20 }).listReleases());
    expect(timeout).toMatchObject({ code: "timeout", status: 0 });
    for (const e of [html, other, unreachable, timeout]) expect(e.message).not.toContain(TOKEN);
  });

  it("releaseHashOf refuses text that is not a release before anything is sent", () => {
    expect(releaseHashOf(JSON.stringify({ hash: HASH, config: {} }))).toBe(HASH);
    expect(() => releaseHashOf("{")).toThrow(AdminClientError);
    expect(() => releaseHashOf('{"hash":"xyz"}')).toThrow(/no valid `hash`/);
  });
});

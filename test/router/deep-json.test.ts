/**
 * Over-deep JSON from a client (issue 17, items 4 and 9): a 400 naming the field on both HTTP paths,
 * never a 500 stack overflow, and never a failure booked against the model for every other team.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Release } from "@switchyard/ir";
import { createMemoryStateStores, type RunningRouter } from "@switchyard/router";
import { type FakeOpenAi, startFakeOpenAi } from "../helpers/fake-openai.ts";
import { releaseOf } from "../helpers/release.ts";
import { chat, startTestRouter } from "../helpers/router.ts";

const env = { A_KEY: "key-team-a", B_KEY: "key-team-b", SWITCHYARD_ADMIN_TOKEN: "admin-token-for-tests" };
let primary: FakeOpenAi;
let backup: FakeOpenAi;
let release: Release;
let router: RunningRouter;

/** `levels` nested arrays around `leaf`, as text (built as text: JSON.stringify would overflow). */
const nestedText = (levels: number, leaf = "1"): string => "[".repeat(levels) + leaf + "]".repeat(levels);
const body = (extra: string, stream = false): string => `{"model":"main","stream":${stream},"messages":[{"role":"user","content":"hi"}],${extra}}`;

beforeAll(async () => {
  primary = await startFakeOpenAi();
  backup = await startFakeOpenAi();
  release = releaseOf({
    providers: { p: { kind: "openai", baseUrl: primary.baseUrl }, b: { kind: "openai", baseUrl: backup.baseUrl } },
    models: {
      prim: { provider: "p", name: "prim-model", context: 100_000, price: { input: 1, output: 1 } },
      back: { provider: "b", name: "back-model", context: 100_000, price: { input: 1, output: 1 } },
    },
    routes: { main: { model: "prim", fallback: [{ model: "back" }], retry: { attempts: 2, backoffMs: 1 } } },
    teams: { a: { keys: [{ secret: "A_KEY" }], routes: ["main"] }, b: { keys: [{ secret: "B_KEY" }], routes: ["main"] } },
  });
});

afterAll(async () => {
  await primary.close();
  await backup.close();
});

describe.each([
  ["the fast path", true],
  ["node:http", false],
])("on %s", (_name, fastPath) => {
  beforeEach(async () => {
    // Three failures would open the breaker: ten booked requests would be noticed.
    const state = createMemoryStateStores({ breaker: { consecutiveFailures: 3, minCalls: 1_000 } });
    router = await startTestRouter(release, { env, state, fastPath });
  });
  afterEach(async () => {
    await router.close();
    primary.requests.length = 0;
    backup.requests.length = 0;
  });

  it.each([
    [
      "tools[].function.parameters",
      `"tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object","properties":{"x":${nestedText(100_000)}}}}}]`,
      "tools[0].function.parameters",
    ],
    [
      "response_format.json_schema.schema",
      `"response_format":{"type":"json_schema","json_schema":{"name":"s","schema":${nestedText(100)}}}`,
      "response_format.json_schema.schema",
    ],
    ["an unknown field", `"extra_field":${nestedText(100_000)}`, "extra_field[0][0][0]"],
  ])("answers 400 invalid_request naming %s", async (_field, extra, param) => {
    for (const stream of [false, true]) {
      const res = await chat(router, body(extra, stream), { authorization: `Bearer ${env.A_KEY}` });
      expect(res.status).toBe(400);
      const answer = (await res.json()) as { error: { code: string; param: string; message: string } };
      expect(answer.error).toMatchObject({ code: "invalid_request", param });
      expect(answer.error.message).toContain("more than 64 levels deep");
    }
    expect(primary.requests.length + backup.requests.length).toBe(0);
  });

  it("refuses an uploaded release whose validator schema nests past the limit with 400, not a stack overflow", async () => {
    const admin = { authorization: `Bearer ${env.SWITCHYARD_ADMIN_TOKEN}` };
    // 30,000 levels: deep enough to overflow a recursive check, small enough (~1.1 MB) for the 2 MiB upload cap.
    const deepSchema = '{"type":"object","properties":{"a":'.repeat(30_000) + "{}" + "}}".repeat(30_000);
    const text = JSON.stringify({
      hash: release.hash,
      config: { ...release.config, routes: { main: { ...release.config.routes["main"], validate: [{ kind: "json-schema", schema: "@SCHEMA@" }] } } },
    }).replace('"@SCHEMA@"', deepSchema);
    const res = await fetch(`${router.url}/admin/releases/${release.hash}`, {
      method: "PUT",
      headers: { ...admin, "content-type": "application/json" },
      body: text,
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string }; diagnostics: Array<{ message: string; path: string }> };
    expect(body.error.code).toBe("invalid_release");
    expect(body.diagnostics[0]).toMatchObject({ path: "config.routes.main.validate", message: expect.stringMatching(/more than 128 levels deep/) });
    const health = await fetch(`${router.url}/healthz`);
    expect(health.status).toBe(200);
  });

  it("ten over-deep streamed requests leave the model healthy for another team", async () => {
    for (let i = 0; i < 10; i++) {
      const res = await chat(router, body(`"extra_field":${nestedText(100_000)}`, true), { authorization: `Bearer ${env.A_KEY}` });
      expect(res.status).toBe(400);
      await res.arrayBuffer();
    }
    const state = await fetch(`${router.url}/admin/state`, { headers: { authorization: `Bearer ${env.SWITCHYARD_ADMIN_TOKEN}` } });
    expect(state.status).toBe(200);
    const snapshot = (await state.json()) as { breakers: Record<string, { status: string; consecutiveFailures: number; windowErrors: number }> };
    for (const model of ["prim", "back"]) {
      const breaker = snapshot.breakers[model];
      expect(breaker?.status ?? "closed").toBe("closed");
      expect(breaker?.consecutiveFailures ?? 0).toBe(0);
      expect(breaker?.windowErrors ?? 0).toBe(0);
    }
    const res = await chat(router, body(`"extra_field":{"ok":true}`, true), { authorization: `Bearer ${env.B_KEY}` });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-switchyard-model")).toBe("prim");
    await res.text();
    expect(primary.requests).toHaveLength(1);
    expect(backup.requests).toHaveLength(0);
  });
});

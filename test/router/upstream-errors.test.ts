/**
 * Upstream client errors over real sockets: a 400/413/422 reaches the client with the upstream's status, type and code
 * (Anthropic's shape mapped to OpenAI's), plain and streamed; a context-length 400 falls back only to a longer window;
 * the official `openai` client does not retry it; none of it is booked against the model, while a 401 is.
 */
import OpenAI from "openai";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type RunningRouter, createMemoryStateStores } from "@switchyard/router";
import { type FakeAnthropic, startFakeAnthropic } from "../helpers/fake-anthropic.ts";
import { type Behaviour, type FakeOpenAi, startFakeOpenAi } from "../helpers/fake-openai.ts";
import { always } from "../helpers/primary-backup.ts";
import { releaseOf } from "../helpers/release.ts";
import { chat, startTestRouter } from "../helpers/router.ts";

let primary: FakeOpenAi;
let backup: FakeOpenAi;
let anthropic: FakeAnthropic;
let router: RunningRouter;
const state = createMemoryStateStores();

beforeAll(async () => {
  primary = await startFakeOpenAi();
  backup = await startFakeOpenAi(always({ kind: "ok", text: "backup here" }));
  anthropic = await startFakeAnthropic();
  router = await startTestRouter(
    releaseOf({
      providers: {
        p: { kind: "openai", baseUrl: primary.baseUrl },
        b: { kind: "openai", baseUrl: backup.baseUrl },
        ant: { kind: "anthropic", baseUrl: anthropic.baseUrl, apiKey: { secret: "ANT_KEY" } },
      },
      models: {
        prim: { provider: "p", name: "prim-model", context: 100_000, price: { input: 1, output: 1 } },
        same: { provider: "b", name: "same-window", context: 100_000, price: { input: 1, output: 1 } },
        big: { provider: "b", name: "big-window", context: 400_000, price: { input: 1, output: 1 } },
        claude: { provider: "ant", name: "claude-x", context: 200_000, price: { input: 3, output: 15 } },
      },
      routes: {
        solo: { model: "prim" },
        // The fallback's window is the primary's: a context-length refusal would be the same there.
        main: { model: "prim", fallback: [{ model: "same" }], retry: { attempts: 3, backoffMs: 1 } },
        grow: { model: "prim", fallback: [{ model: "same" }, { model: "big" }] },
        claude: { model: "claude", fallback: [{ model: "same" }] },
      },
    }),
    { env: { ANT_KEY: "k" }, state },
  );
});

afterEach(() => {
  primary.requests.length = 0;
  backup.requests.length = 0;
  anthropic.requests.length = 0;
  anthropic.failWith = undefined;
  primary.setScript(always({ kind: "ok" }));
});

afterAll(async () => {
  await router.close();
  await primary.close();
  await backup.close();
  await anthropic.close();
});

const contextLength: Behaviour = {
  kind: "status",
  status: 400,
  type: "invalid_request_error",
  code: "context_length_exceeded",
  param: "messages",
  message: "This model's maximum context length is 100000 tokens. However, your messages resulted in 150000 tokens.",
};
const hi = [{ role: "user" as const, content: "hi" }];
const breaker = (model: string) => state.health.breakerSnapshot(Date.now())[model]?.consecutiveFailures ?? 0;
type ErrorBody = { error: { message: string; type: string; code: string | null; param: string | null; attempts?: unknown } };

describe("a client-caused upstream 4xx", () => {
  it("context_length_exceeded reaches the official client as a 400 it does not retry: the upstream is hit once", async () => {
    primary.setScript(always(contextLength));
    const client = new OpenAI({ baseURL: `${router.url}/v1`, apiKey: "none" }); // the default 2 retries on 408/409/429/5xx
    const error = await client.chat.completions.create({ model: "solo", messages: hi }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    const bad = error as InstanceType<typeof OpenAI.BadRequestError>;
    expect([bad.status, bad.code, bad.type, bad.param]).toEqual([400, "context_length_exceeded", "invalid_request_error", "messages"]);
    expect(bad.message).toContain("maximum context length is 100000 tokens");
    expect(primary.requests).toHaveLength(1);
    expect(breaker("prim")).toBe(0);
  });

  it.each([false, true])("is passed through with status, type, code and param, never retried nor falling back (stream: %s)", async (stream) => {
    primary.setScript(always({ kind: "status", status: 422, type: "invalid_request_error", code: "invalid_value", param: "tools[0]", message: "bad schema" }));
    const res = await chat(router, { model: "main", messages: hi, stream });
    expect(res.status).toBe(422);
    expect(res.headers.get("content-type")).toContain("application/json");
    expect(((await res.json()) as ErrorBody).error).toEqual({ message: "bad schema", type: "invalid_request_error", code: "invalid_value", param: "tools[0]" });
    expect(res.headers.get("x-switchyard-attempts")).toBe("1");
    expect(primary.requests).toHaveLength(1);
    expect(backup.requests).toHaveLength(0);
    expect(breaker("prim")).toBe(0);
  });

  it("413 is passed through too", async () => {
    primary.setScript(always({ kind: "status", status: 413, type: "invalid_request_error", message: "request too large" }));
    const res = await chat(router, { model: "main", messages: hi });
    expect(res.status).toBe(413);
    expect(((await res.json()) as ErrorBody).error).toMatchObject({ message: "request too large", code: null });
    expect(backup.requests).toHaveLength(0);
  });

  it("a context-length refusal skips a fallback of the same window and is answered when none is longer", async () => {
    primary.setScript(always(contextLength));
    const res = await chat(router, { model: "main", messages: hi });
    expect(res.status).toBe(400);
    expect(((await res.json()) as ErrorBody).error.code).toBe("context_length_exceeded");
    expect(primary.requests).toHaveLength(1);
    expect(backup.requests).toHaveLength(0);
  });

  it("a context-length refusal falls back to the next model with a longer window", async () => {
    primary.setScript(always(contextLength));
    const res = await chat(router, { model: "grow", messages: hi });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-switchyard-model")).toBe("big");
    expect(res.headers.get("x-switchyard-attempts")).toBe("2");
    expect(backup.requests.map((r) => r.body["model"])).toEqual(["big-window"]);
    expect(breaker("prim")).toBe(0);
  });
});

describe("Anthropic's error shape, mapped to OpenAI's", () => {
  it.each([false, true])("`prompt is too long` is context_length_exceeded; a fallback of a shorter window is skipped (stream: %s)", async (stream) => {
    anthropic.failWith = { status: 400, type: "invalid_request_error", message: "prompt is too long: 210000 tokens > 200000 maximum" };
    const res = await chat(router, { model: "claude", messages: hi, stream });
    expect(res.status).toBe(400);
    expect(((await res.json()) as ErrorBody).error).toEqual({
      message: "prompt is too long: 210000 tokens > 200000 maximum",
      type: "invalid_request_error",
      code: "context_length_exceeded",
      param: "messages",
    });
    expect(anthropic.requests).toHaveLength(1);
    expect(backup.requests).toHaveLength(0);
    expect(breaker("claude")).toBe(0);
  });

  it("request_too_large is a 413 with Anthropic's type as the code", async () => {
    anthropic.failWith = { status: 413, type: "request_too_large", message: "Request exceeds the maximum allowed number of bytes." };
    const res = await chat(router, { model: "claude", messages: hi });
    expect(res.status).toBe(413);
    expect(((await res.json()) as ErrorBody).error).toEqual({
      message: "Request exceeds the maximum allowed number of bytes.",
      type: "invalid_request_error",
      code: "request_too_large",
      param: null,
    });
  });
});

describe("the deployment's 4xx (the provider's key, model name, account)", () => {
  it("a 401 falls back and is booked against the model", async () => {
    primary.setScript(always({ kind: "status", status: 401, type: "invalid_request_error", message: "Incorrect API key" }));
    const before = breaker("prim");
    const res = await chat(router, { model: "main", messages: hi });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-switchyard-model")).toBe("same");
    expect(primary.requests).toHaveLength(1);
    expect(breaker("prim")).toBe(before + 1);
  });

  it("a 404 everywhere is a 502 listing the attempts, as provider_4xx", async () => {
    primary.setScript(always({ kind: "status", status: 404, message: "The model `prim-model` does not exist" }));
    const res = await chat(router, { model: "solo", messages: hi });
    expect(res.status).toBe(502);
    const body = (await res.json()) as { error: { code: string; attempts: Array<{ errorClass: string; status: number }> } };
    expect(body.error.code).toBe("all_candidates_failed");
    expect(body.error.attempts.map((a) => [a.errorClass, a.status])).toEqual([["provider_4xx", 404]]);
  });
});

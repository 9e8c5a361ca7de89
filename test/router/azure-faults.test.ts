/**
 * The fault suite over the azure kind (issue 22), modelled on faults.test.ts: a fake Azure OpenAI resource (and a fake
 * Entra ID token endpoint) fails in scripted ways and the router retries, waits for Retry-After, falls back to another
 * provider, reports mid-stream failures, and passes a client's 400 through with Azure's detail (context length, the
 * content filter). Entra ID failures are clear provider errors that never quote the secret.
 */
import OpenAI from "openai";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Release } from "@switchyard/ir";
import { createMemoryStateStores, type RunningRouter } from "@switchyard/router";
import { type AzureBehaviour, type FakeAzure, type FakeEntra, startFakeAzure, startFakeEntra } from "../helpers/fake-azure.ts";
import { releaseOf } from "../helpers/release.ts";
import { chat, startTestRouter } from "../helpers/router.ts";

const KEY = "azure-resource-key-0123456789abcdef";
const SECRET = "entra-client-secret-0123456789";
const ENV = { AZURE_KEY: KEY, AZURE_TENANT_ID: "tenant", AZURE_CLIENT_ID: "app", AZURE_CLIENT_SECRET: SECRET };

let entra: FakeEntra;
let azure: FakeAzure;
let release: Release;
let router: RunningRouter;
let env: Record<string, string>;

const always = (behaviour: AzureBehaviour) => (): AzureBehaviour => behaviour;

beforeAll(async () => {
  entra = await startFakeEntra({ tenantId: "tenant", clientId: "app", clientSecret: SECRET });
  azure = await startFakeAzure({ deployments: { prod: "gpt-4o-2024-11-20" }, apiKey: KEY, entra });
  const steps = { fallback: [{ model: "backup" }], retry: { attempts: 2, backoffMs: 5, maxRetryAfterMs: 2_000 }, timeout: { firstTokenMs: 300, totalMs: 800 } };
  release = releaseOf({
    providers: {
      az: { kind: "azure", baseUrl: azure.endpoint, apiKey: { secret: "AZURE_KEY" } },
      "az-entra": { kind: "azure", baseUrl: azure.endpoint, auth: "entra", apiVersion: "v1" },
      "az-wrong": { kind: "azure", baseUrl: azure.endpoint, apiKey: { secret: "WRONG_KEY" } },
      sim: { kind: "mock", mock: { reply: "mock backup" } },
    },
    models: {
      gpt: { provider: "az", name: "prod", context: 128_000, price: { input: 2.5, output: 10 } },
      "gpt-entra": { provider: "az-entra", name: "prod", context: 128_000, price: { input: 2.5, output: 10 } },
      "gpt-missing": { provider: "az", name: "no-such-deployment", context: 128_000, price: { input: 2.5, output: 10 } },
      "gpt-wrong-key": { provider: "az-wrong", name: "prod", context: 128_000, price: { input: 2.5, output: 10 } },
      backup: { provider: "sim", name: "mock-b", context: 128_000, price: { input: 0, output: 0 } },
    },
    routes: {
      main: { model: "gpt", ...steps },
      entra: { model: "gpt-entra", ...steps },
      missing: { model: "gpt-missing", ...steps },
      "wrong-key": { model: "gpt-wrong-key", ...steps },
      solo: { model: "gpt", retry: { attempts: 1 } },
    },
  });
});

beforeEach(async () => {
  env = { ...ENV, AZURE_AUTHORITY_HOST: entra.authorityHost, WRONG_KEY: "not-the-key-0123456789abcdef" };
  router = await startTestRouter(release, {
    env,
    state: createMemoryStateStores({ breaker: { consecutiveFailures: 3, cooldownMs: 1_000, minCalls: 1000 } }),
  });
});

afterEach(async () => {
  await router.close();
  azure.setScript(always({ kind: "ok" }));
  entra.setScript(() => ({ kind: "ok" }));
});

afterAll(async () => {
  await azure.close();
  await entra.close();
});

const ask = (route: string, extra: Record<string, unknown> = {}) => chat(router, { model: route, messages: [{ role: "user", content: "hi" }], ...extra });
type Attempt = { model: string; provider: string; errorClass: string; status?: number; message: string };
const attemptsOf = async (res: Response): Promise<Attempt[]> => ((await res.json()) as { error: { attempts: Attempt[] } }).error.attempts;

describe("azure: retries and fallback", () => {
  it("retries a 500 on the same deployment", async () => {
    const start = azure.requests.length;
    azure.setScript((i) => (i === start ? { kind: "status", status: 500 } : { kind: "ok" }));
    const res = await ask("main");
    expect(res.status).toBe(200);
    expect(res.headers.get("x-switchyard-model")).toBe("gpt");
    expect(res.headers.get("x-switchyard-attempts")).toBe("2");
  });

  it("honours Azure's Retry-After on a 429 within maxRetryAfterMs", async () => {
    const start = azure.requests.length;
    azure.setScript((i) => (i === start ? { kind: "status", status: 429, retryAfter: "1" } : { kind: "ok" }));
    const started = performance.now();
    const res = await ask("main");
    expect(res.status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(950);
    expect(res.headers.get("x-switchyard-model")).toBe("gpt");
    expect(res.headers.get("x-switchyard-attempts")).toBe("2");
  });

  it("falls back at once when Retry-After is beyond maxRetryAfterMs", async () => {
    azure.setScript(always({ kind: "status", status: 429, retryAfter: "60" }));
    const res = await ask("main");
    expect(res.headers.get("x-switchyard-model")).toBe("backup");
    expect(res.headers.get("x-switchyard-attempts")).toBe("2");
  });

  it.each<[string, AzureBehaviour]>([
    ["503s", { kind: "status", status: 503 }],
    ["a hung deployment (total timeout)", { kind: "hang" }],
    ["a reset mid-body", { kind: "reset-mid-body" }],
    ["garbage JSON", { kind: "garbage" }],
  ])("falls back to another provider from %s", async (_name, behaviour) => {
    azure.setScript(always(behaviour));
    const res = await ask("main");
    expect(res.status).toBe(200);
    expect(res.headers.get("x-switchyard-model")).toBe("backup");
    expect(((await res.json()) as OpenAI.ChatCompletion).choices[0]?.message.content).toBe("mock backup");
  });

  it("all attempts failing on a route without fallback: 503 naming the attempts and their classes", async () => {
    azure.setScript(always({ kind: "status", status: 500 }));
    const res = await ask("solo");
    expect(res.status).toBe(502);
    expect((await attemptsOf(res)).map((a) => [a.model, a.provider, a.errorClass, a.status])).toEqual([["gpt", "az", "5xx", 500]]);
  });

  it("an unknown deployment (404 DeploymentNotFound) and a wrong api-key (401) are the deployment's: they fall back", async () => {
    const missing = await ask("missing");
    expect(missing.headers.get("x-switchyard-model")).toBe("backup");
    const wrong = await ask("wrong-key");
    expect(wrong.headers.get("x-switchyard-model")).toBe("backup");
    expect(azure.requests.at(-1)?.headers["api-key"]).toBe("not-the-key-0123456789abcdef");
    const solo = await startTestRouter(
      releaseOf({
        providers: { az: { kind: "azure", baseUrl: azure.endpoint, apiKey: { secret: "WRONG_KEY" } } },
        models: {
          a: { provider: "az", name: "no-such-deployment", context: 8_000, price: { input: 1, output: 1 } },
          b: { provider: "az", name: "prod", context: 8_000, price: { input: 1, output: 1 } },
        },
        routes: { chat: { model: "a", fallback: [{ model: "b" }] } },
      }),
      { env },
    );
    try {
      const failed = await chat(solo, { model: "chat", messages: [{ role: "user", content: "hi" }] });
      expect(failed.status).toBe(502);
      const attempts = await attemptsOf(failed);
      expect(attempts.map((a) => [a.errorClass, a.status])).toEqual([
        ["provider_4xx", 401],
        ["provider_4xx", 401],
      ]);
      // An auth error's body is never quoted.
      expect(attempts.every((a) => !a.message.includes("Access denied"))).toBe(true);
    } finally {
      await solo.close();
    }
  });
});

describe("azure: a client's 400 passes through with Azure's detail", () => {
  it("context_length_exceeded reaches the official client as a 400; no fallback", async () => {
    azure.setScript(
      always({
        kind: "status",
        status: 400,
        code: "context_length_exceeded",
        param: "messages",
        message:
          "This model's maximum context length is 128000 tokens. However, your messages resulted in 130001 tokens. Please reduce the length of the messages.",
      }),
    );
    const before = azure.requests.length;
    const client = new OpenAI({ baseURL: `${router.url}/v1`, apiKey: "none", maxRetries: 0 });
    const bad = (await client.chat.completions.create({ model: "main", messages: [{ role: "user", content: "hi" }] }).catch((e: unknown) => e)) as InstanceType<
      typeof OpenAI.APIError
    >;
    expect(bad).toBeInstanceOf(OpenAI.BadRequestError);
    expect([bad.status, bad.code, bad.type, bad.param]).toEqual([400, "context_length_exceeded", "invalid_request_error", "messages"]);
    expect(bad.message).toContain("maximum context length is 128000 tokens");
    expect(azure.requests.length - before).toBe(1);
  });

  it("the content filter's refusal of the prompt is a 400 `content_filter` with Azure's words, not retried elsewhere", async () => {
    azure.setScript(always({ kind: "prompt-filtered" }));
    const before = azure.requests.length;
    for (const stream of [false, true]) {
      const res = await ask("main", { stream });
      expect(res.status).toBe(400);
      const body = (await res.json()) as { error: { code: string; type: string; param: string; message: string } };
      expect(body.error).toMatchObject({ code: "content_filter", type: "invalid_request_error", param: "prompt" });
      expect(body.error.message).toContain("Azure OpenAI's content management policy");
    }
    expect(azure.requests.length - before).toBe(2);
  });

  it("a completion the content filter stopped is an answer with finish_reason content_filter", async () => {
    azure.setScript(always({ kind: "completion-filtered" }));
    const res = await ask("main");
    expect(res.status).toBe(200);
    expect(res.headers.get("x-switchyard-model")).toBe("gpt");
    expect(((await res.json()) as OpenAI.ChatCompletion).choices[0]?.finish_reason).toBe("content_filter");
    const streamed = await (await ask("main", { stream: true })).text();
    expect(streamed).toContain('"finish_reason":"content_filter"');
    expect(streamed.trimEnd().endsWith("data: [DONE]")).toBe(true);
  });
});

describe("azure: streams", () => {
  it.each<[string, AzureBehaviour]>([
    ["dies before its first chunk", { kind: "cut-before-first-chunk" }],
    ["sends garbage", { kind: "garbage" }],
  ])("falls back when the deployment %s", async (_name, behaviour) => {
    azure.setScript(always(behaviour));
    const res = await ask("main", { stream: true });
    expect(res.headers.get("x-switchyard-model")).toBe("backup");
    const text = await res.text();
    expect(text).toContain("mock ");
    expect(text.trimEnd().endsWith("data: [DONE]")).toBe(true);
  });

  it("falls back when cut after the prompt-filter and role chunks (nothing of substance was sent)", async () => {
    azure.setScript(always({ kind: "cut-mid-stream", afterChunks: 2 }));
    const res = await ask("main", { stream: true });
    // The response was committed with the role chunk: its headers name the attempt that sent it.
    expect(res.headers.get("x-switchyard-model")).toBe("gpt");
    const text = await res.text();
    expect(text).toContain("mock ");
    expect(text).not.toContain("prompt_filter_results");
    expect(text.match(/"role":"assistant"/g)).toHaveLength(1);
    expect(text.trimEnd().endsWith("data: [DONE]")).toBe(true);
  });

  it("reports a cut after the first token as an SSE error, never a silent truncation", async () => {
    azure.setScript(always({ kind: "cut-mid-stream", afterChunks: 3 }));
    const res = await ask("main", { stream: true });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-switchyard-model")).toBe("gpt");
    const text = await res.text();
    expect(text).toContain('"content":"Hello "');
    expect(text).not.toContain("[DONE]");
    const payload = JSON.parse((text.trim().split("\n\n").at(-1) ?? "").replace(/^data: /, "")) as { error: { code: string; type: string } };
    expect(payload.error).toMatchObject({ code: "stream_interrupted", type: "upstream_error" });
  });
});

describe("azure: Entra ID", () => {
  it("a token endpoint refusing the secret is a clear provider error that falls back and never quotes the secret", async () => {
    env["AZURE_CLIENT_SECRET"] = "the-wrong-secret-0123456789";
    const solo = await startTestRouter(
      releaseOf({
        providers: { az: { kind: "azure", baseUrl: azure.endpoint, auth: "entra" } },
        models: { m: { provider: "az", name: "prod", context: 8_000, price: { input: 1, output: 1 } } },
        routes: { chat: { model: "m", retry: { attempts: 1 } } },
      }),
      { env },
    );
    try {
      const before = azure.requests.length;
      const res = await chat(solo, { model: "chat", messages: [{ role: "user", content: "hi" }] });
      expect(res.status).toBe(502);
      const text = await res.text();
      expect(text).not.toContain("the-wrong-secret");
      const [attempt] = ((JSON.parse(text) as { error: { attempts: Attempt[] } }).error.attempts ?? []) as Attempt[];
      expect(attempt?.errorClass).toBe("provider_4xx");
      expect(attempt?.message).toContain("Microsoft Entra ID refused a token (401, invalid_client: AADSTS7000215: Invalid client secret provided.)");
      expect(azure.requests.length - before).toBe(0);
    } finally {
      await solo.close();
    }
  });

  it("missing AZURE_* variables are named at the first call (after the managed identity, asked instead, failed)", async () => {
    delete env["AZURE_TENANT_ID"];
    delete env["AZURE_CLIENT_SECRET"];
    // Where the managed identity is asked: a closed port here (never the machine's own 169.254.169.254).
    env["AZURE_POD_IDENTITY_AUTHORITY_HOST"] = "http://127.0.0.1:9";
    const solo = await startTestRouter(
      releaseOf({
        providers: { az: { kind: "azure", baseUrl: azure.endpoint, auth: "entra" } },
        models: { m: { provider: "az", name: "prod", context: 8_000, price: { input: 1, output: 1 } } },
        routes: { chat: { model: "m", retry: { attempts: 1 } } },
      }),
      { env },
    );
    try {
      const [attempt] = await attemptsOf(await chat(solo, { model: "chat", messages: [{ role: "user", content: "hi" }] }));
      expect(attempt?.message).toMatch(
        /^provider `az`: cannot reach the managed identity endpoint \(AZURE_POD_IDENTITY_AUTHORITY_HOST, http:\/\/127\.0\.0\.1:9\): .+; no Microsoft Entra ID credentials are set \(AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET or AZURE_FEDERATED_TOKEN_FILE\), so the managed identity was asked$/,
      );
    } finally {
      await solo.close();
    }
  });

  it("a token endpoint outage (503) falls back; the next call gets a token", async () => {
    entra.setScript(() => ({ kind: "status", status: 503 }));
    const res = await ask("entra");
    expect(res.headers.get("x-switchyard-model")).toBe("backup");
    entra.setScript(() => ({ kind: "ok" }));
    const ok = await ask("entra");
    expect(ok.headers.get("x-switchyard-model")).toBe("gpt-entra");
  });

  it("a token Azure rejects (401) is dropped: the next call fetches a new one", async () => {
    const first = await ask("entra");
    expect(first.headers.get("x-switchyard-model")).toBe("gpt-entra");
    const used = /^Bearer (.+)$/.exec(azure.requests.at(-1)?.headers.authorization ?? "")?.[1] ?? "";
    entra.issued.delete(used); // revoked
    const tokensBefore = entra.requests.length;
    const revoked = await ask("entra");
    expect(revoked.headers.get("x-switchyard-model")).toBe("backup");
    const again = await ask("entra");
    expect(again.headers.get("x-switchyard-model")).toBe("gpt-entra");
    expect(entra.requests.length - tokensBefore).toBe(1);
    expect(azure.requests.at(-1)?.headers.authorization).not.toBe(`Bearer ${used}`);
  });
});

/**
 * Bedrock failures through a router, against the faithful fake (SigV4 checked, event-stream frames): throttling (429,
 * Retry-After), 5xx, timeouts, dropped connections, mid-stream exceptions, malformed answers, validation passthrough,
 * bad or missing credentials, and fallback to another provider.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { RunningRouter } from "@switchyard/router";
import { FAKE_AWS, type FakeBedrock, startFakeBedrock } from "../helpers/fake-bedrock.ts";
import { releaseOf } from "../helpers/release.ts";
import { chat, startTestRouter } from "../helpers/router.ts";

let bedrock: FakeBedrock;
let router: RunningRouter;
const awsEnv = { AWS_ACCESS_KEY_ID: FAKE_AWS.accessKeyId, AWS_SECRET_ACCESS_KEY: FAKE_AWS.secretAccessKey };

const release = (extra: { solo?: boolean } = {}) =>
  releaseOf({
    providers: {
      aws: { kind: "bedrock", region: FAKE_AWS.region, baseUrl: bedrock.baseUrl },
      sim: { kind: "mock", mock: { reply: "mock backup" } },
    },
    models: {
      nova: { provider: "aws", name: "amazon.nova-lite-v1:0", context: 300_000, price: { input: 0.06, output: 0.24 } },
      backup: { provider: "sim", name: "mock-b", context: 200_000, price: { input: 0, output: 0 } },
    },
    routes:
      extra.solo === true
        ? { chat: { model: "nova", retry: { attempts: 2, backoffMs: 1 }, timeout: { totalMs: 400 } } }
        : {
            chat: {
              model: "nova",
              fallback: [{ model: "backup" }],
              retry: { attempts: 2, backoffMs: 1, maxRetryAfterMs: 2_000 },
              timeout: { firstTokenMs: 400, totalMs: 800 },
            },
          },
  });

beforeAll(async () => {
  bedrock = await startFakeBedrock();
});

// A fresh router per test, so one test's failures do not open the breaker for the next.
beforeEach(async () => {
  router = await startTestRouter(release(), { env: awsEnv });
});

afterEach(async () => {
  await router.close();
  bedrock.reset();
});

afterAll(async () => {
  await bedrock.close();
});

const hi = { model: "chat", messages: [{ role: "user", content: "hi" }] };

interface ErrorBody {
  error: { message: string; type: string; code: string | null; attempts?: Array<{ status?: number; errorClass: string; message?: string }> };
}

async function solo<T>(run: (r: RunningRouter) => Promise<T>, env: Record<string, string> = awsEnv): Promise<T> {
  const r = await startTestRouter(release({ solo: true }), { env });
  try {
    return await run(r);
  } finally {
    await r.close();
  }
}

describe("Bedrock failures", () => {
  it("ThrottlingException (429) is retried after its Retry-After, then falls back; the attempts say 429", async () => {
    bedrock.failWith = { status: 429, type: "ThrottlingException", retryAfter: "0" };
    const res = await chat(router, hi);
    expect(res.status).toBe(200);
    expect(res.headers.get("x-switchyard-model")).toBe("backup");
    expect(res.headers.get("x-switchyard-attempts")).toBe("3");
    expect(bedrock.requests).toHaveLength(2);
    const body = (await res.json()) as { choices: Array<{ message: { content: string } }> };
    expect(body.choices[0]?.message.content).toContain("mock backup");
  });

  it("every attempt throttled and no fallback: 503 naming the 429s and Bedrock's words", async () => {
    bedrock.failWith = { status: 429, type: "ThrottlingException", message: "Too many tokens, please wait before trying again." };
    const res = await solo((r) => chat(r, hi));
    expect(res.status).toBe(503);
    const body = (await res.json()) as ErrorBody;
    expect(body.error.attempts).toMatchObject([
      { status: 429, errorClass: "429" },
      { status: 429, errorClass: "429" },
    ]);
    expect(body.error.attempts?.[0]?.message).toContain("(ThrottlingException) Too many tokens");
  });

  for (const [status, type] of [
    [500, "InternalServerException"],
    [503, "ServiceUnavailableException"],
    [424, "ModelErrorException"],
  ] as const) {
    it(`${status} ${type} is the upstream's fault (5xx): retried, then falls back`, async () => {
      bedrock.failWith = { status, type, message: "Something went wrong" };
      const res = await chat(router, hi);
      expect(res.status).toBe(200);
      expect(res.headers.get("x-switchyard-model")).toBe("backup");
      expect(bedrock.requests).toHaveLength(2);
    });
  }

  it("a ValidationException (400) passes through with Bedrock's message, without fallback", async () => {
    const res = await chat(router, { ...hi, messages: [{ role: "user", content: "TOO_LONG prompt" }] });
    expect(res.status).toBe(400);
    const body = (await res.json()) as ErrorBody;
    expect(body.error.message).toContain("Input is too long for requested model.");
    expect(body.error.code).toBe("context_length_exceeded");
    expect(bedrock.requests).toHaveLength(1);
  });

  it("a ValidationException on a stream passes through as the 400 it is", async () => {
    bedrock.failWith = { status: 400, type: "ValidationException", message: "The model returned the following errors: temperature: range: 0..1" };
    const res = await chat(router, { ...hi, stream: true, temperature: 0.5 });
    expect(res.status).toBe(400);
    const body = (await res.json()) as ErrorBody;
    expect(body.error.message).toContain("temperature: range: 0..1");
    expect(body.error.type).toBe("invalid_request_error");
  });

  it("a hung upstream times out and falls back", async () => {
    bedrock.hang = true;
    const res = await chat(router, hi);
    expect(res.status).toBe(200);
    expect(res.headers.get("x-switchyard-model")).toBe("backup");
  });

  it("a connection dropped after messageStart falls back (nothing of substance was sent)", async () => {
    bedrock.streamFault = "drop";
    const res = await chat(router, { ...hi, stream: true });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain("mock ");
    expect(text.trimEnd().endsWith("data: [DONE]")).toBe(true);
  });

  it("a throttlingException event right after messageStart falls back", async () => {
    bedrock.streamException = { type: "throttlingException", message: "Too many requests" };
    const res = await chat(router, { ...hi, stream: true });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain("mock ");
    expect(text).not.toContain('"error"');
    expect(text.match(/"role":"assistant"/g)).toHaveLength(1);
  });

  it("a modelStreamErrorException after text was sent ends the stream with an error event naming it", async () => {
    bedrock.streamException = { type: "modelStreamErrorException", message: "the model stream broke", afterText: 2 };
    const res = await chat(router, { ...hi, stream: true });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain("Hello ");
    expect(text).toContain('"error"');
    expect(text).toContain("modelStreamErrorException");
    expect(text).not.toContain("mock ");
  });

  it("a frame failing its CRC after text ends the stream with an error event naming it", async () => {
    bedrock.streamFault = "bad-crc";
    const res = await chat(router, { ...hi, stream: true });
    const text = await res.text();
    expect(text).toContain("Hello ");
    expect(text).toMatch(/"error".*CRC32/);
  });

  it("a stream ending without messageStop is an interrupted stream, never a complete answer", async () => {
    bedrock.streamFault = "no-stop";
    const res = await chat(router, { ...hi, stream: true });
    const text = await res.text();
    expect(text).toContain('"error"');
    expect(text).toContain("before messageStop");
  });

  it("a malformed 200 (not JSON) is an invalid response: falls back", async () => {
    bedrock.malformed = true;
    const res = await chat(router, hi);
    expect(res.status).toBe(200);
    expect(res.headers.get("x-switchyard-model")).toBe("backup");
    const streamed = await chat(router, { ...hi, stream: true });
    expect(await streamed.text()).toContain("mock ");
  });

  it("wrong credentials: Bedrock's 403 is the deployment's (provider_4xx), its body never echoed", async () => {
    const res = await solo((r) => chat(r, hi), { AWS_ACCESS_KEY_ID: FAKE_AWS.accessKeyId, AWS_SECRET_ACCESS_KEY: "not-the-secret" });
    expect(res.status).toBe(502);
    const body = (await res.json()) as ErrorBody;
    expect(body.error.attempts).toMatchObject([{ status: 403, errorClass: "provider_4xx" }]);
    expect(JSON.stringify(body)).not.toContain("signature we calculated");
    expect(JSON.stringify(body)).not.toContain("not-the-secret");
  });

  it("missing credentials: every call fails with a provider error naming the variables, without calling Bedrock", async () => {
    const res = await solo((r) => chat(r, hi), {});
    expect(res.status).toBe(502);
    const body = (await res.json()) as ErrorBody;
    expect(body.error.attempts?.[0]).toMatchObject({ errorClass: "provider_4xx" });
    expect(body.error.attempts?.[0]?.message).toContain("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY");
    expect(bedrock.requests).toHaveLength(0);
  });

  it("temporary credentials: the session token is sent and signed", async () => {
    bedrock.credentials = { ...bedrock.credentials, sessionToken: "IQoJb3JpZ2luX2VjEFAKE" };
    const res = await solo((r) => chat(r, hi), { ...awsEnv, AWS_SESSION_TOKEN: "IQoJb3JpZ2luX2VjEFAKE" });
    expect(res.status).toBe(200);
    expect(bedrock.requests[0]?.headers["x-amz-security-token"]).toBe("IQoJb3JpZ2luX2VjEFAKE");
    expect(bedrock.requests[0]?.signedHeaders).toContain("x-amz-security-token");
  });
});

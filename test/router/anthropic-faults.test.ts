/** Anthropic-specific failures: 529 overloaded and an `error` event right after message_start both fall back. */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { RunningRouter } from "@switchyard/router";
import { type FakeAnthropic, startFakeAnthropic } from "../helpers/fake-anthropic.ts";
import { releaseOf } from "../helpers/release.ts";
import { chat, startTestRouter } from "../helpers/router.ts";

let anthropic: FakeAnthropic;
let router: RunningRouter;

beforeAll(async () => {
  anthropic = await startFakeAnthropic();
  router = await startTestRouter(
    releaseOf({
      providers: {
        ant: { kind: "anthropic", baseUrl: anthropic.baseUrl, apiKey: { secret: "ANT_KEY" } },
        sim: { kind: "mock", mock: { reply: "mock backup" } },
      },
      models: {
        claude: { provider: "ant", name: "claude-x", context: 200_000, price: { input: 3, output: 15 } },
        backup: { provider: "sim", name: "mock-b", context: 200_000, price: { input: 0, output: 0 } },
      },
      routes: { chat: { model: "claude", fallback: [{ model: "backup" }], retry: { attempts: 2, backoffMs: 1 } } },
    }),
    { env: { ANT_KEY: "k" } },
  );
});

afterEach(() => {
  anthropic.failWith = undefined;
  anthropic.streamError = false;
});

afterAll(async () => {
  await router.close();
  await anthropic.close();
});

const hi = { model: "chat", messages: [{ role: "user", content: "hi" }] };

describe("Anthropic failures", () => {
  it("529 overloaded is retried, then falls back, and the attempts list says so", async () => {
    anthropic.failWith = { status: 529, type: "overloaded_error" };
    const before = anthropic.requests.length;
    const res = await chat(router, hi);
    expect(res.status).toBe(200);
    expect(res.headers.get("x-switchyard-model")).toBe("backup");
    expect(res.headers.get("x-switchyard-attempts")).toBe("3");
    expect(anthropic.requests.length - before).toBe(2);
  });

  it("an error event right after message_start still falls back (nothing of substance was sent)", async () => {
    anthropic.streamError = true;
    const res = await chat(router, { ...hi, stream: true });
    expect(res.status).toBe(200);
    // The response was committed at message_start: its headers name the attempt that sent it.
    expect(res.headers.get("x-switchyard-model")).toBe("claude");
    expect(res.headers.get("x-switchyard-attempts")).toBe("1");
    const text = await res.text();
    expect(text).toContain("mock ");
    expect(text).not.toContain('"error"');
    // message_start's role chunk went out; the backup's own role chunk was dropped.
    expect(text.match(/"role":"assistant"/g)).toHaveLength(1);
    expect(text.trimEnd().endsWith("data: [DONE]")).toBe(true);
  });

  it("all attempts overloaded → 503 when the fallback is overloaded too", async () => {
    anthropic.failWith = { status: 529, type: "overloaded_error" };
    const solo = await startTestRouter(
      releaseOf({
        providers: { ant: { kind: "anthropic", baseUrl: anthropic.baseUrl, apiKey: { secret: "ANT_KEY" } } },
        models: { claude: { provider: "ant", name: "claude-x", context: 200_000, price: { input: 3, output: 15 } } },
        routes: { chat: { model: "claude" } },
      }),
      { env: { ANT_KEY: "k" } },
    );
    try {
      const res = await chat(solo, hi);
      expect(res.status).toBe(503);
      const body = (await res.json()) as { error: { code: string; attempts: Array<{ status: number; errorClass: string }> } };
      expect(body.error.code).toBe("all_candidates_failed");
      expect(body.error.attempts).toMatchObject([{ status: 529, errorClass: "5xx" }]);
    } finally {
      await solo.close();
    }
  });
});

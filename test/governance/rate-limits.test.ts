/** @module Rate limits over real HTTP with an injected clock: concurrency holds the bucket, headers count down, tokens correct from usage, refill. */
import OpenAI from "openai";
import { afterEach, describe, expect, it } from "vitest";
import { createMemoryStateStores, type RunningRouter } from "@switchyard/router";
import { chatRequestFeatures } from "@switchyard/router/core";
import { DEFAULT_RESERVED_OUTPUT_TOKENS } from "../../packages/router/src/governance/estimate.ts";
import { type FakeOpenAi, startFakeOpenAi } from "../helpers/fake-openai.ts";
import { releaseOf } from "../helpers/release.ts";
import { chat, startTestRouter } from "../helpers/router.ts";

const messages = [{ role: "user", content: "Summarise our refund policy." }];
const env = { TEAM_KEY: "sk-team", OPEN_KEY: "sk-open" };
const auth = { authorization: "Bearer sk-team" };

let fake: FakeOpenAi | undefined;
let router: RunningRouter | undefined;
afterEach(async () => {
  await router?.close();
  await fake?.close();
  router = undefined;
  fake = undefined;
});

async function start(limits: { rpm?: number; tpm?: number }, budget?: { usd: number; per: "day"; mode: "hard"; alertAt: number[] }) {
  fake = await startFakeOpenAi(() => ({ kind: "ok", delayMs: 20, usage: { prompt_tokens: 7, completion_tokens: 3 } }));
  let clock = Date.UTC(2027, 5, 1, 12);
  const state = createMemoryStateStores();
  router = await startTestRouter(
    releaseOf({
      providers: { up: { kind: "openai", baseUrl: fake.baseUrl } },
      models: { m: { provider: "up", name: "m-1", context: 8_000, price: { input: 1, output: 1 } } },
      routes: { chat: { model: "m" } },
      teams: {
        limited: { keys: [{ secret: "TEAM_KEY" }], routes: ["chat"], limits, ...(budget === undefined ? {} : { budget }) },
        open: { keys: [{ secret: "OPEN_KEY" }], routes: ["chat"] },
      },
    }),
    { env, state, now: () => clock },
  );
  return { router, state, advance: (ms: number) => (clock += ms) };
}

describe("rate limits", () => {
  it.each([
    ["limits only (taken before routing)", undefined],
    ["limits and a hard budget (taken with the first attempt's reservation)", { usd: 1_000, per: "day" as const, mode: "hard" as const, alertAt: [] }],
  ])("rpm holds exactly under 40 concurrent requests; refusals are 429 rate_limited with Retry-After and the headers: %s", async (_, budget) => {
    const { router, state } = await start({ rpm: 20 }, budget);
    const responses = await Promise.all(Array.from({ length: 40 }, () => chat(router, { model: "chat", messages }, auth)));
    const ok = responses.filter((r) => r.status === 200);
    const limited = responses.filter((r) => r.status === 429);
    expect(ok.length).toBe(20); // the clock stands still: no refill, not one over
    expect(limited.length).toBe(20);
    const remaining = ok.map((r) => Number(r.headers.get("x-ratelimit-remaining-requests"))).sort((a, b) => a - b);
    expect(remaining).toEqual(Array.from({ length: 20 }, (_, i) => i));
    for (const r of limited) {
      const body = (await r.json()) as { error: { code: string; type: string; message: string } };
      expect(body.error).toMatchObject({ code: "rate_limited", type: "rate_limit_error" });
      expect(body.error.message).toContain("20 requests per minute");
      expect(r.headers.get("retry-after")).toBe("3"); // one request refills in 60 s / 20
      expect(r.headers.get("x-ratelimit-limit-requests")).toBe("20");
      expect(r.headers.get("x-ratelimit-remaining-requests")).toBe("0");
      expect(r.headers.get("x-ratelimit-reset-requests")).toBe("1m0s");
    }
    expect(fake?.requests.length).toBe(20);
    await Promise.all(ok.map((r) => r.text()));
    if (budget !== undefined) {
      // Only the 20 admitted requests reserved and spent: the refused ones reserved nothing.
      const day = Date.UTC(2027, 5, 1);
      const b = state.budgets.peek({ team: "limited", limitUsd: 1_000, mode: "hard", period: "day", periodStart: day, periodEnd: day + 86_400_000 });
      expect(b.reservedUsd).toBe(0);
      expect(b.spentUsd).toBeCloseTo((20 * (7 + 3)) / 1e6, 12);
    }
  });

  it("headers count down request by request and refill with time", async () => {
    const { router, advance } = await start({ rpm: 10 });
    const seen: string[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await chat(router, { model: "chat", messages }, auth);
      await res.text();
      seen.push(`${res.headers.get("x-ratelimit-remaining-requests")} ${res.headers.get("x-ratelimit-reset-requests")}`);
    }
    expect(seen).toEqual(["9 6s", "8 12s", "7 18s", "6 24s"]);
    advance(12_000); // two requests' worth
    const res = await chat(router, { model: "chat", messages }, auth);
    expect(res.headers.get("x-ratelimit-remaining-requests")).toBe("7");
    await res.text();
    // a team without limits gets no x-ratelimit headers
    const open = await chat(router, { model: "chat", messages }, { authorization: "Bearer sk-open" });
    expect(open.headers.get("x-ratelimit-limit-requests")).toBeNull();
    await open.text();
  });

  it("tpm reserves prompt + max_tokens, corrects from real usage, and refuses what does not fit (OpenAI client sees the 429)", async () => {
    const maxTokens = 300;
    const reserved = chatRequestFeatures({ messages, max_tokens: maxTokens }).promptTokens + maxTokens;
    const { router, state, advance } = await start({ tpm: 1_000 });
    const first = await chat(router, { model: "chat", messages, max_tokens: maxTokens }, auth);
    await first.text();
    expect(first.headers.get("x-ratelimit-limit-tokens")).toBe("1000");
    expect(first.headers.get("x-ratelimit-remaining-tokens")).toBe(String(1_000 - reserved));
    // real usage was 10 tokens: the bucket got the rest back after the answer
    const peek = state.limits.peek({ team: "limited", rpm: undefined, tpm: 1_000, now: Date.UTC(2027, 5, 1, 12) });
    expect(peek.tokens?.remaining).toBe(990);
    const second = await chat(router, { model: "chat", messages, max_tokens: maxTokens }, auth);
    await second.text();
    expect(second.headers.get("x-ratelimit-remaining-tokens")).toBe(String(990 - reserved));

    // without max_tokens the documented default is reserved: 1 000 tokens no longer fit
    const client = new OpenAI({ baseURL: `${router.url}/v1`, apiKey: "sk-team", maxRetries: 0 });
    const refused = await client.chat.completions.create({ model: "chat", messages: [{ role: "user", content: "hi" }] }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(OpenAI.RateLimitError);
    const err = refused as InstanceType<typeof OpenAI.RateLimitError>;
    expect(err.code).toBe("rate_limited");
    expect(Number(err.headers?.get("retry-after"))).toBeGreaterThan(0);
    expect(DEFAULT_RESERVED_OUTPUT_TOKENS).toBeGreaterThan(980 - reserved);

    advance(60_000);
    const later = await client.chat.completions.create({ model: "chat", messages: [{ role: "user", content: "hi" }] });
    expect(later.choices[0]?.message.content).toBeTruthy();
  });
});

/** Fault-injecting upstreams prove retries, fallback, timeouts, breakers, validators and stream failure reporting. */
import OpenAI from "openai";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Release } from "@switchyard/ir";
import {
  createMemoryStateStores,
  type MemoryStateStores,
  type RunningRouter,
  type Transport,
  http1Transport,
  nodeHttpTransport,
  undiciTransport,
} from "@switchyard/router";
import type { Behaviour, FakeOpenAi } from "../helpers/fake-openai.ts";
import { always, type PrimaryBackup, startPrimaryBackup } from "../helpers/primary-backup.ts";
import { chat, startTestRouter } from "../helpers/router.ts";

let upstreams: PrimaryBackup;
let primary: FakeOpenAi;
let backup: FakeOpenAi;
let router: RunningRouter;
let release: Release;
let clock = 1_800_000_000_000;
let state: MemoryStateStores;

beforeAll(async () => {
  upstreams = await startPrimaryBackup();
  ({ primary, backup } = upstreams);
  release = upstreams.release({
    main: {
      model: "prim",
      fallback: [{ model: "back" }],
      retry: { attempts: 2, backoffMs: 5, maxRetryAfterMs: 2_000 },
      timeout: { firstTokenMs: 300, totalMs: 800 },
    },
    solo: { model: "prim", retry: { attempts: 2, backoffMs: 5 }, timeout: { totalMs: 300 } },
    json: { model: "prim", fallback: [{ model: "back" }], validate: [{ kind: "json" }] },
  });
});

let makeTransport: () => Transport = undiciTransport;

// A fresh router and state store per test, so one test's failures do not trip the next one's breaker.
beforeEach(async () => {
  state = createMemoryStateStores({ breaker: { consecutiveFailures: 3, cooldownMs: 1_000, minCalls: 1000 } });
  router = await startTestRouter(release, { state, now: () => clock, transport: makeTransport() });
});

afterAll(async () => {
  await upstreams.close();
});

afterEach(async () => {
  await router.close();
  upstreams.reset();
});

// Every transport: the lean HTTP/1.1 client (the default, router.mjs), undici Pools and node:http agents.
describe.each<[string, () => Transport]>([
  ["http1", () => http1Transport()],
  ["undici", undiciTransport],
  ["node:http", nodeHttpTransport],
])("over the %s transport", (_name, transport) => {
  beforeAll(() => {
    makeTransport = transport;
  });

  const ask = (route: string, extra: Record<string, unknown> = {}) => chat(router, { model: route, messages: [{ role: "user", content: "hi" }], ...extra });

  describe("retries and fallback", () => {
    it("retries a 500 on the same candidate", async () => {
      primary.setScript((i) => (i === 0 ? { kind: "status", status: 500 } : { kind: "ok" }));
      const res = await ask("main");
      expect(res.status).toBe(200);
      expect(res.headers.get("x-switchyard-model")).toBe("prim");
      expect(res.headers.get("x-switchyard-attempts")).toBe("2");
      expect(primary.requests).toHaveLength(2);
    });

    it("falls back to the next step after the retries (503 overloaded)", async () => {
      primary.setScript(always({ kind: "status", status: 503, message: "overloaded" }));
      const res = await ask("main");
      expect(res.status).toBe(200);
      expect(((await res.json()) as OpenAI.ChatCompletion).choices[0]?.message.content).toBe("backup here");
      expect(res.headers.get("x-switchyard-model")).toBe("back");
      expect(res.headers.get("x-switchyard-provider")).toBe("b");
      expect(res.headers.get("x-switchyard-attempts")).toBe("3");
    });

    it("honours Retry-After on 429 within maxRetryAfterMs", async () => {
      primary.setScript((i) => (i === 0 ? { kind: "status", status: 429, retryAfter: "1" } : { kind: "ok" }));
      const started = performance.now();
      const res = await ask("main");
      expect(res.status).toBe(200);
      expect(performance.now() - started).toBeGreaterThanOrEqual(950);
      expect(res.headers.get("x-switchyard-model")).toBe("prim");
    });

    it("does not wait for a Retry-After beyond maxRetryAfterMs: falls back at once", async () => {
      primary.setScript(always({ kind: "status", status: 429, retryAfter: "60" }));
      const started = performance.now();
      const res = await ask("main");
      expect(performance.now() - started).toBeLessThan(900);
      expect(res.headers.get("x-switchyard-model")).toBe("back");
      expect(res.headers.get("x-switchyard-attempts")).toBe("2");
    });

    it.each<[string, Behaviour]>([
      ["a hung upstream (total timeout)", { kind: "hang" }],
      ["a reset mid-body", { kind: "reset-mid-body" }],
      ["garbage JSON", { kind: "garbage" }],
    ])("falls back from %s", async (_name, behaviour) => {
      primary.setScript(always(behaviour));
      const res = await ask("main");
      expect(res.status).toBe(200);
      expect(res.headers.get("x-switchyard-model")).toBe("back");
    });

    it("aborts the upstream call of a timed-out attempt", async () => {
      primary.setScript(always({ kind: "hang" }));
      await ask("main");
      await new Promise((r) => setTimeout(r, 50));
      expect(primary.abandoned()).toBeGreaterThanOrEqual(2);
    });
  });

  describe("all candidates failed", () => {
    it("answers 502 listing every attempt", async () => {
      primary.setScript(always({ kind: "status", status: 500 }));
      // A 404 is the deployment's fault (the provider knows no such model): it fails the attempt like a 5xx.
      backup.setScript(always({ kind: "status", status: 404, message: "bad thing" }));
      const res = await ask("main");
      expect(res.status).toBe(502);
      const body = (await res.json()) as { error: { code: string; type: string; message: string; attempts: Array<Record<string, unknown>> } };
      expect(body.error.code).toBe("all_candidates_failed");
      expect(body.error.type).toBe("upstream_error");
      expect(body.error.attempts.map((a) => [a["model"], a["provider"], a["errorClass"], a["status"]])).toEqual([
        ["prim", "p", "5xx", 500],
        ["prim", "p", "5xx", 500],
        ["back", "b", "provider_4xx", 404],
      ]);
      expect(res.headers.get("x-switchyard-attempts")).toBe("3");
      expect(res.headers.get("x-switchyard-model")).toBeNull();
    });

    it("answers 504 when every attempt timed out", async () => {
      primary.setScript(always({ kind: "hang" }));
      const res = await ask("solo");
      expect(res.status).toBe(504);
      const body = (await res.json()) as { error: { attempts: Array<{ errorClass: string }> } };
      expect(body.error.attempts.map((a) => a.errorClass)).toEqual(["timeout", "timeout"]);
    });
  });

  describe("streaming", () => {
    const client = () => new OpenAI({ baseURL: `${router.url}/v1`, apiKey: "none", maxRetries: 0 });

    it("falls back when the upstream answers 200 and dies before its first chunk", async () => {
      primary.setScript(always({ kind: "cut-before-first-chunk" }));
      const { data: stream, response } = await client()
        .chat.completions.create({ model: "main", messages: [{ role: "user", content: "hi" }], stream: true })
        .withResponse();
      let text = "";
      for await (const c of stream) text += c.choices[0]?.delta.content ?? "";
      expect(text).toBe("backup here");
      expect(response.headers.get("x-switchyard-model")).toBe("back");
    });

    it("falls back when the first token is too slow", async () => {
      primary.setScript(always({ kind: "slow-first-token", ms: 2_000 }));
      const res = await ask("main", { stream: true });
      expect(res.headers.get("x-switchyard-model")).toBe("back");
      const text = await res.text();
      expect(text).toContain("backup");
      expect(text.trimEnd().endsWith("data: [DONE]")).toBe(true);
    });

    it.each<[string, Behaviour]>([
      ["a cut connection", { kind: "cut-mid-stream", afterChunks: 2 }],
      ["an upstream error event", { kind: "error-mid-stream", afterChunks: 2 }],
    ])("reports a mid-stream failure (%s) as an SSE error, never a silent truncation", async (_name, behaviour) => {
      primary.setScript(always(behaviour));
      const res = await ask("main", { stream: true });
      expect(res.status).toBe(200);
      expect(res.headers.get("x-switchyard-model")).toBe("prim");
      const text = await res.text();
      expect(text).not.toContain("[DONE]");
      expect(backup.requests).toHaveLength(0);
      const last = text.trim().split("\n\n").at(-1) ?? "";
      const payload = JSON.parse(last.replace(/^data: /, "")) as { error: { code: string; type: string } };
      expect(payload.error).toMatchObject({ code: "stream_interrupted", type: "upstream_error" });

      primary.setScript(always(behaviour));
      const stream = await client().chat.completions.create({ model: "main", messages: [{ role: "user", content: "hi" }], stream: true });
      await expect(async () => {
        for await (const _ of stream) void _;
      }).rejects.toThrow(/stream/);
    });
  });

  describe("validators", () => {
    it("a failed validator counts as a failure and falls back", async () => {
      backup.setScript(always({ kind: "ok", text: '{"answer":42}' }));
      const res = await ask("json");
      expect(res.headers.get("x-switchyard-model")).toBe("back");
      expect(((await res.json()) as OpenAI.ChatCompletion).choices[0]?.message.content).toBe('{"answer":42}');
    });

    it("streams on a validated route are buffered, validated, then sent", async () => {
      backup.setScript(always({ kind: "ok", text: '{"answer": 42}' }));
      const res = await ask("json", { stream: true });
      expect(res.headers.get("x-switchyard-model")).toBe("back");
      expect(res.headers.get("x-switchyard-attempts")).toBe("2");
      const text = await res.text();
      expect(text).toContain("42");
      expect(text).not.toContain("Hello from fake");
    });
  });

  describe("circuit breaker", () => {
    it("opens after the threshold, skips the model, half-opens after the cooldown and closes on recovery", async () => {
      primary.setScript(always({ kind: "status", status: 500 }));
      // consecutiveFailures = 3; the `main` route tries the primary twice per request.
      await ask("main");
      await ask("main");
      expect(primary.requests).toHaveLength(4);
      expect(state.view(clock).breaker("prim").status).toBe("open");

      primary.requests.length = 0;
      const skipped = await ask("main");
      expect(skipped.headers.get("x-switchyard-model")).toBe("back");
      expect(skipped.headers.get("x-switchyard-attempts")).toBe("1");
      expect(primary.requests).toHaveLength(0);

      primary.setScript(always({ kind: "ok" }));
      clock += 1_500; // past the cooldown: half-open, one probe goes to the primary
      expect(state.view(clock).breaker("prim").status).toBe("half-open");
      const probed = await ask("main");
      expect(probed.headers.get("x-switchyard-model")).toBe("prim");
      expect(state.view(clock).breaker("prim").status).toBe("closed");
    });

    it("when every breaker is open, a forced probe that succeeds closes the breaker before its cooldown", async () => {
      primary.setScript(always({ kind: "status", status: 500 }));
      // `solo` has one model and two attempts per request: two requests open the breaker (3 failures).
      await ask("solo");
      await ask("solo");
      expect(state.view(clock).breaker("prim").status).toBe("open");

      primary.setScript(always({ kind: "ok" }));
      clock += 10; // well inside the cooldown: no half-open yet, so the plan probes the open breaker
      const probed = await ask("solo");
      expect(probed.status).toBe(200);
      expect(probed.headers.get("x-switchyard-model")).toBe("prim");
      expect(state.view(clock).breaker("prim").status).toBe("closed");
    });
  });

  describe("client disconnect", () => {
    it("aborts the upstream call", async () => {
      primary.setScript(always({ kind: "hang" }));
      const before = primary.abandoned();
      const controller = new AbortController();
      const pending = fetch(`${router.url}/v1/chat/completions`, {
        method: "POST",
        body: JSON.stringify({ model: "main", messages: [{ role: "user", content: "hi" }] }),
        signal: controller.signal,
      }).catch((e: unknown) => e);
      await new Promise((r) => setTimeout(r, 100));
      controller.abort();
      await pending;
      await new Promise((r) => setTimeout(r, 100));
      expect(primary.abandoned()).toBe(before + 1);
      expect(backup.requests).toHaveLength(0);
    });
  });
});

/**
 * @module Client churn on long streams over real sockets: clients that abandon their stream part-way
 * get their upstream request cancelled, their trace records 499 with the output that was produced, and
 * the team's budget settles on what was produced (nothing reserved is left behind). The timing side
 * (thousands of streams, how fast the cancel is) is in `pnpm bench:streams` (BENCHMARKS.md).
 */
import { connect } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import type { RunningRouter, TraceRecord } from "@switchyard/router";
import { type FakeOpenAi, startFakeOpenAi } from "../helpers/fake-openai.ts";
import { type TestServer, listen, readJson } from "../helpers/http-server.ts";
import { releaseOf } from "../helpers/release.ts";
import { startTestRouter } from "../helpers/router.ts";

const ADMIN = "churn-admin-token";
/** 60 words of four ASCII characters: 60 tokens by the router's chars/4 estimate, the usage the fake reports. */
const TEXT = Array.from({ length: 60 }, (_, i) => `w${String(i).padStart(2, "0")} `).join("");
const USAGE = { prompt_tokens: 9, completion_tokens: 60 };
/** $1 per 1k tokens: easy sums. */
const PRICE = 1_000;

let fake: FakeOpenAi | undefined;
let slow: TestServer | undefined;
let router: RunningRouter | undefined;
afterEach(async () => {
  await router?.close();
  await fake?.close();
  await slow?.close();
  router = undefined;
  fake = undefined;
  slow = undefined;
});

async function until(what: string, check: () => boolean): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/**
 * One streamed request on a raw socket. `leaveAfter` content words read: the client destroys the
 * socket (as a browser tab closing does); undefined: it reads to the end. Resolves with what it read.
 */
function stream(url: string, id: string, leaveAfter: number | undefined, prompt = "tell me"): Promise<{ words: number; done: boolean }> {
  const { hostname, port } = new URL(url);
  const body = JSON.stringify({ model: "chat", stream: true, messages: [{ role: "user", content: prompt }] });
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) });
    let text = "";
    let words = 0;
    socket.setEncoding("utf8");
    socket.on("connect", () =>
      socket.write(
        `POST /v1/chat/completions HTTP/1.1\r\nhost: ${hostname}:${port}\r\nauthorization: Bearer sk-team\r\ncontent-type: application/json\r\nx-request-id: ${id}\r\nconnection: close\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      ),
    );
    socket.on("data", (chunk: string) => {
      text += chunk;
      words = (text.match(/"content":"w\d\d /g) ?? []).length;
      if (leaveAfter !== undefined && words >= leaveAfter) socket.destroy();
    });
    socket.on("error", reject);
    socket.on("close", () => resolve({ words, done: text.includes("data: [DONE]") }));
  });
}

describe("clients that abandon long streams part-way", () => {
  it("cancel the upstream request, trace 499 with what was produced, and settle the budget on it", async () => {
    fake = await startFakeOpenAi(() => ({ kind: "ok", text: TEXT, chunkDelayMs: 15, usage: USAGE }));
    const traces: TraceRecord[] = [];
    router = await startTestRouter(
      releaseOf({
        providers: { up: { kind: "openai", baseUrl: fake.baseUrl } },
        models: { gpt: { provider: "up", name: "gpt-1", context: 8_000, price: { input: PRICE, output: PRICE } } },
        routes: { chat: { model: "gpt", timeout: { firstTokenMs: 10_000, totalMs: 60_000 } } },
        teams: { support: { keys: [{ secret: "TEAM_KEY" }], routes: ["chat"], budget: { usd: 100, per: "month", mode: "hard" } } },
      }),
      {
        env: { TEAM_KEY: "sk-team", SWITCHYARD_ADMIN_TOKEN: ADMIN },
        telemetry: { sinks: [{ write: (r) => void traces.push(r), close: async () => undefined }] },
      },
    );
    const url = router.url;
    // Three streams read to the end, three abandoned after 5, 10 and 20 words.
    const plan: [string, number | undefined][] = [
      ["full-1", undefined],
      ["left-5", 5],
      ["full-2", undefined],
      ["left-10", 10],
      ["left-20", 20],
      ["full-3", undefined],
    ];
    const results = await Promise.all(plan.map(([id, leave]) => stream(url, id, leave)));
    for (const [i, [id, leave]] of plan.entries()) {
      const r = results[i]!;
      if (leave === undefined) expect({ id, done: r.done, words: r.words }).toEqual({ id, done: true, words: 60 });
      else expect({ id, done: r.done }).toEqual({ id, done: false });
    }

    // The upstream saw each abandoned response closed before its end: the router cancelled it.
    await until("the upstream to see three abandoned streams", () => fake!.abandoned() === 3);
    await until("six traces", () => traces.length === 6);
    await until("nothing in flight", () => router!.inFlight() === 0);
    const trace = (id: string): TraceRecord => traces.find((t) => t.requestId === id)!;
    for (const id of ["full-1", "full-2", "full-3"]) {
      expect(trace(id)).toMatchObject({ status: 200, outcome: "ok", inputTokens: 9, outputTokens: 60 });
    }
    for (const [id, leave] of plan) {
      if (leave === undefined) continue;
      const t = trace(id);
      expect(t).toMatchObject({ status: 499, outcome: "error", errorCode: "client_gone", stream: true, model: "gpt" });
      // What the router had forwarded when the client left: at least what the client read, less than the whole answer.
      expect(t.outputTokens).toBeGreaterThanOrEqual(leave);
      expect(t.outputTokens).toBeLessThan(60);
      expect(t.costUsd).toBeCloseTo(((t.inputTokens + t.outputTokens) * PRICE) / 1e6, 9);
    }

    // The budget holds exactly what the traces say was produced, and no reservation is left behind.
    const res = await fetch(`${url}/admin/state`, { headers: { authorization: `Bearer ${ADMIN}` } });
    const state = (await res.json()) as { budgets: Record<string, { spentUsd: number; reservedUsd: number }> };
    const traced = traces.reduce((sum, t) => sum + t.costUsd, 0);
    expect(state.budgets["support"]?.spentUsd).toBeCloseTo(traced, 9);
    expect(state.budgets["support"]?.reservedUsd).toBe(0);
  });

  it("cancel the upstream request before the upstream's next chunk (the cancel path waits on no timer, poll or write)", async () => {
    // An upstream that writes a content chunk every 500 ms and notes, per request, the chunks it had written when
    // its response closed. A client that leaves after reading chunk k must see the upstream close at k: the router's
    // cancel goes from the client socket's close to the upstream socket's destroy in the same turn, so the upstream
    // sees its connection end long before its next chunk is due (a cancel noticed only at the next chunk's write, or
    // on a timer, would let the upstream write chunk k + 1 first).
    const INTERVAL_MS = 500;
    const closedAt = new Map<string, { written: number; socketClosed: boolean }>();
    slow = await listen(async (req, res) => {
      const body = await readJson(req);
      const id = String((body["messages"] as { content: string }[]).at(-1)?.content);
      let written = 0;
      let timer: ReturnType<typeof setTimeout> | undefined;
      res.on("close", () => {
        clearTimeout(timer);
        closedAt.set(id, { written, socketClosed: req.socket.destroyed || !req.socket.writable });
      });
      res.writeHead(200, { "content-type": "text/event-stream" });
      const chunk = (delta: object): string =>
        `data: ${JSON.stringify({ id: "c", object: "chat.completion.chunk", created: 1, model: "m", choices: [{ index: 0, delta, finish_reason: null }] })}\n\n`;
      res.write(chunk({ role: "assistant", content: "" }));
      const step = (): void => {
        written++;
        res.write(chunk({ content: `w${String(written).padStart(2, "0")} ` }));
        timer = setTimeout(step, INTERVAL_MS);
      };
      step();
    });
    router = await startTestRouter(
      releaseOf({
        providers: { up: { kind: "openai", baseUrl: `${slow.url}/v1` } },
        models: { gpt: { provider: "up", name: "gpt-1", context: 8_000, price: { input: PRICE, output: PRICE } } },
        routes: { chat: { model: "gpt", timeout: { firstTokenMs: 10_000, totalMs: 60_000 } } },
        teams: { support: { keys: [{ secret: "TEAM_KEY" }], routes: ["chat"] } },
      }),
      { env: { TEAM_KEY: "sk-team" } },
    );
    const plan: [string, number][] = [
      ["leave-1", 1],
      ["leave-2", 2],
      ["leave-3", 3],
    ];
    const read = await Promise.all(plan.map(([id, leave]) => stream(router!.url, id, leave, id)));
    await until("the upstream to see three responses closed", () => closedAt.size === 3);
    for (const [i, [id, leave]] of plan.entries()) {
      expect({ id, read: read[i]!.words }).toEqual({ id, read: leave });
      // Chunks the upstream wrote after the client left: none.
      expect({ id, ...closedAt.get(id) }).toEqual({ id, written: leave, socketClosed: true });
    }
    await until("nothing in flight", () => router!.inFlight() === 0);
  });
});

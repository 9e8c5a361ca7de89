/** @module Atomic hot reload under load: 50 activations while 8 OpenAI clients stream and call; no failure, no mixed release, health unaffected, old releases closed only once drained. */
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AdapterFactory, type RunningRouter } from "@switchyard/router";
import { createMockAdapter } from "../../packages/router/src/adapters/mock/index.ts";
import { AdminClient } from "@switchyard/router/admin-client";
import { startTestRouter } from "../helpers/router.ts";
import { ADMIN_TOKEN, numberedRelease, releaseText } from "../helpers/admin.ts";

const RELEASES = 50;
const CLIENTS = 8;
const MIN_PER_CLIENT = 25;
const MAX_PER_CLIENT = 60;

/**
 * When the adapter that served a release was closed, by that release's reply text ("release 7").
 * Adapters that never served (the trial activation an upload runs) are not counted.
 */
const closedAt = new Map<string, number>();
const trackingMock: AdapterFactory = (init) => {
  const adapter = createMockAdapter(init);
  const label = init.provider.mock?.reply ?? "?";
  let served = false;
  return {
    ...adapter,
    complete: (...args: Parameters<typeof adapter.complete>) => {
      served = true;
      return adapter.complete(...args);
    },
    stream: (...args: Parameters<typeof adapter.stream>) => {
      served = true;
      return adapter.stream(...args);
    },
    async close() {
      if (served && !closedAt.has(label)) closedAt.set(label, performance.now());
      await adapter.close();
    },
  };
};

let router: RunningRouter;
const activationLog: string[] = [];
let admin: AdminClient;
const releases = Array.from({ length: RELEASES + 1 }, (_, n) => numberedRelease(n, { ttftMs: 3 }));
const byHash = new Map(releases.map((r, n) => [r.hash, n]));

beforeAll(async () => {
  router = await startTestRouter(releases[0] ?? numberedRelease(0), {
    env: { SWITCHYARD_ADMIN_TOKEN: ADMIN_TOKEN, SWITCHYARD_MAX_RELEASES: String(RELEASES + 1) },
    adapters: { mock: trackingMock },
    telemetry: { log: (line) => void activationLog.push(line) },
  });
  admin = new AdminClient({ url: router.url, token: ADMIN_TOKEN });
});

afterAll(async () => {
  await router.close();
});

interface Observed {
  start: number;
  end: number;
  version: string | null;
  status: number;
  reply: string;
}

describe("hot reload under load", () => {
  it(`${RELEASES} activations during ${CLIENTS} concurrent clients: zero failures, each response tagged with a release active during it and served wholly by it`, async () => {
    for (const release of releases.slice(1)) await admin.pushRelease(releaseText(release));
    /** [sent, answered] of each activation, by release number (0: active from the start). */
    const activated: Array<{ sent: number; done: number }> = [{ sent: 0, done: 0 }];
    let finished = false;
    const observed: Observed[] = [];
    const health: Array<{ path: string; status: number; release?: string }> = [];
    const openai = new OpenAI({ baseURL: `${router.url}/v1`, apiKey: "unused", maxRetries: 0 });

    const client = async (c: number): Promise<void> => {
      for (let i = 0; i < MAX_PER_CLIENT && !(finished && i >= MIN_PER_CLIENT); i++) {
        const start = performance.now();
        const messages = [{ role: "user" as const, content: `client ${c} request ${i}` }];
        try {
          if (c % 2 === 0) {
            const { data, response } = await openai.chat.completions.create({ model: "chat", messages }).withResponse();
            observed.push({
              start,
              end: performance.now(),
              version: response.headers.get("x-switchyard-config-version"),
              status: response.status,
              reply: data.choices[0]?.message.content ?? "",
            });
          } else {
            const { data: stream, response } = await openai.chat.completions.create({ model: "chat", messages, stream: true }).withResponse();
            let reply = "";
            for await (const chunk of stream) reply += chunk.choices[0]?.delta.content ?? "";
            observed.push({ start, end: performance.now(), version: response.headers.get("x-switchyard-config-version"), status: response.status, reply });
          }
        } catch (error) {
          observed.push({ start, end: performance.now(), version: null, status: (error as { status?: number }).status ?? 0, reply: String(error) });
        }
      }
    };
    const prober = async (): Promise<void> => {
      while (!finished) {
        for (const path of ["/healthz", "/readyz"]) {
          const res = await fetch(`${router.url}${path}`);
          const body = (await res.json()) as { release?: string };
          health.push({ path, status: res.status, ...(body.release !== undefined ? { release: body.release } : {}) });
        }
      }
    };
    const activator = async (): Promise<void> => {
      for (let n = 1; n <= RELEASES; n++) {
        // Let some traffic land on each release before replacing it (whatever the machine's speed).
        const before = observed.length;
        for (let waited = 0; observed.length < before + 4 && waited < 200; waited++) await new Promise((resolve) => setTimeout(resolve, 1));
        const sent = performance.now();
        const result = await admin.activate(releases[n]?.hash ?? "");
        activated.push({ sent, done: performance.now() });
        expect(result.changed).toBe(true);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
      finished = true;
    };

    await Promise.all([activator(), prober(), ...Array.from({ length: CLIENTS }, (_, c) => client(c))]);

    expect(observed.length).toBeGreaterThanOrEqual(200);
    expect(observed.length).toBeLessThanOrEqual(CLIENTS * MAX_PER_CLIENT);
    expect(observed.filter((o) => o.status !== 200)).toEqual([]);
    const seen = new Set<number>();
    for (const o of observed) {
      const n = byHash.get(o.version ?? "");
      expect(n, `unknown config version ${o.version}`).toBeDefined();
      if (n === undefined) continue;
      seen.add(n);
      // The whole answer came from that release (its mock replies "release n").
      expect(o.reply).toBe(`release ${n}`);
      // Release n was active from (at the earliest) its activation being sent until (at the latest) release n+1's activation answered.
      const from = activated[n]?.sent ?? 0;
      const until = activated[n + 1]?.done ?? Number.POSITIVE_INFINITY;
      expect(o.start <= until && o.end >= from, `release ${n} answered a request outside its active window`).toBe(true);
    }
    // The load really spanned the reloads.
    expect(seen.size).toBeGreaterThan(RELEASES * 0.6);
    expect(router.active.current.hash).toBe(releases[RELEASES]?.hash);
    // Every activation leaves an audit line for the operator.
    expect(activationLog).toHaveLength(RELEASES);
    expect(activationLog.at(-1)).toBe(
      `switchyard router: activated release ${releases[RELEASES]?.hash.slice(0, 12)} (environment test); was ${releases[RELEASES - 1]?.hash.slice(0, 12)}`,
    );

    expect(health.length).toBeGreaterThan(10);
    expect(health.filter((h) => h.status !== 200)).toEqual([]);
    for (const h of health.filter((x) => x.path === "/readyz")) expect(byHash.has(h.release ?? "")).toBe(true);

    // Every replaced release was closed, and only after its last request ended.
    await new Promise((resolve) => setTimeout(resolve, 50));
    for (const n of seen) {
      if (n === RELEASES) continue;
      const closed = closedAt.get(`release ${n}`);
      expect(closed, `release ${n} was never closed`).toBeDefined();
      // Never closed before it was replaced (closing after its last request is the next test's subject).
      expect(closed ?? 0).toBeGreaterThanOrEqual(activated[n + 1]?.sent ?? 0);
    }
    expect(closedAt.has(`release ${RELEASES}`)).toBe(false);
  });

  it("a stream in flight finishes on the release it started with; that release is closed only after it ends", async () => {
    // A slow stream: a pause between chunks keeps the response open across the activation.
    const slowA = numberedRelease(1000, { interChunkMs: 60 });
    await admin.pushRelease(releaseText(slowA));
    await admin.activate(slowA.hash);
    const next = numberedRelease(1001);
    await admin.pushRelease(releaseText(next));

    const res = await fetch(`${router.url}/v1/chat/completions`, {
      method: "POST",
      body: JSON.stringify({ model: "chat", stream: true, messages: [{ role: "user", content: "hello" }] }),
    });
    expect(res.headers.get("x-switchyard-config-version")).toBe(slowA.hash);
    const reader = res.body?.getReader();
    if (reader === undefined) throw new Error("no body");
    const first = await reader.read();
    expect(first.done).toBe(false);
    // Switch while the response is still open.
    await admin.activate(next.hash);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(closedAt.has("release 1000")).toBe(false);
    let text = new TextDecoder().decode(first.value);
    for (;;) {
      const part = await reader.read();
      if (part.done) break;
      text += new TextDecoder().decode(part.value);
    }
    expect(text).toContain("[DONE]");
    const words = [...text.matchAll(/"content":"([^"]*)"/g)].map((m) => m[1]).join("");
    expect(words).toBe("release 1000");
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(closedAt.has("release 1000")).toBe(true);
    const after = await fetch(`${router.url}/v1/chat/completions`, {
      method: "POST",
      body: JSON.stringify({ model: "chat", messages: [{ role: "user", content: "x" }] }),
    });
    expect(after.headers.get("x-switchyard-config-version")).toBe(next.hash);
    await after.text();
  });
});

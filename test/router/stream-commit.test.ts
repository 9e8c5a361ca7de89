/**
 * Streams commit at the upstream's first event (headers + role chunk), yet an attempt that fails
 * before its first token still falls back invisibly: one role chunk, the fallback's text, [DONE].
 */
import OpenAI from "openai";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Release } from "@switchyard/ir";
import type { RunningRouter, TraceRecord } from "@switchyard/router";
import type { Behaviour, FakeOpenAi } from "../helpers/fake-openai.ts";
import { always, type PrimaryBackup, startPrimaryBackup } from "../helpers/primary-backup.ts";
import { chat, startTestRouter } from "../helpers/router.ts";

let upstreams: PrimaryBackup;
let primary: FakeOpenAi;
let backup: FakeOpenAi;
let release: Release;
let router: RunningRouter;
let traces: TraceRecord[];
let clock = 1_800_000_000_000;

const hi = { model: "main", messages: [{ role: "user" as const, content: "hi" }], stream: true as const };
const client = () => new OpenAI({ baseURL: `${router.url}/v1`, apiKey: "none", maxRetries: 0 });

/** A promise and the function that settles it: the test decides when the upstream's first token goes out. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open = (): void => undefined;
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

/** The trace of a request: written once the response has ended, so poll briefly. */
async function traceOf(requestId: string | null): Promise<TraceRecord> {
  for (let i = 0; i < 100; i++) {
    const found = traces.find((t) => t.requestId === requestId);
    if (found !== undefined) return found;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`no trace for ${requestId}`);
}

beforeAll(async () => {
  upstreams = await startPrimaryBackup();
  ({ primary, backup } = upstreams);
  release = upstreams.release({
    main: { model: "prim", fallback: [{ model: "back" }], retry: { attempts: 1 }, timeout: { firstTokenMs: 200, totalMs: 2_000 } },
  });
});

beforeEach(async () => {
  traces = [];
  router = await startTestRouter(release, { now: () => clock, telemetry: { sinks: [{ write: (r) => void traces.push(r), close: async () => undefined }] } });
});

afterEach(async () => {
  await router.close();
  upstreams.reset();
});

afterAll(async () => {
  await upstreams.close();
});

describe("the first byte", () => {
  it("leaves with the upstream's role chunk, before the upstream's first token", async () => {
    const first = gate();
    primary.setScript(always({ kind: "preamble-then", then: "continue", release: first.promise, text: "token by token" }));
    const { data: stream, response } = await client().chat.completions.create(hi).withResponse();
    // The status and headers are here while the upstream still holds its first token.
    expect(response.status).toBe(200);
    expect(response.headers.get("x-switchyard-model")).toBe("prim");
    const chunks = stream[Symbol.asyncIterator]();
    const role = await chunks.next();
    expect(role.done).toBe(false);
    expect(role.value?.choices[0]?.delta).toEqual({ role: "assistant", content: "" });
    clock += 700; // the upstream thinks for 700 ms between its role chunk and its first token
    first.open();
    let text = "";
    for (let next = await chunks.next(); next.done !== true; next = await chunks.next()) text += next.value.choices[0]?.delta.content ?? "";
    expect(text).toBe("token by token");
    const trace = await traceOf(response.headers.get("x-switchyard-request-id"));
    expect(trace).toMatchObject({ status: 200, outcome: "ok", model: "prim", fallback: false });
    // TTFT still means the first token, not the role chunk that committed the response.
    expect(trace.attempts[0]?.ttftMs).toBe(700);
  });
});

describe("a failure after the role chunk, before the first token, still falls back", () => {
  it.each<[string, "cut" | "end" | "error" | "hang", string]>([
    ["the socket is destroyed", "cut", "connection"],
    ["the stream ends", "end", "stream_interrupted"],
    ["an error event arrives", "error", "5xx"],
    ["firstTokenMs elapses", "hang", "timeout"],
  ])("when %s: one role chunk, the fallback's text, [DONE]", async (_name, then, errorClass) => {
    primary.setScript(always({ kind: "preamble-then", then }));
    const { data: stream, response } = await client().chat.completions.create(hi).withResponse();
    const roles: string[] = [];
    let text = "";
    for await (const chunk of stream) {
      const delta = chunk.choices[0]?.delta;
      if (delta?.role !== undefined) roles.push(delta.role);
      text += delta?.content ?? "";
    }
    expect(roles).toEqual(["assistant"]);
    expect(text).toBe("backup here");
    // Committed at the primary's role chunk: the headers name the attempt that opened the stream.
    expect(response.headers.get("x-switchyard-model")).toBe("prim");
    expect(response.headers.get("x-switchyard-attempts")).toBe("1");
    const trace = await traceOf(response.headers.get("x-switchyard-request-id"));
    expect(trace).toMatchObject({ status: 200, outcome: "ok", model: "back", provider: "b", fallback: true });
    expect(trace.errorCode).toBeUndefined();
    expect(trace.attempts.map((a) => [a.model, a.outcome])).toEqual([
      ["prim", "error"],
      ["back", "ok"],
    ]);
    expect(trace.attempts[0]?.errorClass).toBe(errorClass);
    expect(trace.attempts[1]?.ttftMs).toBeGreaterThanOrEqual(0);
  });

  it("the raw stream is well-formed: each chunk names who sent it, then [DONE]", async () => {
    primary.setScript(always({ kind: "preamble-then", then: "cut" }));
    const res = await chat(router, hi);
    const events = (await res.text()).trim().split("\n\n");
    expect(events.at(-1)).toBe("data: [DONE]");
    const chunks = events.slice(0, -1).map((e) => JSON.parse(e.replace(/^data: /, "")) as OpenAI.ChatCompletionChunk);
    expect(chunks.map((c) => c.model)).toEqual(["prim-model", ...chunks.slice(1).map(() => "back-model")]);
    expect(chunks.filter((c) => c.choices[0]?.delta.role !== undefined)).toHaveLength(1);
  });
});

describe("every candidate fails after the commit", () => {
  it.each<[string, Behaviour]>([
    ["the fallback dies after its role chunk too", { kind: "preamble-then", then: "cut" }],
    ["the fallback answers 500", { kind: "status", status: 500 }],
  ])("%s: one error event, no [DONE]; the SDK raises", async (_name, fallback) => {
    primary.setScript(always({ kind: "preamble-then", then: "end" }));
    backup.setScript(always(fallback));
    const res = await chat(router, hi);
    expect(res.status).toBe(200);
    const events = (await res.text()).trim().split("\n\n");
    expect(events).toHaveLength(2);
    expect(events[0]).toContain('"role":"assistant"');
    const payload = JSON.parse((events[1] ?? "").replace(/^data: /, "")) as { error: { code: string; type: string; message: string } };
    expect(payload.error).toMatchObject({ code: "stream_interrupted", type: "upstream_error" });
    expect(payload.error.message).toMatch(/^the upstream stream failed after the response started: every candidate/);
    const trace = await traceOf(res.headers.get("x-switchyard-request-id"));
    expect(trace).toMatchObject({ outcome: "error", errorCode: "all_candidates_failed" });
    expect(trace.model).toBeUndefined();
    expect(trace.attempts.map((a) => [a.model, a.outcome])).toEqual([
      ["prim", "error"],
      ["back", "error"],
    ]);

    primary.setScript(always({ kind: "preamble-then", then: "end" }));
    backup.setScript(always(fallback));
    const stream = await client().chat.completions.create(hi);
    await expect(async () => {
      for await (const _ of stream) void _;
    }).rejects.toThrow(/every candidate/);
  });
});

describe("a failure before any upstream event", () => {
  it("is still an HTTP error with the attempts (nothing was committed)", async () => {
    primary.setScript(always({ kind: "status", status: 500 }));
    backup.setScript(always({ kind: "status", status: 503 }));
    const res = await chat(router, hi);
    expect(res.status).toBe(502);
    expect(res.headers.get("content-type")).toMatch(/application\/json/);
    const body = (await res.json()) as { error: { code: string; attempts: unknown[] } };
    expect(body.error.code).toBe("all_candidates_failed");
    expect(body.error.attempts).toHaveLength(2);
  });
});

describe("the client leaves after the commit, before the first token", () => {
  it("aborts the upstream attempt, tries no fallback and records a 499", async () => {
    primary.setScript(always({ kind: "preamble-then", then: "hang" }));
    const before = primary.abandoned();
    const controller = new AbortController();
    const res = await fetch(`${router.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(hi),
      signal: controller.signal,
    });
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toContain('"role":"assistant"');
    controller.abort();
    const trace = await traceOf(res.headers.get("x-switchyard-request-id"));
    expect(trace).toMatchObject({ status: 499, errorCode: "client_gone" });
    expect(trace.attempts.map((a) => [a.model, a.outcome])).toEqual([["prim", "error"]]);
    await new Promise((r) => setTimeout(r, 50));
    expect(primary.abandoned()).toBe(before + 1);
    expect(backup.requests).toHaveLength(0);
    expect(router.inFlight()).toBe(0);
  });
});

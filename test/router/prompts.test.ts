/**
 * Prompts as code end to end: examples/prompts/routes.ts compiled by the compiler, served by the router, called with the
 * official `openai` client (Chat Completions, Responses) and `@anthropic-ai/sdk` (Messages), the variables typed by the
 * SDK's promptRequest / promptHeader against the same routes.ts. The routes log payloads, so traces show what was
 * rendered; a prompt canary is split by user and rolled back by its guard like a model canary.
 */
import path from "node:path";
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { compile } from "@switchyard/compiler";
import type { Release } from "@switchyard/ir";
import type { RunningRouter, TraceRecord } from "@switchyard/router";
import { promptHeader, promptRequest } from "@switchyard/sdk";
import config from "../../examples/prompts/routes.ts";
import { repoRoot } from "../compiler/helpers.ts";
import { releaseOf } from "../helpers/release.ts";
import { startTestRouter } from "../helpers/router.ts";

let release: Release;
let router: RunningRouter;
let openai: OpenAI;
let anthropic: Anthropic;
const traces: TraceRecord[] = [];

/** The trace of a request, once written (the sink runs after the answer went out). */
async function traceOf(requestId: string | null | undefined): Promise<TraceRecord> {
  return vi.waitFor(() => {
    const trace = traces.find((t) => t.requestId === requestId);
    if (trace === undefined) throw new Error(`no trace for ${requestId}`);
    return trace;
  });
}

beforeAll(async () => {
  const result = await compile({ file: path.join(repoRoot, "examples", "prompts", "routes.ts") });
  expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  if (result.release === undefined) throw new Error("examples/prompts did not compile");
  release = result.release;
  router = await startTestRouter(release, {
    env: { SWITCHYARD_DEMO_KEY: "demo" },
    canaryIntervalMs: 0,
    telemetry: { sinks: [{ write: (record) => void traces.push(record), close: async () => undefined }] },
  });
  openai = new OpenAI({ baseURL: `${router.url}/v1`, apiKey: "demo", maxRetries: 0 });
  anthropic = new Anthropic({ baseURL: router.url, apiKey: "demo", maxRetries: 0 });
});

afterAll(async () => {
  await router?.close();
});

describe("examples/prompts over the official clients", () => {
  const variables = { product: "Acme Router", question: "How do I rotate my key?" };

  it("Chat Completions: promptRequest's fields render the prompt on its route", async () => {
    const { data, response } = await openai.chat.completions.create({ ...promptRequest(config, "support-answer", variables), messages: [] }).withResponse();
    expect(data.choices[0]?.message.content).toBe('answered "How do I rotate my key?"');
    expect(response.headers.get("x-switchyard-route")).toBe("support");
    const trace = await traceOf(response.headers.get("x-switchyard-request-id"));
    expect(trace.prompt).toEqual({ id: "support-answer", version: expect.stringMatching(/^[0-9a-f]{12}$/) });
    expect(trace.payload?.messages).toEqual([
      { role: "system", content: "You are the support assistant for Acme Router. Answer in two sentences at most." },
      { role: "user", content: "How do I rotate my key?" },
    ]);
  });

  it("Responses: OpenAI's own `prompt` parameter names the prompt", async () => {
    const { data, response } = await openai.responses.create({ model: "support", prompt: { id: "support-answer", variables } }).withResponse();
    expect(data.output_text).toBe('answered "How do I rotate my key?"');
    const trace = await traceOf(response.headers.get("x-switchyard-request-id"));
    expect(trace).toMatchObject({ api: "responses", route: "support", prompt: { id: "support-answer" } });
    expect((trace.payload?.messages as { role: string }[]).map((m) => m.role)).toEqual(["system", "user"]);
  });

  it("Messages: the x-switchyard-prompt header (promptHeader escapes non-ASCII) with the client's own turn after the prompt's", async () => {
    const { data, response } = await anthropic.messages
      .create(
        { model: "support", max_tokens: 200, messages: [{ role: "user", content: "Thanks!" }] },
        { headers: promptHeader(config, "support-answer", { product: "Café Router", question: "Où est ma clé ?" }) },
      )
      .withResponse();
    expect(data.content[0]).toMatchObject({ type: "text", text: 'answered "Thanks!"' });
    const trace = await traceOf(response.headers.get("x-switchyard-request-id"));
    expect(trace).toMatchObject({ api: "messages", prompt: { id: "support-answer" } });
    expect(trace.payload?.messages).toEqual([
      { role: "system", content: "You are the support assistant for Café Router. Answer in two sentences at most." },
      { role: "user", content: "Où est ma clé ?" },
      { role: "user", content: "Thanks!" },
    ]);
  });

  it("a missing or misspelt variable, or an unknown prompt, is a 400 naming it, in each client's error shape", async () => {
    const missing = await openai.chat.completions
      .create({
        model: "support",
        messages: [],
        prompt: { id: "support-answer", variables: { product: "Acme" } },
      } as OpenAI.ChatCompletionCreateParamsNonStreaming)
      .catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(OpenAI.BadRequestError);
    expect(missing).toMatchObject({
      status: 400,
      code: "invalid_request",
      param: "prompt.variables.question",
      error: { message: 'prompt "support-answer" needs variable "question" (it takes product, question)' },
    });
    const misspelt = await openai.responses
      .create({ model: "support", prompt: { id: "support-answer", variables: { ...variables, prodcut: "x" } } })
      .catch((e: unknown) => e);
    expect(misspelt).toMatchObject({ status: 400, param: "prompt.variables.prodcut" });
    const unknown = await anthropic.messages
      .create({ model: "support", max_tokens: 10, messages: [] }, { headers: { "x-switchyard-prompt": "support-anwser" } })
      .catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(Anthropic.BadRequestError);
    expect((unknown as InstanceType<typeof Anthropic.BadRequestError>).error).toMatchObject({
      type: "error",
      error: { type: "invalid_request_error", message: 'prompt "support-anwser" is not declared in this release (it declares support-answer, ticket-summary)' },
    });
  });

  it("a declared variable's default applies; a prompt canary keeps each user on one version", async () => {
    const arms = new Map<string, string>();
    for (let i = 0; i < 40; i++) {
      const user = `customer-${i}`;
      for (let round = 0; round < 2; round++) {
        const { data, response } = await openai.chat.completions
          .create({ ...promptRequest(config, "ticket-summary", { ticket: "Login fails." }), messages: [], user })
          .withResponse();
        const trace = await traceOf(response.headers.get("x-switchyard-request-id"));
        const arm = trace.prompt?.arm ?? "none";
        if (round === 1) expect(arm).toBe(arms.get(user));
        arms.set(user, arm);
        expect(data.choices[0]?.message.content).toContain("Login fails.");
        expect(trace.payload?.messages).toEqual([
          {
            role: "user",
            content:
              arm === "canary"
                ? "Summarise this ticket in three bullet points, neutral tone:\n\nLogin fails."
                : "Summarise this support ticket in a neutral tone:\n\nLogin fails.",
          },
        ]);
      }
    }
    const canary = [...arms.values()].filter((a) => a === "canary").length;
    expect([...new Set(arms.values())].sort()).toEqual(["baseline", "canary"]);
    expect(canary).toBeLessThan(20); // 10 % of 40, sticky
  });
});

describe("a prompt canary's guard", () => {
  it("rolls the canary version back when its answers fail the route's validator, as a model canary's would", async () => {
    const input = release.config;
    const guarded = releaseOf({
      providers: input.providers,
      models: input.models,
      routes: { support: { model: "small", validate: [{ kind: "regex", pattern: "^(?![\\s\\S]*bullet)" }] } },
      prompts: {
        summary: {
          route: "support",
          messages: [{ role: "user", content: "Summarise: {{ticket}}" }],
          variables: { ticket: {} },
          canary: {
            messages: [{ role: "user", content: "Summarise in bullet points: {{ticket}}" }],
            steps: [50, 100],
            everyMs: 1,
            guard: { maxErrorRate: 0.1, minRequests: 5 },
          },
        },
      },
    });
    const own: TraceRecord[] = [];
    const r = await startTestRouter(guarded, { canaryIntervalMs: 0, telemetry: { sinks: [{ write: (t) => void own.push(t), close: async () => undefined }] } });
    try {
      const client = new OpenAI({ baseURL: `${r.url}/v1`, apiKey: "none", maxRetries: 0 });
      const send = (user: string) =>
        client.chat.completions
          .create({
            model: "support",
            messages: [],
            user,
            prompt: { id: "summary", variables: { ticket: "t" } },
          } as OpenAI.ChatCompletionCreateParamsNonStreaming)
          .then(
            () => 200,
            (e: { status?: number }) => e.status,
          );
      const statuses = [];
      for (let i = 0; i < 40; i++) statuses.push(await send(`u${i}`));
      expect(statuses).toContain(502); // the canary version's answers fail validation
      await vi.waitFor(() => expect(own.length).toBe(40));
      const changes = await r.canaries.evaluate();
      expect(changes).toEqual([expect.objectContaining({ route: "prompt:summary", action: "rollback", percent: 0 })]);
      expect(changes[0]?.reason).toMatch(/^rolled back at 50 %: error rate/);
      // Rolled back: every caller renders the baseline version now.
      const after = [];
      for (let i = 0; i < 10; i++) after.push(await send(`u${i}`));
      expect(after).toEqual(Array(10).fill(200));
    } finally {
      await r.close();
    }
  });
});

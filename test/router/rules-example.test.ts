/**
 * examples/rules compiles with its policies clean, and the router built from it routes by its `when` rules and
 * escalates `extract` past the cheap model's answer that fails the JSON validator.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compile } from "@switchyard/compiler";
import type { RunningRouter, TraceRecord } from "@switchyard/router";
import { repoRoot } from "../compiler/helpers.ts";
import { startTestRouter } from "../helpers/router.ts";

let router: RunningRouter;
const traces: TraceRecord[] = [];
const client = (headers: Record<string, string> = {}) => new OpenAI({ baseURL: `${router.url}/v1`, apiKey: "demo", maxRetries: 0, defaultHeaders: headers });
const ask = [{ role: "user" as const, content: "Where is my parcel?" }];

beforeAll(async () => {
  const result = await compile({ file: path.join(repoRoot, "examples", "rules", "routes.ts") });
  expect(result.diagnostics).toEqual([]);
  if (result.release === undefined) throw new Error("examples/rules did not compile");
  router = await startTestRouter(result.release, {
    env: { SWITCHYARD_DEMO_KEY: "demo" },
    telemetry: { sinks: [{ write: (r) => void traces.push(r), close: async () => undefined }] },
  });
});

afterAll(async () => {
  await router?.close();
});

describe("examples/rules", () => {
  it("support: cheap by default, frontier for a high-risk tag or a long prompt", async () => {
    const plain = await client().chat.completions.create({ model: "support", messages: ask }).withResponse();
    expect(plain.response.headers.get("x-switchyard-model")).toBe("mini");
    const risky = await client({ "x-switchyard-tags": "risk:high" }).chat.completions.create({ model: "support", messages: ask }).withResponse();
    expect(risky.response.headers.get("x-switchyard-model")).toBe("big");
    const long = await client()
      .chat.completions.create({ model: "support", messages: [{ role: "user", content: "word ".repeat(9_000) }] })
      .withResponse();
    expect(long.response.headers.get("x-switchyard-model")).toBe("big");
    expect(traces.find((t) => t.requestId === long.response.headers.get("x-switchyard-request-id"))?.rule).toBe(2);
  });

  it("extract: the cheap answer fails validation, the fallback answers in JSON", async () => {
    const { data, response } = await client().chat.completions.create({ model: "extract", messages: ask }).withResponse();
    expect(response.headers.get("x-switchyard-model")).toBe("big");
    expect(JSON.parse(data.choices[0]?.message.content ?? "")).toEqual({ answer: "42", model: "big" });
    const trace = traces.find((t) => t.requestId === response.headers.get("x-switchyard-request-id"));
    expect(trace?.attempts.map((a) => [a.model, a.outcome, a.errorClass])).toEqual([
      ["mini", "error", "validation"],
      ["big", "ok", undefined],
    ]);
    expect(trace).toMatchObject({ fallback: true, validation: "passed" });
  });

  it("docs/routing.md's excerpt is this example's text", () => {
    const docs = readFileSync(path.join(repoRoot, "docs", "routing.md"), "utf8");
    const example = readFileSync(path.join(repoRoot, "examples", "rules", "routes.ts"), "utf8");
    const excerpt = /<!-- example: examples\/rules\/routes\.ts[^\n]*\n```ts\n([\s\S]*?)```/.exec(docs)?.[1];
    expect(excerpt).toBeDefined();
    for (const line of (excerpt ?? "").split("\n").filter((l) => l.trim() !== "")) expect(example).toContain(line);
  });
});

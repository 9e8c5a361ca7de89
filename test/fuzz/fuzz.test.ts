/**
 * The fixed-seed slice of the fuzz suite (`pnpm fuzz` runs the full one): the corpus (the cases,
 * 42 header bytes (controls, separators, DEL, high bytes) in names and values, prototype keys, 100k-deep and 4 MB bodies, lone surrogates,
 * invalid UTF-8, framing garbage; since the first suite, 24 known answers of prompts, the cache, rules and the other endpoints,
 * 4 bytes in each value of x-switchyard-prompt / -tags / -region and Cache-Control, a 20 KB value of each, and deep or broken
 * values in the Responses, Messages, embeddings and `prompt` bodies) and 240 seeded cases, on the fast path, on node:http,
 * on router.mjs and on the fast path with its state on a redis-server of its own, each a child process in front of a
 * well-behaved upstream. Every finding fails it, listed by group.
 */
import { describe, expect, it } from "vitest";
import { FAILING, groupFindings, runFuzz } from "./run.ts";

describe("fuzz (fixed seed)", () => {
  it("no crash, no 5xx caused by input, no hang, OpenAI's (Anthropic's on /v1/messages) error shape, known answers on all four targets", async () => {
    const result = await runFuzz({
      cases: 240,
      seed: 17,
      targets: ["fast", "node", "bundle", "redis"],
      deadlineMs: 3_000,
      maxMs: 240_000,
      concurrency: 4,
      corpus: "slice",
    });
    const failing = groupFindings(result.findings.filter((f) => FAILING.includes(f.kind)));
    expect(
      failing.map(
        (g) => `${g.first.kind} ×${g.count} on ${[...g.targets].join("+")} (${g.first.family}): e.g. ${g.first.what} → ${g.first.detail.slice(0, 200)}`,
      ),
    ).toEqual([]);
    for (const t of result.targets) expect(t.cases, `${t.kind} ran its cases`).toBeGreaterThan(200);
  }, 600_000);
});

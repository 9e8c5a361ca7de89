/**
 * examples/regions compiles without problems, and routers built from it place callers nearest first over real HTTP
 * (the official openai client): by the trusted proxy's region header or the team's region, a header named by
 * `router.regionHeader`, never outside the route's residency, shifting to the next-nearest region when Frankfurt's
 * deployment fails (breaker) or runs over the route's p95 target.
 */
import path from "node:path";
import OpenAI from "openai";
import { afterEach, describe, expect, it } from "vitest";
import { compile } from "@switchyard/compiler";
import type { RunningRouter } from "@switchyard/router";
import { repoRoot } from "../compiler/helpers.ts";
import { startTestRouter } from "../helpers/router.ts";

const KEYS = { SWITCHYARD_BERLIN_KEY: "berlin", SWITCHYARD_EDGE_KEY: "edge" };
let router: RunningRouter | undefined;

afterEach(async () => {
  await router?.close();
  router = undefined;
});

async function serve(env?: string): Promise<RunningRouter> {
  const result = await compile({ file: path.join(repoRoot, "examples", "regions", "routes.ts"), ...(env === undefined ? {} : { env }) });
  expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  if (result.release === undefined) throw new Error(`examples/regions (${env ?? "default"}) did not compile`);
  router = await startTestRouter(result.release, { env: KEYS });
  return router;
}

/** The model that answered, and the attempts it took, for one chat request. */
async function ask(r: RunningRouter, key: string, route: string, headers: Record<string, string> = {}): Promise<{ model: string; attempts: string }> {
  const client = new OpenAI({ baseURL: `${r.url}/v1`, apiKey: key, maxRetries: 0, defaultHeaders: headers });
  const { response } = await client.chat.completions.create({ model: route, messages: [{ role: "user", content: "hi" }] }).withResponse();
  return { model: response.headers.get("x-switchyard-model") ?? "", attempts: response.headers.get("x-switchyard-attempts") ?? "" };
}

describe("examples/regions", () => {
  it("serves each caller from the nearest region: the proxy's header first, else the team's region", async () => {
    const r = await serve();
    expect((await ask(r, "berlin", "assistant")).model).toBe("chat-fra");
    expect((await ask(r, "edge", "assistant", { "x-switchyard-region": "us-east" })).model).toBe("chat-iad");
    expect((await ask(r, "edge", "assistant", { "x-switchyard-region": "us-west" })).model).toBe("chat-sfo");
    // No deployment in ap-south: its list's first region.
    expect((await ask(r, "edge", "assistant", { "x-switchyard-region": "ap-south" })).model).toBe("chat-dub");
    // The header wins over the team's region.
    expect((await ask(r, "berlin", "assistant", { "x-switchyard-region": "us-east" })).model).toBe("chat-iad");
  });

  it("never leaves the route's residency: a us-east caller of an EU route is served in the nearest EU region", async () => {
    const r = await serve();
    for (const region of ["us-east", "us-west", "ap-south"]) {
      expect(["chat-dub", "chat-fra"]).toContain((await ask(r, "edge", "eu-records", { "x-switchyard-region": region })).model);
    }
    expect((await ask(r, "edge", "eu-records", { "x-switchyard-region": "us-east" })).model).toBe("chat-dub");
  });

  it("reads the region from the header `router.regionHeader` names, and only that one", async () => {
    const r = await serve("cdn");
    expect((await ask(r, "edge", "assistant", { "x-edge-region": "us-west" })).model).toBe("chat-sfo");
    expect((await ask(r, "berlin", "assistant", { "x-edge-region": "us-east" })).model).toBe("chat-iad");
    // x-switchyard-region is not this router's header: berlin's own region applies.
    expect((await ask(r, "berlin", "assistant", { "x-switchyard-region": "us-east" })).model).toBe("chat-fra");
  });

  it("shifts to the next-nearest region while Frankfurt fails, then stops trying it once its breaker opens", async () => {
    const r = await serve("fra-outage");
    const answers = [];
    for (let i = 0; i < 7; i++) answers.push(await ask(r, "berlin", "assistant"));
    expect(answers.every((a) => a.model === "chat-dub")).toBe(true);
    // The first answers took a failed attempt on Frankfurt first; after 5 consecutive failures its breaker is open.
    expect(answers[0]?.attempts).toBe("2");
    expect(answers[6]?.attempts).toBe("1");
  });

  it("shifts to the next-nearest region once Frankfurt's p95 is over the route's target", async () => {
    const r = await serve("fra-slow");
    const answers = [];
    for (let i = 0; i < 14; i++) answers.push((await ask(r, "berlin", "assistant")).model);
    // Judged after 10 samples: the first 10 are Frankfurt's, then Dublin (within the target) comes first.
    expect(answers.slice(0, 10)).toEqual(Array(10).fill("chat-fra"));
    expect(answers.slice(10)).toEqual(Array(4).fill("chat-dub"));
  });
});

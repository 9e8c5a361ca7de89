/**
 * @module decide() per call, in its own process: `node --import tsx decide-worker.ts 10,100,1000 [budgetMs]`.
 * Prints one line `@@result {json}`, or `@@skip {reason}` when the routing core is not there yet.
 */
import { parseConfig, type Config } from "@switchyard/ir";
import type { RoutingRequest } from "@switchyard/router";

export interface DecideCase {
  models: number;
  /** `wide`: the route's tier holds half the models and its fallback tier the other half (decide() looks at every model).
   *  `typical`: the config holds all the models, the route a 3-member weighted tier and one fallback model.
   *  `rules`: the typical route with three `when` rules (tag, tokens, complexity): each call scores a typical chat body's
   *  complexity (`complexityScore`, as the router does once per request on such a route) and decides; no rule matches. */
  shape: "wide" | "typical" | "rules";
  nsPerCall: number;
  /** Fastest and slowest batch, ns per call. */
  range: [number, number];
  calls: number;
  candidates: number;
}

/** A config with `n` models over 4 providers, one wide route and one typical route. */
export function decideConfig(n: number): Config {
  const providers: Record<string, unknown> = {};
  for (let p = 0; p < 4; p++) providers[`p${p}`] = { kind: "openai", baseUrl: `http://127.0.0.1:9/v${p}`, region: p % 2 ? "eu" : "us" };
  const models: Record<string, unknown> = {};
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const id = `m${i}`;
    ids.push(id);
    models[id] = { provider: `p${i % 4}`, name: `model-${i}`, context: 128_000, price: { input: 0.1 + (i % 7) / 10, output: 0.4 + (i % 5) / 10 } };
  }
  const half = Math.max(1, Math.floor(n / 2));
  const tiers = {
    wideA: { models: ids.slice(0, half).map((model, i) => ({ model, weight: 1 + (i % 5) })) },
    wideB: { models: ids.slice(half).map((model, i) => ({ model, weight: 1 + (i % 3) })) },
    small: { models: ids.slice(0, 3).map((model, i) => ({ model, weight: [70, 20, 10][i]! })) },
  };
  const parsed = parseConfig({
    irVersion: 1,
    environment: "bench",
    providers,
    models,
    tiers,
    routes: {
      wide: { tier: "wideA", fallback: ids.length > half ? [{ tier: "wideB" }] : [] },
      typical: { tier: "small", fallback: [{ model: ids[ids.length - 1] }] },
      rules: {
        tier: "small",
        fallback: [{ model: ids[ids.length - 1] }],
        when: [
          { if: { tag: "risk:high" }, use: { model: ids[0] } },
          { if: { tokens: { over: 8_000 } }, use: { model: ids[1] } },
          { if: { complexity: "high" }, use: { model: ids[ids.length - 1] } },
        ],
      },
    },
    teams: { bench: { routes: ["wide", "typical", "rules"] } },
  });
  if (!parsed.success) throw new Error(`bench config is not valid IR: ${parsed.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  return parsed.data;
}

async function main(): Promise<DecideCase[] | string> {
  const sizes = (process.argv[2] ?? "10,100,1000").split(",").map(Number);
  const budgetMs = Number(process.argv[3] ?? "1500");
  // decide() and the rng are the routing core (`@switchyard/router/core`); the state stores are the runtime's public surface.
  let router: typeof import("@switchyard/router/core") & Pick<typeof import("@switchyard/router"), "createMemoryStateStores">;
  try {
    const [core, runtime] = await Promise.all([import("@switchyard/router/core"), import("@switchyard/router")]);
    router = { ...core, createMemoryStateStores: runtime.createMemoryStateStores };
  } catch (error) {
    return `@switchyard/router does not load: ${(error as Error).message.split("\n")[0]}`;
  }
  if (typeof router.decide !== "function") return "@switchyard/router exports no decide()";
  if (typeof router.createMemoryStateStores !== "function") return "@switchyard/router exports no createMemoryStateStores";
  const now = 1_764_000_000_000;
  const state = router.createMemoryStateStores().view(now);
  const rng = router.mulberry32(42);
  const options = { rng, now };
  const cases: DecideCase[] = [];
  // A typical chat body: a system prompt, three turns (~1,600 characters), one code block, one tool.
  const body = {
    messages: [
      { role: "system", content: "You are a helpful support assistant for an online shop. Answer briefly and cite the order number. ".repeat(3) },
      { role: "user", content: "My order 1234 has not arrived. It was supposed to come on Monday and the tracking page shows nothing. ".repeat(4) },
      { role: "assistant", content: "Sorry to hear that. Could you paste the tracking output?" },
      { role: "user", content: "Here it is:\n```\nstatus: label created\nlast scan: none\ncarrier: DHL\n```\nWhat should I do now? ".repeat(2) },
    ],
    tools: [{ type: "function", function: { name: "lookup_order", parameters: { type: "object", properties: { id: { type: "string" } } } } }],
  };
  for (const n of sizes) {
    const config = decideConfig(n);
    for (const shape of ["wide", "typical", "rules"] as const) {
      const scored = shape === "rules";
      const request: RoutingRequest = {
        route: shape,
        team: "bench",
        promptTokens: 200,
        maxOutputTokens: 256,
        region: undefined,
        stickyKey: undefined,
        requires: [],
      };
      // The per-call work: on the rules route, the router scores the body (once per request), then decides.
      const call = scored
        ? () => {
            request.complexity = router.complexityScore(body);
            return router.decide(config, request, state, options).ok ? 1 : 0;
          }
        : () => (router.decide(config, request, state, options).ok ? 1 : 0);
      let probe;
      try {
        probe = router.decide(config, request, state, options);
      } catch (error) {
        return `decide() throws: ${(error as Error).message}`;
      }
      if (!probe.ok) return `decide() refused the bench route ${shape}: ${probe.code} ${probe.message}`;
      const candidates = probe.plan.candidates.length;
      // Warm up (JIT), then time batches; the median batch is the figure.
      let sink = 0;
      const warmUntil = performance.now() + budgetMs / 6;
      while (performance.now() < warmUntil) for (let i = 0; i < 200; i++) sink += call();
      const batches: number[] = [];
      let calls = 0;
      const until = performance.now() + budgetMs;
      const batchSize = n >= 1000 ? 50 : 500;
      while (performance.now() < until || batches.length < 5) {
        const t0 = process.hrtime.bigint();
        for (let i = 0; i < batchSize; i++) sink += call();
        batches.push(Number(process.hrtime.bigint() - t0) / batchSize);
        calls += batchSize;
      }
      if (sink === -1) process.stdout.write("");
      batches.sort((a, b) => a - b);
      cases.push({
        models: n,
        shape,
        nsPerCall: batches[Math.floor(batches.length / 2)]!,
        range: [batches[0]!, batches[batches.length - 1]!],
        calls,
        candidates,
      });
    }
  }
  return cases;
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split("/").pop()!)) {
  main().then(
    (result) => {
      process.stdout.write(typeof result === "string" ? `\n@@skip ${JSON.stringify(result)}\n` : `\n@@result ${JSON.stringify(result)}\n`);
      process.exit(0);
    },
    (error: unknown) => {
      process.stdout.write(`\n@@skip ${JSON.stringify(`decide benchmark failed: ${(error as Error).message}`)}\n`);
      process.exit(0);
    },
  );
}

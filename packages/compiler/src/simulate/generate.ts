/**
 * @module simulate/generate — synthetic router traces for tests, docs and benchmarks: requests spread over a
 * time span, each routed by the config's own decide() and given attempts, latencies, tokens and costs the way
 * the router records them (`TraceRecord` v1, one JSON object per line). Deterministic for a seed.
 */
import { type Config, priceTokens } from "@switchyard/ir";
import { createMemoryStateStores, type TraceAttempt, type TraceRecord } from "@switchyard/router";
import { decide, fnv1a32, mulberry32 } from "@switchyard/router/core";

export interface GenerateTracesOptions {
  requests: number;
  seed: number;
  /** Epoch ms of the first request (default 2026-01-01T00:00:00Z). */
  start?: number;
  /** Hours the requests are spread over, evenly with jitter (default 24). */
  hours?: number;
  /** Mean failure rate of an attempt (default 0.01); each model gets 0.5×–1.5× of it, fixed by its name. */
  errorRate?: number;
  /** Share of requests with a long prompt (17k–40k tokens), 0..1 (default 0.02): long-context rules and context windows see traffic. */
  longShare?: number;
  /** The release hash written as `configVersion` (default "generated"). */
  configVersion?: string;
}

const DEFAULT_START = Date.UTC(2026, 0, 1);

/** A model's fixed traits, derived from its id so that the same config always gives the same traces. */
function traits(model: string, errorRate: number): { latencyMs: number; errorRate: number } {
  const h = fnv1a32(model);
  return { latencyMs: 250 + (h % 1250), errorRate: errorRate * (0.5 + ((h >>> 11) % 1000) / 1000) };
}

/** Roughly log-normal: most values near `median`, a long tail to the right. */
function skewed(rng: () => number, median: number, spread: number): number {
  const normal = (rng() + rng() + rng() + rng() - 2) * 1.7;
  return median * Math.exp(normal * spread);
}

/**
 * Trace lines for `options.requests` requests. Teams call their own routes (every route, without teams);
 * `longShare` of prompts (default 2 %) are long (17k–40k tokens) so long-context rules and context windows matter; callers' regions
 * are drawn from the providers' regions. Every attempt fails at its model's rate, and a failure moves to the
 * next candidate of the plan as the router does.
 *
 * @example for (const line of generateTraces(config, { requests: 1000, seed: 7 })) out.write(`${line}\n`);
 */
export function* generateTraces(config: Config, options: GenerateTracesOptions): Generator<string> {
  const rng = mulberry32(options.seed);
  const start = options.start ?? DEFAULT_START;
  const spanMs = (options.hours ?? 24) * 3_600_000;
  const errorRate = options.errorRate ?? 0.01;
  const longShare = options.longShare ?? 0.02;
  const callers: { team: string | undefined; route: string }[] = [];
  const teams = Object.entries(config.teams).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (teams.length === 0) for (const route of Object.keys(config.routes).sort()) callers.push({ team: undefined, route });
  for (const [team, terms] of teams) for (const route of [...terms.routes].sort()) if (config.routes[route] !== undefined) callers.push({ team, route });
  if (callers.length === 0) return;
  const regions = [...new Set(Object.values(config.providers).flatMap((p) => (p.region === undefined ? [] : [p.region])))].sort();
  const stores = createMemoryStateStores();
  stores.rollout.activate(config, start);
  const state = stores.view(start);
  const requests = Math.max(0, Math.floor(options.requests));

  for (let i = 0; i < requests; i++) {
    const time = Math.floor(start + ((i + rng()) * spanMs) / Math.max(1, requests));
    const caller = callers[Math.floor(rng() * callers.length)] ?? callers[0];
    if (caller === undefined) return;
    const long = rng() < longShare;
    const inputTokens = Math.max(1, Math.round(long ? 17_000 + rng() * 23_000 : skewed(rng, 900, 0.7)));
    const wantOutput = Math.max(1, Math.round(skewed(rng, 250, 0.6)));
    const region = regions.length > 0 && rng() < 0.5 ? regions[Math.floor(rng() * regions.length)] : undefined;
    const requestId = `gen-${options.seed}-${i}`;
    const decision = decide(
      config,
      { route: caller.route, team: caller.team, promptTokens: inputTokens, maxOutputTokens: undefined, region, stickyKey: undefined, requires: [] },
      state,
      { rng, now: time },
    );
    const attempts: TraceAttempt[] = [];
    let answered: { model: string; provider: string; step: number } | undefined;
    let elapsed = 0;
    if (decision.ok) {
      for (const candidate of decision.plan.candidates) {
        const model = traits(candidate.model, errorRate);
        const failed = rng() < model.errorRate;
        const latencyMs = Math.round(failed ? skewed(rng, model.latencyMs / 3, 0.5) : skewed(rng, model.latencyMs + wantOutput * 2, 0.35));
        elapsed += latencyMs;
        const previous = attempts.at(-1);
        attempts.push({
          model: candidate.model,
          provider: candidate.provider,
          region: config.providers[candidate.provider]?.region,
          step: candidate.step,
          attempt: 1,
          outcome: failed ? "error" : "ok",
          errorClass: failed ? "5xx" : undefined,
          status: failed ? 503 : 200,
          latencyMs,
          ttftMs: failed ? undefined : latencyMs,
          reason: previous === undefined ? (candidate.source === "fallback" ? "fallback" : candidate.source) : "fallback",
          after: previous?.errorClass,
        });
        if (!failed) {
          answered = { model: candidate.model, provider: candidate.provider, step: candidate.step };
          break;
        }
      }
    }
    const price = answered === undefined ? undefined : config.models[answered.model]?.price;
    const outputTokens = answered === undefined ? 0 : wantOutput;
    const errorCode: TraceRecord["errorCode"] = decision.ok ? (answered === undefined ? "all_candidates_failed" : undefined) : decision.code;
    const status = !decision.ok
      ? { route_not_found: 404, route_not_allowed: 403, no_candidates: 503, context_length_exceeded: 400 }[decision.code]
      : answered === undefined
        ? 502
        : 200;
    const record: TraceRecord & { region?: string } = {
      v: 1,
      requestId,
      time: new Date(time).toISOString(),
      environment: config.environment,
      configVersion: options.configVersion ?? "generated",
      route: caller.route,
      team: caller.team,
      status,
      outcome: answered === undefined ? "error" : "ok",
      errorCode,
      stream: false,
      candidates: decision.ok
        ? decision.plan.candidates.map((c) => ({ model: c.model, provider: c.provider, step: c.step, source: c.source, tier: c.tier, reason: c.reason }))
        : [],
      attempts,
      model: answered?.model,
      provider: answered?.provider,
      // As the router records it: usage comes from the answer, so a request nobody answered carries no token counts.
      inputTokens: answered === undefined ? 0 : inputTokens,
      outputTokens,
      costUsd: price === undefined ? 0 : Math.round(priceTokens(price, { input: inputTokens, output: outputTokens }) * 1e9) / 1e9,
      canary: decision.ok && decision.plan.canary,
      fallback: answered !== undefined && answered.step > 0,
      retries: 0,
      validation: "none",
      latencyMs: elapsed,
      ttftMs: answered === undefined ? undefined : attempts.at(-1)?.ttftMs,
    };
    if (region !== undefined) record.region = region;
    yield JSON.stringify(record);
  }
}

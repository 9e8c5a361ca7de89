/** @module BatchedHistogram on the router's registry renders byte for byte what prom-client's Histogram fed the same observations renders on its Registry. */
import fc from "fast-check";
import { Histogram, Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { BatchedHistogram } from "./batched-histogram.ts";
import { Exposition } from "./exposition.ts";

const BUCKETS = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

function pair(): { plain: Histogram<string>; batched: BatchedHistogram; a: Registry; b: Exposition } {
  const a = new Registry();
  const b = new Exposition();
  const config = { name: "x_seconds", help: 'Latency \\ with "quotes".', buckets: BUCKETS };
  return {
    a,
    b,
    plain: new Histogram({ ...config, labelNames: ["route", "model"], registers: [a] }),
    batched: new BatchedHistogram({ ...config, labelNames: ["route", "model"], registers: [b] }),
  };
}

const observation = fc.tuple(
  fc.constantFrom("chat", "code", 'we"ird\\route\n'),
  fc.constantFrom("gpt-mini", "_none", "_unknown"),
  fc.oneof(
    fc.integer({ min: 0, max: 200_000 }).map((ms) => ms / 1000),
    fc.double({ min: 0, max: 500, noNaN: true }),
    fc.constantFrom(0, 0.025, 120, 120.0001, 1e-9),
  ),
);

describe("BatchedHistogram", () => {
  it("renders what prom-client's Histogram renders for the same observations, at every scrape", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(observation, { maxLength: 40 }), { minLength: 1, maxLength: 4 }), async (rounds) => {
        const { plain, batched, a, b } = pair();
        for (const round of rounds) {
          for (const [route, model, value] of round) {
            plain.observe({ route, model }, value);
            batched.observe2(route, model, value);
          }
          expect(await b.render()).toBe(await a.metrics());
        }
      }),
      { numRuns: 200 },
    );
  });

  it("drops non-finite values (prom-client would throw) and starts over on reset", async () => {
    const { plain, batched, a, b } = pair();
    batched.observe2("r", "m", Number.NaN);
    batched.observe2("r", "m", Number.POSITIVE_INFINITY);
    expect(await b.render()).toBe(await a.metrics());
    batched.observe2("r", "m", 0.3);
    plain.observe({ route: "r", model: "m" }, 0.3);
    expect(await b.render()).toContain('x_seconds_bucket{le="0.5",route="r",model="m"} 1');
    expect(await b.render()).toBe(await a.metrics());
    batched.reset();
    plain.reset();
    expect(await b.render()).toBe(await a.metrics());
  });
});

/**
 * @module Conformance: the router's registry (Exposition, Collector, BatchedHistogram) renders byte for byte what
 * prom-client's Registry renders for its own Counter, Gauge and Histogram fed the same calls, on random names, help
 * texts, label values, values and observation sequences.
 */
import fc from "fast-check";
import { Counter, Gauge, Histogram, Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { BatchedHistogram } from "./batched-histogram.ts";
import { Collector } from "./collector.ts";
import { Exposition, formatValue } from "./exposition.ts";

/**
 * Valid names only (prom-client's constructors refuse others). Names that are Object.prototype keys
 * (`__proto__`, `constructor`, ...) are left out: prom-client keys its metrics by name in a plain
 * object, so it cannot register them at all; ours can.
 */
const metricName = fc.stringMatching(/^[a-zA-Z_:][a-zA-Z0-9_:]{0,10}$/).filter((n) => !(n in Object.prototype));
const labelName = fc.stringMatching(/^[a-zA-Z_][a-zA-Z0-9_]{0,6}$/).filter((n) => !(n in Object.prototype));
/** Text with what needs escaping (backslash, newline, quote) next to unicode and escape look-alikes. */
const tricky = fc.constantFrom("\\", "\n", '"', "\\n", '\\"', "é", "🚀", "\u2028", "\r", "\t", " ", "{", "}", "=", "#", "a", "Z", "0");
/**
 * Label values leave out "," and NUL: prom-client keys a series by `name:value,` strings, so label sets
 * that differ only across a comma share its series; the Collector keys by NUL-separated values (the
 * router's label values are config names and bounded labels, never either).
 */
const text = (min: number) =>
  fc
    .array(fc.oneof(tricky, fc.string({ unit: "grapheme", maxLength: 3 })), { minLength: min, maxLength: 6 })
    .map((parts) => parts.join(""))
    .filter((s) => s.length >= min);
const help = text(1);
const labelValue = text(0).filter((s) => !s.includes(",") && !s.includes("\u0000"));

const special = [
  Number.NaN,
  Infinity,
  -Infinity,
  -0,
  0,
  1,
  Number.MAX_VALUE,
  Number.MIN_VALUE,
  Number.MAX_SAFE_INTEGER + 2,
  1e21,
  1e-7,
  0.1,
  0.30000000000000004,
];
/** Any value a gauge may be set to. */
const gaugeValue = fc.oneof(fc.constantFrom(...special, -Number.MAX_VALUE, -1e21), fc.integer(), fc.double());
/** What prom-client's Counter takes: not negative, not infinite (NaN passes its check). */
const counterAmount = fc.oneof(
  fc.constantFrom(...special.filter((v) => !(v === Infinity || v === -Infinity))),
  fc.nat(),
  fc.double({ min: 0, max: 1e300, noNaN: true }),
);
/** What prom-client's Histogram takes: finite values. */
const observation = fc.oneof(
  fc.constantFrom(-0, 0, 1, Number.MAX_VALUE, -Number.MAX_VALUE, Number.MIN_VALUE, 0.1, 1e-7),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);
/** Finite, sorted, distinct as text; never -1 (prom-client's "above every bucket" sentinel) or -0 (same text as 0). */
const buckets = fc
  .uniqueArray(fc.oneof(fc.constantFrom(0, 0.025, 1, 120, 1e21, Number.MIN_VALUE), fc.double({ noNaN: true, noDefaultInfinity: true })), {
    minLength: 1,
    maxLength: 6,
    selector: (b) => String(b),
  })
  .map((b) => b.filter((x) => x !== -1 && !Object.is(x, -0)).sort((x, y) => x - y))
  .filter((b) => b.length > 0);

const spec = fc.oneof(
  fc.record({ kind: fc.constantFrom("counter" as const, "gauge" as const), name: metricName, help, labelNames: fc.uniqueArray(labelName, { maxLength: 3 }) }),
  fc.record({
    kind: fc.constant("histogram" as const),
    name: metricName,
    help,
    labelNames: fc.uniqueArray(
      labelName.filter((n) => n !== "le"),
      { minLength: 2, maxLength: 2 },
    ),
    buckets,
  }),
);

/** One call: on metric `target`, with label values picked from the pool by `picks`; `variant` chooses default-increment or reset, and the label object's key order. */
const op = fc.record({
  target: fc.nat(),
  picks: fc.array(fc.nat(), { minLength: 3, maxLength: 3 }),
  amount: counterAmount,
  value: gaugeValue,
  observed: observation,
  variant: fc.nat({ max: 9 }),
});

interface Pair {
  inc?: (labels: Record<string, string>, value: number | undefined) => void;
  set?: (labels: Record<string, string>, value: number) => void;
  reset?: () => void;
  observe?: (labels: Record<string, string>, a: string, b: string, value: number) => void;
  labelNames: string[];
}

describe("Exposition", () => {
  it("renders byte for byte what prom-client's Registry renders for its Counter, Gauge and Histogram fed the same calls", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(spec, { minLength: 1, maxLength: 5, selector: (s) => s.name }),
        fc.uniqueArray(labelValue, { minLength: 1, maxLength: 4 }),
        fc.array(fc.array(op, { maxLength: 25 }), { minLength: 1, maxLength: 3 }),
        async (specs, pool, rounds) => {
          const theirs = new Registry();
          const ours = new Exposition();
          const pairs: Pair[] = specs.map((s): Pair => {
            const labelNames = [...s.labelNames];
            if (s.kind === "histogram") {
              const plain = new Histogram({ name: s.name, help: s.help, labelNames, buckets: s.buckets, registers: [theirs] });
              const mine = new BatchedHistogram({
                name: s.name,
                help: s.help,
                labelNames: [labelNames[0] ?? "", labelNames[1] ?? ""],
                buckets: s.buckets,
                registers: [ours],
              });
              return {
                labelNames,
                observe: (labels, a, b, value) => {
                  plain.observe(labels, value);
                  mine.observe2(a, b, value);
                },
              };
            }
            const mine = new Collector(s.name, s.help, s.kind, labelNames, ours);
            if (s.kind === "counter") {
              const plain = new Counter({ name: s.name, help: s.help, labelNames, registers: [theirs] });
              return {
                labelNames,
                inc: (labels, value) => {
                  plain.inc(labels, value as number);
                  mine.inc(labels, value);
                },
              };
            }
            const plain = new Gauge({ name: s.name, help: s.help, labelNames, registers: [theirs] });
            return {
              labelNames,
              set: (labels, value) => {
                plain.set(labels, value);
                mine.set(labels, value);
              },
              reset: () => {
                plain.reset();
                mine.reset();
              },
            };
          });
          expect(await ours.render()).toBe(await theirs.metrics());
          for (const round of rounds) {
            for (const o of round) {
              const pair = pairs[o.target % pairs.length] as Pair;
              const values = o.picks.map((p) => pool[p % pool.length] as string);
              const labels: Record<string, string> = {};
              // The key order of the label object is what is rendered: first seen (counter), last set (gauge).
              const names = o.variant % 2 === 1 && !pair.observe ? [...pair.labelNames].reverse() : pair.labelNames;
              for (const n of names) labels[n] = values[pair.labelNames.indexOf(n)] as string;
              if (pair.inc) pair.inc(labels, o.variant === 0 ? undefined : o.amount);
              else if (pair.set) o.variant === 0 ? pair.reset?.() : pair.set(labels, o.value);
              else pair.observe?.(labels, values[0] as string, values[1] as string, o.observed);
            }
            expect(await ours.render()).toBe(await theirs.metrics());
          }
        },
      ),
      { seed: 17, numRuns: 300 },
    );
  });

  it("formats values as prom-client does, NaN included ('Nan')", () => {
    expect([Number.NaN, Infinity, -Infinity, -0, 1e21, 1e-7, 2 ** 53 + 2].map(formatValue)).toEqual([
      "Nan",
      "+Inf",
      "-Inf",
      "0",
      "1e+21",
      "1e-7",
      "9007199254740994",
    ]);
  });

  it("has prom-client's content type and an empty registry renders one newline, as prom-client's does", async () => {
    expect(new Exposition().contentType).toBe(Registry.PROMETHEUS_CONTENT_TYPE);
    expect(await new Exposition().render()).toBe(await new Registry().metrics());
  });

  it("refuses a second metric of the same name, as prom-client's Registry does", () => {
    const ours = new Exposition();
    new Collector("x_total", "X.", "counter", [], ours);
    expect(() => new Collector("x_total", "Again.", "gauge", [], ours)).toThrow("A metric with the name x_total has already been registered.");
    const theirs = new Registry();
    new Counter({ name: "x_total", help: "X.", registers: [theirs] });
    expect(() => new Gauge({ name: "x_total", help: "Again.", registers: [theirs] })).toThrow("A metric with the name x_total has already been registered.");
  });
});

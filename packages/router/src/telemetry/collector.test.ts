/** @module Collector on the router's registry renders byte for byte what prom-client's Counter and Gauge render on its Registry for the same calls. */
import fc from "fast-check";
import { Counter, Gauge, Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { Collector } from "./collector.ts";
import { Exposition } from "./exposition.ts";

const labelValue = fc.constantFrom("chat", "code", 'we"ird\\route\n', "_none", "");
const amount = fc.oneof(fc.integer({ min: 0, max: 1_000 }), fc.double({ min: 0, max: 1e6, noNaN: true }), fc.constantFrom(0.1, 1e-9, 0.30000000000000004));

describe("Collector", () => {
  it("counts like prom-client's Counter, with and without labels, at every scrape", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(fc.tuple(labelValue, labelValue, amount), { maxLength: 20 }), { minLength: 1, maxLength: 3 }), async (rounds) => {
        const a = new Registry();
        const b = new Exposition();
        const plain = new Counter({ name: "x_total", help: 'Things \\ "counted".', labelNames: ["route", "model"], registers: [a] });
        const bare = new Counter({ name: "y_total", help: "No labels.", registers: [a] });
        const mine = new Collector("x_total", 'Things \\ "counted".', "counter", ["route", "model"], b);
        const mineBare = new Collector("y_total", "No labels.", "counter", [], b);
        for (const round of rounds) {
          for (const [route, model, value] of round) {
            plain.inc({ route, model }, value);
            mine.inc({ route, model }, value);
            bare.inc(value);
            mineBare.inc({}, value);
          }
          expect(await b.render()).toBe(await a.metrics());
        }
      }),
      { numRuns: 150 },
    );
  });

  it("sets like prom-client's Gauge refilled by collect, and starts over on reset", async () => {
    const a = new Registry();
    const b = new Exposition();
    let fill: [string, number][] = [
      ["m1", 2],
      ["m2", 0],
    ];
    new Gauge({
      name: "g",
      help: "A gauge.",
      labelNames: ["model"],
      registers: [a],
      collect() {
        this.reset();
        for (const [model, value] of fill) this.set({ model }, value);
      },
    });
    new Collector("g", "A gauge.", "gauge", ["model"], b, (g) => {
      g.reset();
      for (const [model, value] of fill) g.set({ model }, value);
    });
    expect(await b.render()).toBe(await a.metrics());
    expect(await b.render()).toContain('g{model="m1"} 2');
    fill = [
      ["m2", 1],
      ["m3", -1.5],
    ];
    expect(await b.render()).toBe(await a.metrics());
    expect(await b.render()).not.toContain("m1");
    fill = [];
    expect(await b.render()).toBe(await a.metrics());
  });

  it("awaits an asynchronous collect before listing its samples", async () => {
    const registry = new Exposition();
    new Collector("late", "Filled later.", "gauge", ["team"], registry, async (g) => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      g.reset();
      g.set({ team: "a" }, 7);
    });
    expect(await registry.render()).toContain('late{team="a"} 7');
  });
});

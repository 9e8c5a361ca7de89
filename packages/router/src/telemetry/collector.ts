/**
 * @module Counters and gauges for prom-client's registry, which renders them (names, escaping, value
 * formatting: the exposition stays prom-client's). They list the samples prom-client's own Counter and
 * Gauge list for the same calls (a test holds them side by side), without those classes: router.mjs
 * carries neither them nor their label validation and exemplar code (~5 KB of its 150 KB budget).
 */
import type { Counter, Registry } from "prom-client";

type Labels = Readonly<Record<string, string>>;

interface Sample {
  labels: Labels;
  value: number;
}

/**
 * One counter or gauge. Samples are kept by label values in first-seen order (the order prom-client
 * lists them); one without label names has a single sample from the start, 0 until changed.
 * `collect` runs before every scrape, as prom-client's option of that name does.
 */
export class Collector {
  readonly aggregator = "sum";
  #samples = new Map<string, Sample>();

  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: "counter" | "gauge",
    private readonly labelNames: readonly string[],
    registry: Registry,
    private readonly collect?: (self: Collector) => unknown,
  ) {
    this.reset();
    // The registry keys it by name and renders what `get()` returns.
    registry.registerMetric(this as unknown as Counter);
  }

  #sample(labels: Labels): Sample {
    let key = "";
    for (const name of this.labelNames) key += `${labels[name]}\u0000`;
    let sample = this.#samples.get(key);
    if (sample === undefined) this.#samples.set(key, (sample = { labels, value: 0 }));
    return sample;
  }

  /** Add `value` (default 1) to the sample of `labels`. */
  inc(labels: Labels = {}, value = 1): void {
    this.#sample(labels).value += value;
  }

  /** Set the sample of `labels` to `value`. */
  set(labels: Labels, value: number): void {
    this.#sample(labels).value = value;
  }

  /** Drop every sample (a counter without labels starts again from 0). */
  reset(): void {
    this.#samples.clear();
    if (this.labelNames.length === 0) this.#sample({});
  }

  async get(): Promise<{ name: string; help: string; type: "counter" | "gauge"; values: Sample[]; aggregator: "sum" }> {
    await this.collect?.(this);
    return { help: this.help, name: this.name, type: this.type, values: [...this.#samples.values()], aggregator: this.aggregator };
  }
}

/**
 * @module Counters and gauges of the router's own registry (exposition.ts). They list the samples
 * prom-client's Counter and Gauge list for the same calls, in the same order and arithmetic
 * (exposition.test.ts holds them side by side), without those classes' label validation, hashing
 * and exemplar code.
 */
import { type Exposition, formatLabels, header, sampleLine } from "./exposition.ts";

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
  #samples = new Map<string, Sample>();

  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: "counter" | "gauge",
    private readonly labelNames: readonly string[],
    registry: Exposition,
    private readonly collect?: (self: Collector) => unknown,
  ) {
    this.reset();
    registry.register(this);
  }

  #sample(labels: Labels): Sample {
    let key = "";
    for (const name of this.labelNames) key += `${labels[name]}\u0000`;
    let sample = this.#samples.get(key);
    if (sample === undefined) this.#samples.set(key, (sample = { labels, value: 0 }));
    return sample;
  }

  /** Add `value` (default 1) to the sample of `labels`; its labels stay those first seen (prom-client's Counter). */
  inc(labels: Labels = {}, value = 1): void {
    this.#sample(labels).value += value;
  }

  /** Set the sample of `labels` to `value`, labels included (prom-client's Gauge: their key order is the last call's). */
  set(labels: Labels, value: number): void {
    const sample = this.#sample(labels);
    sample.labels = labels;
    sample.value = value;
  }

  /** Drop every sample (a counter without labels starts again from 0). */
  reset(): void {
    this.#samples.clear();
    if (this.labelNames.length === 0) this.#sample({});
  }

  /** Its exposition block, after `collect`. */
  async block(): Promise<string> {
    await this.collect?.(this);
    let out = header(this.name, this.help, this.type);
    for (const s of this.#samples.values()) out += `\n${sampleLine(this.name, formatLabels(s.labels), s.value)}`;
    return out;
  }
}

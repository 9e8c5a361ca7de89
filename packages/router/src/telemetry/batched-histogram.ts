/** @module A histogram for prom-client's registry whose observations skip prom-client's per-call label work: the same exposition as its Histogram, cheaper per request. */
import type { Histogram, LabelValues, Registry } from "prom-client";

/** One label set's state, in prom-client's own arithmetic (per-bucket counts, count, sum added in order from 0). */
interface Series {
  labels: Record<string, string>;
  /** Observations per bucket (not cumulative), by upper-bound index. */
  buckets: number[];
  count: number;
  sum: number;
}

/** What prom-client's registry renders: one sample line each. */
interface Sample {
  labels: Record<string, string | number>;
  sharedLabels?: Record<string, string>;
  value: number;
  metricName: string;
  /** prom-client lists `null` for buckets (exemplars off). */
  exemplar?: null;
}

interface Rendered {
  name: string;
  help: string;
  type: "histogram";
  values: Sample[];
  aggregator: "sum";
}

/**
 * A two-label histogram (`observe2(a, b, value)`) for the request path: prom-client's `observe` hashes,
 * validates and copies the label object on every call, the largest part of the metrics' per-request
 * cost. Here the series is found through nested maps keyed by the label values (config names, so the
 * maps stay small), and its buckets, count and sum are updated exactly as prom-client would (the sum
 * accumulates in observation order from 0), so `/metrics` reads byte for byte what a plain Histogram
 * fed the same values renders, and `get()` returns what its `get()` returns (a test holds them side by
 * side). It is a collector of its own that the registry renders through `getForPromString`, not a
 * subclass of prom-client's Histogram, so router.mjs does not carry that class (~4 KB). The request path
 * calls `observe2`; `observe({ a, b }, value)` works too; without both label values it throws.
 */
export class BatchedHistogram {
  readonly name: string;
  readonly help: string;
  readonly type = "histogram";
  readonly aggregator = "sum";
  readonly #root = new Map<string, Map<string, Series>>();
  /** In first-observation order, the order prom-client lists its series. */
  #series: Series[] = [];
  readonly #bounds: number[];
  readonly #names: readonly [string, string];

  constructor(config: { name: string; help: string; labelNames: readonly [string, string]; buckets: number[]; registers: Registry[] }) {
    this.name = config.name;
    this.help = config.help;
    this.#bounds = config.buckets;
    this.#names = config.labelNames;
    // The registry only keys it by name and renders it through getForPromString/get/reset.
    for (const registry of config.registers) registry.registerMetric(this as unknown as Histogram);
  }

  /** Observe `value` under the label values `a`, `b` (in the order of `labelNames`); non-finite values are dropped. */
  observe2(a: string, b: string, value: number): void {
    if (!Number.isFinite(value)) return;
    let level = this.#root.get(a);
    if (level === undefined) this.#root.set(a, (level = new Map()));
    let series = level.get(b);
    if (series === undefined) {
      series = { labels: { [this.#names[0]]: a, [this.#names[1]]: b }, buckets: new Array<number>(this.#bounds.length).fill(0), count: 0, sum: 0 };
      level.set(b, series);
      this.#series.push(series);
    }
    const bounds = this.#bounds;
    for (let i = 0; i < bounds.length; i++) {
      if (value <= (bounds[i] as number)) {
        (series.buckets[i] as number)++;
        break;
      }
    }
    series.sum += value;
    series.count += 1;
  }

  /** prom-client's `observe(labels, value)` (or `observe(value)`, refused: both label values are needed). */
  observe(labels: LabelValues<string> | number, value?: number): void {
    const known = typeof labels === "object" && labels !== null ? (labels as LabelValues<string>) : undefined;
    const [a, b] = [known?.[this.#names[0]], known?.[this.#names[1]]];
    if (a === undefined || b === undefined || value === undefined) throw new TypeError(`${this.name}: observe needs the label values ${this.#names.join(" and ")} and a value`);
    this.observe2(String(a), String(b), value);
  }

  /** prom-client's registry renders this (it prefers it to `get`, which splays it): the samples a Histogram lists. */
  async getForPromString(): Promise<Rendered> {
    const bucketName = `${this.name}_bucket`;
    const values: Sample[] = [];
    for (const s of this.#series) {
      let acc = 0;
      for (let i = 0; i < this.#bounds.length; i++) {
        acc += s.buckets[i] as number;
        values.push({ labels: { le: this.#bounds[i] as number }, sharedLabels: s.labels, value: acc, metricName: bucketName, exemplar: null });
      }
      values.push({ labels: { le: "+Inf" }, sharedLabels: s.labels, value: s.count, metricName: bucketName, exemplar: null });
      values.push({ labels: {}, sharedLabels: s.labels, value: s.sum, metricName: `${this.name}_sum` });
      values.push({ labels: {}, sharedLabels: s.labels, value: s.count, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: "histogram", values, aggregator: "sum" };
  }

  /** What prom-client's Histogram `get()` returns: each sample's series labels merged into its own. */
  async get(): Promise<Rendered> {
    const rendered = await this.getForPromString();
    for (const sample of rendered.values) {
      Object.assign(sample.labels, sample.sharedLabels);
      delete sample.sharedLabels;
    }
    return rendered;
  }

  reset(): void {
    this.#root.clear();
    this.#series = [];
  }
}

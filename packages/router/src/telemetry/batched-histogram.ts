/** @module A prom-client Histogram whose observations skip prom-client's per-call label work: same exposition, cheaper per request. */
import { Histogram, type LabelValues } from "prom-client";

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

/**
 * A two-label histogram (`observe2(a, b, value)`) for the request path: prom-client's `observe` hashes,
 * validates and copies the label object on every call, the largest part of the metrics' per-request
 * cost. Here the series is found through nested maps keyed by the label values (config names, so the
 * maps stay small), and its buckets, count and sum are updated exactly as prom-client would (the sum
 * accumulates in observation order from 0), so `/metrics` reads byte for byte what a plain Histogram
 * fed the same values renders (a test holds them side by side). The request path calls `observe2`;
 * `observe({ a, b }, value)` works too (it is routed there); without both label values it throws.
 */
export class BatchedHistogram extends Histogram<string> {
  readonly #root = new Map<string, Map<string, Series>>();
  /** In first-observation order, the order prom-client lists its series. */
  #series: Series[] = [];
  readonly #bounds: number[];
  readonly #names: readonly [string, string];
  readonly #name: string;
  readonly #help: string;

  constructor(config: { name: string; help: string; labelNames: readonly [string, string]; buckets: number[]; registers: NonNullable<ConstructorParameters<typeof Histogram>[0]["registers"]> }) {
    super({ name: config.name, help: config.help, labelNames: [...config.labelNames], buckets: config.buckets, registers: config.registers });
    this.#bounds = config.buckets;
    this.#names = config.labelNames;
    this.#name = config.name;
    this.#help = config.help;
    // prom-client's constructor sets `observe` on the instance, so a prototype override would not take.
    this.observe = ((labels: unknown, value?: number) => this.#observe(labels, value)) as Histogram<string>["observe"];
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

  /** prom-client's `observe(labels, value)`, routed to `observe2`: the inherited one would feed series this class never renders. */
  #observe(labels: unknown, value?: number): void {
    const known = typeof labels === "object" && labels !== null ? (labels as LabelValues<string>) : undefined;
    const [a, b] = [known?.[this.#names[0]], known?.[this.#names[1]]];
    if (a === undefined || b === undefined || value === undefined) throw new TypeError(`${this.#name}: observe needs the label values ${this.#names.join(" and ")} and a value`);
    this.observe2(String(a), String(b), value);
  }

  /** prom-client's registry renders this (it prefers it to `get`, which splays it): the samples a Histogram lists. */
  async getForPromString(): Promise<{ name: string; help: string; type: "histogram"; values: Sample[]; aggregator: "sum" }> {
    const bucketName = `${this.#name}_bucket`;
    const values: Sample[] = [];
    for (const s of this.#series) {
      let acc = 0;
      for (let i = 0; i < this.#bounds.length; i++) {
        acc += s.buckets[i] as number;
        values.push({ labels: { le: this.#bounds[i] as number }, sharedLabels: s.labels, value: acc, metricName: bucketName, exemplar: null });
      }
      values.push({ labels: { le: "+Inf" }, sharedLabels: s.labels, value: s.count, metricName: bucketName, exemplar: null });
      values.push({ labels: {}, sharedLabels: s.labels, value: s.sum, metricName: `${this.#name}_sum` });
      values.push({ labels: {}, sharedLabels: s.labels, value: s.count, metricName: `${this.#name}_count` });
    }
    return { name: this.#name, help: this.#help, type: "histogram", values, aggregator: "sum" };
  }

  override reset(): void {
    super.reset();
    if (!(#root in this)) return; // prom-client's constructor resets before this class's fields exist
    this.#root.clear();
    this.#series = [];
  }
}

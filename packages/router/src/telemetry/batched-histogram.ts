/** @module A two-label histogram of the router's own registry (exposition.ts) whose observations skip the per-call label work prom-client's Histogram does: the same exposition, cheaper per request. */
import { type Exposition, formatLabels, header, sampleLine } from "./exposition.ts";

/** One label set's state, in prom-client's own arithmetic (per-bucket counts, count, sum added in order from 0). */
interface Series {
  /** The series' labels, formatted once (they never change). */
  labels: string[];
  /** Observations per bucket (not cumulative), by upper-bound index. */
  buckets: number[];
  count: number;
  sum: number;
}

/**
 * A two-label histogram (`observe2(a, b, value)`) for the request path: prom-client's `observe` hashes,
 * validates and copies the label object on every call, the largest part of the metrics' per-request
 * cost. Here the series is found through nested maps keyed by the label values (config names, so the
 * maps stay small), and its buckets, count and sum are updated exactly as prom-client would (the sum
 * accumulates in observation order from 0), so `/metrics` reads byte for byte what prom-client's
 * Histogram fed the same values renders (exposition.test.ts holds them side by side).
 */
export class BatchedHistogram {
  readonly name: string;
  readonly help: string;
  readonly #root = new Map<string, Map<string, Series>>();
  /** In first-observation order, the order prom-client lists its series. */
  #series: Series[] = [];
  readonly #bounds: number[];
  readonly #names: readonly [string, string];

  constructor(config: { name: string; help: string; labelNames: readonly [string, string]; buckets: number[]; registers: Exposition[] }) {
    this.name = config.name;
    this.help = config.help;
    this.#bounds = config.buckets;
    this.#names = config.labelNames;
    for (const registry of config.registers) registry.register(this);
  }

  /** Observe `value` under the label values `a`, `b` (in the order of `labelNames`); non-finite values are dropped. */
  observe2(a: string, b: string, value: number): void {
    if (!Number.isFinite(value)) return;
    let level = this.#root.get(a);
    if (level === undefined) this.#root.set(a, (level = new Map()));
    let series = level.get(b);
    if (series === undefined) {
      series = {
        labels: formatLabels({ [this.#names[0]]: a, [this.#names[1]]: b }),
        buckets: new Array<number>(this.#bounds.length).fill(0),
        count: 0,
        sum: 0,
      };
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

  /**
   * Its exposition block: per series the cumulative buckets (`le` first, then the series' labels, as
   * prom-client orders them), `+Inf`, `_sum`, `_count`. Sample names are the raw name plus suffix.
   */
  block(): string {
    const { name } = this;
    let out = header(name, this.help, "histogram");
    for (const s of this.#series) {
      let acc = 0;
      for (let i = 0; i < this.#bounds.length; i++) {
        acc += s.buckets[i] as number;
        out += `\n${sampleLine(`${name}_bucket`, [`le="${this.#bounds[i]}"`, ...s.labels], acc)}`;
      }
      out += `\n${sampleLine(`${name}_bucket`, ['le="+Inf"', ...s.labels], s.count)}`;
      out += `\n${sampleLine(`${name}_sum`, s.labels, s.sum)}`;
      out += `\n${sampleLine(`${name}_count`, s.labels, s.count)}`;
    }
    return out;
  }

  reset(): void {
    this.#root.clear();
    this.#series = [];
  }
}

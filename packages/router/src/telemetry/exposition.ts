/**
 * @module The router's metric registry and its Prometheus text exposition (format 0.0.4), written to
 * the byte as prom-client 15's Registry writes it: the same escaping, number formatting, label order,
 * block separators and content type. router.mjs no longer carries prom-client (~5 KB of its 150 KB
 * budget); exposition.test.ts holds this output and prom-client's side by side on random metrics.
 */

/** prom-client's `Registry.PROMETHEUS_CONTENT_TYPE`. */
export const CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/** One metric as the registry sees it: a name it is keyed by and a block of exposition lines. */
export interface Exposed {
  readonly name: string;
  /** `# HELP`, `# TYPE` and the sample lines joined by "\n" (no trailing newline); runs the metric's collect first. */
  block(): Promise<string> | string;
}

/** prom-client's `escapeString`: backslash and newline only (help text; label values add the quote). */
export function escapeText(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

/** A sample value as prom-client writes it: `Nan` (sic), `+Inf`, `-Inf`, else JavaScript's own number text. */
export function formatValue(value: number): string {
  if (Number.isNaN(value)) return "Nan";
  if (value === Infinity) return "+Inf";
  if (value === -Infinity) return "-Inf";
  return `${value}`;
}

/** `name="value"` pairs in the object's own key order, values escaped as prom-client escapes them (backslash, newline, quote). */
export function formatLabels(labels: Readonly<Record<string, string | number>>): string[] {
  const out: string[] = [];
  for (const [name, value] of Object.entries(labels)) {
    out.push(`${name}="${typeof value === "string" ? escapeText(value).replace(/"/g, '\\"') : value}"`);
  }
  return out;
}

/** A sample line: `name{labels} value`, without braces when there are no labels. */
export function sampleLine(name: string, labels: readonly string[], value: number): string {
  return `${name}${labels.length > 0 ? `{${labels.join(",")}}` : ""} ${formatValue(value)}`;
}

/** The two header lines of a metric's block (names are valid metric names: nothing in them to escape). */
export function header(name: string, help: string, type: string): string {
  return `# HELP ${name} ${escapeText(help)}\n# TYPE ${name} ${type}`;
}

/**
 * A registry of one router's metrics (each router has its own: no process-wide state). Rendered in
 * registration order, every metric's collect run concurrently, as prom-client's `metrics()` does.
 */
export class Exposition {
  readonly contentType = CONTENT_TYPE;
  readonly #metrics = new Map<string, Exposed>();

  /** Add a metric; another metric of the same name is refused (prom-client's rule). */
  register(metric: Exposed): void {
    const known = this.#metrics.get(metric.name);
    if (known !== undefined && known !== metric) throw new Error(`A metric with the name ${metric.name} has already been registered.`);
    this.#metrics.set(metric.name, metric);
  }

  /** The text exposition: blocks separated by a blank line, one final newline. */
  async render(): Promise<string> {
    const blocks = await Promise.all([...this.#metrics.values()].map(async (m) => m.block()));
    return `${blocks.join("\n\n")}\n`;
  }
}

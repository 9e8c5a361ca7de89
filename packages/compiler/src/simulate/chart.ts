/**
 * @module simulate/chart — a Mermaid `xychart-beta` bar chart of a figure per route before and after a change,
 * which GitHub renders inside a PR comment's ```mermaid block. Pure text.
 *
 * Mermaid draws every `bar` series at the same x positions, on top of each other, and has no legend. So each
 * route gets two categories (`route before`, `route after`) and two series that are zero where the other one
 * is drawn: every bar stands alone, in its series' colour, and the label says which side it is. Titles say
 * "USD", not "$": recent Mermaid versions read `$$…$$` in labels as KaTeX.
 * Syntax: https://mermaid.js.org/syntax/xyChart.html
 */

export interface BeforeAfter {
  label: string;
  before: number;
  after: number;
}

export interface ChartOptions {
  title: string;
  yAxis: string;
  bars: readonly BeforeAfter[];
  /** Most routes shown (default 10): the largest changes, then in the given order. */
  limit?: number;
}

/** A number as Mermaid reads it: plain decimal, no exponent, no thousands separator. */
export function chartNumber(value: number): string {
  if (!Number.isFinite(value) || value <= 0) return "0";
  const digits = value >= 100 ? 0 : value >= 1 ? 2 : 4;
  const text = value.toFixed(digits);
  return text.includes(".") ? text.replace(/0+$/, "").replace(/\.$/, "") : text;
}

/** A quoted Mermaid string: double quotes cannot be escaped inside one, so they become single quotes. */
function quoted(text: string): string {
  return `"${text.replaceAll('"', "'").replace(/[\r\n]+/g, " ")}"`;
}

/** The top of the y axis: a round number above the largest bar. */
function axisTop(max: number): number {
  if (!(max > 0)) return 1;
  const padded = max * 1.1;
  const magnitude = 10 ** Math.floor(Math.log10(padded));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * magnitude >= padded) return step * magnitude;
  return 10 * magnitude;
}

/**
 * The chart as a fenced ```mermaid block, or undefined when there is nothing to draw. Which bars were left
 * out (over `limit`) is the caller's to say.
 *
 * @example mermaidBeforeAfter({ title: "$ per 1,000 requests", yAxis: "USD", bars: [{ label: "support-faq", before: 0.5, after: 11 }] })
 */
export function mermaidBeforeAfter(options: ChartOptions): string | undefined {
  const limit = options.limit ?? 10;
  const order = new Map(options.bars.map((bar, index) => [bar, index]));
  const shown = [...options.bars]
    .sort((a, b) => Math.abs(b.after - b.before) - Math.abs(a.after - a.before) || (order.get(a) ?? 0) - (order.get(b) ?? 0))
    .slice(0, limit)
    .sort((a, b) => (order.get(a) ?? 0) - (order.get(b) ?? 0));
  if (shown.length === 0) return undefined;
  const categories = shown.flatMap((bar) => [quoted(`${bar.label} before`), quoted(`${bar.label} after`)]);
  const before = shown.flatMap((bar) => [chartNumber(bar.before), "0"]);
  const after = shown.flatMap((bar) => ["0", chartNumber(bar.after)]);
  const top = axisTop(Math.max(...shown.flatMap((bar) => [bar.before, bar.after])));
  return [
    "```mermaid",
    "xychart-beta",
    `    title ${quoted(options.title)}`,
    `    x-axis [${categories.join(", ")}]`,
    `    y-axis ${quoted(options.yAxis)} 0 --> ${chartNumber(top)}`,
    `    bar [${before.join(", ")}]`,
    `    bar [${after.join(", ")}]`,
    "```",
  ].join("\n");
}

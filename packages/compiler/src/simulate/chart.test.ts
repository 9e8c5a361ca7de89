/** @module Tests for the Mermaid chart: the xychart-beta grammar GitHub's Mermaid reads (https://mermaid.js.org/syntax/xyChart.html). */
import { describe, expect, it } from "vitest";
import { chartNumber, mermaidBeforeAfter } from "./chart.ts";

/** One statement per line, as the xychart grammar takes them. */
const LINE = [
  /^```mermaid$/,
  /^xychart-beta$/,
  /^ {4}title "[^"\n]*"$/,
  /^ {4}x-axis \[("[^"\n]*")(, "[^"\n]*")*\]$/,
  /^ {4}y-axis "[^"\n]*" 0 --> \d+(\.\d+)?$/,
  /^ {4}bar \[\d+(\.\d+)?(, \d+(\.\d+)?)*\]$/,
  /^ {4}bar \[\d+(\.\d+)?(, \d+(\.\d+)?)*\]$/,
  /^```$/,
];

describe("mermaidBeforeAfter", () => {
  it("draws a bar per route and side, each series zero where the other is drawn", () => {
    const chart = mermaidBeforeAfter({
      title: '$ per 1,000 requests "by route"',
      yAxis: "USD",
      bars: [
        { label: "support-faq", before: 0.2625, after: 6 },
        { label: "legal-review", before: 8.8, after: 8.8 },
      ],
    });
    expect(chart).toBeDefined();
    const lines = (chart ?? "").split("\n");
    expect(lines).toHaveLength(LINE.length);
    lines.forEach((line, i) => expect(line).toMatch(LINE[i] as RegExp));
    expect(lines[3]).toBe('    x-axis ["support-faq before", "support-faq after", "legal-review before", "legal-review after"]');
    expect(lines[5]).toBe("    bar [0.2625, 0, 8.8, 0]");
    expect(lines[6]).toBe("    bar [0, 6, 0, 8.8]");
    expect(lines[4]).toBe('    y-axis "USD" 0 --> 10');
    // Double quotes cannot be escaped in a Mermaid string.
    expect(lines[2]).toBe(`    title "$ per 1,000 requests 'by route'"`);
  });

  it("keeps the largest changes when there are too many routes, and draws nothing without routes", () => {
    const bars = Array.from({ length: 15 }, (_, i) => ({ label: `r${i}`, before: 1, after: 1 + i }));
    const chart = mermaidBeforeAfter({ title: "t", yAxis: "y", bars, limit: 3 }) ?? "";
    expect(chart).toContain('"r12 before", "r12 after", "r13 before", "r13 after", "r14 before", "r14 after"');
    expect(chart).not.toContain("r11");
    expect(mermaidBeforeAfter({ title: "t", yAxis: "y", bars: [] })).toBeUndefined();
  });

  it("writes numbers Mermaid reads: no exponent, no separators, no negative zero", () => {
    expect([0, -0, 1e-9, 0.00012, 3.14159, 1234.56, Number.NaN].map(chartNumber)).toEqual(["0", "0", "0", "0.0001", "3.14", "1235", "0"]);
  });
});

/** @module The long-stream section of BENCHMARKS.md is replaced in place by `bench:streams` and carried over by `pnpm bench`. */
import { describe, expect, it } from "vitest";
import { STREAMS_BEGIN, STREAMS_END, replaceStreamsSection, streamsSectionOf } from "./src/streams/report.ts";

const section = (text: string): string => `${STREAMS_BEGIN}\n${text}\n${STREAMS_END}\n`;

describe("the long-stream section of BENCHMARKS.md", () => {
  it("is appended to a file without one, replaced in place in a file with one, and found again", () => {
    const first = replaceStreamsSection("# Benchmarks\n\nmain run\n", section("run 1"));
    expect(first).toBe(`# Benchmarks\n\nmain run\n\n${section("run 1")}`);
    const second = replaceStreamsSection(`${first}\ntrailing\n`, section("run 2"));
    expect(second).toContain("run 2");
    expect(second).not.toContain("run 1");
    expect(second.endsWith("trailing\n")).toBe(true);
    expect(streamsSectionOf(second)).toBe(section("run 2").trimEnd());
    expect(streamsSectionOf("# Benchmarks\n")).toBeUndefined();
  });
});

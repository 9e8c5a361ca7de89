import { describe, expect, it } from "vitest";
import { DEFAULT_MAX_UPSTREAM_BYTES, upstreamLimits } from "./limits.ts";
import { DEFAULT_MAX_SSE_LINE_BYTES } from "./sse.ts";

describe("upstreamLimits", () => {
  it("defaults to 16 MiB bodies and 1 MiB SSE lines", () => {
    expect(upstreamLimits({})).toEqual({ maxResponseBytes: 16 * 1024 * 1024, maxSseLineBytes: 1024 * 1024 });
    expect(upstreamLimits({ SWITCHYARD_MAX_UPSTREAM_BYTES: " ", SWITCHYARD_MAX_SSE_LINE_BYTES: "" })).toEqual({
      maxResponseBytes: DEFAULT_MAX_UPSTREAM_BYTES,
      maxSseLineBytes: DEFAULT_MAX_SSE_LINE_BYTES,
    });
  });

  it("reads both variables", () => {
    expect(upstreamLimits({ SWITCHYARD_MAX_UPSTREAM_BYTES: "1048576", SWITCHYARD_MAX_SSE_LINE_BYTES: "65536\n" })).toEqual({
      maxResponseBytes: 1_048_576,
      maxSseLineBytes: 65_536,
    });
  });

  it.each(["0", "-1", "1e6", "16MiB", "1.5"])("names a variable set to %j", (value) => {
    expect(upstreamLimits({ SWITCHYARD_MAX_SSE_LINE_BYTES: value })).toEqual({
      error: expect.stringContaining("SWITCHYARD_MAX_SSE_LINE_BYTES must be a positive whole number"),
    });
  });
});

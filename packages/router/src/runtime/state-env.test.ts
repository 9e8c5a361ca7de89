/** @module runtime/state-env tests */
import { describe, expect, it } from "vitest";
import { REDIS_URL_ENV, stateEnvWarnings } from "./state-env.ts";

describe("stateEnvWarnings", () => {
  it("is silent without SWITCHYARD_REDIS_URL (or with it empty)", () => {
    expect(stateEnvWarnings({})).toEqual([]);
    expect(stateEnvWarnings({ [REDIS_URL_ENV]: "  " })).toEqual([]);
  });

  it("says the variable is not supported yet and state is per replica, without repeating the URL", () => {
    const [warning, ...rest] = stateEnvWarnings({ [REDIS_URL_ENV]: "redis://:s3cret@redis:6379" });
    expect(rest).toEqual([]);
    expect(warning).toMatch(/^SWITCHYARD_REDIS_URL is set, but a shared Redis state store is not supported yet/);
    expect(warning).toContain("state is per replica");
    expect(warning).not.toContain("s3cret");
    expect(warning).not.toContain("redis://");
  });
});

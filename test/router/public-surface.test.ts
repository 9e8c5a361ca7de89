/**
 * @module The router's public surface is deliberate (issue 18 item 7): the runtime values `@switchyard/router` exports are
 * exactly this list, so adding or dropping one is a visible change to this test and to packages/router/README.md.
 */
import { describe, expect, it } from "vitest";

describe("@switchyard/router public surface", () => {
  it("exports only the named runtime values of its README", async () => {
    const surface = await import("@switchyard/router");
    expect(Object.keys(surface).sort()).toEqual(
      [
        "ADMIN_TOKEN_ENV",
        "ActivationError",
        "ActiveRelease",
        "AdminClient",
        "AdminClientError",
        "ERRORS",
        "createMemoryStateStores",
        "ROUTER_NODE_FLAGS",
        "RouterError",
        "RouterStartError",
        "TRACE_SCHEMA_VERSION",
        "UpstreamError",
        "activateRelease",
        "builtinAdapters",
        "builtinValidators",
        "checkAdminToken",
        "createAdminApi",
        "http1Transport",
        "jsonlSink",
        "nodeHttpTransport",
        "parseListenArgs",
        "releaseHashOf",
        "runMain",
        "startRouter",
        "undiciTransport",
        "verifyReleaseText",
      ].sort(),
    );
  });

  it("keeps the pure routing core behind @switchyard/router/core", async () => {
    const core = await import("@switchyard/router/core");
    for (const name of ["decide", "formatPlan", "mulberry32", "stickyBucket", "chatRequestFeatures"])
      expect(typeof (core as Record<string, unknown>)[name]).toBe("function");
    const surface: Record<string, unknown> = await import("@switchyard/router");
    expect(surface.decide).toBeUndefined();
  });
});

/** @module mountDashboard: the live aggregator exists only when an admin token is set. */
import { describe, expect, it } from "vitest";
import { acmeConfig } from "../core/testing.ts";
import { createMemoryStateStores } from "../state/memory/index.ts";
import { ActiveRelease, type RuntimeRelease } from "../runtime/release.ts";
import { LiveStats } from "./live-stats.ts";
import { mountDashboard } from "./mount.ts";

const runtime = { hash: "h".repeat(64), config: acmeConfig() } as unknown as RuntimeRelease;

describe("mountDashboard", () => {
  it("adds no trace sink (no per-request cost) without SWITCHYARD_ADMIN_TOKEN", () => {
    for (const env of [{}, { SWITCHYARD_ADMIN_TOKEN: "" }]) {
      expect(mountDashboard({ env, active: new ActiveRelease(runtime, { now: 0 }), state: createMemoryStateStores(), now: () => 0 }).sink).toBeUndefined();
    }
  });

  it("aggregates into a LiveStats sink when the token is set", () => {
    const mounted = mountDashboard({
      env: { SWITCHYARD_ADMIN_TOKEN: "t" },
      active: new ActiveRelease(runtime, { now: 0 }),
      state: createMemoryStateStores(),
      now: () => 0,
    });
    expect(mounted.sink).toBeInstanceOf(LiveStats);
  });
});

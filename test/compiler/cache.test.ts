/**
 * @module cache.test — a route's response cache (issue 22) compiles from routes.ts: `ttl` becomes `ttlMs`, `sampled`
 * defaults to false, an environment overrides part of it, a route without one has none, and prod-safety refuses a
 * route-scoped cache on a confidential route at the override that set it.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compile } from "@switchyard/compiler";
import { fixtures } from "./helpers.ts";

const file = join(fixtures, "cache", "routes.ts");

describe("routes.ts `cache`", () => {
  it("lowers ttl to ttlMs, defaults sampled to false, and takes an environment's partial override", async () => {
    const base = await compile({ file });
    expect(base.diagnostics).toEqual([]);
    const routes = base.release?.config.routes;
    expect(routes?.["faq"]?.cache).toEqual({ ttlMs: 600_000, scope: "team", sampled: false });
    expect(routes?.["shared"]?.cache).toEqual({ ttlMs: 30_000, scope: "route", sampled: true, expectedHitRatio: 0.5 });
    expect(routes?.["plain"]?.cache).toBeUndefined();

    const prod = await compile({ file, env: "prod" });
    expect(prod.release?.config.routes["faq"]?.cache).toEqual({ ttlMs: 3_600_000, scope: "team", sampled: false });
  });

  it("prod-safety/cache-scope refuses a route-scoped cache on a confidential route", async () => {
    const leaky = await compile({ file, env: "leaky" });
    const finding = leaky.diagnostics.find((d) => d.code === "prod-safety/cache-scope");
    expect(finding).toMatchObject({ severity: "error", line: 15 });
    expect(finding?.message).toContain('route faq is confidential but caches answers with scope "route"');
  });
});

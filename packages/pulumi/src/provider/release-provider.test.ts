/** @module Release provider methods alone, over a fake admin API. */
import { createRelease, parseConfig, type Release, serialiseRelease } from "@switchyard/ir";
import { AdminClientError } from "@switchyard/router/admin-client";
import { describe, expect, it } from "vitest";
import { type AdminPort, createReleaseProvider, propertyPath } from "./release-provider.ts";
import { secret, unwrap } from "./wire.ts";

function release(routes: Record<string, unknown>, models: Record<string, unknown> = {}): Release {
  const parsed = parseConfig({
    irVersion: 1,
    environment: "test",
    providers: { sim: { kind: "mock" } },
    models: { m: { provider: "sim", name: "mock-1", context: 8_000, price: { input: 0, output: 0 } }, ...models },
    routes,
  });
  if (!parsed.success) throw new Error(JSON.stringify(parsed.issues));
  return createRelease(parsed.data);
}

/** An in-memory router admin API: uploaded releases, an active one, activation history. */
function fakeAdmin(boot: string) {
  const known = new Set([boot]);
  let active = boot;
  const calls: string[] = [];
  const port: AdminPort = {
    async pushRelease(text) {
      const hash = (JSON.parse(text) as { hash: string }).hash;
      calls.push(`push ${hash.slice(0, 6)}`);
      known.add(hash);
      return {};
    },
    async activate(hash) {
      calls.push(`activate ${hash.slice(0, 6)}`);
      if (!known.has(hash)) throw new AdminClientError("release_not_found", 404, `release ${hash} is not on this router`);
      const previous = active;
      active = hash;
      return { hash, activatedAt: "2026-11-26T12:00:00.000Z", previous, changed: previous !== hash };
    },
    async listReleases() {
      return {
        active,
        releases: [...known].map((hash) => ({ hash, activatedAt: hash === active ? "2026-11-26T12:00:00.000Z" : null, active: hash === active })),
      };
    },
  };
  return { port, calls, active: () => active, setActive: (hash: string) => ((active = hash), known.add(hash)) };
}

const boot = release({ boot: { model: "m" } });
const a = release({ chat: { model: "m" } });
const b = release({ chat: { model: "m", fallback: [{ model: "m" }] }, "gpt.4": { model: "m" } });
const inputs = (r: Release, token: unknown = secret("t0ken")) => ({ routerUrl: "http://router.test:8787", adminToken: token, release: serialiseRelease(r) });

describe("propertyPath", () => {
  it("dots where it can, brackets where a segment needs them", () => {
    expect(propertyPath(["routes", "support-faq", "fallback"])).toBe("routes.support-faq.fallback");
    expect(propertyPath(["models", "gpt-4.1", "context"])).toBe('models["gpt-4.1"].context');
    expect(propertyPath(["policies", "baseline#2"])).toBe('policies["baseline#2"]');
  });
});

describe("release provider", () => {
  it("create pushes then activates; outs carry the previous release and a secret token", async () => {
    const admin = fakeAdmin(boot.hash);
    const provider = createReleaseProvider({ admin: () => admin.port });
    const { inputs: checked } = await provider.check({}, inputs(a, "t0ken"));
    const { id, outs } = await provider.create(checked);
    expect(id).toBe("http://router.test:8787");
    expect(admin.calls).toEqual([`push ${a.hash.slice(0, 6)}`, `activate ${a.hash.slice(0, 6)}`]);
    expect(outs).toMatchObject({ hash: a.hash, previousHash: boot.hash, activeHash: a.hash, drift: null });
    expect(unwrap(outs["adminToken"])).toEqual({ value: "t0ken", secret: true });
  });

  it("diff: route-level keys, bracketed ids, no replacement; no change → none", async () => {
    const provider = createReleaseProvider({ admin: () => fakeAdmin(boot.hash).port });
    const olds = (await provider.check({}, inputs(a))).inputs;
    const news = (await provider.check(olds, inputs(b))).inputs;
    const diff = await provider.diff("id", olds, news);
    expect(diff).toMatchObject({ changes: true, replaces: [] });
    expect(diff.detailedDiff).toEqual({ "routes.chat.fallback": { kind: "update", inputDiff: true }, 'routes["gpt.4"]': { kind: "add", inputDiff: true } });
    expect((await provider.diff("id", olds, olds)).changes).toBe(false);
  });

  it("diff: a new token is an update of adminToken only", async () => {
    const provider = createReleaseProvider();
    const olds = (await provider.check({}, inputs(a, secret("one")))).inputs;
    const news = (await provider.check(olds, inputs(a, secret("two")))).inputs;
    expect(await provider.diff("id", olds, news)).toEqual({
      changes: true,
      diffs: ["adminToken"],
      replaces: [],
      detailedDiff: { adminToken: { kind: "update", inputDiff: true } },
    });
  });

  it("update after drift re-activates and keeps the original previousHash", async () => {
    const admin = fakeAdmin(boot.hash);
    const provider = createReleaseProvider({ admin: () => admin.port });
    const checked = (await provider.check({}, inputs(a))).inputs;
    const { outs } = await provider.create(checked);
    admin.setActive(b.hash);
    const read = await provider.read("id", outs);
    expect(read.props).toMatchObject({ activeHash: b.hash, drift: expect.stringContaining("out of band") });
    expect((await provider.diff("id", read.props, checked)).detailedDiff).toEqual({ activeHash: { kind: "update", inputDiff: false } });
    const updated = await provider.update("id", read.props, checked);
    expect(admin.active()).toBe(a.hash);
    expect(updated.outs).toMatchObject({ activeHash: a.hash, previousHash: boot.hash, drift: null });
  });

  it("create on a router where the release is already active records no previous release; delete then leaves it", async () => {
    const admin = fakeAdmin(a.hash);
    const provider = createReleaseProvider({ admin: () => admin.port });
    const { outs } = await provider.create((await provider.check({}, inputs(a))).inputs);
    expect(outs["previousHash"]).toBeNull();
    await provider.delete("id", outs);
    expect(admin.calls.filter((c) => c.startsWith("activate"))).toHaveLength(1);
  });

  it("delete when the router forgot the previous release says how to get out", async () => {
    const admin = fakeAdmin(boot.hash);
    const provider = createReleaseProvider({ admin: () => admin.port });
    const { outs } = await provider.create((await provider.check({}, inputs(a))).inputs);
    const forgotten = { ...outs, previousHash: "e".repeat(64) };
    // `pulumi destroy` is another run of the plugin: a fresh provider.
    const destroy = createReleaseProvider({ admin: () => admin.port });
    await expect(destroy.delete("id", forgotten)).rejects.toThrow(/release_not_found[\s\S]*pulumi state delete/);
    expect(admin.active()).toBe(a.hash);
  });

  it("admin errors become provider errors with the code and the router's diagnostics", async () => {
    const provider = createReleaseProvider({
      admin: () => ({
        pushRelease: async () => {
          throw new AdminClientError("invalid_release", 400, "release rejected", [
            { code: "missing_adapter", message: "no anthropic adapter in this build", path: "config.providers.a" },
          ]);
        },
        activate: async () => {
          throw new Error("unreachable");
        },
        listReleases: async () => ({ active: "", releases: [] }),
      }),
    });
    const checked = (await provider.check({}, inputs(a))).inputs;
    await expect(provider.create(checked)).rejects.toThrow(/invalid_release, HTTP 400\)\n {2}missing_adapter at config\.providers\.a: no anthropic adapter/);
  });
});

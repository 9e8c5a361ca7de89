/** @module The provider plugin over gRPC in a child process (as the engine runs it), against a real router process on 127.0.0.1. */
import { serialiseRelease } from "@switchyard/ir";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_TOKEN, adminFetch, numberedRelease } from "../helpers/admin.ts";
import type { RouterProcess } from "../helpers/process.ts";
import { releaseOf } from "../helpers/release.ts";
import { isSecretValue, type ProviderPlugin, secretValue, startPlugin, startRouterProcess, stopRouterProcess, UNKNOWN } from "./harness.ts";

const boot = numberedRelease(0);

function routed(routes: Record<string, unknown>) {
  return releaseOf({
    providers: { sim: { kind: "mock", mock: { reply: "hello from {route}" } } },
    models: {
      m: { provider: "sim", name: "mock-1", context: 8_000, price: { input: 0, output: 0 } },
      n: { provider: "sim", name: "mock-2", context: 8_000, price: { input: 0, output: 0 } },
    },
    routes: routes as never,
  });
}

const v1 = routed({ chat: { model: "m" } });
const v2 = routed({ chat: { model: "m", fallback: [{ model: "n" }] }, faq: { model: "n" } });

/** Everything in a property bag except the values inside Pulumi secrets. */
function withoutSecrets(value: unknown): unknown {
  if (isSecretValue(value)) return "[secret]";
  if (Array.isArray(value)) return value.map(withoutSecrets);
  if (typeof value === "object" && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withoutSecrets(v)]));
  return value;
}

async function activeHash(router: RouterProcess): Promise<string> {
  const listing = await adminFetch(router.url, "GET", "/admin/releases");
  return (listing.json as { active: string }).active;
}

describe("pulumi-resource-switchyard over gRPC", () => {
  let plugin: ProviderPlugin;
  let router: RouterProcess;

  beforeAll(async () => {
    [plugin, router] = await Promise.all([startPlugin(), startRouterProcess(boot)]);
  });
  afterAll(async () => {
    await Promise.all([plugin?.close(), router && stopRouterProcess(router)]);
  });

  const inputs = (release = v1, token: unknown = secretValue(ADMIN_TOKEN)) => ({
    routerUrl: `${router.url}/`,
    adminToken: token,
    release: serialiseRelease(release),
  });

  it("answers the engine's handshake calls: version, configure accepts secrets, CheckConfig UNIMPLEMENTED", async () => {
    expect(await plugin.pluginInfo()).toMatch(/^\d+\.\d+\.\d+/);
    expect(await plugin.configure()).toEqual({ acceptSecrets: true });
    expect((await plugin.checkConfig()).code).toBe(12);
    const schema = JSON.parse(await plugin.schema()) as { name: string; resources: Record<string, { inputProperties: Record<string, { secret?: boolean }> }> };
    expect(schema.name).toBe("switchyard");
    expect(schema.resources["switchyard:index:Release"]?.inputProperties["adminToken"]?.secret).toBe(true);
  });

  it("check: normalises inputs, derives hash and config sections, keeps the token secret", async () => {
    const checked = await plugin.check({}, inputs(v1, ADMIN_TOKEN));
    expect(checked.failures).toEqual([]);
    expect(checked.inputs["routerUrl"]).toBe(router.url);
    expect(checked.inputs["hash"]).toBe(v1.hash);
    expect(isSecretValue(checked.inputs["adminToken"])).toBe(true);
    expect(Object.keys(checked.inputs["routes"] as object)).toEqual(["chat"]);
    expect(JSON.stringify(withoutSecrets(checked.inputs))).not.toContain(ADMIN_TOKEN);
  });

  it("check: every problem is a failure naming its property", async () => {
    const bad = await plugin.check({}, { routerUrl: "router.internal", release: "{not json", hash: "abc" });
    expect(bad.failures.map((f) => f.property).sort()).toEqual(["adminToken", "release", "routerUrl"]);
    expect(bad.failures.find((f) => f.property === "release")?.reason).toMatch(/not valid JSON/);
    const mismatch = await plugin.check({}, { ...inputs(v1), hash: v2.hash });
    expect(mismatch.failures).toEqual([{ property: "hash", reason: expect.stringContaining("does not match") }]);
    const tampered = JSON.parse(serialiseRelease(v1)) as { config: { routes: Record<string, unknown> } };
    tampered.config.routes["extra"] = tampered.config.routes["chat"];
    const wrongHash = await plugin.check({}, { ...inputs(v1), release: JSON.stringify(tampered) });
    expect(wrongHash.failures[0]?.reason).toMatch(/hash_mismatch/);
  });

  it("check: values unknown during a preview pass", async () => {
    const checked = await plugin.check({}, { routerUrl: UNKNOWN, adminToken: secretValue(ADMIN_TOKEN), release: serialiseRelease(v1) });
    expect(checked.failures).toEqual([]);
  });

  it("create → read → diff → update → out-of-band drift → delete, against the router", async () => {
    const checked = await plugin.check({}, inputs(v1));
    const created = await plugin.create(checked.inputs);
    expect(created.id).toBe(router.url);
    expect(await activeHash(router)).toBe(v1.hash);
    expect(created.outs).toMatchObject({ hash: v1.hash, activeHash: v1.hash, previousHash: boot.hash, environment: "test", drift: null });
    expect(created.outs["activatedAt"]).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(isSecretValue(created.outs["adminToken"])).toBe(true);
    expect(JSON.stringify(withoutSecrets(created.outs))).not.toContain(ADMIN_TOKEN);

    const read = await plugin.read(created.id, created.outs);
    expect(read.props).toMatchObject({ activeHash: v1.hash, drift: null });
    expect(isSecretValue(read.inputs["adminToken"])).toBe(true);
    expect(await plugin.diff(created.id, created.outs, checked.inputs)).toMatchObject({ changes: "none", replaces: [] });

    const next = await plugin.check(checked.inputs, inputs(v2));
    const diff = await plugin.diff(created.id, created.outs, next.inputs);
    expect(diff.changes).toBe("some");
    expect(diff.replaces).toEqual([]);
    expect(diff.detailedDiff).toEqual({ "routes.chat.fallback": "update", "routes.faq": "add" });
    expect(diff.diffs).toEqual(expect.arrayContaining(["release", "hash", "routes"]));

    const updated = await plugin.update(created.id, created.outs, next.inputs);
    expect(await activeHash(router)).toBe(v2.hash);
    expect(updated).toMatchObject({ hash: v2.hash, activeHash: v2.hash, previousHash: v1.hash });
    expect(isSecretValue(updated["adminToken"])).toBe(true);

    // Someone activates another release by hand.
    const other = numberedRelease(7);
    expect((await adminFetch(router.url, "PUT", `/admin/releases/${other.hash}`, { body: serialiseRelease(other) })).status).toBeLessThan(300);
    expect((await adminFetch(router.url, "POST", `/admin/releases/${other.hash}/activate`)).status).toBe(200);
    const drifted = await plugin.read(created.id, updated);
    expect(drifted.props["activeHash"]).toBe(other.hash);
    expect(drifted.props["hash"]).toBe(v2.hash);
    expect(drifted.props["drift"]).toMatch(/activated out of band/);
    const repair = await plugin.diff(created.id, drifted.props, next.inputs);
    expect(repair).toMatchObject({ changes: "some", detailedDiff: { activeHash: "update" } });

    // Destroy does not undo a release someone activated by hand (provider-lifecycle.test.ts has every sequence).
    await plugin.delete(created.id, drifted.props);
    expect(await activeHash(router)).toBe(other.hash);
  });

  it("a config change is an update; another router is a replacement", async () => {
    const a = await plugin.check({}, inputs(v1));
    const b = await plugin.check({}, { ...inputs(v2), routerUrl: "http://127.0.0.1:9" });
    const diff = await plugin.diff(router.url, a.inputs, b.inputs);
    expect(diff.replaces).toEqual(["routerUrl"]);
    expect(diff.detailedDiff["routerUrl"]).toBe("update-replace");
    expect(diff.detailedDiff["routes.chat.fallback"]).toBe("update");
  });

  it("errors are messages with a code, never the token", async () => {
    const wrong = await plugin.check({}, inputs(v1, secretValue("not-the-token-123")));
    const denied = plugin.create(wrong.inputs);
    await expect(denied).rejects.toThrow(/invalid_admin_token/);
    await denied.catch((error: Error) => {
      expect(error.message).not.toContain("not-the-token-123");
      expect(error.message).not.toMatch(/\n\s+at /);
    });
    const unreachable = await plugin.check({}, { ...inputs(v1), routerUrl: "http://127.0.0.1:9" });
    await expect(plugin.create(unreachable.inputs)).rejects.toThrow(/unreachable/);
    expect(plugin.stderr()).not.toContain(ADMIN_TOKEN);
  });
});

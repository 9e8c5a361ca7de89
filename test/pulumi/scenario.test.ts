/**
 * @module The Pulumi scenario, end to end over gRPC against a real router process: release v1
 * active → routes.ts edited (a second routes source) → diff shows exactly the route changes →
 * update activates v2 with zero failed requests under a bounded load (the official openai client)
 * → an out-of-band activation is detected by read and repaired by update → delete restores v1.
 */
import { resolve } from "node:path";
import { serialiseRelease } from "@switchyard/ir";
import { compileRoutes, type CompiledRoutes } from "@switchyard/pulumi";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_TOKEN, adminFetch, numberedRelease } from "../helpers/admin.ts";
import type { RouterProcess } from "../helpers/process.ts";
import { type ProviderPlugin, secretValue, startPlugin, startRouterProcess, stopRouterProcess } from "./harness.ts";

const FIXTURES = resolve(import.meta.dirname, "fixtures");
const boot = numberedRelease(0);

async function active(router: RouterProcess): Promise<string> {
  return ((await adminFetch(router.url, "GET", "/admin/releases")).json as { active: string }).active;
}

describe("pulumi scenario: v1 → edit → preview → update under load → drift → repair → destroy", () => {
  let plugin: ProviderPlugin;
  let router: RouterProcess;
  let v1: CompiledRoutes;
  let v2: CompiledRoutes;

  beforeAll(async () => {
    [plugin, router, v1, v2] = await Promise.all([
      startPlugin(),
      startRouterProcess(boot),
      compileRoutes({ file: resolve(FIXTURES, "routes-v1.ts"), env: "test" }),
      compileRoutes({ file: resolve(FIXTURES, "routes-v2.ts"), env: "test" }),
    ]);
  }, 180_000);
  afterAll(async () => {
    await Promise.all([plugin?.close(), router && stopRouterProcess(router)]);
  });

  it("walks the whole lifecycle", async () => {
    const inputs = (build: CompiledRoutes) => ({ routerUrl: router.url, adminToken: secretValue(ADMIN_TOKEN), release: build.releaseJson });

    // pulumi up (first time): v1 is created and active.
    const first = await plugin.check({}, inputs(v1));
    expect(first.failures).toEqual([]);
    const created = await plugin.create(first.inputs);
    expect(await active(router)).toBe(v1.hash);
    expect(created.outs).toMatchObject({ hash: v1.hash, previousHash: boot.hash });

    // routes.ts edited → pulumi preview: exactly the route changes, an update (never a replacement).
    const second = await plugin.check(created.outs, inputs(v2));
    const preview = await plugin.diff(created.id, created.outs, second.inputs);
    expect(preview.changes).toBe("some");
    expect(preview.replaces).toEqual([]);
    expect(preview.detailedDiff).toEqual({
      "routes.support-faq.fallback": "update",
      "routes.summarise.timeout.totalMs": "update",
      "routes.triage": "add",
    });

    // pulumi up: update under a bounded load (4 clients, until the update is done plus 40 more requests each).
    const client = new OpenAI({ baseURL: `${router.url}/v1`, apiKey: "unused", maxRetries: 0 });
    const versions = new Set<string>();
    const failures: string[] = [];
    let sent = 0;
    let updated = false;
    const worker = async (): Promise<void> => {
      let after = 0;
      while (after < 40 && sent < 2_000) {
        sent++;
        const wasUpdated = updated;
        try {
          const { data, response } = await client.chat.completions.create({ model: "support-faq", messages: [{ role: "user", content: "hi" }] }).withResponse();
          if (!data.choices[0]?.message.content) failures.push("empty answer");
          versions.add(response.headers.get("x-switchyard-config-version") ?? "none");
        } catch (error) {
          failures.push((error as Error).message);
        }
        if (wasUpdated) after++;
      }
    };
    const load = Promise.all([worker(), worker(), worker(), worker()]);
    await new Promise((r) => setTimeout(r, 150));
    const outs = await plugin.update(created.id, created.outs, second.inputs);
    updated = true;
    await load;
    expect(failures).toEqual([]);
    expect(sent).toBeGreaterThan(160);
    expect(await active(router)).toBe(v2.hash);
    expect(outs).toMatchObject({ hash: v2.hash, activeHash: v2.hash, previousHash: v1.hash });
    // Requests were answered by v1 before the switch and by v2 after it, none failed in between.
    expect([...versions].sort()).toEqual([v1.hash, v2.hash].sort());

    // Someone activates another release by hand → pulumi refresh reports it.
    const rogue = numberedRelease(9);
    await adminFetch(router.url, "PUT", `/admin/releases/${rogue.hash}`, { body: serialiseRelease(rogue) });
    await adminFetch(router.url, "POST", `/admin/releases/${rogue.hash}/activate`);
    const refreshed = await plugin.read(created.id, outs);
    expect(refreshed.props).toMatchObject({ hash: v2.hash, activeHash: rogue.hash });
    expect(refreshed.props["drift"]).toMatch(/out of band/);
    expect((await plugin.diff(created.id, refreshed.props, second.inputs)).changes).toBe("some");

    // pulumi up repairs the drift: v2 is active again, and what it replaced is still v1.
    const repaired = await plugin.update(created.id, refreshed.props, second.inputs);
    expect(await active(router)).toBe(v2.hash);
    expect(repaired).toMatchObject({ activeHash: v2.hash, previousHash: v1.hash, drift: null });

    // pulumi destroy (a run of its own: a fresh plugin process): the router goes back to v1.
    const destroy = await startPlugin();
    try {
      await destroy.delete(created.id, repaired);
    } finally {
      await destroy.close();
    }
    expect(await active(router)).toBe(v1.hash);
  }, 120_000);
});

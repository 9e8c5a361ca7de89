/**
 * @module Replacements, renames and deletes of a Release, each deployment a fresh provider (its own
 * gRPC server, as the plugin process serves it) driven over gRPC with the calls the Pulumi engine makes, in its order (read from pulumi's
 * pkg/resource/deploy/step_generator.go): a create-before-delete replacement is Check, Diff, Check
 * (no olds), Create, and Delete of the old state last; delete-before-replace is Check, Diff, Check,
 * Delete, Create; `--replace` skips Diff and the second Check; a rename without an alias is a Create
 * of the new URN and a Delete of the old one at the end. The router must end on the release the state
 * says is active.
 */
import { serialiseRelease } from "@switchyard/ir";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ADMIN_TOKEN, adminFetch, numberedRelease } from "../helpers/admin.ts";
import type { RouterProcess } from "../helpers/process.ts";
import { secretValue, startInProcessPlugin, startRouterProcess, stopRouterProcess } from "./harness.ts";

const URN_A = "urn:pulumi:dev::acme::switchyard:index:Release::routes";
const URN_B = "urn:pulumi:dev::acme::switchyard:index:Release::routes-renamed";

const boot = numberedRelease(0);
const v1 = numberedRelease(1);
const v2 = numberedRelease(2);

type Props = Record<string, unknown>;

async function active(router: RouterProcess): Promise<string> {
  return ((await adminFetch(router.url, "GET", "/admin/releases")).json as { active: string }).active;
}

describe("Release replacements, renames and deletes over gRPC", () => {
  let router: RouterProcess;
  type Deployment = Awaited<ReturnType<typeof startInProcessPlugin>>;
  const plugins: Deployment[] = [];

  /** One engine run: a fresh provider behind its own gRPC server, as `pulumi up` starts a fresh plugin process (provider-grpc.test.ts runs the real child process). */
  async function deployment(): Promise<Deployment> {
    const plugin = await startInProcessPlugin();
    plugins.push(plugin);
    return plugin;
  }

  const news = (release: typeof v1, url = router.url): Props => ({ routerUrl: url, adminToken: secretValue(ADMIN_TOKEN), release: serialiseRelease(release) });
  /** Another spelling of the same router's address (as `router.svc` and `router.svc.cluster.local` would be). */
  const alias = (): string => router.url.replace("127.0.0.1", "127.1");

  /** `pulumi up` on an empty stack: the resource is created with v1 (boot → v1). */
  async function created(urn = URN_A): Promise<Props> {
    const plugin = await deployment();
    const checked = await plugin.check({}, news(v1), urn);
    const { outs } = await plugin.create(checked.inputs, urn);
    await plugin.close();
    return outs;
  }

  beforeAll(async () => {
    router = await startRouterProcess(boot);
    for (const release of [v1, v2])
      expect((await adminFetch(router.url, "PUT", `/admin/releases/${release.hash}`, { body: serialiseRelease(release) })).status).toBeLessThan(300);
  });
  beforeEach(async () => {
    expect((await adminFetch(router.url, "POST", `/admin/releases/${boot.hash}/activate`)).status).toBe(200);
  });
  afterAll(async () => {
    await Promise.all([...plugins.map((p) => p.close()), router && stopRouterProcess(router)]);
  });

  it("create-before-delete replacement with a new release: the old resource's delete leaves the new release active", async () => {
    const old = await created();
    expect(old["previousHash"]).toBe(boot.hash);
    const plugin = await deployment();
    const checked = await plugin.check(old, news(v2, alias()), URN_A);
    const diff = await plugin.diff(router.url, old, checked.inputs, URN_A);
    expect(diff.replaces).toEqual(["routerUrl"]);
    const rechecked = await plugin.check({}, news(v2, alias()), URN_A);
    const { outs } = await plugin.create(rechecked.inputs, URN_A);
    await plugin.delete(router.url, old, URN_A);
    expect(await active(router)).toBe(v2.hash);
    expect(outs).toMatchObject({ hash: v2.hash, previousHash: v1.hash });
  });

  it("create-before-delete replacement with the same release: the router keeps it and the new resource inherits previousHash", async () => {
    const old = await created();
    const plugin = await deployment();
    const checked = await plugin.check(old, news(v1, alias()), URN_A);
    expect((await plugin.diff(router.url, old, checked.inputs, URN_A)).replaces).toEqual(["routerUrl"]);
    const rechecked = await plugin.check({}, news(v1, alias()), URN_A);
    const { outs } = await plugin.create(rechecked.inputs, URN_A);
    await plugin.delete(router.url, old, URN_A);
    expect(await active(router)).toBe(v1.hash);
    expect(outs).toMatchObject({ hash: v1.hash, activeHash: v1.hash, previousHash: boot.hash });

    // A later destroy of the new resource still returns the router to what was there before the stack.
    const destroy = await deployment();
    await destroy.delete(outs["routerUrl"] as string, outs, URN_A);
    expect(await active(router)).toBe(boot.hash);
  });

  it("`pulumi up --replace` (no Diff, no second Check): the router keeps the release", async () => {
    const old = await created();
    const plugin = await deployment();
    const checked = await plugin.check(old, news(v1), URN_A);
    const { outs } = await plugin.create(checked.inputs, URN_A);
    await plugin.delete(router.url, old, URN_A);
    expect(await active(router)).toBe(v1.hash);
    expect(outs["hash"]).toBe(v1.hash);
  });

  it("delete-before-replace with a new release: roll back, then the new release is activated", async () => {
    const old = await created();
    const plugin = await deployment();
    const checked = await plugin.check(old, news(v2, alias()), URN_A);
    await plugin.diff(router.url, old, checked.inputs, URN_A);
    const rechecked = await plugin.check({}, news(v2, alias()), URN_A);
    await plugin.delete(router.url, old, URN_A);
    const { outs } = await plugin.create(rechecked.inputs, URN_A);
    expect(await active(router)).toBe(v2.hash);
    expect(outs).toMatchObject({ hash: v2.hash, previousHash: boot.hash });
  });

  it("delete-before-replace with the same release: no rollback in between, and previousHash carries over", async () => {
    const old = await created();
    const plugin = await deployment();
    const checked = await plugin.check(old, news(v1, alias()), URN_A);
    await plugin.diff(router.url, old, checked.inputs, URN_A);
    const rechecked = await plugin.check({}, news(v1, alias()), URN_A);
    await plugin.delete(router.url, old, URN_A);
    expect(await active(router)).toBe(v1.hash);
    const { outs } = await plugin.create(rechecked.inputs, URN_A);
    expect(await active(router)).toBe(v1.hash);
    expect(outs).toMatchObject({ hash: v1.hash, previousHash: boot.hash });
  });

  it("rename without an alias, new release: create the new URN, delete the old one; the router stays on the new release", async () => {
    const old = await created(URN_A);
    const plugin = await deployment();
    const checked = await plugin.check({}, news(v2), URN_B);
    const { outs } = await plugin.create(checked.inputs, URN_B);
    await plugin.delete(router.url, old, URN_A);
    expect(await active(router)).toBe(v2.hash);
    expect(outs).toMatchObject({ hash: v2.hash, previousHash: v1.hash });
  });

  it("rename without an alias, same release: the new resource adopts it and the old one's delete does not roll back", async () => {
    const old = await created(URN_A);
    const plugin = await deployment();
    const checked = await plugin.check({}, news(v1), URN_B);
    const { outs } = await plugin.create(checked.inputs, URN_B);
    await plugin.delete(router.url, old, URN_A);
    expect(await active(router)).toBe(v1.hash);
    // Adopted without a link to the old resource: nothing to restore on a later destroy.
    expect(outs).toMatchObject({ hash: v1.hash, activeHash: v1.hash, previousHash: null });
  });

  it("a rename whose delete ran in a later deployment (the first one failed in between): the kept resource's Diff holds the release", async () => {
    const old = await created(URN_A);
    const first = await deployment();
    const checked = await first.check({}, news(v1), URN_B);
    const { outs } = await first.create(checked.inputs, URN_B);
    await first.close();
    const second = await deployment();
    const again = await second.check(outs, news(v1), URN_B);
    expect((await second.diff(router.url, outs, again.inputs, URN_B)).changes).toBe("none");
    await second.delete(router.url, old, URN_A);
    expect(await active(router)).toBe(v1.hash);
  });

  it("plain delete (`pulumi destroy`): the router goes back to the release active before", async () => {
    const old = await created();
    const destroy = await deployment();
    await destroy.delete(router.url, old, URN_A);
    expect(await active(router)).toBe(boot.hash);
  });

  it("plain delete after an out-of-band activation: the release someone chose stays active", async () => {
    const old = await created();
    expect((await adminFetch(router.url, "POST", `/admin/releases/${v2.hash}/activate`)).status).toBe(200);
    const destroy = await deployment();
    await destroy.delete(router.url, old, URN_A);
    expect(await active(router)).toBe(v2.hash);
  });

  it("Release.get: Read from the id (the router URL) and the token given to get; without the token a clear error", async () => {
    const old = await created();
    const plugin = await deployment();
    const read = await plugin.read(router.url, { adminToken: secretValue(ADMIN_TOKEN) }, "urn:pulumi:dev::acme::switchyard:index:Release::live");
    expect(read.id).toBe(router.url);
    expect(read.props).toMatchObject({
      routerUrl: router.url,
      hash: v1.hash,
      activeHash: v1.hash,
      environment: old["environment"],
      activatedAt: old["activatedAt"],
      drift: null,
    });
    expect(JSON.stringify(read.props)).not.toMatch(new RegExp(`"adminToken":"${ADMIN_TOKEN}"`));
    expect(read.inputs).toMatchObject({ routerUrl: router.url, hash: v1.hash });
    await expect(plugin.read(router.url, {})).rejects.toThrow(
      /does not carry the admin token; pass it to get: Release\.get\(name, "http:\/\/127\.0\.0\.1:\d+", \{ adminToken \}\)/,
    );
    await expect(plugin.read("routes", { adminToken: secretValue(ADMIN_TOKEN) })).rejects.toThrow(/the id of a Release is its router's http\(s\) URL/);
  });
});

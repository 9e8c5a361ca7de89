/** @module ActiveRelease: per-release in-flight counts and drain, history, the rollback stack, bounded memory. */
import { describe, expect, it } from "vitest";
import { type Release, createRelease, parseConfig } from "@switchyard/ir";
import { ActiveRelease, type RuntimeRelease } from "./release.ts";

function release(n: number): Release {
  const parsed = parseConfig({
    irVersion: 1,
    environment: "test",
    providers: { sim: { kind: "mock", mock: { reply: `r${n}` } } },
    models: { m: { provider: "sim", name: "m", context: 1_000, price: { input: 0, output: 0 } } },
    routes: { chat: { model: "m" } },
  });
  if (!parsed.success) throw new Error("bad test config");
  return createRelease(parsed.data);
}

/** Only hash and config matter to ActiveRelease. */
function runtime(n: number): RuntimeRelease {
  const r = release(n);
  return { hash: r.hash, config: r.config } as RuntimeRelease;
}

describe("ActiveRelease", () => {
  it("a replaced release drains: drained() resolves when its last request leaves, not before", async () => {
    const a = runtime(1);
    const active = new ActiveRelease(a, { now: 0 });
    const one = active.enter();
    const two = active.enter();
    expect(one).toBe(a);
    expect(active.inFlightOn(a)).toBe(2);
    let drained = false;
    const b = runtime(2);
    expect(active.swap(b, { now: 1 })).toBe(a);
    void active.drained(a).then(() => (drained = true));
    expect(active.enter()).toBe(b);
    active.leave(one);
    await Promise.resolve();
    expect(drained).toBe(false);
    active.leave(two);
    await Promise.resolve();
    expect(drained).toBe(true);
    expect(active.inFlightOn(a)).toBe(0);
    // An idle replaced release is drained at once; the current one never is.
    await expect(active.drained(a)).resolves.toBeUndefined();
    let currentDrained = false;
    void active.drained(b).then(() => (currentDrained = true));
    active.leave(b);
    await Promise.resolve();
    expect(currentDrained).toBe(false);
  });

  it("history: most recent first, active marked; record() is idempotent", () => {
    const active = new ActiveRelease(runtime(1), { now: 10 });
    expect(active.record(release(2), 20).created).toBe(true);
    expect(active.record(release(2), 30)).toMatchObject({ created: false, record: { uploadedAt: 20 } });
    active.swap(runtime(3), { now: 40 });
    expect(active.history().map((r) => [r.hash, r.active, r.uploadedAt, r.activatedAt])).toEqual([
      [release(3).hash, true, 40, 40],
      [release(2).hash, false, 20, undefined],
      [release(1).hash, false, 10, 10],
    ]);
    expect(active.history(1)).toHaveLength(1);
  });

  it("rollback pops the activation stack, so rollbacks walk back; a plain re-activation pushes", () => {
    const active = new ActiveRelease(runtime(1), { now: 0 });
    expect(active.previous()).toBeUndefined();
    active.swap(runtime(2), { now: 1 });
    active.swap(runtime(3), { now: 2 });
    expect(active.previous()?.hash).toBe(release(2).hash);
    active.swap(runtime(2), { now: 3, rollback: true });
    expect(active.previous()?.hash).toBe(release(1).hash);
    active.swap(runtime(1), { now: 4, rollback: true });
    expect(active.previous()).toBeUndefined();
    active.swap(runtime(3), { now: 5 });
    expect(active.previous()?.hash).toBe(release(1).hash);
  });

  it("remembers at most `retain` releases, never forgetting the current one or the rollback target", () => {
    const active = new ActiveRelease(runtime(0), { now: 0, retain: 3 });
    active.swap(runtime(1), { now: 1 });
    for (let n = 2; n < 8; n++) active.record(release(n), 10 + n);
    const kept = active.history(10).map((r) => r.hash);
    expect(kept).toHaveLength(3);
    expect(kept).toContain(release(1).hash);
    expect(kept).toContain(release(0).hash);
    expect(kept).toContain(release(7).hash);
    expect(active.previous()?.hash).toBe(release(0).hash);
  });
});

/** @module SWITCHYARD_REDIS_URL is only read when the release names it as `state.url`: otherwise the router says at start-up that it is ignored. */
import { afterEach, describe, expect, it } from "vitest";
import { type RunningRouter, createMemoryStateStores, builtinAdapters, builtinValidators, runMain } from "@switchyard/router";
import { releaseOf } from "../helpers/release.ts";
import { startTestRouter } from "../helpers/router.ts";

const release = releaseOf({
  providers: { sim: { kind: "mock" } },
  models: { m: { provider: "sim", name: "mock-1", context: 8_000, price: { input: 0, output: 0 } } },
  routes: { faq: { model: "m" } },
});

let running: RunningRouter | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

async function start(env: NodeJS.ProcessEnv): Promise<{ out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  running = await runMain({
    release,
    adapters: builtinAdapters,
    validators: builtinValidators,
    argv: ["--port", "0"],
    env,
    stdout: (l) => out.push(l),
    stderr: (l) => err.push(l),
    signals: false,
  });
  expect(running).toBeDefined();
  return { out, err };
}

describe("SWITCHYARD_REDIS_URL at start-up", () => {
  it("warns once that the release keeps state in memory, per replica, so the variable is ignored, never echoing the URL", async () => {
    const { out, err } = await start({ SWITCHYARD_REDIS_URL: "redis://:hunter2@redis.switchyard:6379" });
    const warnings = err.filter((l) => l.includes("SWITCHYARD_REDIS_URL"));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      /^switchyard router: warning: SWITCHYARD_REDIS_URL is set, but the release keeps its state in memory, so the variable is ignored/,
    );
    expect(warnings[0]).toContain("state is per replica");
    expect([...out, ...err].join("\n")).not.toContain("hunter2");
    expect(out.some((l) => l.startsWith("switchyard router listening on"))).toBe(true);
  });

  it("says nothing about it when the variable is unset", async () => {
    const { err } = await start({});
    expect(err.filter((l) => l.includes("REDIS"))).toEqual([]);
  });

  it("says nothing when the embedder hands startRouter its own state store", async () => {
    running = await startTestRouter(release, { env: { SWITCHYARD_REDIS_URL: "redis://redis:6379" }, state: createMemoryStateStores() });
    expect(running.warnings.filter((w) => w.includes("REDIS"))).toEqual([]);
  });
});

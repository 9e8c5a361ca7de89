/**
 * @module A release activated through the admin API brings its own `telemetry` section into effect:
 * new JSONL file, old one flushed and closed; an unchanged section keeps the running sink; the
 * caller's own sinks stay throughout.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Release } from "@switchyard/ir";
import type { RunningRouter, TraceRecord } from "@switchyard/router";
import { ADMIN_TOKEN, adminFetch, releaseText } from "../helpers/admin.ts";
import { releaseOf } from "../helpers/release.ts";
import { chat, startTestRouter } from "../helpers/router.ts";

const dir = mkdtempSync(join(tmpdir(), "follow-release-"));
const fileA = join(dir, "a.jsonl");
const fileB = join(dir, "b.jsonl");

/** A release answering `reply`, with the given telemetry section. */
function release(reply: string, telemetry?: { jsonl?: { path: string }; otlp?: { endpoint: string } }): Release {
  return releaseOf({
    providers: { sim: { kind: "mock", mock: { reply } } },
    models: { m: { provider: "sim", name: "mock-1", context: 8_000, price: { input: 0, output: 0 } } },
    routes: { chat: { model: "m" } },
    ...(telemetry !== undefined ? { telemetry } : {}),
  });
}

function lines(file: string): Record<string, unknown>[] {
  try {
    return readFileSync(file, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  } catch {
    return [];
  }
}

/** JSONL lines are written in batches: wait until `file` holds `count` of them. */
async function linesOf(file: string, count: number): Promise<Record<string, unknown>[]> {
  for (let i = 0; i < 100 && lines(file).length < count; i++) await new Promise((r) => setTimeout(r, 20));
  return lines(file);
}

async function activate(url: string, next: Release): Promise<void> {
  expect((await adminFetch(url, "PUT", `/admin/releases/${next.hash}`, { body: releaseText(next) })).status).toBe(201);
  expect((await adminFetch(url, "POST", `/admin/releases/${next.hash}/activate`)).status).toBe(200);
}

async function ask(url: string): Promise<string | null> {
  const res = await chat({ url }, { model: "chat", messages: [{ role: "user", content: "hi" }] });
  expect(res.status).toBe(200);
  await res.text();
  return res.headers.get("x-switchyard-request-id");
}

describe("telemetry follows the active release", () => {
  let router: RunningRouter;
  const logged: string[] = [];
  const seen: TraceRecord[] = [];

  beforeAll(async () => {
    router = await startTestRouter(release("one", { jsonl: { path: fileA } }), {
      env: { SWITCHYARD_ADMIN_TOKEN: ADMIN_TOKEN },
      telemetry: { log: (line) => void logged.push(line) },
    });
    router.telemetry.addSink({ write: (r) => void seen.push(r), close: async () => undefined });
  });

  afterAll(async () => {
    await router.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("switches the JSONL file with the release, keeps an unchanged section's sink, and keeps the caller's sinks", async () => {
    const first = await ask(router.url);
    expect((await linesOf(fileA, 1)).map((l) => l["requestId"])).toEqual([first]);

    await activate(router.url, release("two", { jsonl: { path: fileB } }));
    const second = await ask(router.url);
    expect((await linesOf(fileB, 1)).map((l) => l["requestId"])).toEqual([second]);
    expect(lines(fileA).map((l) => l["requestId"])).toEqual([first]);
    expect(logged.filter((l) => l.includes("telemetry follows the active release"))).toEqual([
      `switchyard router: telemetry follows the active release: JSONL to ${fileB}`,
    ]);

    // Another release with the same section: the same sink goes on writing, nothing is logged.
    await activate(router.url, release("three", { jsonl: { path: fileB } }));
    const third = await ask(router.url);
    expect((await linesOf(fileB, 2)).map((l) => l["requestId"])).toEqual([second, third]);
    expect(logged.filter((l) => l.includes("telemetry follows"))).toHaveLength(1);

    // No telemetry section: no file gets the record; the caller's sink still does.
    await activate(router.url, release("four"));
    const fourth = await ask(router.url);
    await new Promise((r) => setTimeout(r, 100));
    expect(lines(fileB)).toHaveLength(2);
    expect(lines(fileA)).toHaveLength(1);
    expect(logged.at(-1)).toBe("switchyard router: telemetry follows the active release: no sinks");
    expect(seen.map((r) => r.requestId)).toEqual([first, second, third, fourth]);
  });

  it("a rollback brings the earlier release's sink back (appending to its file)", async () => {
    const rolled = await adminFetch(router.url, "POST", "/admin/rollback");
    expect(rolled.status).toBe(200);
    const fifth = await ask(router.url);
    expect((await linesOf(fileB, 3)).map((l) => l["requestId"]).at(-1)).toBe(fifth);
  });

  it("keeps the running sinks, and says why, when the new release's cannot be set up", async () => {
    const fileC = join(dir, "c.jsonl");
    const said: string[] = [];
    const failing = await startTestRouter(release("one", { jsonl: { path: fileC } }), {
      env: { SWITCHYARD_ADMIN_TOKEN: ADMIN_TOKEN, SWITCHYARD_ALLOWED_UPSTREAMS: "127.0.0.1:9" },
      telemetry: {
        log: (line) => void said.push(line),
        otlp: () => {
          throw new Error("the exporter failed to start");
        },
      },
    });
    try {
      await activate(failing.url, release("two", { otlp: { endpoint: "http://127.0.0.1:9/v1/traces" } }));
      const id = await ask(failing.url);
      expect((await linesOf(fileC, 1)).map((l) => l["requestId"])).toEqual([id]);
      expect(said).toContain("switchyard router: the active release's telemetry could not be set up (the exporter failed to start); the previous sinks stay");
    } finally {
      await failing.close();
    }
  });
});

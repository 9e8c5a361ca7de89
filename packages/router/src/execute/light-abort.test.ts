/** @module LightAbortController behaves like AbortController where the router's consumers look: node:http, node:timers, our transport. */
import http from "node:http";
import { setTimeout as delay } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { LightAbortController } from "./light-abort.ts";

describe("LightAbortController", () => {
  it("aborted, reason, listeners once (function and handleEvent), onabort, removal, throwIfAborted", () => {
    const c = new LightAbortController();
    const seen: string[] = [];
    const removed = (): void => void seen.push("removed");
    c.signal.onabort = () => seen.push("onabort");
    c.signal.addEventListener("abort", () => seen.push("fn"));
    c.signal.addEventListener("abort", { handleEvent: () => seen.push("object") });
    c.signal.addEventListener("abort", removed);
    c.signal.removeEventListener("abort", removed);
    expect(c.signal.aborted).toBe(false);
    expect(() => c.signal.throwIfAborted()).not.toThrow();
    const reason = new Error("timeout");
    c.abort(reason);
    c.abort(new Error("again"));
    expect(seen).toEqual(["onabort", "fn", "object"]);
    expect(c.signal.aborted).toBe(true);
    expect(c.signal.reason).toBe(reason);
    expect(() => c.signal.throwIfAborted()).toThrow("timeout");
    c.signal.addEventListener("abort", () => seen.push("late"));
    expect(seen).toHaveLength(3);
  });

  it("abort() without a reason gives an AbortError", () => {
    const c = new LightAbortController();
    c.abort();
    expect(c.signal.reason).toMatchObject({ name: "AbortError" });
  });

  it("node:timers/promises and node:http accept it and abort with it", async () => {
    const timer = new LightAbortController();
    const waiting = delay(10_000, undefined, { signal: timer.signal });
    timer.abort(new Error("stop"));
    await expect(waiting).rejects.toMatchObject({ name: "AbortError" });

    const server = http.createServer(() => undefined); // never answers
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as { port: number };
    const c = new LightAbortController();
    const failed = new Promise<Error>((resolve) => {
      const req = http.request({ host: "127.0.0.1", port, method: "POST", signal: c.signal });
      req.on("error", resolve);
      req.end("{}");
    });
    setTimeout(() => c.abort(new Error("gone")), 20);
    expect((await failed).name).toBe("AbortError");
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
});

/** @module The test HTTP server answers a failing async handler instead of leaving the request hanging. */
import { afterEach, describe, expect, it } from "vitest";
import { type TestServer, listen } from "./http-server.ts";

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe("listen", () => {
  it("answers 500 when an async handler rejects before the head", async () => {
    server = await listen(async () => {
      throw new Error("boom");
    });
    const res = await fetch(server.url, { signal: AbortSignal.timeout(2_000) });
    expect(res.status).toBe(500);
  });

  it("drops the socket when an async handler rejects after the head", async () => {
    server = await listen(async (_req, res) => {
      res.writeHead(200, { "content-type": "text/plain" });
      res.write("partial");
      await new Promise((r) => setTimeout(r, 10));
      throw new Error("boom");
    });
    const started = Date.now();
    const res = await fetch(server.url, { signal: AbortSignal.timeout(3_000) });
    await expect(res.text()).rejects.toThrow();
    // Dropped by the server, not cut by the client's timeout.
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});

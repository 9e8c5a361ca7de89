/** @module A tiny helper to run a node:http server on 127.0.0.1 with an ephemeral port in tests. */
import { type IncomingMessage, type Server, type ServerResponse, createServer } from "node:http";
import type { AddressInfo, Socket } from "node:net";

export interface TestServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

/** Listen on 127.0.0.1:0; `close()` also destroys open sockets so hung responses do not block teardown. */
export async function listen(handler: (req: IncomingMessage, res: ServerResponse) => void | Promise<void>): Promise<TestServer> {
  const sockets = new Set<Socket>();
  // node:http ignores what a handler returns, so an async handler that throws (a body that is not JSON, a client gone
  // mid-body) would leave the request unanswered and surface as an unhandledRejection in whichever test runs next.
  // A failure answers 500 instead, or drops the socket when the head is already out.
  const server = createServer((req, res) => {
    Promise.resolve()
      .then(() => handler(req, res))
      .catch(() => {
        if (res.headersSent) res.destroy();
        else res.writeHead(500, { "content-type": "text/plain" }).end("test server handler failed");
      });
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

export async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const parts: Buffer[] = [];
  for await (const p of req) parts.push(p as Buffer);
  return JSON.parse(Buffer.concat(parts).toString("utf8")) as Record<string, unknown>;
}

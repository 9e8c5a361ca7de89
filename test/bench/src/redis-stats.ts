/**
 * @module What a redis-server did during a measured run: commands by name (`INFO commandstats`: each
 * EVALSHA is one client round trip, the commands a script runs inside count under their own names) and
 * the server's CPU time (`INFO cpu`). Read over a plain socket, so the bench needs no Redis client.
 */
import { connect } from "node:net";

export interface RedisStats {
  /** Calls per command, lower-case (`evalsha`, `eval`, `hincrbyfloat`, …), since the server started. */
  calls: Record<string, number>;
  /** Microseconds the server spent executing each command (INFO's `usec`). */
  usec: Record<string, number>;
  /** used_cpu_user + used_cpu_sys of the server process, seconds. */
  cpuSeconds: number;
}

/** Parse the text of `INFO cpu commandstats`. */
export function parseRedisInfo(text: string): RedisStats {
  const calls: Record<string, number> = {};
  const usec: Record<string, number> = {};
  for (const m of text.matchAll(/^cmdstat_([\w|-]+):calls=(\d+),usec=(\d+)/gm)) {
    calls[m[1]!.toLowerCase()] = Number(m[2]);
    usec[m[1]!.toLowerCase()] = Number(m[3]);
  }
  const cpu = (name: string): number => Number(new RegExp(`^${name}:([\\d.]+)`, "m").exec(text)?.[1] ?? 0);
  return { calls, usec, cpuSeconds: cpu("used_cpu_user") + cpu("used_cpu_sys") };
}

/** after − before, per command (commands not called meanwhile are left out) and for the CPU. */
export function diffRedisStats(before: RedisStats, after: RedisStats): RedisStats {
  const calls: Record<string, number> = {};
  const usec: Record<string, number> = {};
  for (const [name, n] of Object.entries(after.calls)) {
    const d = n - (before.calls[name] ?? 0);
    if (d > 0) {
      calls[name] = d;
      usec[name] = (after.usec[name] ?? 0) - (before.usec[name] ?? 0);
    }
  }
  return { calls, usec, cpuSeconds: after.cpuSeconds - before.cpuSeconds };
}

/** The sum of several diffs (a round's slices). */
export function addRedisStats(parts: readonly RedisStats[]): RedisStats {
  const calls: Record<string, number> = {};
  const usec: Record<string, number> = {};
  let cpuSeconds = 0;
  for (const p of parts) {
    for (const [name, n] of Object.entries(p.calls)) calls[name] = (calls[name] ?? 0) + n;
    for (const [name, n] of Object.entries(p.usec)) usec[name] = (usec[name] ?? 0) + n;
    cpuSeconds += p.cpuSeconds;
  }
  return { calls, usec, cpuSeconds };
}

/** `INFO cpu commandstats` of the server on 127.0.0.1:`port` (no password), over one short-lived connection. */
export function readRedisStats(port: number, timeoutMs = 2_000): Promise<RedisStats> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: "127.0.0.1", port });
    let buffer = Buffer.alloc(0);
    const fail = (error: Error): void => {
      socket.destroy();
      reject(error);
    };
    socket.setTimeout(timeoutMs, () => fail(new Error(`redis-server on port ${port} did not answer INFO within ${timeoutMs} ms`)));
    socket.once("error", fail);
    socket.on("data", (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      const eol = buffer.indexOf("\r\n");
      if (eol < 0) return;
      const head = buffer.subarray(0, eol).toString("latin1");
      if (!head.startsWith("$")) return fail(new Error(`redis-server answered INFO with ${head.slice(0, 200)}`));
      const length = Number(head.slice(1));
      if (buffer.length < eol + 2 + length) return;
      socket.end();
      resolve(parseRedisInfo(buffer.subarray(eol + 2, eol + 2 + length).toString("utf8")));
    });
    socket.write("INFO cpu commandstats\r\n");
  });
}

/**
 * @module The client process of `pnpm bench:streams`: opens N long streams over raw node:net sockets
 * (one request per connection, `Connection: close`; no HTTP client library between the socket and the
 * clock), reads each chunk's upstream write time from its text and notes when it arrived. It measures
 * its own event-loop delay and CPU: a client that falls behind makes every system look slow, so the
 * report shows when it did. Jobs come over IPC from `streams/run.ts`; it never measures in the harness.
 */
import { connect, type Socket } from "node:net";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { summarise } from "../stats.ts";
import type { StreamJob, StreamJobResult } from "./jobs.ts";

/** µs on CLOCK_MONOTONIC, the clock the upstream stamps its chunks with (shared by every process on the machine). */
function micros(): number {
  const [s, ns] = process.hrtime();
  return s * 1e6 + Math.floor(ns / 1e3);
}

/** A growable Float64 sample list: 2,000 streams × 200 chunks are 400k samples, kept off the JS heap. */
class Samples {
  #data = new Float64Array(1024);
  length = 0;
  push(v: number): void {
    if (this.length === this.#data.length) {
      const next = new Float64Array(this.#data.length * 2);
      next.set(this.#data);
      this.#data = next;
    }
    this.#data[this.length++] = v;
  }
  /** Percentiles in ms of samples held in µs. */
  summary(): ReturnType<typeof summarise> {
    return summarise(Array.from(this.#data.subarray(0, this.length), (v) => v / 1000));
  }
}

const MARKER = /tk@(\d{15})#/g;

/** A deterministic PRNG (mulberry32): the same streams are aborted on every run. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function run(job: StreamJob): Promise<StreamJobResult> {
  const url = new URL(job.url);
  const port = Number(url.port);
  const head = Object.entries({ ...job.headers, host: url.host, connection: "close" })
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join("");
  const random = rng(job.seed);
  const gaps = new Samples();
  const transit = new Samples();
  const ttfb = new Samples();
  const connectTimes = new Samples();
  const failures = new Map<string, number>();
  let firstError: string | undefined;
  const aborts: { id: string; atUs: number }[] = [];
  let ok = 0;
  let chunks = 0;
  let open = 0;
  let maxOpen = 0;
  let finished = 0;
  const eld = monitorEventLoopDelay({ resolution: 10 });
  eld.enable();
  const cpuBefore = process.cpuUsage();
  const startedAtUs = micros();

  return new Promise((resolve) => {
    const fail = (reason: string, detail: string): void => {
      failures.set(reason, (failures.get(reason) ?? 0) + 1);
      firstError ??= `${reason}: ${detail}`;
    };
    const done = (): void => {
      if (++finished < job.streams) return;
      eld.disable();
      const cpu = process.cpuUsage(cpuBefore);
      resolve({
        streams: job.streams,
        ok,
        aborted: aborts.length,
        failures: Object.fromEntries(failures),
        firstError,
        chunks,
        maxOpen,
        ttfbMs: ttfb.summary(),
        connectMs: connectTimes.summary(),
        addedGapMs: gaps.summary(),
        transitMs: transit.summary(),
        clientEldMs: { p50: eld.percentile(50) / 1e6, p99: eld.percentile(99) / 1e6, max: eld.max / 1e6 },
        clientCpuMs: (cpu.user + cpu.system) / 1000,
        aborts,
        startedAtUs,
        endedAtUs: micros(),
      });
    };

    const one = (index: number): void => {
      const id = `${job.idPrefix}${index}`;
      const body = job.bodyTemplate.replace("{ID}", id);
      const request = `POST ${url.pathname} HTTP/1.1\r\n${head}x-request-id: ${id}\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
      const abortAfterMs = random() < job.abortShare ? job.abortWindowMs[0] + random() * (job.abortWindowMs[1] - job.abortWindowMs[0]) : undefined;
      const startUs = micros();
      let status = 0;
      let headText = "";
      let pending = "";
      let lastRecv = -1;
      let lastSent = -1;
      let markers = 0;
      let sawDone = false;
      let settled = false;
      let aborted = false;
      const socket: Socket = connect({ host: url.hostname, port, noDelay: true });
      socket.setEncoding("latin1");
      open++;
      if (open > maxOpen) maxOpen = open;
      const deadline = setTimeout(() => {
        if (!settled) fail("deadline", `no end within ${job.deadlineMs} ms (${markers} chunks read)`);
        settled = true;
        socket.destroy();
      }, job.deadlineMs);
      const abortTimer =
        abortAfterMs === undefined
          ? undefined
          : setTimeout(() => {
              if (settled) return;
              aborted = true;
              settled = true;
              aborts.push({ id, atUs: micros() });
              socket.destroy();
            }, abortAfterMs);
      let connected = false;
      socket.on("connect", () => {
        connected = true;
        connectTimes.push(micros() - startUs);
        socket.write(request);
      });
      socket.on("data", (text: string) => {
        const now = micros();
        if (status === 0) {
          headText += text;
          const end = headText.indexOf("\r\n\r\n");
          if (end === -1) return;
          status = Number(headText.slice(9, 12));
          ttfb.push(now - startUs);
          text = headText.slice(end + 4);
          headText = "";
        }
        pending += text;
        MARKER.lastIndex = 0;
        let last = 0;
        for (let m = MARKER.exec(pending); m !== null; m = MARKER.exec(pending)) {
          const sent = Number(m[1]);
          if (lastSent !== -1) gaps.push(now - lastRecv - (sent - lastSent));
          transit.push(now - sent);
          lastRecv = now;
          lastSent = sent;
          markers++;
          chunks++;
          last = MARKER.lastIndex;
        }
        if (!sawDone && pending.includes("[DONE]")) sawDone = true;
        // Keep only what may hold the start of a marker or of [DONE] split across reads.
        pending = pending.length - last > 64 ? pending.slice(-64) : pending.slice(last);
      });
      socket.on("error", (error: Error) => {
        if (!settled && !aborted) {
          settled = true;
          // When it broke says who broke it: before the head, the system's accept queue or handshake; later, the system.
          const phase = !connected ? "before connecting" : status === 0 ? "before the response head" : "mid-stream";
          fail(`socket ${(error as NodeJS.ErrnoException).code ?? "error"} ${phase}`, error.message);
        }
      });
      socket.on("close", () => {
        open--;
        clearTimeout(deadline);
        if (abortTimer !== undefined) clearTimeout(abortTimer);
        if (!settled) {
          settled = true;
          if (status !== 200) fail(`HTTP ${status}`, `${headText}${pending}`.slice(0, 300));
          else if (!sawDone) fail("no [DONE]", `${markers} chunks read`);
          else if (markers !== job.expectChunks) fail("chunks missing", `${markers} of ${job.expectChunks}`);
          else ok++;
        }
        done();
      });
    };

    for (let i = 0; i < job.streams; i++) {
      const at = (i * job.rampMs) / job.streams;
      if (at === 0) one(i);
      else setTimeout(one, at, i);
    }
  });
}

process.on("message", (message: { id: number; job: StreamJob }) => {
  run(message.job).then(
    (result) => process.send?.({ id: message.id, result }),
    (error: unknown) => process.send?.({ id: message.id, error: (error as Error).message ?? String(error) }),
  );
});
process.on("disconnect", () => process.exit(0));
process.stdout.write(`${JSON.stringify({ listening: 0 })}\n`);

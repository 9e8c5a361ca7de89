/**
 * @module The load-generator process: receives jobs over IPC and runs them — autocannon for closed-loop
 * throughput, an open-loop undici client for latency at a fixed rate and streaming time to first byte.
 * Started by `load/client.ts`; never measures anything in the harness's own process.
 */
import autocannon from "autocannon";
import { Pool } from "undici";
import { FIRST_TOKEN_TEXT, UPSTREAM_MARKER } from "../constants.ts";
import { summarise } from "../stats.ts";
import type { Job, JobResult, PacedJob, PacedResult, ThroughputJob, ThroughputResult, WorkerMessage } from "./jobs.ts";

async function throughput(job: ThroughputJob): Promise<ThroughputResult> {
  const result = await autocannon({
    url: job.target.url,
    method: "POST",
    headers: job.target.headers,
    body: job.target.body,
    connections: job.connections,
    pipelining: 1,
    duration: job.durationMs / 1000,
    timeout: 10,
    // No progress bar, no table: the harness reports.
    renderProgressBar: false,
    renderResultsTable: false,
    renderLatencyTable: false,
  } as autocannon.Options);
  const durationSeconds = result.duration > 0 ? result.duration : job.durationMs / 1000;
  return {
    kind: "throughput",
    ok2xx: result["2xx"],
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    durationSeconds,
    requestsPerSecond: result["2xx"] / durationSeconds,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
  };
}

async function paced(job: PacedJob): Promise<PacedResult> {
  const url = new URL(job.target.url);
  const pool = new Pool(url.origin, { connections: 64, pipelining: 1, keepAliveTimeout: 60_000 });
  const body = job.stream ? job.target.streamBody : job.target.body;
  const headers = { ...job.target.headers, "content-type": "application/json" };
  const totals: number[] = [];
  const ttfbs: number[] = [];
  const ttfts: number[] = [];
  let sent = 0;
  let ok = 0;
  let failed = 0;
  let unexpected = 0;
  let firstError: string | undefined;
  const inFlight = new Set<Promise<void>>();

  const one = async (): Promise<void> => {
    const start = process.hrtime.bigint();
    try {
      const res = await pool.request({ method: "POST", path: url.pathname, headers, body });
      let first: bigint | undefined;
      let token: bigint | undefined;
      let text = "";
      for await (const chunk of res.body) {
        first ??= process.hrtime.bigint();
        text += (chunk as Buffer).toString("utf8");
        if (token === undefined && job.stream && text.includes(FIRST_TOKEN_TEXT)) token = process.hrtime.bigint();
      }
      const end = process.hrtime.bigint();
      if (res.statusCode < 200 || res.statusCode >= 300) {
        failed++;
        firstError ??= `HTTP ${res.statusCode}: ${text.slice(0, 300)}`;
        return;
      }
      if (!text.includes(UPSTREAM_MARKER)) {
        unexpected++;
        firstError ??= `reply without the upstream marker: ${text.slice(0, 300)}`;
      }
      ok++;
      totals.push(Number(end - start) / 1e6);
      ttfbs.push(Number((first ?? end) - start) / 1e6);
      ttfts.push(Number((token ?? end) - start) / 1e6);
    } catch (error) {
      failed++;
      firstError ??= (error as Error).message;
    }
  };

  const started = process.hrtime.bigint();
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
      if (elapsedMs >= job.durationMs) {
        clearInterval(timer);
        resolve();
        return;
      }
      const due = Math.floor((elapsedMs * job.ratePerSecond) / 1000) + 1 - sent;
      for (let i = 0; i < due; i++) {
        sent++;
        const p = one();
        inFlight.add(p);
        void p.finally(() => inFlight.delete(p));
      }
    }, 1);
  });
  await Promise.race([Promise.all(inFlight), new Promise((r) => setTimeout(r, 10_000))]);
  await pool.destroy();
  return { kind: "paced", sent, ok, failed, unexpected, total: summarise(totals), ttfb: summarise(ttfbs), ttft: summarise(ttfts), firstError };
}

function run(job: Job): Promise<JobResult> {
  return job.kind === "throughput" ? throughput(job) : paced(job);
}

process.on("message", (message: { id: number; job: Job }) => {
  run(message.job).then(
    (result) => process.send?.({ id: message.id, result } satisfies WorkerMessage),
    (error: unknown) => process.send?.({ id: message.id, error: (error as Error).message ?? String(error) } satisfies WorkerMessage),
  );
});
process.on("disconnect", () => process.exit(0));
process.stdout.write(`${JSON.stringify({ listening: 0 })}\n`);

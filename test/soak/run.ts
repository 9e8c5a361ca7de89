/**
 * @module The chaos/soak run: router.mjs in front of a fault-injecting upstream on 127.0.0.1, mixed
 * streaming and plain traffic at a fixed rate with client aborts, two hot reloads a minute; RSS, heap
 * and open file descriptors sampled every few seconds and reported as least-squares slopes per minute.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Release, serialiseRelease } from "@switchyard/ir";
import { bundleRouter } from "../../packages/compiler/src/emit/router-bundle.ts";
import { mulberry32 } from "../../packages/router/src/core/rng.ts";
import { releaseOf } from "../helpers/release.ts";
import { type Upstream, type UpstreamFault, startUpstream } from "../fuzz/upstream.ts";

const ADMIN_TOKEN = "soak-admin-token-2c81f4";
const KEY = "soak-team-key";
const PROBE = fileURLToPath(new URL("./heap-probe.mjs", import.meta.url));

export interface SoakOptions {
  minutes: number;
  /** Requests started per second (fixed: an open loop, not "as fast as answers come"). */
  rate: number;
  /** Seconds between samples. */
  sampleEverySec: number;
  /** Seconds between hot reloads (two a minute by default). */
  reloadEverySec: number;
  log?: (line: string) => void;
}

/** The upstream's fault mix: share of requests (per 100). */
export const FAULT_MIX: ReadonlyArray<[UpstreamFault, number]> = [
  ["ok", 60],
  ["long-stream", 10],
  ["error-500", 5],
  ["error-429", 4],
  ["reset", 5],
  ["slow-stream", 8],
  ["hang", 3],
  ["cut-mid-stream", 5],
];

/** The client mix: share of streaming requests, and of requests the client aborts part-way. */
export const STREAM_SHARE = 0.5;
export const ABORT_SHARE = 0.1;
/** A client abort comes at a uniform time in [0, ABORT_WITHIN_MS): before the answer, or part-way through a long stream (1 s). */
export const ABORT_WITHIN_MS = 1_500;

export interface Sample {
  /** Seconds since the traffic began. */
  t: number;
  rssMb: number;
  heapMb: number | undefined;
  fds: number;
}

export interface SoakResult {
  options: SoakOptions;
  requests: number;
  /** Outcome counts by cause ("200", "aborted by the client", "502 all_candidates_failed", "stream error event", …). */
  outcomes: Map<string, number>;
  reloads: { ok: number; failed: number };
  crashes: number;
  samples: Sample[];
  faults: Map<UpstreamFault, number>;
  ms: number;
  /** Requests still unanswered when the traffic stopped and the grace period ended. */
  stuck: number;
}

/** Two releases that differ only in the mock's reply: activating one then the other is a real reload. */
export function soakRelease(upstreamBaseUrl: string, n: number): Release {
  return releaseOf({
    environment: "soak",
    providers: { up: { kind: "openai", baseUrl: upstreamBaseUrl, apiKey: { secret: "UP_KEY" } }, sim: { kind: "mock", mock: { reply: `soak release ${n}` } } },
    models: {
      gpt: { provider: "up", name: "gpt-soak", context: 128_000, price: { input: 1, output: 2 } },
      loc: { provider: "sim", name: "mock-1", context: 128_000, price: { input: 0, output: 0 } },
    },
    routes: {
      // With a fallback (upstream failures mostly answered by the mock) and without (they reach the client).
      chat: { model: "gpt", fallback: [{ model: "loc" }], retry: { attempts: 2, backoffMs: 20 }, timeout: { firstTokenMs: 1_500, totalMs: 4_000 } },
      direct: { model: "gpt", timeout: { firstTokenMs: 1_500, totalMs: 4_000 } },
    },
    teams: { soak: { keys: [{ secret: "SOAK_KEY" }], routes: ["chat", "direct"] } },
  });
}

/** Least-squares slope of y over x (per unit of x); 0 with fewer than two points. */
export function slope(points: ReadonlyArray<[number, number]>): number {
  const n = points.length;
  if (n < 2) return 0;
  let sx = 0;
  let sy = 0;
  for (const [x, y] of points) {
    sx += x;
    sy += y;
  }
  const mx = sx / n;
  const my = sy / n;
  let num = 0;
  let den = 0;
  for (const [x, y] of points) {
    num += (x - mx) * (y - my);
    den += (x - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface RouterChild {
  child: ChildProcess;
  url: string;
  heapMb(): number | undefined;
  exited: Promise<void>;
  dead(): boolean;
  output(): string;
}

async function spawnBundle(dir: string, env: Record<string, string>): Promise<RouterChild> {
  const child = spawn(process.execPath, ["--expose-gc", "--import", PROBE, join(dir, "router.mjs"), "--port", "0", "--host", "127.0.0.1"], {
    cwd: dir,
    env: { PATH: process.env["PATH"] ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe", "ipc"],
  });
  let heap: number | undefined;
  let tail = "";
  let dead = false;
  // Heap used right after a full collection (the probe runs one every 5 s): what a leak grows.
  child.on("message", (m: { heapUsed?: number; afterGc?: boolean }) => {
    if (typeof m.heapUsed === "number" && m.afterGc === true) heap = m.heapUsed / 1024 / 1024;
  });
  child.stderr?.on("data", (d: Buffer) => (tail = (tail + d.toString()).slice(-8192)));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  void exited.then(() => (dead = true));
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`router.mjs did not start:\n${tail}`)), 30_000);
    child.stdout?.on("data", (d: Buffer) => {
      out = (out + d.toString()).slice(-8192);
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m?.[1] !== undefined) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    void exited.then(() => reject(new Error(`router.mjs exited before listening:\n${tail}`)));
  });
  return { child, url, heapMb: () => heap, exited, dead: () => dead, output: () => tail };
}

function sampleOf(pid: number, t: number, heapMb: number | undefined): Sample | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? "0");
    return { t, rssMb: rssKb / 1024, heapMb, fds: readdirSync(`/proc/${pid}/fd`).length };
  } catch {
    return undefined; // the process is gone: the crash is counted elsewhere
  }
}

async function admin(url: string, method: string, path: string, body?: string): Promise<number> {
  try {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      ...(body !== undefined ? { body } : {}),
      signal: AbortSignal.timeout(10_000),
    });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return 0;
  }
}

/** One request of the mix; resolves with its outcome's cause. Never rejects. */
async function oneRequest(url: string, random: () => number): Promise<string> {
  const stream = random() < STREAM_SHARE;
  const route = random() < 0.8 ? "chat" : "direct";
  const abortAfter = random() < ABORT_SHARE ? Math.floor(random() * ABORT_WITHIN_MS) : undefined;
  /** The answer's head had arrived when the client aborted: it left part-way (mid-stream for a stream). */
  let answering = false;
  const controller = new AbortController();
  const timer = abortAfter !== undefined ? setTimeout(() => controller.abort(), abortAfter) : undefined;
  const deadline = setTimeout(() => controller.abort(new Error("client deadline")), 30_000);
  try {
    const res = await fetch(`${url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json" },
      body: JSON.stringify({ model: route, stream, messages: [{ role: "user", content: `soak ${Math.floor(random() * 1e6)}` }] }),
      signal: controller.signal,
    });
    answering = true;
    const text = await res.text();
    if (res.status !== 200) {
      let code = "";
      try {
        code = String((JSON.parse(text) as { error?: { code?: unknown } }).error?.code ?? "");
      } catch {
        code = "(not JSON)";
      }
      return `${res.status} ${code} (${route})`.replace("  ", " ");
    }
    if (stream) {
      if (text.includes('"error"')) return `200 then a stream error event (${route})`;
      if (!text.includes("data: [DONE]")) return `200 stream without [DONE] (${route})`;
    }
    return "200";
  } catch (error) {
    if (controller.signal.aborted)
      return controller.signal.reason instanceof Error && controller.signal.reason.message === "client deadline"
        ? "no answer in 30 s (client deadline)"
        : answering
          ? `aborted by the client part-way through the answer (intended${stream ? ", mid-stream" : ""})`
          : "aborted by the client before the answer (intended)";
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
    return `network error ${cause}`;
  } finally {
    if (timer !== undefined) clearTimeout(timer);
    clearTimeout(deadline);
  }
}

/** Run the soak; resolves with what was seen. */
export async function runSoak(options: SoakOptions): Promise<SoakResult> {
  const log = options.log ?? (() => undefined);
  // Seeded: the same mix on every run.
  const random = mulberry32(17);
  const faultRandom = mulberry32(29);
  const table: UpstreamFault[] = FAULT_MIX.flatMap(([f, n]) => Array.from({ length: n }, () => f));
  const upstream: Upstream = await startUpstream(() => table[Math.floor(faultRandom() * table.length)] as UpstreamFault);
  const dir = mkdtempSync(join(tmpdir(), "switchyard-soak-"));
  const releases = [soakRelease(upstream.baseUrl, 1), soakRelease(upstream.baseUrl, 2)];
  await bundleRouter({ release: releases[0] as Release, outFile: join(dir, "router.mjs") });
  const env = { SWITCHYARD_ADMIN_TOKEN: ADMIN_TOKEN, SOAK_KEY: KEY, UP_KEY: "sk-soak-upstream" };
  let router = await spawnBundle(dir, env);
  log(`soak: router.mjs pid ${router.child.pid} at ${router.url}; upstream ${upstream.baseUrl}`);
  const outcomes = new Map<string, number>();
  const samples: Sample[] = [];
  const reloads = { ok: 0, failed: 0 };
  let crashes = 0;
  let requests = 0;
  let pending = 0;
  for (const r of releases.slice(1)) if ((await admin(router.url, "PUT", `/admin/releases/${r.hash}`, serialiseRelease(r))) >= 300) reloads.failed++;
  const started = Date.now();
  const endAt = started + options.minutes * 60_000;
  const elapsed = (): number => (Date.now() - started) / 1000;
  const count = (cause: string): void => void outcomes.set(cause, (outcomes.get(cause) ?? 0) + 1);
  const watchCrash = async (): Promise<void> => {
    if (!router.dead()) return;
    crashes++;
    log(`soak: router.mjs exited at ${elapsed().toFixed(0)} s:\n${router.output().slice(-1500)}`);
    router = await spawnBundle(dir, env);
    for (const r of releases.slice(1)) await admin(router.url, "PUT", `/admin/releases/${r.hash}`, serialiseRelease(r));
  };
  // Requests: an open loop at a fixed rate (a tick every 1000/rate ms).
  const tickMs = 1000 / options.rate;
  let next = Date.now();
  let lastSample = 0;
  // The first reload half a period in: two a minute, the first at 15 s.
  let lastReload = -options.reloadEverySec / 2;
  let reloadIndex = 0;
  let lastLog = 0;
  while (Date.now() < endAt) {
    await watchCrash();
    const now = Date.now();
    if (now >= next) {
      next += tickMs;
      requests++;
      pending++;
      void oneRequest(router.url, random).then((cause) => {
        pending--;
        count(cause);
      });
    }
    const t = elapsed();
    if (t - lastSample >= options.sampleEverySec) {
      lastSample = t;
      const s = sampleOf(router.child.pid ?? 0, t, router.heapMb());
      if (s !== undefined) samples.push(s);
    }
    if (t - lastReload >= options.reloadEverySec) {
      lastReload = t;
      reloadIndex++;
      const target = releases[reloadIndex % 2] as Release;
      void admin(router.url, "POST", `/admin/releases/${target.hash}/activate`).then((status) => void (status === 200 ? reloads.ok++ : reloads.failed++));
    }
    if (t - lastLog >= 30) {
      lastLog = t;
      const last = samples[samples.length - 1];
      log(
        `soak: ${t.toFixed(0)} s, ${requests} requests, ${pending} pending, rss ${last?.rssMb.toFixed(1)} MB, heap ${last?.heapMb?.toFixed(1) ?? "?"} MB, fds ${last?.fds}`,
      );
    }
    await sleep(Math.max(1, Math.min(next - Date.now(), 50)));
  }
  // Grace: what is still pending after 35 s (past every client deadline) is stuck.
  const graceEnd = Date.now() + 35_000;
  while (pending > 0 && Date.now() < graceEnd) await sleep(100);
  await watchCrash();
  const last = sampleOf(router.child.pid ?? 0, elapsed(), router.heapMb());
  if (last !== undefined) samples.push(last);
  const stuck = pending;
  router.child.kill("SIGTERM");
  await Promise.race([router.exited, sleep(12_000)]);
  if (!router.dead()) router.child.kill("SIGKILL");
  await upstream.close();
  rmSync(dir, { recursive: true, force: true });
  return { options, requests, outcomes, reloads, crashes, samples, faults: upstream.counts, ms: Date.now() - started, stuck };
}

/** The SOAK.md text for a run. */
export function renderSoak(result: SoakResult, meta: { command: string; commit: string; date: string }): string {
  const { samples } = result;
  // Slopes over the samples after the first fifth of the run (start-up and JIT warm-up excluded).
  const warm = samples.filter((s) => s.t >= (result.options.minutes * 60) / 5);
  const per = (pick: (s: Sample) => number | undefined): string => {
    const pts = warm.flatMap((s): Array<[number, number]> => {
      const y = pick(s);
      return y === undefined ? [] : [[s.t / 60, y]];
    });
    if (pts.length < 2) return "n/a";
    const all = samples.map(pick).filter((y): y is number => y !== undefined);
    return `${slope(pts) >= 0 ? "+" : ""}${slope(pts).toFixed(3)} | ${all[0]?.toFixed(1)} | ${all[all.length - 1]?.toFixed(1)} | ${Math.max(...all).toFixed(1)}`;
  };
  const answered = [...result.outcomes.values()].reduce((a, b) => a + b, 0);
  const errors = [...result.outcomes.entries()].filter(([cause]) => cause !== "200" && !cause.includes("(intended")).reduce((a, [, n]) => a + n, 0);
  const rows = [...result.outcomes.entries()].sort((a, b) => b[1] - a[1]);
  const lines = [
    "# Soak report",
    "",
    "Written by `scripts/soak.mjs` (test/soak/); do not edit by hand.",
    "",
    `- Command: \`${meta.command}\``,
    `- Commit: ${meta.commit}; date: ${meta.date}; duration ${(result.ms / 60_000).toFixed(1)} min (traffic ${result.options.minutes} min, then a grace period for what was in flight)`,
    `- Set-up: router.mjs (its own process, 127.0.0.1) in front of a fault-injecting upstream; ${result.options.rate} requests/s started at a fixed rate, ${STREAM_SHARE * 100} % streaming, ${ABORT_SHARE * 100} % aborted by the client after 0–${ABORT_WITHIN_MS} ms (before the answer, or part-way through it: the upstream's long streams take 1 s; an abort that comes after the answer ended counts as that answer); routes \`chat\` (retry, fallback to the mock) and \`direct\` (no fallback); a hot reload (activate the other of two releases) every ${result.options.reloadEverySec} s`,
    `- Upstream faults (per 100): ${FAULT_MIX.map(([f, n]) => `${f} ${n}`).join(", ")}; seen: ${[...result.faults.entries()].map(([f, n]) => `${f} ${n}`).join(", ")}`,
    `- **Crashes: ${result.crashes}**; requests ${result.requests}, answered or ended ${answered}, stuck after the grace period ${result.stuck}; reloads ${result.reloads.ok} ok, ${result.reloads.failed} failed`,
    "",
    `Samples every ${result.options.sampleEverySec} s (${samples.length}); slope = least squares per minute over the samples after the first fifth of the run.`,
    "",
    "| series | slope per minute | first | last | max |",
    "|---|---|---|---|---|",
    `| RSS (MB, /proc/PID/status) | ${per((s) => s.rssMb)} |`,
    `| heap used after a full GC (MB, process.memoryUsage via a preloaded probe, \`--expose-gc\`) | ${per((s) => s.heapMb)} |`,
    `| open file descriptors (/proc/PID/fd) | ${per((s) => s.fds)} |`,
    "",
    `Error rate (every outcome but a 200 and an intended client abort): ${((errors / Math.max(1, answered)) * 100).toFixed(2)} % (${errors} of ${answered}); all of it is the injected upstream faults passing through as documented, by cause below.`,
    "",
    "Outcomes by cause (the client's view; upstream faults are expected to show up as 502/504 on `direct` and in stream error events):",
    "",
    "| cause | requests | share |",
    "|---|---|---|",
    ...rows.map(([cause, n]) => `| ${cause} | ${n} | ${((n / Math.max(1, answered)) * 100).toFixed(1)} % |`),
    "",
  ];
  return `${lines.join("\n")}\n`;
}

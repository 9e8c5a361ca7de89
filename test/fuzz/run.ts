/**
 * @module The fuzz runner: sends the cases to each target, judges every answer against the oracle
 * (alive, well-formed, < 500 with OpenAI's error shape, no hang), pins crashes on single cases, and
 * renders the report FUZZ.md holds.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { type Release, DEFAULT_MAX_BODY_BYTES } from "@switchyard/ir";
import { startRedis } from "../helpers/redis-server.ts";
import { releaseOf } from "../helpers/release.ts";
import {
  BREAKER_BURST,
  type Case,
  type Endpoint,
  bodyBytes,
  caseArb,
  chatRequest,
  corpus,
  describeCase,
  expectedForModel,
  garbageBytes,
  headerRequest,
  hvalRequest,
  KNOWN_REQUESTS,
  knownRequest,
  modelBody,
  mutateRelease,
} from "./cases.ts";
import { type Target, type TargetKind, startTarget } from "./targets.ts";
import { type Upstream, startUpstream } from "./upstream.ts";
import { type Outcome, exchange, healthy } from "./wire.ts";

export const ADMIN_TOKEN = "fuzz-admin-token-5b1e0c";
/** The fuzz release's `router.maxBodyBytes` (the default). */
const MAX_BODY_BYTES = DEFAULT_MAX_BODY_BYTES;
const KEYS = { ALPHA_KEY: "alpha-fuzz-key", BETA_KEY: "beta-fuzz-key", UP_KEY: "sk-upstream-fuzz" };
/** The environment variable the `redis` target's release reads its Redis URL from. */
const REDIS_URL_ENV = "FUZZ_REDIS_URL";

/** Kinds of finding; `nonsense` (a release the issue calls nonsense was accepted) is reported, not failed. */
export type FindingKind = "crash" | "5xx" | "hang" | "no-answer" | "malformed" | "error-shape" | "message" | "wrong-answer" | "stall" | "health" | "nonsense";
export const FAILING: readonly FindingKind[] = ["crash", "5xx", "hang", "no-answer", "malformed", "error-shape", "message", "wrong-answer", "stall", "health"];

export interface Finding {
  kind: FindingKind;
  /** What kind of case showed it (`model`, `body tools.0.function.parameters`, `framing bare-lf`…): findings group by it. */
  family: string;
  target: TargetKind;
  /** Index of the case in its run (corpus first, then the seeded cases), or -1 for a periodic check. */
  index: number;
  what: string;
  detail: string;
  /** The start of the bytes sent, latin1 (for a reproduction). */
  sent: string;
}

export interface FuzzOptions {
  cases: number;
  seed: number;
  targets: TargetKind[];
  /** Per-exchange deadline, ms (a hang beyond it). */
  deadlineMs: number;
  /** Stop starting new cases after this long (the whole run). */
  maxMs: number;
  /** Cases in flight at once per target. */
  concurrency: number;
  /** Run the fixed corpus first on every target: all of it (default), `slice` (fewer header bytes) or none. */
  corpus?: boolean | "slice";
  log?: (line: string) => void;
}

export interface TargetResult {
  kind: TargetKind;
  cases: number;
  crashes: number;
  stoppedEarly: boolean;
}

/** What the release cases did: uploads, accepted (201), activated and sent a request. */
export interface ReleaseStats {
  uploaded: number;
  accepted: number;
  activated: number;
}

export interface FuzzResult {
  options: FuzzOptions;
  releases: ReleaseStats;
  targets: TargetResult[];
  findings: Finding[];
  ms: number;
}

/**
 * The small config every target runs: an OpenAI upstream (well-behaved), the mock, two teams, a validator; a cached
 * route, a route with `when` rules (tag, metadata, region, complexity), an embedding route, and two prompts (one with
 * declared variables, a length limit, a default and a canary; one with no variables and a route of its own). Team
 * `alpha` has rate limits and a budget (a request takes both in one admission); with `redis`, the state is on Redis
 * (the URL in FUZZ_REDIS_URL).
 */
export function fuzzRelease(upstreamBaseUrl: string, state: "memory" | "redis" = "memory"): Release {
  return releaseOf({
    environment: "fuzz",
    ...(state === "redis" ? { state: { kind: "redis", url: { secret: REDIS_URL_ENV } } } : {}),
    providers: {
      up: { kind: "openai", baseUrl: upstreamBaseUrl, apiKey: { secret: "UP_KEY" }, region: "eu-west" },
      sim: { kind: "mock", mock: { reply: '{"ok":true}' }, region: "us-east" },
    },
    models: {
      gpt: { provider: "up", name: "gpt-fuzz", context: 128_000, price: { input: 1, output: 2 } },
      loc: { provider: "sim", name: "mock-1", context: 8_000, price: { input: 0, output: 0 } },
      emb: { provider: "up", name: "embed-fuzz", kind: "embedding", dimensions: 4, context: 8_000, price: { input: 0.1, output: 0 } },
    },
    tiers: {
      both: {
        models: [
          { model: "gpt", weight: 3 },
          { model: "loc", weight: 1 },
        ],
      },
    },
    routes: {
      chat: { model: "gpt" },
      local: { tier: "both", fallback: [{ model: "loc" }] },
      // The probe checks that `gpt` still answers here (no client's request opened its breaker).
      guarded: { model: "gpt", fallback: [{ model: "loc" }] },
      checked: { model: "loc", validate: [{ kind: "json-schema", schema: { type: "object", properties: { ok: { type: "boolean" } } } }] },
      "beta-only": { model: "loc" },
      // Cache-Control is read here (`sampled`: requests without a temperature are cached too).
      cached: { model: "loc", cache: { ttlMs: 60_000, scope: "team", sampled: true } },
      // Each rule sends its requests to `loc` (the primary is `gpt`): KNOWN_REQUESTS checks which model answered.
      ruled: {
        model: "gpt",
        fallback: [{ model: "loc" }],
        complexity: { medium: 10, high: 30 },
        when: [
          { if: { tag: "risk:high" }, use: { model: "loc" } },
          { if: { metadata: { tenant: "acme" } }, use: { model: "loc" } },
          { if: { region: "us-east" }, use: { model: "loc" } },
          { if: { any: [{ complexity: "high" }, { tokens: { over: 4_000 } }] }, use: { model: "loc" } },
        ],
      },
      search: { kind: "embedding", model: "emb" },
    },
    regions: { "eu-west": ["us-east"], "us-east": ["eu-west"] },
    prompts: {
      // Declared variables: a length limit and a default; a canary at 50 % (each request draws a side).
      greet: {
        route: "chat",
        messages: [
          { role: "system", content: "You help with {{product}}." },
          { role: "user", content: "{{question}}" },
        ],
        variables: { product: { maxLength: 100 }, question: { default: "hi" } },
        params: { temperature: 0.2, maxTokens: 50 },
        canary: { messages: [{ role: "user", content: "About {{product}}: {{question}}" }], steps: [50], everyMs: 3_600_000 },
      },
      // No variables: the header may name it alone (`x-switchyard-prompt: plain`).
      plain: { route: "cached", messages: [{ role: "user", content: "Say ok." }] },
    },
    teams: {
      alpha: {
        keys: [{ secret: "ALPHA_KEY" }],
        routes: ["chat", "local", "checked", "guarded", "cached", "ruled", "search"],
        limits: { rpm: 1_000_000 },
        budget: { usd: 1_000_000 },
      },
      beta: { keys: [{ secret: "BETA_KEY" }], routes: ["beta-only"], budget: { usd: 100 } },
    },
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** What one case sent and got (a release case makes several exchanges). */
interface Exchanged {
  sent: Buffer;
  out: Outcome;
  /** The answer this exchange must give, when known (`model`: the `x-switchyard-model` that answered). */
  expect?: { status: number; code?: string; model?: string };
  /** The error shape the endpoint documents: OpenAI's (default) or Anthropic's (`/v1/messages`). */
  shape?: "openai" | "anthropic";
  /** A close without an answer is acceptable (framing garbage, bytes no header may hold). */
  mayClose: boolean;
  step?: string;
}

/** What a refusal's message must never hold: a value JavaScript printed rather than the router described. */
const BAD_MESSAGE = /\ba undefined\b|\bgot undefined\b|\[object Object\]|must be a number, got a number/;

/** Judge one exchange; returns a finding kind and detail, or undefined when it passes. */
export function judge(x: Exchanged): { kind: FindingKind; detail: string } | undefined {
  const { out } = x;
  switch (out.kind) {
    case "hang":
      return { kind: "hang", detail: `no answer and no close within the deadline (${out.received} bytes received)` };
    case "malformed":
      return { kind: "malformed", detail: `${out.reason}: ${JSON.stringify(out.head.slice(0, 120))}` };
    case "refused":
      return { kind: "crash", detail: "connection refused" };
    case "closed":
    case "reset":
      return x.mayClose ? undefined : { kind: "no-answer", detail: `the connection was ${out.kind === "closed" ? "closed" : "reset"} without an answer` };
    case "response":
      break;
  }
  const text = out.body.toString("utf8");
  let code: string | undefined;
  let message = "";
  // Framing garbage may get node:http's bare 400 (as good as the clean close the oracle allows for it).
  if (out.status >= 400 && !(x.mayClose && out.status < 500 && out.body.length === 0)) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    const error = typeof parsed === "object" && parsed !== null ? (parsed as { error?: unknown }).error : undefined;
    const e = typeof error === "object" && error !== null ? (error as Record<string, unknown>) : undefined;
    const anthropic = x.shape === "anthropic";
    // Anthropic's shape: { type: "error", error: { type, message, details?: { error_code } } }.
    const details = anthropic && typeof e?.["details"] === "object" && e["details"] !== null ? (e["details"] as Record<string, unknown>) : undefined;
    const shaped =
      e !== undefined &&
      typeof e["message"] === "string" &&
      typeof e["type"] === "string" &&
      (anthropic
        ? (parsed as Record<string, unknown>)["type"] === "error" && (details === undefined || typeof details["error_code"] === "string")
        : "code" in e && (e["code"] === null || typeof e["code"] === "string"));
    // A head node:http cannot parse (too large, a bad byte) is answered before any endpoint reads it, in OpenAI's shape
    // whatever the path (docs/http-api.md: "A malformed request … gets 400 invalid_request").
    const framing = x.mayClose && out.status === 400 && e?.["message"] === "malformed HTTP request";
    if (!shaped && !framing) {
      if (out.status < 500)
        return {
          kind: "error-shape",
          detail: `${out.status} without ${anthropic ? "Anthropic" : "OpenAI"}'s error shape: ${JSON.stringify(text.slice(0, 120))}`,
        };
    } else {
      code = ((anthropic ? details?.["error_code"] : e["code"]) as string | null | undefined) ?? undefined;
      message = e["message"] as string;
    }
  }
  // A refusal's message is for people: a value printed by accident ("got a undefined", "[object Object]") is a finding.
  if (out.status >= 400 && out.status < 500 && BAD_MESSAGE.test(message)) return { kind: "message", detail: `${out.status}: ${message.slice(0, 160)}` };
  const said = `${out.status}${code !== undefined ? ` ${code}` : ""}${message !== "" ? `: ${message.slice(0, 140)}` : ""}`;
  if (out.status >= 500) return { kind: "5xx", detail: said };
  if (x.expect !== undefined && (out.status !== x.expect.status || (x.expect.code !== undefined && code !== x.expect.code))) {
    return { kind: "wrong-answer", detail: `expected ${x.expect.status}${x.expect.code !== undefined ? ` ${x.expect.code}` : ""}, got ${said}` };
  }
  const model = out.headers.get("x-switchyard-model");
  if (x.expect?.model !== undefined && model !== x.expect.model) {
    return { kind: "wrong-answer", detail: `expected an answer from ${x.expect.model}, got ${said} from ${model ?? "no model"}` };
  }
  return undefined;
}

function adminRequest(host: string, method: string, path: string, body: Buffer = Buffer.alloc(0)): Buffer {
  return Buffer.concat([
    Buffer.from(
      `${method} ${path} HTTP/1.1\r\nHost: ${host}\r\nAuthorization: Bearer ${ADMIN_TOKEN}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`,
    ),
    body,
  ]);
}

/** A valid chat request (the probe that a case did not damage the router for everyone). */
function validChat(host: string, route = "chat"): Buffer {
  return chatRequest(host, KEYS.ALPHA_KEY, Buffer.from(JSON.stringify({ model: route, messages: [{ role: "user", content: "probe" }] })));
}

/** Run one case against a target; every exchange it made, in order. */
async function runCase(c: Case, t: Target, base: Release, deadlineMs: number, nonsense: (what: string) => void, stats: ReleaseStats): Promise<Exchanged[]> {
  const host = new URL(t.url).host;
  // A big request (and the answer that may echo it) gets 2 s more per MB: slow is not a hang.
  const send = async (sent: Buffer, extra: Omit<Exchanged, "sent" | "out">, halfClose = false): Promise<Exchanged> => ({
    sent,
    out: await exchange(t.url, sent, { deadlineMs: deadlineMs + Math.ceil(sent.length / 1024 / 1024) * 2_000, halfClose }),
    ...extra,
  });
  switch (c.kind) {
    case "body": {
      // Over the body limit the router may answer 413 and close while bytes are still arriving: the
      // client may then see a reset before the 413 (TCP drops what it had not read), so a close is allowed.
      const body = bodyBytes(c);
      return [
        await send(chatRequest(host, KEYS.ALPHA_KEY, body, [], undefined, c.endpoint), { mayClose: body.length > MAX_BODY_BYTES, shape: shapeOf(c.endpoint) }),
      ];
    }
    case "hval":
      // A value past the 16 KB head limit gets node:http's bare 431 or a close.
      return [await send(hvalRequest(c, host, KEYS.ALPHA_KEY), { mayClose: true, shape: shapeOf(c.endpoint) })];
    case "known": {
      const k = KNOWN_REQUESTS[c.name];
      if (k === undefined) throw new Error(`no known request ${c.name}`);
      return [await send(knownRequest(c, host, KEYS.ALPHA_KEY), { mayClose: false, expect: k.expect, shape: shapeOf(k.endpoint) })];
    }
    case "model":
      return [await send(chatRequest(host, KEYS.ALPHA_KEY, modelBody(c)), { mayClose: false, expect: expectedForModel(c.name) })];
    case "header":
      return [await send(headerRequest(c, host, KEYS.ALPHA_KEY), { mayClose: true })];
    case "garbage":
      return [await send(garbageBytes(c, host, KEYS.ALPHA_KEY), { mayClose: true }, !c.keepOpen)];
    case "release": {
      // Big strings stay under 256 KB here: up to 100 accepted releases are kept in memory.
      const value = c.value.t === "big" ? { ...c.value, bytes: Math.min(c.value.bytes, 256 * 1024) } : c.value;
      const m = mutateRelease(base.config, { ...c, value });
      const done: Exchanged[] = [];
      const put = await send(adminRequest(host, "PUT", `/admin/releases/${m.hash}`, m.text), { mayClose: false, step: `PUT (${m.label})` });
      done.push(put);
      stats.uploaded++;
      if (put.out.kind !== "response" || put.out.status !== 201) return done;
      stats.accepted++;
      if (m.nonsense) nonsense(m.label);
      // Activating sends traffic to a release's providers: only releases whose providers are the fuzz's own.
      if (m.path[0] === "providers" || m.path[0] === "telemetry") return done;
      const activated = await send(adminRequest(host, "POST", `/admin/releases/${m.hash}/activate`), { mayClose: false, step: `activate (${m.label})` });
      done.push(activated);
      if (activated.out.kind === "response" && activated.out.status === 200) {
        stats.activated++;
        done.push(await send(validChat(host), { mayClose: false, step: `chat after activating (${m.label})` }));
        done.push(
          await send(adminRequest(host, "POST", `/admin/releases/${base.hash}/activate`), {
            mayClose: false,
            expect: { status: 200 },
            step: "re-activate the base release",
          }),
        );
      }
      return done;
    }
  }
}

/** Run the fuzz: each target in turn (corpus, then its share of the seeded cases). */
export async function runFuzz(options: FuzzOptions): Promise<FuzzResult> {
  const log = options.log ?? (() => undefined);
  const started = Date.now();
  const findings: Finding[] = [];
  const results: TargetResult[] = [];
  const upstream: Upstream = await startUpstream();
  const scratch = mkdtempSync(join(tmpdir(), "switchyard-fuzz-"));
  const fixed = options.corpus === false ? [] : corpus(options.corpus === "slice");
  const perTargetMs = options.maxMs / options.targets.length;
  const stats: ReleaseStats = { uploaded: 0, accepted: 0, activated: 0 };
  let stopRedis: (() => Promise<void>) | undefined;
  try {
    for (const [ti, kind] of options.targets.entries()) {
      const targetStarted = Date.now();
      // The redis target's own redis-server, started on 127.0.0.1 (installed when missing) and stopped with the target.
      const redis = kind === "redis" ? await startRedis() : undefined;
      // Set before the target starts, so a target that fails to start still has its redis-server stopped.
      stopRedis = redis === undefined ? undefined : () => redis.stop();
      const release = fuzzRelease(upstream.baseUrl, redis === undefined ? "memory" : "redis");
      const t = await startTarget(kind, release, join(scratch, kind), {
        ...KEYS,
        SWITCHYARD_ADMIN_TOKEN: ADMIN_TOKEN,
        ...(redis === undefined ? {} : { [REDIS_URL_ENV]: redis.url() }),
      });
      let ran = 0;
      let stoppedEarly = false;
      const record = (f: Omit<Finding, "target">): void => {
        findings.push({ ...f, target: kind });
        if (f.kind !== "nonsense") log(`  ${kind} #${f.index} ${f.kind}: ${f.what} → ${f.detail}`);
      };
      const judgeAll = (index: number, c: Case, xs: Exchanged[]): void => {
        for (const x of xs) {
          const verdict = judge(x);
          if (verdict !== undefined && verdict.kind !== "crash")
            record({
              kind: verdict.kind,
              family: familyOf(c),
              index,
              what: `${describeCase(c)}${x.step !== undefined ? ` — ${x.step}` : ""}`,
              detail: verdict.detail,
              sent: x.sent.subarray(0, 400).toString("latin1"),
            });
        }
      };
      /** Whether the target died (waits a moment: a crashing process takes a few ms to exit). */
      const died = async (probe: boolean): Promise<boolean> => {
        if (t.dead()) return true;
        if (!probe) return false;
        if (await healthy(t.url, 2_000)) return false;
        await sleep(200);
        return t.dead();
      };
      const runOne = async (index: number, c: Case): Promise<Exchanged[]> =>
        runCase(
          c,
          t,
          release,
          options.deadlineMs,
          (label) => record({ kind: "nonsense", family: "release", index, what: label, detail: "accepted with 201", sent: "" }),
          stats,
        );
      /** Run a batch; on a crash, restart and re-run its cases one by one to find the one(s) that crash it. */
      const runBatch = async (batch: Array<[number, Case]>): Promise<void> => {
        const outs = await Promise.all(batch.map(([i, c]) => runOne(i, c)));
        ran += batch.length;
        const suspicious = outs.some((xs) => xs.some((x) => x.out.kind !== "response"));
        if (!(await died(suspicious))) {
          batch.forEach(([i, c], j) => judgeAll(i, c, outs[j] as Exchanged[]));
          if (suspicious && !(await healthy(t.url, 5_000)))
            record({
              kind: "stall",
              family: familyOf(batch[0]?.[1]),
              index: batch[0]?.[0] ?? -1,
              what: batch.map(([, c]) => describeCase(c)).join(" | "),
              detail: "/healthz did not answer within 5 s",
              sent: "",
            });
          return;
        }
        const crashOutput = t.output();
        await t.restart();
        if (batch.length === 1) {
          const [i, c] = batch[0] as [number, Case];
          record({
            kind: "crash",
            family: familyOf(c),
            index: i,
            what: describeCase(c),
            detail: lastLines(crashOutput),
            sent: ((outs[0] as Exchanged[])[0]?.sent ?? Buffer.alloc(0)).subarray(0, 400).toString("latin1"),
          });
          return;
        }
        let pinned = false;
        for (const [i, c] of batch) {
          const xs = await runOne(i, c);
          if (await died(true)) {
            pinned = true;
            record({
              kind: "crash",
              family: familyOf(c),
              index: i,
              what: describeCase(c),
              detail: lastLines(t.output()),
              sent: (xs[0]?.sent ?? Buffer.alloc(0)).subarray(0, 400).toString("latin1"),
            });
            await t.restart();
          } else judgeAll(i, c, xs);
        }
        if (!pinned)
          record({
            kind: "crash",
            family: "batch",
            index: batch[0]?.[0] ?? -1,
            what: `one of: ${batch.map(([, c]) => describeCase(c)).join(" | ")}`,
            detail: lastLines(crashOutput),
            sent: "",
          });
      };
      /** Valid requests still succeed, and `guarded` is still answered by its own model, not its fallback. */
      const probe = async (index: number): Promise<void> => {
        // `guarded` first: a request to `chat` (gpt, no fallback) may close an open breaker again.
        for (const route of ["guarded", "chat"]) {
          const sent = validChat(new URL(t.url).host, route);
          const out = await exchange(t.url, sent, { deadlineMs: options.deadlineMs });
          const verdict = judge({ sent, out, expect: { status: 200 }, mayClose: false });
          const model = out.kind === "response" ? out.headers.get("x-switchyard-model") : undefined;
          const detail =
            verdict?.detail ??
            (route === "guarded" && model !== "gpt" ? `answered by ${model ?? "no model"}, not gpt: gpt's breaker was opened by the cases before` : undefined);
          if (detail !== undefined && !t.dead())
            record({
              kind: "health",
              family: `probe ${route}`,
              index,
              what: `a valid request to ${route} after case ${index}`,
              detail,
              sent: sent.toString("latin1"),
            });
        }
      };
      const runList = async (list: Array<[number, Case]>): Promise<boolean> => {
        // Release cases change the active release: they run alone, after the batch they came with.
        const http = list.filter(([, c]) => c.kind !== "release");
        const releases = list.filter(([, c]) => c.kind === "release");
        for (let i = 0; i < http.length; i += options.concurrency) {
          if (Date.now() - targetStarted > perTargetMs || Date.now() - started > options.maxMs) return false;
          await runBatch(http.slice(i, i + options.concurrency));
          if (t.crashes > 200) return false;
        }
        for (const item of releases) {
          if (Date.now() - targetStarted > perTargetMs) return false;
          await runBatch([item]);
        }
        return true;
      };
      log(`${kind}: ${t.url} (pid ${t.pid}); corpus of ${fixed.length} cases`);
      const burst = options.corpus === false ? 0 : BREAKER_BURST;
      for (let i = 0; i < burst; i++) await runBatch([[i, fixed[i] as Case]]);
      if (burst > 0) await probe(burst);
      if (!(await runList(fixed.slice(burst).map((c, i) => [burst + i, c])))) stoppedEarly = true;
      await probe(fixed.length);
      const CHUNK = 1_000;
      for (let from = 0; from < options.cases && !stoppedEarly; from += CHUNK) {
        const n = Math.min(CHUNK, options.cases - from);
        // Chunk k has its own seed, so a case's content depends only on (seed, index).
        const sample = fc.sample(caseArb, { seed: options.seed + from, numRuns: n });
        const mine: Array<[number, Case]> = [];
        sample.forEach((c, j) => {
          if ((from + j) % options.targets.length === ti) mine.push([fixed.length + from + j, c]);
        });
        if (!(await runList(mine))) stoppedEarly = true;
        await probe(fixed.length + from + n);
        log(`${kind}: ${ran} cases, ${findings.filter((f) => f.target === kind && f.kind !== "nonsense").length} findings, ${t.crashes} crashes`);
      }
      results.push({ kind, cases: ran, crashes: t.crashes, stoppedEarly });
      await t.stop();
      await stopRedis?.();
      stopRedis = undefined;
    }
  } finally {
    await stopRedis?.();
    await upstream.close();
    rmSync(scratch, { recursive: true, force: true });
  }
  return { options, releases: stats, targets: results, findings, ms: Date.now() - started };
}

/** Anthropic's error shape on /v1/messages (docs/http-api.md#anthropic-messages), OpenAI's elsewhere. */
function shapeOf(endpoint: Endpoint | undefined): "openai" | "anthropic" {
  return endpoint === "messages" ? "anthropic" : "openai";
}

/** The error line of a crashed child's output (`TypeError: …`), else its last lines. */
function lastLines(output: string): string {
  const lines = output
    .trim()
    .split("\n")
    .filter((l) => l.trim() !== "");
  const error = lines.findIndex((l) => /^\s*(?:Uncaught )?\w*Error\b[^\n]{0,300}$/.test(l));
  return (error === -1 ? lines.slice(-3) : lines.slice(error, error + 2)).join(" ⏎ ").slice(0, 300);
}

/** The family a case's findings group under. */
function familyOf(c: Case | undefined): string {
  if (c === undefined) return "";
  switch (c.kind) {
    case "body":
      return `body ${c.endpoint !== undefined && c.endpoint !== "chat" ? `${c.endpoint}:` : ""}${c.field}`;
    case "model":
      return "model";
    case "header":
      return `header byte in a ${c.where}`;
    case "hval":
      return `header value of ${c.header}`;
    case "known":
      return `known ${c.name}`;
    case "garbage":
      return `framing ${c.op}`;
    case "release":
      return "release";
  }
}

/** Findings grouped by what went wrong (kind, case family, status line with numbers blanked). */
export function groupFindings(findings: Finding[]): Array<{ key: string; first: Finding; count: number; targets: Set<TargetKind> }> {
  const groups = new Map<string, { key: string; first: Finding; count: number; targets: Set<TargetKind> }>();
  for (const f of findings) {
    // A crash's detail ends with its stack frame (a path and line that differ by target): grouped without it.
    const key = `${f.kind} | ${f.family} | ${f.detail
      .split(" ⏎")[0]
      ?.replace(/\d+/g, "N")
      .replace(/`[^`]*`/g, "`…`")
      .replace(/"[^"]*"/g, '"…"')
      .slice(0, 80)}`;
    const g = groups.get(key);
    if (g === undefined) groups.set(key, { key, first: f, count: 1, targets: new Set([f.target]) });
    else {
      g.count++;
      g.targets.add(f.target);
    }
  }
  return [...groups.values()].sort((a, b) => FAILING.indexOf(a.first.kind) - FAILING.indexOf(b.first.kind) || b.count - a.count);
}

/** Counts of failing findings by kind. */
export function countFindings(findings: Finding[], target?: TargetKind): Record<FindingKind, number> {
  const out = Object.fromEntries([...FAILING, "nonsense"].map((k) => [k, 0])) as Record<FindingKind, number>;
  for (const f of findings) if (target === undefined || f.target === target) out[f.kind]++;
  return out;
}

/** FUZZ.md: what ran, the counts the issue asks for, and each distinct finding with an example. */
export function renderReport(result: FuzzResult, meta: { command: string; commit: string; date: string }): string {
  const { options } = result;
  const total = countFindings(result.findings);
  const failing = FAILING.reduce((n, k) => n + total[k], 0);
  const lines = [
    "# Fuzz report",
    "",
    "Written by `scripts/fuzz.mjs` (test/fuzz/); do not edit by hand. The harness and its oracle are described in test/fuzz/README.md.",
    "",
    `- Command: \`${meta.command}\``,
    `- Seed: ${options.seed}; seeded cases: ${options.cases} (shared round-robin by the targets) plus a fixed corpus of ${options.corpus === false ? 0 : corpus(options.corpus === "slice").length} cases on every target`,
    `- Commit: ${meta.commit}; date: ${meta.date}; duration: ${(result.ms / 1000).toFixed(1)} s; per-exchange deadline ${options.deadlineMs} ms; ${options.concurrency} in flight`,
    `- Verdict: **${failing === 0 ? "PASS" : "FAIL"}** — ${result.targets.reduce((n, t) => n + t.cases, 0)} cases run, ${total.crash} crashes, ${total["5xx"]} 5xx caused by input, ${total.hang} hangs, ${failing - total.crash - total["5xx"] - total.hang} other findings`,
    "",
    "| target | cases run | crashes | 5xx by input | hangs | no answer | malformed | error shape | message | wrong answer | stall | health | nonsense release accepted |",
    "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ...result.targets.map((t) => {
      const c = countFindings(result.findings, t.kind);
      return `| ${t.kind}${t.stoppedEarly ? " (stopped at the time limit)" : ""} | ${t.cases} | ${c.crash} | ${c["5xx"]} | ${c.hang} | ${c["no-answer"]} | ${c.malformed} | ${c["error-shape"]} | ${c.message} | ${c["wrong-answer"]} | ${c.stall} | ${c.health} | ${c.nonsense} |`;
    }),
    "",
    `Release cases: ${result.releases.uploaded} uploaded, ${result.releases.accepted} accepted (201), ${result.releases.activated} activated and sent a request.`,
    "",
    "Targets: `fast` is `startRouter()` from the router's sources (bundled once with esbuild) with its fast path (the default), `node` the same with `startRouter({ fastPath: false })`, `bundle` a `router.mjs` built from the same small config, `redis` the fast path with the release's state on a redis-server of its own; each a child process in front of a well-behaved upstream (so any 5xx is caused by the input). Release cases `PUT /admin/releases/{hash}` a mutated release (and activate it and send a request when it was accepted and its providers are unchanged).",
    "",
  ];
  const groups = groupFindings(result.findings.filter((f) => f.kind !== "nonsense"));
  if (groups.length === 0) lines.push("No findings.");
  else {
    lines.push(
      "## Findings",
      "",
      "Grouped by kind, case family and answer; the example is the first case that showed it (its index reproduces it with the same seed and target).",
      "",
    );
    for (const g of groups) {
      lines.push(`### ${g.first.kind}: ${g.first.family} (${g.count}× on ${[...g.targets].join(", ")})`, "");
      lines.push(`- Example (#${g.first.index} on ${g.first.target}): ${g.first.what}`);
      lines.push(`- Got: ${g.first.detail}`);
      if (g.first.sent !== "") lines.push(`- Sent (start): \`${JSON.stringify(g.first.sent.slice(0, 240)).replace(/`/g, "\\`")}\``);
      lines.push("");
    }
  }
  const nonsense = result.findings.filter((f) => f.kind === "nonsense");
  if (nonsense.length > 0) {
    lines.push(
      "## Releases accepted that the issue calls nonsense (reported, not failed)",
      "",
      "Negative or huge rates, budgets, weights, canary steps and sizes, or a `baseUrl` at a metadata address or `file://`, answered 201 (issue 17 item 12):",
      "",
    );
    for (const f of nonsense.slice(0, 20)) lines.push(`- #${f.index} on ${f.target}: ${f.what}`);
    if (nonsense.length > 20) lines.push(`- … and ${nonsense.length - 20} more`);
    lines.push("");
  }
  return `${lines.join("\n")}\n`;
}

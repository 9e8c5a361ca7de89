/**
 * @module Emit router.mjs and its assets: esbuild bundles packages/router with only the adapters and validators a release
 * uses, release embedded. Canary evaluation, the response cache and the anthropic, gemini and mock adapters' calls,
 * loaded on first use, ride along in router.mjs as brotli-compressed chunks; so do the routing core, the HTTP fast
 * path, the trace sinks and metrics, unpacked at start. What a release may never use (the admin API, the dashboard,
 * the Responses and Messages dialects, prompt rendering, Azure's Entra ID sign-in, the Bedrock adapter's calls) is
 * written beside router.mjs as assets: plain ES modules with a content hash in their names, imported on first use.
 * router.mjs plus its assets is the deployable folder.
 * A release declaring `state: { kind: "redis" }` also gets the Redis state stores, their Lua scripts and their client
 * (ioredis, without what the router cannot reach) as brotli-compressed chunks unpacked at start-up; any other release
 * carries none of them.
 */
import { createHash } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { brotliCompressSync, constants } from "node:zlib";
import * as esbuild from "esbuild";
import { type Release, routerBundleBanner, serialiseRelease } from "@switchyard/ir";

export interface BundleRouterOptions {
  release: Release;
  outFile: string;
  /**
   * Upstream HTTP client compiled in: `http1` (the router's lean keep-alive HTTP/1.1 client, a few KB;
   * default), `node` (node:http keep-alive agents) or `undici` (keep-alive Pools; adds ~280 KB, over
   * the 150 KB budget: BENCHMARKS.md has the measurements).
   */
  transport?: "http1" | "node" | "undici";
}

/** A file router.mjs imports from its own folder on first use (a LazyChunk placed "beside"). */
export interface RouterAsset {
  /** Its file name, with the hash of its content: `switchyard-dashboard.3f9a1c2b.mjs`. */
  file: string;
  /** Its code (a minified, self-contained ES module). */
  code: string;
}

/** What bundleRouter wrote: router.mjs's size and the assets written beside it (sorted by name). */
export interface BundledRouter {
  bytes: number;
  assets: RouterAsset[];
}

const ADAPTERS = {
  openai: { file: "adapters/openai/index.ts", name: "createOpenAiAdapter" },
  anthropic: { file: "adapters/anthropic/index.ts", name: "createAnthropicAdapter" },
  mock: { file: "adapters/mock/index.ts", name: "createMockAdapter" },
  azure: { file: "adapters/azure/index.ts", name: "createAzureAdapter" },
  gemini: { file: "adapters/gemini/index.ts", name: "createGeminiAdapter" },
  bedrock: { file: "adapters/bedrock/index.ts", name: "createBedrockAdapter" },
  vertex: { file: "adapters/vertex/index.ts", name: "createVertexAdapter" },
} as const;

/** The vertex adapter of releases whose vertex providers have a Claude model (Gemini's and Anthropic's publishers). */
const VERTEX_CLAUDE_ADAPTER = { file: "adapters/vertex/claude.ts", name: "createVertexClaudeAdapter" } as const;

const VALIDATORS = {
  json: { file: "validators/basic.ts", name: "jsonValidator" },
  regex: { file: "validators/basic.ts", name: "regexValidator" },
  "non-empty": { file: "validators/basic.ts", name: "nonEmptyValidator" },
  "json-schema": { file: "validators/json-schema.ts", name: "jsonSchemaValidator" },
} as const;

/** How router.mjs and its lazily loaded chunks are built: one minified, self-contained ES module each, for Node 20. */
const BUILD_OPTIONS = {
  bundle: true,
  minify: true,
  platform: "node",
  format: "esm",
  target: "node20",
  write: false,
  legalComments: "none",
  charset: "utf8",
  logLevel: "silent",
} as const satisfies esbuild.BuildOptions;

/** Base85 digits: printable ASCII from "#" (35) up, skipping "\\", so a chunk is a JS string literal without escapes. */
const BASE85 = Array.from({ length: 85 }, (_, d) => String.fromCharCode(d + (d >= 57 ? 36 : 35))).join("");

/**
 * A chunk's code as the arguments of `unpackChunk`: brotli-compressed, then base85-encoded (5 characters per 4 bytes,
 * against base64's 4 per 3: ~6 % fewer bytes in router.mjs), and its compressed length.
 *
 * @internal Exported for the tests, which unpack router.mjs's chunks with unpackChunkText.
 */
export function packChunk(code: Buffer): string {
  const packed = brotliCompressSync(code, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: code.length } });
  const padded = Buffer.alloc(Math.ceil(packed.length / 4) * 4);
  packed.copy(padded);
  let text = "";
  for (let i = 0; i < padded.length; i += 4) {
    let value = padded.readUInt32BE(i);
    let group = "";
    for (let j = 0; j < 5; j++) {
      group = BASE85[value % 85] + group;
      value = Math.floor(value / 85);
    }
    text += group;
  }
  return `${JSON.stringify(text)}, ${packed.length}`;
}

/** The stand-ins' shared decoder (the inverse of packChunk), a virtual module bundled once. */
const UNPACK_MODULE = "switchyard:unpack-chunk";
const UNPACK_SOURCE = `import { brotliDecompressSync } from "node:zlib";
export function unpackChunk(text, length) {
  const bytes = Buffer.alloc((text.length / 5) * 4);
  for (let i = 0; i < text.length; i += 5) {
    let value = 0;
    for (let j = i; j < i + 5; j++) {
      const c = text.charCodeAt(j);
      value = value * 85 + c - (c > 92 ? 36 : 35);
    }
    bytes.writeUInt32BE(value, (i / 5) * 4);
  }
  return brotliDecompressSync(bytes.subarray(0, length));
}
`;

/**
 * The code of a chunk in router.mjs, from the arguments of its `unpackChunk` call (the tests' view of a chunk).
 *
 * @internal
 */
export async function unpackChunkText(text: string, length: number): Promise<string> {
  const module = (await import(`data:text/javascript;base64,${Buffer.from(UNPACK_SOURCE).toString("base64")}`)) as {
    unpackChunk: (text: string, length: number) => Buffer;
  };
  return module.unpackChunk(text, length).toString("utf8");
}

/** Resolves the stand-ins' `import { unpackChunk } from UNPACK_MODULE`. */
function unpackModule(): esbuild.Plugin {
  return {
    name: "unpack-chunk",
    setup(build) {
      build.onResolve({ filter: /^switchyard:unpack-chunk$/ }, () => ({ path: UNPACK_MODULE, namespace: "sy-unpack" }));
      build.onLoad({ filter: /.*/, namespace: "sy-unpack" }, () => ({ contents: UNPACK_SOURCE, loader: "js" }));
    },
  };
}

/** A part of the router loaded on first use: built as its own chunk, embedded brotli-compressed in router.mjs or written beside it. */
interface LazyChunk {
  /** What the chunk is, in messages. */
  what: string;
  /** The chunk's entry, relative to packages/router/src. */
  entry: string;
  /** The core module (or modules) whose `import(specifier)` loads the chunk, relative to packages/router/src. */
  importer: string | readonly string[];
  /** What that dynamic import names. */
  specifier: string;
  /** The entry's exports the core uses. */
  exports: readonly string[];
  /**
   * The modules the chunk may contain, relative to packages/router/src: its own lazily loaded files and pure helpers
   * without state or classes. Anything else they import by value would be a second copy of a core module (a second
   * RouterError class, which the server's `instanceof` does not recognise; a second wrong-token count): it belongs in
   * the parts the core passes in (`core`).
   */
  modules: ReadonlySet<string>;
  /** Third-party packages the chunk may carry whole (they hold none of the router's classes or state). */
  packages?: readonly string[];
  /** Where the core's parts are passed in, for the error message. */
  corePath: string;
  /** The chunk's name in stack traces (V8 reads the `sourceURL` comment) instead of a long `data:` URL. */
  name: string;
  /**
   * When the chunk is unpacked: on the first `import(specifier)` (the default), or when router.mjs starts, for code
   * the core imports statically (`import … from specifier`) that is only smaller compressed.
   */
  load?: "first-use" | "start";
  /**
   * Where the chunk goes: embedded in router.mjs (`inline`, the default: core functions every release may use), or
   * written beside it as an asset (`beside`: a plain ES module named with its content hash, so a stale asset of another
   * build is never picked up; router.mjs imports it from its own folder on first use and answers 503 `asset_missing`
   * when it is not there). Parts a release may not use at all go beside, out of router.mjs's 150 KB budget.
   */
  placement?: "inline" | "beside";
  /** For a `beside` chunk: what it serves, in the `asset_missing` message ("the dashboard (GET /dashboard)"). */
  serves?: string;
}

/**
 * The dashboard's server code (~16 KB minified with the page asset; ~10.5 KB compressed, of which the already
 * compressed page is ~4 KB either way), loaded on the first /dashboard request (dashboard/mount.ts).
 */
const DASHBOARD_CHUNK: LazyChunk = {
  what: "dashboard",
  entry: "dashboard/lazy.ts",
  importer: "dashboard/mount.ts",
  specifier: "./lazy.ts",
  exports: ["openDashboard"],
  modules: new Set([
    "dashboard/lazy.ts",
    "dashboard/handler.ts",
    "dashboard/snapshot.ts",
    "dashboard/session.ts",
    "dashboard/page.ts",
    "dashboard/page-asset.generated.ts",
    "dashboard/live-view.ts",
    "state/budget-period.ts",
    "admin/auth.ts",
  ]),
  corePath: "DashboardCore (dashboard/handler.ts)",
  name: "switchyard-dashboard.mjs",
  placement: "beside",
  serves: "the dashboard (/dashboard)",
};

/**
 * The admin API's handler: uploads (release verification, the IR's JSON Schema and rules, admission), activation,
 * rollback, listing and state (~25 KB minified, ~12.5 KB packed when it was inline); loaded on the first /admin request
 * (admin/mount.ts). An asset beside router.mjs: routers that never take an upload do not carry it, keeping the 150 KB
 * budget for every provider kind. The wrong-token counts and the admission's limits stay in the core. Releases with
 * Redis state carry it in the core (bundleRouter).
 */
const ADMIN_CHUNK: LazyChunk = {
  what: "admin",
  entry: "admin/api.ts",
  importer: "admin/mount.ts",
  specifier: "./api.ts",
  exports: ["createAdminHandler"],
  modules: new Set([
    "admin/api.ts",
    "admin/auth.ts",
    "admin/admission.ts",
    "admin/verify-release.ts",
    "admin/schema-check.ts",
    // tooDeep only: a pure function (its scratch stack is emptied before it returns).
    "protocol/json.ts",
    "settings.ts",
    "../../ir/src/config-json-schema.ts",
    "../../ir/src/rules.ts",
    "../../ir/src/canonical.ts",
    "../../ir/src/environment.ts",
    // Prompt rules (rules.ts) and promptVersion: pure functions; its regexes are only cloned (matchAll), never advanced.
    "../../ir/src/prompts.ts",
    // withPromptCanaries on activation: its WeakMap keyed by config is a cache a copy may rebuild.
    "prompts/canary.ts",
    "prompts/keys.ts",
  ]),
  corePath: "AdminCore (admin/api.ts)",
  name: "switchyard-admin.mjs",
  placement: "beside",
  serves: "the admin API (/admin)",
};

/**
 * Canary guard evaluation (the step function and the guards' texts, ~3 KB minified), loaded by the canary controller's
 * first evaluation that finds a route with a canary (governance/canary.ts).
 */
const CANARY_CHUNK: LazyChunk = {
  what: "canary",
  entry: "governance/canary-step.ts",
  importer: "governance/canary.ts",
  specifier: "./canary-step.ts",
  exports: ["nextCanaryStep"],
  modules: new Set(["governance/canary-step.ts"]),
  corePath: "the controller (governance/canary.ts)",
  name: "switchyard-canary.mjs",
};

/**
 * The OpenAI Responses dialect (`POST /v1/responses`: request reading, `response` objects and Responses stream events),
 * loaded by the first Responses request (protocol/responses/load.ts). Its RouterError and key reader come from the core.
 */
const RESPONSES_CHUNK: LazyChunk = {
  what: "responses",
  entry: "protocol/responses/dialect.ts",
  importer: "protocol/responses/load.ts",
  specifier: "./dialect.ts",
  exports: ["createResponsesDialect"],
  modules: new Set([
    "protocol/responses/dialect.ts",
    "protocol/responses/read.ts",
    "protocol/responses/write.ts",
    // `kind` and MAX_JSON_DEPTH only (tooDeep comes from the core).
    "protocol/json.ts",
  ]),
  corePath: "ResponsesCore (protocol/responses/dialect.ts)",
  name: "switchyard-responses.mjs",
  placement: "beside",
  serves: "the OpenAI Responses dialect (POST /v1/responses)",
};

/**
 * Anthropic's Messages API as an inbound dialect (`/v1/messages`, `/v1/messages/count_tokens`: reading, answers,
 * stream events, errors), loaded by the first such request (protocol/messages/index.ts). Its RouterError, Bearer reader
 * and token estimate are the core's, passed in (MessagesCore).
 */
const MESSAGES_CHUNK: LazyChunk = {
  what: "messages",
  entry: "protocol/messages/dialect.ts",
  importer: "protocol/messages/index.ts",
  specifier: "./dialect.ts",
  exports: ["createMessagesDialect"],
  modules: new Set([
    "protocol/messages/dialect.ts",
    "protocol/messages/read.ts",
    "protocol/messages/write.ts",
    // `kind` and MAX_JSON_DEPTH only (tooDeep is the core's, passed in).
    "protocol/json.ts",
    // Registered symbols (Symbol.for): the chunk's copies are the core's symbols.
    "protocol/tool-error.ts",
    "protocol/stop-sequence.ts",
  ]),
  corePath: "MessagesCore (protocol/messages/dialect.ts)",
  name: "switchyard-messages.mjs",
  placement: "beside",
  serves: "the Anthropic Messages dialect (POST /v1/messages, /v1/messages/count_tokens)",
};

/**
 * Prompts as code on the request path: rendering (templates split per release, variables checked, messages spliced into
 * each API's body) and counting a prompt canary's outcomes (~6 KB minified), loaded on the first request that names a
 * prompt (prompts/load.ts); the core passes its RouterError in (PromptCore).
 */
const PROMPTS_CHUNK: LazyChunk = {
  what: "prompts",
  entry: "prompts/chunk.ts",
  importer: "prompts/load.ts",
  specifier: "./chunk.ts",
  exports: ["createPromptRenderer"],
  modules: new Set([
    "prompts/chunk.ts",
    "prompts/render.ts",
    "prompts/outcome.ts",
    "prompts/keys.ts",
    // Pure helpers: the sticky bucket, `kind`, promptVersion (and the content hash under it).
    "core/sticky.ts",
    "protocol/json.ts",
    "../../ir/src/prompts.ts",
    "../../ir/src/canonical.ts",
  ]),
  corePath: "PromptCore (prompts/chunk.ts)",
  name: "switchyard-prompts.mjs",
  placement: "beside",
  serves: "prompt rendering (a request's `prompt` or x-switchyard-prompt)",
};

/**
 * The JSONL trace sink with its serialiser and folder maker, the alert webhooks and the Prometheus metrics (~13 KB
 * minified, ~6.7 KB packed): telemetry.ts builds them synchronously on each activation and the metrics count every
 * request, so they are unpacked when router.mjs starts (~1 ms) rather than on first use. No class or state of theirs is
 * used outside them.
 */
const SINKS_CHUNK: LazyChunk = {
  what: "sinks",
  entry: "telemetry/sinks-chunk.ts",
  importer: ["telemetry/telemetry.ts", "telemetry/index.ts"],
  specifier: "./sinks-chunk.ts",
  exports: ["jsonlSink", "alertDelivery", "createRouterMetrics", "serveMetrics"],
  modules: new Set([
    "telemetry/sinks-chunk.ts",
    "telemetry/jsonl-sink.ts",
    "telemetry/trace-json.ts",
    "telemetry/alerts.ts",
    "runtime/make-dir.ts",
    "telemetry/metrics.ts",
    "telemetry/batched-histogram.ts",
    "telemetry/collector.ts",
    "telemetry/exposition.ts",
  ]),
  corePath: "the sinks' options (telemetry/telemetry.ts)",
  name: "switchyard-sinks.mjs",
  load: "start",
};

/**
 * `POST /v1/embeddings`: the handler and OpenAI's embeddings request validation (~3.5 KB minified), loaded on the first
 * embeddings request (http/endpoints.ts); the core's parts it uses come in as EmbeddingsCore.
 */
const EMBEDDINGS_CHUNK: LazyChunk = {
  what: "embeddings",
  entry: "http/embeddings.ts",
  importer: "http/endpoints.ts",
  specifier: "./embeddings.ts",
  exports: ["serveEmbeddings"],
  modules: new Set(["http/embeddings.ts", "protocol/embeddings.ts", "protocol/json.ts", "core/tokens.ts", "prompts/keys.ts"]),
  corePath: "EmbeddingsCore (http/embeddings.ts)",
  name: "switchyard-embeddings.mjs",
  placement: "beside",
  serves: "the embeddings endpoint (POST /v1/embeddings)",
};

/**
 * The Lua scripts of the Redis stores (~14 KB of script text minified, ~3.8 KB compressed): text that compresses well
 * and is read once, when the stores are made, so it is unpacked when router.mjs starts. Only releases with Redis state
 * import it (from the Redis stores), so only their bundles carry it.
 */
const REDIS_SCRIPTS_CHUNK: LazyChunk = {
  what: "redis-scripts",
  entry: "state/redis/scripts.ts",
  importer: ["state/redis/budgets.ts", "state/redis/limits.ts", "state/redis/rollout.ts", "state/redis/releases.ts"],
  specifier: "./scripts.ts",
  exports: [
    "BUDGET_RESERVE",
    "RATE_LIMIT",
    "ADMIT",
    "SETTLE_ADJUST",
    "CANARY_ARM_FIELDS",
    "CANARY_FIELDS",
    "CANARY_ACTIVATE",
    "CANARY_SET",
    "CANARY_RECORD",
    "CANARY_FEEDBACK",
    "CANARY_READ",
    "LEASE",
    "RELEASE_PUT",
    "RELEASE_ACTIVATE",
    "RELEASE_READ",
  ],
  modules: new Set(["state/redis/scripts.ts"]),
  corePath: "the Redis stores (state/redis/)",
  name: "switchyard-redis-scripts.mjs",
  load: "start",
};

/**
 * Microsoft Entra ID tokens for the azure kind (`auth: "entra"`: the client-credentials grant, the managed identity, caching and refresh,
 * ~3.5 KB minified), loaded at an azure provider's first token request (adapters/azure/index.ts). Beside router.mjs:
 * releases whose azure providers use api keys never load it. Only bundles with the azure adapter reach it.
 */
const ENTRA_CHUNK: LazyChunk = {
  what: "entra",
  entry: "adapters/azure/entra.ts",
  importer: "adapters/azure/index.ts",
  specifier: "./entra.ts",
  exports: ["entraTokenSource", "entraScope"],
  modules: new Set(["adapters/azure/entra.ts", "adapters/refresh.ts", "adapters/http-get.ts", "adapters/oauth.ts"]),
  corePath: "EntraCore (adapters/azure/entra.ts)",
  name: "switchyard-entra.mjs",
  placement: "beside",
  serves: 'Microsoft Entra ID sign-in for azure providers (auth: "entra")',
};

/**
 * The AWS Bedrock adapter's calls (Converse / ConverseStream translation, SigV4 via aws4fetch, the event-stream decoder,
 * temporary credentials from STS web identity or the container endpoint; ~27 KB minified), loaded by a bedrock
 * provider's first call (adapters/bedrock/index.ts). Only releases with a bedrock provider bundle that importer, so only
 * they get this asset; the adapter's refusals stay in router.mjs. The core's UpstreamError and helpers come in as
 * BedrockCore.
 */
const BEDROCK_CHUNK: LazyChunk = {
  what: "bedrock",
  entry: "adapters/bedrock/converse.ts",
  importer: "adapters/bedrock/index.ts",
  specifier: "./converse.ts",
  exports: ["createConverseClient"],
  modules: new Set([
    "adapters/bedrock/converse.ts",
    "adapters/bedrock/translate.ts",
    "adapters/bedrock/content.ts",
    "adapters/bedrock/eventstream.ts",
    "adapters/bedrock/sign.ts",
    "adapters/bedrock/credentials.ts",
    "adapters/bedrock/endpoints.ts",
    // blockedHost only: a pure function (endpoint variables are held to a release's URL rules).
    "../../ir/src/rules.ts",
    // Pure helpers: the temporary credentials' cache, the masking of what STS or the container endpoint says, the GET.
    "adapters/refresh.ts",
    "adapters/redact.ts",
    "adapters/http-get.ts",
    // midConversationSystem, structuredToolName and toUsage only: pure functions.
    "adapters/anthropic/translate.ts",
    // toolUseId: a pure function.
    "adapters/tool-call-ids.ts",
    "adapters/text.ts",
    // Registered symbols (Symbol.for): the chunk's copies are the core's symbols (stop-sequence.ts: and the pure markStopSequence).
    "protocol/tool-error.ts",
    "protocol/stop-sequence.ts",
  ]),
  packages: ["aws4fetch"],
  corePath: "BedrockCore (adapters/bedrock/converse.ts)",
  name: "switchyard-bedrock.mjs",
  placement: "beside",
  serves: "the AWS Bedrock adapter (providers of kind bedrock)",
};

/**
 * A vertex provider's Google access tokens (a service account key's self-signed RS256 JWT exchanged at its token_uri,
 * or the GCE / GKE metadata server; node:crypto, no google-auth-library), loaded by the provider's first call
 * (adapters/vertex/index.ts). Only releases with a vertex provider bundle that importer, so only they get this asset;
 * the calls themselves are the gemini chunk's. The core's UpstreamError comes in as GoogleAuthCore.
 */
const VERTEX_AUTH_CHUNK: LazyChunk = {
  what: "vertex-auth",
  entry: "adapters/vertex/auth.ts",
  importer: "adapters/vertex/index.ts",
  specifier: "./auth.ts",
  exports: ["googleTokenSource"],
  // Pure helpers: the token's cache, OAuth2's answers and the masking of what a token endpoint says, the metadata server's GET.
  modules: new Set(["adapters/vertex/auth.ts", "adapters/refresh.ts", "adapters/oauth.ts", "adapters/redact.ts", "adapters/http-get.ts"]),
  corePath: "GoogleAuthCore (adapters/vertex/auth.ts)",
  name: "switchyard-vertex-auth.mjs",
  placement: "beside",
  serves: "Google credentials for vertex providers (a service account key or the metadata server)",
};

/**
 * The anthropic adapter's calls (request, answer and stream translation, ~10 KB minified, ~3.5 KB packed), unpacked by
 * an anthropic provider's first call (adapters/anthropic/index.ts); its refusals stay in the core. Only bundles with the
 * anthropic adapter reach it; the core's UpstreamError, SSE reader and HTTP error readers come in as AnthropicCore.
 */
const ANTHROPIC_CHUNK: LazyChunk = {
  what: "anthropic",
  entry: "adapters/anthropic/calls.ts",
  importer: "adapters/anthropic/index.ts",
  specifier: "./calls.ts",
  exports: ["createAnthropicCalls"],
  modules: new Set([
    "adapters/anthropic/calls.ts",
    "adapters/anthropic/translate.ts",
    "adapters/tool-call-ids.ts",
    "adapters/text.ts",
    // Registered symbols (Symbol.for): the chunk's copies are the core's symbols (stop-sequence.ts: and the pure markStopSequence).
    "protocol/tool-error.ts",
    "protocol/stop-sequence.ts",
  ]),
  corePath: "AnthropicCore (adapters/anthropic/calls.ts)",
  name: "switchyard-anthropic.mjs",
};

/**
 * The same calls for Claude models on vertex providers (Anthropic's publisher, with the vertex token), loaded by the
 * first call to one (adapters/vertex/claude.ts, which only releases with such a model bundle). Beside router.mjs: a
 * vertex adapter already carries the gemini chunk, and inline these ~5 KB would take router.mjs with vertex and openai
 * over its 150 KB budget. A release with an anthropic provider too carries the calls twice (inline and this asset).
 */
const VERTEX_CLAUDE_CHUNK: LazyChunk = {
  ...ANTHROPIC_CHUNK,
  what: "vertex-claude",
  importer: "adapters/vertex/claude.ts",
  specifier: "../anthropic/calls.ts",
  name: "switchyard-vertex-claude.mjs",
  placement: "beside",
  serves: "Claude models on vertex providers (the anthropic adapter's calls)",
};

/**
 * The gemini adapter's calls (request, answer, stream and embeddings translation, Google's errors; ~13 KB minified),
 * unpacked by a gemini or vertex provider's first call (lazyGeminiCalls in adapters/gemini/index.ts, which the vertex
 * adapter calls with Vertex AI's URLs and token); its refusals stay in the core. The core's
 * classes and helpers come in as GeminiCore.
 */
const GEMINI_CHUNK: LazyChunk = {
  what: "gemini",
  entry: "adapters/gemini/calls.ts",
  importer: "adapters/gemini/index.ts",
  specifier: "./calls.ts",
  exports: ["createGeminiCalls"],
  modules: new Set(["adapters/gemini/calls.ts", "adapters/gemini/translate.ts", "adapters/text.ts"]),
  corePath: "GeminiCore (adapters/gemini/calls.ts)",
  name: "switchyard-gemini.mjs",
};

/**
 * The mock adapter's answers (replies, streams, tool calls, embeddings, failure injection; ~3.5 KB minified), unpacked
 * by a mock provider's first call (adapters/mock/index.ts). The core's UpstreamError and token estimates come in as
 * MockCore.
 */
const MOCK_CHUNK: LazyChunk = {
  what: "mock",
  entry: "adapters/mock/answer.ts",
  importer: "adapters/mock/index.ts",
  specifier: "./answer.ts",
  exports: ["createMockCalls"],
  modules: new Set(["adapters/mock/answer.ts", "core/tokens.ts", "protocol/chat.ts", "protocol/embeddings.ts"]),
  corePath: "MockCore (adapters/mock/answer.ts)",
  name: "switchyard-mock.mjs",
};

/**
 * The routing core as the request path uses it (decide, route tables, placement, strategies, rules, complexity; ~22 KB
 * minified, ~7 KB packed): pure functions, and classes only it uses, so it is unpacked when router.mjs starts (~1 ms)
 * and imported by the modules that take it from core/index.ts. The pure helpers it shares with the core (token
 * estimate, sticky buckets) are small copies.
 */
const ROUTING_CHUNK: LazyChunk = {
  what: "routing",
  entry: "core/router-chunk.ts",
  importer: ["http/endpoints.ts", "http/generate.ts", "runtime/release.ts"],
  specifier: "../core/index.ts",
  exports: ["canaryStickyKey", "chatRequestFeatures", "compileRouteTable", "decideWithTable", "ruleComplexityScore"],
  modules: new Set([
    "core/router-chunk.ts",
    "core/index.ts",
    "core/decide.ts",
    "core/decide-rules.ts",
    "core/route-table.ts",
    "core/placement.ts",
    "core/rules.ts",
    "core/complexity.ts",
    "core/request.ts",
    "core/sticky.ts",
    "core/strategy.ts",
    "core/strategies/index.ts",
    "core/strategies/weighted.ts",
    "core/strategies/cost.ts",
    "core/strategies/latency.ts",
    "core/strategies/least-busy.ts",
    "core/tokens.ts",
    "core/rng.ts",
    "../../ir/src/environment.ts",
  ]),
  corePath: "the routing core's arguments (core/decide.ts)",
  name: "switchyard-routing.mjs",
  load: "start",
};

/**
 * The HTTP/1.1 fast path for `POST /v1/chat/completions` (its request parser, responses and connections, ~7.5 KB
 * minified): it imports nothing of the router's, so it is unpacked when router.mjs starts, the server and generation
 * taking it from there (one copy of FastRequest for their `instanceof`).
 */
const FAST_PATH_CHUNK: LazyChunk = {
  what: "fast-path",
  entry: "http/fast-path.ts",
  importer: ["http/generate.ts", "http/server.ts"],
  specifier: "./fast-path.ts",
  exports: ["FastRequest", "KEEP_ALIVE_MS", "installFastPath", "rawAnswer"],
  modules: new Set(["http/fast-path.ts"]),
  corePath: "the fast path's options (http/fast-path.ts)",
  name: "switchyard-fast-path.mjs",
  load: "start",
};

/**
 * The response cache (request keys, the in-memory LRU, hits answered in the requesting dialect, stream capture and
 * replay; ~7 KB minified), loaded by the first request to a route with a `cache` (cache/load.ts); the core's answer
 * writers and chunk joiner come in as CacheCore. With Redis state the shared store is the core's (state/redis/cache.ts,
 * passed in), so the chunk's own copy of the LRU class only serves releases without it.
 */
const CACHE_CHUNK: LazyChunk = {
  what: "cache",
  entry: "cache/session.ts",
  importer: "cache/load.ts",
  specifier: "./session.ts",
  exports: ["createCacheRuntime"],
  modules: new Set([
    "cache/session.ts",
    "cache/key.ts",
    "cache/replay.ts",
    "cache/store.ts",
    "cache/types.ts",
    // canonicalJson only: a pure function.
    "../../ir/src/canonical.ts",
    // Registered symbols (Symbol.for): the chunk's copies are the core's symbols.
    "protocol/tool-error.ts",
    "protocol/stop-sequence.ts",
  ]),
  corePath: "CacheCore (cache/session.ts)",
  name: "switchyard-cache.mjs",
};

/**
 * Build a lazily loaded part of the router as a self-contained ESM chunk, checked against its allow-list.
 *
 * @internal Exported (through buildDashboardChunk, buildAdminChunk) for the tests; `src` is packages/router/src.
 */
async function buildLazyChunk(src: string, chunk: LazyChunk): Promise<string> {
  const result = await esbuild.build({
    entryPoints: [path.join(src, chunk.entry)],
    ...BUILD_OPTIONS,
    metafile: true,
  });
  // Only what ends up in the output: a module imported for a constant and otherwise tree-shaken does not count.
  const carried = Object.values(result.metafile.outputs).flatMap((output) =>
    Object.entries(output.inputs)
      .filter(([, use]) => use.bytesInOutput > 0)
      .map(([input]) => input),
  );
  for (const input of carried) {
    const module = chunkModuleName(path.relative(src, path.resolve(input)).split(path.sep).join("/"));
    if (chunk.packages?.some((name) => module.includes(`node_modules/${name}/`)) === true) continue;
    if (!chunk.modules.has(module)) {
      throw new Error(
        `the ${chunk.what} chunk would carry its own copy of ${module}: pass what it needs from it through ${chunk.corePath}, or list it in the chunk's modules (packages/compiler/src/emit/router-bundle.ts) if it holds no state and no classes`,
      );
    }
  }
  const file = result.outputFiles[0];
  if (file === undefined) throw new Error(`esbuild produced no ${chunk.what} chunk`);
  // An asset has a file URL of its own for stack traces.
  return chunk.placement === "beside" ? file.text : `${file.text}//# sourceURL=${chunk.name}\n`;
}

/** An asset's file name: the chunk's name with the first 8 hex digits of its code's sha256 (`switchyard-dashboard.3f9a1c2b.mjs`). */
function assetFileName(chunk: LazyChunk, code: string): string {
  return chunk.name.replace(/\.mjs$/, `.${createHash("sha256").update(code).digest("hex").slice(0, 8)}.mjs`);
}

/**
 * A carried module as the allow-lists name it. @switchyard/ir is read from its sources in this repository
 * (`../../ir/src/x.ts`) but from its compiled files once installed (`…/@switchyard/ir/dist/x.js`, wherever npm or
 * pnpm put it): both are the same module.
 */
function chunkModuleName(module: string): string {
  const ir = /(?:^|\/)ir\/(?:src|dist)\/(.+)\.(?:ts|js)$/.exec(module);
  return ir !== null && module.startsWith("../") ? `../../ir/src/${ir[1]}.ts` : module;
}

/** @internal The dashboard chunk's code, for its test. */
export function buildDashboardChunk(src: string): Promise<string> {
  return buildLazyChunk(src, DASHBOARD_CHUNK);
}

/** @internal The admin chunk's code, for its test. */
export function buildAdminChunk(src: string): Promise<string> {
  return buildLazyChunk(src, ADMIN_CHUNK);
}

/**
 * A lazily loaded part's `import(specifier)` in its core module gets this stand-in: the chunk from buildLazyChunk,
 * brotli-compressed and base64-encoded, unpacked and imported from a `data:` URL only when that import runs. Node
 * resolves a `data:` module's `node:` imports like any other; a chunk has no other imports. A `beside` chunk is added to
 * `assets` instead, and its stand-in imports it from router.mjs's folder (runtime/asset.ts).
 */
function lazyChunk(src: string, chunk: LazyChunk, assets: RouterAsset[]): esbuild.Plugin {
  const namespace = `sy-${chunk.what}`;
  const importer = new RegExp(
    `[\\\\/](${[chunk.importer]
      .flat()
      .map((file) => file.replaceAll("/", "[\\\\/]").replaceAll(".", "\\."))
      .join("|")})$`,
  );
  return {
    name: `${chunk.what}-chunk`,
    setup(build) {
      build.onResolve({ filter: new RegExp(`^${chunk.specifier.replaceAll(".", "\\.")}$`) }, (args) =>
        args.kind === (chunk.load === "start" ? "import-statement" : "dynamic-import") && importer.test(args.importer)
          ? { path: chunk.entry, namespace }
          : undefined,
      );
      build.onLoad({ filter: /.*/, namespace }, async () => {
        if (chunk.placement === "beside") {
          const code = await buildLazyChunk(src, chunk);
          const file = assetFileName(chunk, code);
          assets.push({ file, code });
          const contents = [
            'import { importAsset } from "./runtime/asset.ts";',
            `const chunk = await importAsset(${JSON.stringify(file)}, ${JSON.stringify(chunk.serves ?? `the ${chunk.what} part`)});`,
            `export const { ${chunk.exports.join(", ")} } = chunk;`,
          ].join("\n");
          return { contents, loader: "js", resolveDir: src };
        }
        const code = Buffer.from(await buildLazyChunk(src, chunk));
        const contents = [
          `import { unpackChunk } from ${JSON.stringify(UNPACK_MODULE)};`,
          `const code = unpackChunk(${packChunk(code)});`,
          // Not a string literal, so esbuild leaves the import to Node.
          'const chunk = await import(`data:text/javascript;base64,${code.toString("base64")}`);',
          `export const { ${chunk.exports.join(", ")} } = chunk;`,
        ].join("\n");
        return { contents, loader: "js" };
      });
    },
  };
}

/**
 * Where a release's other parts already carry a lazily loaded part (the Redis state support brings the admin handler
 * for its release store and start-up), its dynamic import, never taken, gets an empty stand-in instead of a chunk.
 */
function carriedChunk(chunk: LazyChunk): esbuild.Plugin {
  const namespace = `sy-${chunk.what}-carried`;
  return {
    name: `${chunk.what}-carried`,
    setup(build) {
      build.onResolve({ filter: new RegExp(`^${chunk.specifier.replaceAll(".", "\\.")}$`) }, (args) =>
        args.kind === "dynamic-import" && [chunk.importer].flat().some((file) => args.importer.split(path.sep).join("/").endsWith(`/${file}`))
          ? { path: chunk.entry, namespace }
          : undefined,
      );
      build.onLoad({ filter: /.*/, namespace }, () => ({
        contents: chunk.exports.map((name) => `export const ${name} = undefined;`).join("\n"),
        loader: "js",
      }));
    },
  };
}

/**
 * ioredis's run-time exports (its `built/index.js`), re-exported by the chunk's stand-in. The stores import the
 * client from "ioredis" like any module; a name missing here would be undefined in router.mjs only, so the bundle
 * test starts a Redis variant against a real redis-server.
 */
const IOREDIS_EXPORTS = [
  "Redis",
  "Cluster",
  "Command",
  "ScanStream",
  "Pipeline",
  "AbstractConnector",
  "SentinelConnector",
  "SentinelIterator",
  "ReplyError",
  "print",
] as const;

/** The chunk's name in stack traces. */
const IOREDIS_CHUNK_NAME = "switchyard-ioredis.mjs";

/**
 * The `debug` package as ioredis uses it (`debug(namespace)`, `.enabled`, a call per message), in a few lines instead of
 * `debug`, `ms` and `supports-color` (~10 KB minified): `DEBUG=ioredis:*` (comma- or space-separated patterns, `*`
 * wildcards, `-` to exclude) still prints ioredis's messages on stderr, without colours or time stamps.
 */
const DEBUG_SHIM = `const { format } = require("node:util");
const patterns = (process.env.DEBUG || "").split(/[\\s,]+/).filter(Boolean);
const pattern = (p) => new RegExp("^" + p.replace(/[|\\{}()[\\]^$+?.]/g, "\\\\$&").replace(/\\*/g, ".*") + "$");
const on = patterns.filter((p) => p[0] !== "-").map(pattern);
const off = patterns.filter((p) => p[0] === "-").map((p) => pattern(p.slice(1)));
function createDebug(namespace) {
  const debug = (...args) => { if (debug.enabled) process.stderr.write(namespace + " " + format(...args) + "\\n"); };
  debug.enabled = on.some((r) => r.test(namespace)) && !off.some((r) => r.test(namespace));
  debug.namespace = namespace;
  debug.destroy = () => false;
  return debug;
}
createDebug.default = createDebug;
module.exports = createDebug;
`;

/**
 * What router.mjs leaves out of ioredis, each a module that a release's `state` cannot reach: the Cluster client (~33 KB
 * minified with its subscriber groups and `cluster-key-slot`; the router opens one standalone connection, see
 * docs/scaling.md: bringing Cluster in means dropping its stand-in here), the TLS profiles (~8.5 KB of Redis Cloud CA
 * certificates, incompressible, used only by a `tls: { profile }` option the router never passes) and `debug` (the shim
 * above). `Cluster` is still exported, as a class whose constructor says it is not carried.
 */
const IOREDIS_STAND_INS: ReadonlyArray<{ importer: RegExp; specifier: RegExp; contents: string }> = [
  {
    importer: /ioredis[\\/]built[\\/](Redis|index)\.js$/,
    specifier: /^\.\/cluster$/,
    contents: 'exports.default = class Cluster { constructor() { throw new Error("router.mjs does not carry ioredis\'s Cluster client"); } };',
  },
  { importer: /ioredis[\\/]built[\\/]utils[\\/]index\.js$/, specifier: /^\.\.\/constants\/TLSProfiles$/, contents: "exports.default = {};" },
  { importer: /ioredis[\\/]built[\\/]utils[\\/]debug\.js$/, specifier: /^debug$/, contents: DEBUG_SHIM },
];

/** Resolves IOREDIS_STAND_INS when the ioredis chunk is built. */
function ioredisStandIns(): esbuild.Plugin {
  return {
    name: "ioredis-stand-ins",
    setup(build) {
      build.onResolve({ filter: /^(\.\/cluster|\.\.\/constants\/TLSProfiles|debug)$/ }, (args) => {
        const at = IOREDIS_STAND_INS.findIndex((s) => s.specifier.test(args.path) && s.importer.test(args.importer));
        return at < 0 ? undefined : { path: String(at), namespace: "sy-ioredis-stand-in" };
      });
      build.onLoad({ filter: /.*/, namespace: "sy-ioredis-stand-in" }, (args) => ({
        contents: IOREDIS_STAND_INS[Number(args.path)]?.contents ?? "",
        loader: "js",
      }));
    },
  };
}

/**
 * Build ioredis (~150 KB minified: Redis, Cluster, Sentinel, TLS profiles, the command table) as a self-contained ESM
 * chunk. Only the third-party client goes in it: the Redis stores stay in router.mjs proper, so no class of the
 * router (RouterError, the stores) exists twice.
 *
 * @internal Exported for its test; `src` is packages/router/src (ioredis resolves from there).
 */
export async function buildIoredisChunk(src: string): Promise<string> {
  const names = IOREDIS_EXPORTS.join(", ");
  const result = await esbuild.build({
    stdin: { contents: `import client, { ${names} } from "ioredis";\nexport { client as default, ${names} };\n`, resolveDir: src, loader: "js" },
    ...BUILD_OPTIONS,
    plugins: [ioredisStandIns()],
  });
  const file = result.outputFiles[0];
  if (file === undefined) throw new Error("esbuild produced no ioredis chunk");
  // ioredis is CommonJS and `require`s node built-ins: a `data:` module has no file URL, and any URL resolves a built-in.
  return `import { createRequire as __syCreateRequire } from "node:module"; const require = __syCreateRequire("file:///");\n${file.text}//# sourceURL=${IOREDIS_CHUNK_NAME}\n`;
}

/**
 * `import … from "ioredis"` in router.mjs gets this stand-in: the chunk from buildIoredisChunk, brotli-compressed and
 * base64-encoded (~150 KB → ~54 KB), unpacked and imported from a `data:` URL when router.mjs starts (a few ms; only
 * bundles of releases with Redis state import it at all).
 */
function ioredisChunk(src: string): esbuild.Plugin {
  return {
    name: "ioredis-chunk",
    setup(build) {
      build.onResolve({ filter: /^ioredis$/ }, () => ({ path: "ioredis", namespace: "sy-ioredis" }));
      build.onLoad({ filter: /.*/, namespace: "sy-ioredis" }, async () => {
        const code = Buffer.from(await buildIoredisChunk(src));
        const contents = [
          `import { unpackChunk } from ${JSON.stringify(UNPACK_MODULE)};`,
          `const code = unpackChunk(${packChunk(code)});`,
          'const chunk = await import(`data:text/javascript;base64,${code.toString("base64")}`);',
          "export default chunk.default;",
          `export const { ${IOREDIS_EXPORTS.join(", ")} } = chunk;`,
        ].join("\n");
        return { contents, loader: "js" };
      });
    },
  };
}

/** packages/router/src, resolved through the workspace dependency. */
function routerSourceDir(): string {
  const require = createRequire(import.meta.url);
  return path.join(path.dirname(require.resolve("@switchyard/router/package.json")), "src");
}

/** The virtual entry: imports main, the used adapters and validators, and embeds the release. */
export function routerEntrySource(release: Release, transport: "http1" | "node" | "undici" = "http1"): string {
  const kinds = [...new Set(Object.values(release.config.providers).map((p) => p.kind))].sort();
  const validatorKinds = [...new Set(Object.values(release.config.routes).flatMap((r) => r.validate.map((v) => v.kind)))].sort();
  const lines: string[] = ['import { runMain } from "./main.ts";'];
  // A vertex provider's Claude models (Anthropic's publisher: a name starting `claude-`, isVertexClaude in
  // adapters/vertex/index.ts) bring the anthropic refusals and calls (an asset): only then is claude.ts's adapter bundled.
  const claudeOnVertex = Object.values(release.config.models).some(
    (m) => release.config.providers[m.provider]?.kind === "vertex" && m.name.startsWith("claude-"),
  );
  for (const kind of kinds) {
    const { name, file } = kind === "vertex" && claudeOnVertex ? VERTEX_CLAUDE_ADAPTER : ADAPTERS[kind];
    lines.push(`import { ${name === ADAPTERS[kind].name ? name : `${name} as ${ADAPTERS[kind].name}`} } from "./${file}";`);
  }
  for (const kind of validatorKinds) lines.push(`import { ${VALIDATORS[kind].name} } from "./${VALIDATORS[kind].file}";`);
  if (transport === "undici") lines.push('import { undiciTransport } from "./adapters/transport/undici.ts";');
  if (transport === "node") lines.push('import { nodeHttpTransport } from "./adapters/transport/node-http.ts";');
  // The OpenTelemetry SDK is bundled only for releases that export spans.
  const otlp = release.config.telemetry?.otlp !== undefined;
  if (otlp) lines.push('import { otlpSink } from "./telemetry/otlp-sink.ts";');
  // The Redis state stores and their client only for releases that declare them.
  const redis = release.config.state?.kind === "redis";
  if (redis) lines.push('import { redisState } from "./state/redis/start.ts";');
  lines.push(`const release = JSON.parse(${JSON.stringify(serialiseRelease(release))});`);
  lines.push(`const adapters = { ${kinds.map((k) => `${JSON.stringify(k)}: ${ADAPTERS[k].name}`).join(", ")} };`);
  lines.push(`const validators = { ${validatorKinds.map((k) => `${JSON.stringify(k)}: ${VALIDATORS[k].name}`).join(", ")} };`);
  // http1 is startRouter's own default: nothing to pass.
  const chosen = transport === "undici" ? ", transport: undiciTransport()" : transport === "node" ? ", transport: nodeHttpTransport()" : "";
  lines.push(`await runMain({ release, adapters, validators${chosen}${otlp ? ", telemetry: { otlp: otlpSink }" : ""}${redis ? ", redis: redisState" : ""} });`);
  return `${lines.join("\n")}\n`;
}

/**
 * Bundle the router for a release into one ESM file that runs with plain `node router.mjs [--port N] [--host H]` and no
 * node_modules, and its assets, written beside it (the parts a release may not use: see LazyChunk's `placement`).
 * router.mjs plus its assets is what a deployment ships. Deterministic: the same release gives the same bytes. Never
 * includes the compiler, TypeScript, ts-morph or esbuild.
 *
 * @example await bundleRouter({ release, outFile: "dist/prod/router.mjs" }) // → { bytes: 61234, assets: [{ file: "switchyard-dashboard.3f9a1c2b.mjs", … }, …] }
 */
export async function bundleRouter(options: BundleRouterOptions): Promise<BundledRouter> {
  const src = routerSourceDir();
  const assets: RouterAsset[] = [];
  const result = await esbuild.build({
    stdin: { contents: routerEntrySource(options.release, options.transport ?? "http1"), resolveDir: src, sourcefile: "router-entry.ts", loader: "ts" },
    // With Redis state the admin handler comes with the Redis support (state/redis/start.ts: it follows other replicas'
    // activations from the start, and the Redis release store verifies releases as uploads do): no second copy in a chunk.
    plugins: [
      unpackModule(),
      lazyChunk(src, DASHBOARD_CHUNK, assets),
      lazyChunk(src, CANARY_CHUNK, assets),
      lazyChunk(src, RESPONSES_CHUNK, assets),
      lazyChunk(src, MESSAGES_CHUNK, assets),
      lazyChunk(src, PROMPTS_CHUNK, assets),
      lazyChunk(src, SINKS_CHUNK, assets),
      lazyChunk(src, EMBEDDINGS_CHUNK, assets),
      lazyChunk(src, REDIS_SCRIPTS_CHUNK, assets),
      lazyChunk(src, ENTRA_CHUNK, assets),
      lazyChunk(src, BEDROCK_CHUNK, assets),
      lazyChunk(src, VERTEX_AUTH_CHUNK, assets),
      lazyChunk(src, ANTHROPIC_CHUNK, assets),
      lazyChunk(src, VERTEX_CLAUDE_CHUNK, assets),
      lazyChunk(src, GEMINI_CHUNK, assets),
      lazyChunk(src, MOCK_CHUNK, assets),
      lazyChunk(src, ROUTING_CHUNK, assets),
      lazyChunk(src, FAST_PATH_CHUNK, assets),
      lazyChunk(src, CACHE_CHUNK, assets),
      options.release.config.state?.kind === "redis" ? carriedChunk(ADMIN_CHUNK) : lazyChunk(src, ADMIN_CHUNK, assets),
      ioredisChunk(src),
    ],
    // The OpenTelemetry packages ship ES modules beside CommonJS; their ESM builds tree-shake
    // (the OTLP sink adds ~50 KB instead of ~300 KB: semantic-conventions, sdk-metrics and the
    // protobuf serializers drop out). Only for releases with OTLP, so other bundles stay as they were.
    ...(options.release.config.telemetry?.otlp !== undefined ? { mainFields: ["module", "main"] } : {}),
    ...BUILD_OPTIONS,
    banner: { js: routerBundleBanner(options.release) },
  });
  const file = result.outputFiles[0];
  if (file === undefined) throw new Error("esbuild produced no output");
  let code = file.text;
  // undici and the OpenTelemetry SDK are CommonJS and `require` node built-ins; an ESM bundle needs a `require` for them.
  code = code.replace(/\n/, `\nimport { createRequire as __syCreateRequire } from "node:module"; const require = __syCreateRequire(import.meta.url);\n`);
  await mkdir(path.dirname(options.outFile), { recursive: true });
  await writeFile(options.outFile, code);
  assets.sort((a, b) => (a.file < b.file ? -1 : 1));
  for (const asset of assets) await writeFile(path.join(path.dirname(options.outFile), asset.file), asset.code);
  return { bytes: Buffer.byteLength(code), assets };
}

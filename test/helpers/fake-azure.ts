/**
 * @module A fault-injecting Azure OpenAI resource and a Microsoft Entra ID token endpoint for tests, following the
 * documented wire formats (learn.microsoft.com/azure/ai-services/openai/reference):
 * - `POST /openai/deployments/{deployment}/chat/completions?api-version=…` and `/embeddings` (the deployment in the
 *   path; a missing api-version is 404 "Resource not found", an unknown deployment 404 `DeploymentNotFound`);
 * - `POST /openai/v1/chat/completions` and `/openai/v1/embeddings` (the deployment is the body's `model`);
 * - `api-key: <key>` or `Authorization: Bearer <token the fake Entra issued>`, else 401 in Azure's shape;
 * - answers name the underlying model (not the deployment), carry `prompt_filter_results` and per-choice
 *   `content_filter_results`; a stream opens with Azure's `choices: []` prompt-filter chunk;
 * - errors as Azure sends them: `{ error: { code, message, … } }`, 429 with `retry-after` and `retry-after-ms`, the
 *   content filter's 400 `content_filter` with `innererror`.
 */
import type { IncomingHttpHeaders, ServerResponse } from "node:http";
import { answerEmbeddings } from "./fake-embeddings.ts";
import { listen, readJson } from "./http-server.ts";

/** What the fake Azure resource does with one request. */
export type AzureBehaviour =
  | { kind: "ok"; text?: string; usage?: Record<string, unknown> }
  /** An Azure error: 429 (with retry-after), 500, 503… or a 400 with `code` (e.g. `context_length_exceeded`). */
  | { kind: "status"; status: number; retryAfter?: string; message?: string; code?: string; type?: string; param?: string }
  /** The prompt tripped the content filter: 400 `content_filter` with Azure's innererror. */
  | { kind: "prompt-filtered" }
  /** The completion was filtered: `finish_reason: "content_filter"` after the first words. */
  | { kind: "completion-filtered" }
  | { kind: "hang" }
  | { kind: "reset-mid-body" }
  | { kind: "garbage" }
  | { kind: "cut-before-first-chunk" }
  | { kind: "cut-mid-stream"; afterChunks: number };

export interface AzureRequest {
  method: string;
  /** Path and query as received. */
  url: string;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
}

export interface FakeAzure {
  /** The resource endpoint (`http://127.0.0.1:port`), what a provider's `baseUrl` is set to. */
  endpoint: string;
  requests: AzureRequest[];
  /** Responses the router abandoned before they finished. */
  abandoned(): number;
  setScript(script: (index: number) => AzureBehaviour): void;
  close(): Promise<void>;
}

export interface FakeAzureOptions {
  /** Deployment name → the model it serves (what answers name). */
  deployments: Record<string, string>;
  /** The `api-key` the resource accepts. */
  apiKey?: string;
  /** Tokens from this Entra (or managed identity) endpoint are accepted as `Authorization: Bearer`. */
  entra?: Pick<FakeEntra, "issued">;
}

const TEXT = "Hello from Azure";
const SAFE = { filtered: false, severity: "safe" };
const CONTENT_FILTER_RESULTS = { hate: SAFE, self_harm: SAFE, sexual: SAFE, violence: SAFE };
const PROMPT_FILTER_RESULTS = [{ prompt_index: 0, content_filter_results: CONTENT_FILTER_RESULTS }];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function azureError(res: ServerResponse, status: number, error: Record<string, unknown>, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify({ error }));
}

/** Start a fake Azure OpenAI resource on 127.0.0.1. */
export async function startFakeAzure(options: FakeAzureOptions, script: (index: number) => AzureBehaviour = () => ({ kind: "ok" })): Promise<FakeAzure> {
  let current = script;
  let abandoned = 0;
  const requests: AzureRequest[] = [];
  const server = await listen(async (req, res) => {
    res.on("close", () => {
      if (!res.writableFinished) abandoned++;
    });
    const body = await readJson(req);
    const index = requests.length;
    requests.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body });
    const url = new URL(req.url ?? "/", "http://fake");
    const deploymentPath = /^\/openai\/deployments\/([^/]+)\/(chat\/completions|embeddings)$/.exec(url.pathname);
    const v1Path = /^\/openai\/v1\/(chat\/completions|embeddings)$/.exec(url.pathname);
    if (req.method !== "POST" || (deploymentPath === null && v1Path === null)) return azureError(res, 404, { code: "404", message: "Resource not found" });
    if (deploymentPath !== null && url.searchParams.get("api-version") === null) return azureError(res, 404, { code: "404", message: "Resource not found" });
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
    const authorised =
      (options.apiKey !== undefined && req.headers["api-key"] === options.apiKey) || (bearer !== undefined && options.entra?.issued.has(bearer) === true);
    if (!authorised)
      return azureError(res, 401, {
        code: "401",
        message:
          "Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.",
      });
    const deployment = deploymentPath !== null ? decodeURIComponent(deploymentPath[1] ?? "") : String(body["model"]);
    const operation = (deploymentPath ?? v1Path)?.[deploymentPath !== null ? 2 : 1];
    const model = options.deployments[deployment];
    if (model === undefined)
      return azureError(res, 404, {
        code: "DeploymentNotFound",
        message:
          "The API deployment for this resource does not exist. If you created the deployment within the last 5 minutes, please wait a moment and try again.",
      });
    const b = current(index);
    const stream = body["stream"] === true;
    switch (b.kind) {
      case "status":
        return azureError(
          res,
          b.status,
          b.code !== undefined || b.type !== undefined
            ? { message: b.message ?? `fake ${b.status}`, type: b.type ?? "invalid_request_error", param: b.param ?? null, code: b.code ?? null }
            : {
                code: String(b.status),
                message:
                  b.message ??
                  (b.status === 429
                    ? `Requests to the ChatCompletions_Create Operation under Azure OpenAI API version ${url.searchParams.get("api-version") ?? "v1"} have exceeded token rate limit of your current AIServices S0 pricing tier. Please retry after ${b.retryAfter ?? "1"} seconds.`
                    : "The server had an error while processing your request. Sorry about that!"),
              },
          b.retryAfter !== undefined ? { "retry-after": b.retryAfter, "retry-after-ms": String(Number(b.retryAfter) * 1000) } : {},
        );
      case "prompt-filtered":
        return azureError(res, 400, {
          message:
            "The response was filtered due to the prompt triggering Azure OpenAI's content management policy. Please modify your prompt and retry. To learn more about our content filtering policies please read our documentation: https://go.microsoft.com/fwlink/?linkid=2198766",
          type: null,
          param: "prompt",
          code: "content_filter",
          status: 400,
          innererror: {
            code: "ResponsibleAIPolicyViolation",
            content_filter_result: { ...CONTENT_FILTER_RESULTS, violence: { filtered: true, severity: "high" } },
          },
        });
      case "hang":
        return;
      case "garbage":
        res.writeHead(200, { "content-type": stream ? "text/event-stream" : "application/json" });
        res.end(stream ? "data: {not json\n\n" : "{ this is not json");
        return;
      case "reset-mid-body":
        res.writeHead(200, { "content-type": "application/json", "content-length": "500" });
        res.write('{"id":"x","choices":[');
        setTimeout(() => res.socket?.destroy(), 10);
        return;
      case "cut-before-first-chunk":
        res.writeHead(200, { "content-type": "text/event-stream" });
        res.flushHeaders();
        setTimeout(() => res.socket?.destroy(), 10);
        return;
      case "ok":
      case "completion-filtered":
      case "cut-mid-stream":
        break;
    }
    if (operation === "embeddings") return answerEmbeddings(res, { ...body, model });
    await answerChat(res, body, model, index, b);
  });

  async function answerChat(res: ServerResponse, body: Record<string, unknown>, model: string, index: number, b: AzureBehaviour): Promise<void> {
    const id = `chatcmpl-azure-${index}`;
    const filtered = b.kind === "completion-filtered";
    const text = filtered ? "I will describe" : ((b.kind === "ok" ? b.text : undefined) ?? TEXT);
    const tools = body["tools"] as Array<{ function: { name: string } }> | undefined;
    const choice = body["tool_choice"] as string | { function: { name: string } } | undefined;
    const tool =
      tools !== undefined && tools.length > 0 && choice !== "none" ? (typeof choice === "object" ? choice.function.name : tools[0]?.function.name) : undefined;
    const usage = {
      prompt_tokens: 11,
      completion_tokens: 4,
      total_tokens: 15,
      prompt_tokens_details: { cached_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 0 },
      ...(b.kind === "ok" ? b.usage : {}),
    };
    const finish = filtered ? "content_filter" : tool !== undefined ? "tool_calls" : "stop";
    const call = { id: "call_azure_1", type: "function", function: { name: tool ?? "", arguments: '{"city":"Paris"}' } };
    if (body["stream"] !== true) {
      res.writeHead(200, { "content-type": "application/json", "apim-request-id": `req-${index}` });
      res.end(
        JSON.stringify({
          id,
          object: "chat.completion",
          created: 1_700_000_000,
          model,
          system_fingerprint: "fp_azure",
          prompt_filter_results: PROMPT_FILTER_RESULTS,
          choices: [
            {
              index: 0,
              message: tool !== undefined ? { role: "assistant", content: null, tool_calls: [call] } : { role: "assistant", content: text },
              finish_reason: finish,
              logprobs: null,
              content_filter_results: filtered ? { ...CONTENT_FILTER_RESULTS, violence: { filtered: true, severity: "medium" } } : CONTENT_FILTER_RESULTS,
            },
          ],
          usage,
        }),
      );
      return;
    }
    res.writeHead(200, { "content-type": "text/event-stream" });
    const includeUsage = (body["stream_options"] as { include_usage?: boolean } | undefined)?.include_usage === true;
    const chunk = (delta: Record<string, unknown>, finishReason: string | null = null, extra: Record<string, unknown> = {}) =>
      `data: ${JSON.stringify({ id, object: "chat.completion.chunk", created: 1_700_000_000, model, system_fingerprint: "fp_azure", choices: [{ index: 0, delta, finish_reason: finishReason, logprobs: null, ...extra }], ...(includeUsage ? { usage: null } : {}) })}\n\n`;
    const parts = [
      // Azure's first event: the prompt's filter verdict, no choices, empty id and model.
      `data: ${JSON.stringify({ choices: [], created: 0, id: "", model: "", object: "", prompt_filter_results: PROMPT_FILTER_RESULTS })}\n\n`,
      chunk({ role: "assistant", content: "", refusal: null }),
    ];
    if (tool !== undefined) {
      parts.push(chunk({ tool_calls: [{ index: 0, id: call.id, type: "function", function: { name: tool, arguments: "" } }] }));
      for (const piece of ['{"city"', ':"Paris"}']) parts.push(chunk({ tool_calls: [{ index: 0, function: { arguments: piece } }] }));
    } else {
      for (const word of text.match(/\S+\s*/g) ?? []) parts.push(chunk({ content: word }, null, { content_filter_results: CONTENT_FILTER_RESULTS }));
    }
    parts.push(chunk({}, finish, filtered ? { content_filter_results: { violence: { filtered: true, severity: "medium" } } } : {}));
    if (includeUsage) parts.push(`data: ${JSON.stringify({ id, object: "chat.completion.chunk", created: 1_700_000_000, model, choices: [], usage })}\n\n`);
    parts.push("data: [DONE]\n\n");
    for (const [i, part] of parts.entries()) {
      if (b.kind === "cut-mid-stream" && i === b.afterChunks) {
        setTimeout(() => res.socket?.destroy(), 30);
        return;
      }
      res.write(part);
      await sleep(1);
    }
    res.end();
  }

  return {
    endpoint: server.url,
    requests,
    abandoned: () => abandoned,
    setScript(script) {
      current = script;
    },
    close: server.close,
  };
}

/** What the fake Entra endpoint does with one token request. */
export type EntraBehaviour = { kind: "ok"; expiresIn?: number } | { kind: "status"; status: number } | { kind: "hang" };

export interface EntraRequest {
  url: string;
  form: URLSearchParams;
}

export interface FakeEntra {
  /** What AZURE_AUTHORITY_HOST is set to. */
  authorityHost: string;
  requests: EntraRequest[];
  /** Every access token issued (the fake Azure resource accepts these). */
  issued: Set<string>;
  setScript(script: (index: number) => EntraBehaviour): void;
  close(): Promise<void>;
}

export interface FakeEntraOptions {
  tenantId: string;
  clientId: string;
  /** The client secret accepted, if any. */
  clientSecret?: string;
  /** The federated token (client assertion) accepted, if any. */
  federatedToken?: string;
}

/**
 * Start a fake Microsoft Entra ID token endpoint: `POST /{tenant}/oauth2/v2.0/token` with the client-credentials grant
 * (client_secret, or client_assertion with the jwt-bearer assertion type) for the Cognitive Services scope. Answers
 * `{ token_type, expires_in, ext_expires_in, access_token }`; a wrong secret is 401 `invalid_client` AADSTS7000215.
 */
export async function startFakeEntra(options: FakeEntraOptions, script: (index: number) => EntraBehaviour = () => ({ kind: "ok" })): Promise<FakeEntra> {
  let current = script;
  const requests: EntraRequest[] = [];
  const issued = new Set<string>();
  const refuse = (res: ServerResponse, status: number, error: string, description: string) => {
    res.writeHead(status, { "content-type": "application/json; charset=utf-8" });
    res.end(
      JSON.stringify({
        error,
        error_description: `${description}\r\nTrace ID: 0000\r\nCorrelation ID: 1111\r\nTimestamp: 2026-01-01 00:00:00Z`,
        error_codes: [0],
      }),
    );
  };
  const server = await listen(async (req, res) => {
    const parts: Buffer[] = [];
    for await (const p of req) parts.push(p as Buffer);
    const form = new URLSearchParams(Buffer.concat(parts).toString("utf8"));
    const index = requests.length;
    requests.push({ url: req.url ?? "", form });
    if (req.method !== "POST" || req.url !== `/${options.tenantId}/oauth2/v2.0/token`)
      return refuse(res, 400, "invalid_request", "AADSTS900023: Specified tenant identifier is neither a valid DNS name, nor a valid external domain.");
    if (req.headers["content-type"] !== "application/x-www-form-urlencoded")
      return refuse(res, 400, "invalid_request", "AADSTS900144: The request body must contain the following parameter: 'grant_type'.");
    if (form.get("grant_type") !== "client_credentials" || form.get("scope") !== "https://cognitiveservices.azure.com/.default")
      return refuse(res, 400, "invalid_scope", "AADSTS70011: The provided request must include a 'scope' input parameter.");
    if (form.get("client_id") !== options.clientId)
      return refuse(res, 400, "unauthorized_client", "AADSTS700016: Application with identifier was not found in the directory.");
    const secretOk = options.clientSecret !== undefined && form.get("client_secret") === options.clientSecret;
    const assertionOk =
      options.federatedToken !== undefined &&
      form.get("client_assertion_type") === "urn:ietf:params:oauth:client-assertion-type:jwt-bearer" &&
      form.get("client_assertion") === options.federatedToken;
    if (!secretOk && !assertionOk) return refuse(res, 401, "invalid_client", "AADSTS7000215: Invalid client secret provided.");
    const b = current(index);
    if (b.kind === "hang") return;
    if (b.kind === "status") return refuse(res, b.status, "temporarily_unavailable", "AADSTS50000: There was an error issuing a token.");
    const token = `entra-token-${index}`;
    issued.add(token);
    res.writeHead(200, { "content-type": "application/json; charset=utf-8" });
    res.end(JSON.stringify({ token_type: "Bearer", expires_in: b.expiresIn ?? 3599, ext_expires_in: b.expiresIn ?? 3599, access_token: token }));
  });
  return {
    authorityHost: server.url,
    requests,
    issued,
    setScript(script) {
      current = script;
    },
    close: server.close,
  };
}

export interface ManagedIdentityRequest {
  path: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
}

export interface FakeManagedIdentity {
  /** What AZURE_POD_IDENTITY_AUTHORITY_HOST is set to (IMDS), or IDENTITY_ENDPOINT (App Service). */
  endpoint: string;
  requests: ManagedIdentityRequest[];
  /** Every access token issued (the fake Azure resource accepts these). */
  issued: Set<string>;
  close(): Promise<void>;
}

/**
 * Start a fake managed identity endpoint as Azure serves it: the instance metadata service's
 * `GET /metadata/identity/oauth2/token?api-version=2018-02-01&resource=…` with `Metadata: true` (answer: `expires_in`
 * and `expires_on` as text), or App Service's `GET {IDENTITY_ENDPOINT}?api-version=2019-08-01&resource=…` with
 * `X-IDENTITY-HEADER` (answer: `expires_on`). A request without its header, or for another resource or api-version,
 * is refused with 400 as Azure does; `clientId`, when set, must be asked for.
 */
export async function startFakeManagedIdentity(options: {
  via: "imds" | "app-service";
  header?: string;
  clientId?: string;
  resource?: string;
}): Promise<FakeManagedIdentity> {
  const requests: ManagedIdentityRequest[] = [];
  const issued = new Set<string>();
  const path = options.via === "imds" ? "/metadata/identity/oauth2/token" : "/msi/token";
  const server = await listen(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const query = Object.fromEntries(url.searchParams);
    requests.push({ path: url.pathname, query, headers: req.headers });
    const refuse = (error: string, description: string) => {
      res.writeHead(400, { "content-type": "application/json; charset=utf-8" });
      res.end(JSON.stringify({ error, error_description: description }));
    };
    if (req.method !== "GET" || url.pathname !== path) return refuse("invalid_request", "unknown path");
    if (options.via === "imds" ? req.headers["metadata"] !== "true" : req.headers["x-identity-header"] !== options.header)
      return refuse("invalid_request", "Required metadata header not specified");
    if (query["api-version"] !== (options.via === "imds" ? "2018-02-01" : "2019-08-01")) return refuse("invalid_request", "Invalid API version");
    if (query["resource"] !== (options.resource ?? "https://cognitiveservices.azure.com"))
      return refuse("invalid_resource", "AADSTS500011: The resource principal was not found");
    if (query["client_id"] !== options.clientId) return refuse("invalid_request", "Identity not found");
    const token = `mi-token-${requests.length}`;
    issued.add(token);
    const expiresOn = Math.floor(Date.now() / 1000) + 86_399;
    res.writeHead(200, { "content-type": "application/json; charset=utf-8" });
    res.end(
      JSON.stringify(
        options.via === "imds"
          ? {
              access_token: token,
              refresh_token: "",
              expires_in: "86399",
              expires_on: String(expiresOn),
              not_before: String(expiresOn - 86_399),
              resource: query["resource"],
              token_type: "Bearer",
            }
          : { access_token: token, expires_on: expiresOn, resource: query["resource"], token_type: "Bearer", client_id: options.clientId ?? "system" },
      ),
    );
  });
  return { endpoint: options.via === "imds" ? server.url : `${server.url}${path}`, requests, issued, close: server.close };
}

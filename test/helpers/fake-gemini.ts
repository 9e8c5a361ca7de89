/**
 * @module A local server speaking Google's Gemini API for tests: `models/{m}:generateContent`,
 * `:streamGenerateContent?alt=sse` and `:batchEmbedContents`, with `x-goog-api-key`, Google's error shape
 * (`{ error: { code, message, status, details } }`), unknown-field refusals as the real API gives them, function
 * calls, usage metadata, safety blocks and injectable faults. It records every request it receives. As Vertex AI
 * (`startFakeGemini({ vertex })`, test/helpers/fake-vertex.ts) it serves the same bodies at
 * `/v1/projects/{project}/locations/{location}/publishers/google/models/{m}:…` to a bearer token instead of a key.
 */
import type { IncomingHttpHeaders } from "node:http";
import { listen } from "./http-server.ts";

export interface GeminiReceived {
  /** Path and query, e.g. `/v1beta/models/gemini-x:streamGenerateContent?alt=sse`. */
  path: string;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
}

/** What the next answers do instead of answering normally. */
export type GeminiFault =
  | { kind: "error"; status: number; googleStatus: string; message?: string; reason?: string; retryDelay?: string; retryAfter?: string }
  | { kind: "hang" }
  /** A 200 whose body stops half way and the socket is destroyed. */
  | { kind: "reset-mid-body" }
  | { kind: "garbage" }
  /** A stream: one text event (none with `first`), then an error event (as Gemini sends mid-stream). */
  | { kind: "stream-error"; code: number; googleStatus: string; first?: boolean }
  /** A stream that ends after one text event, without a finishReason. */
  | { kind: "stream-cut" }
  /** The prompt blocked: `promptFeedback.blockReason`, no candidates. */
  | { kind: "block-prompt" }
  /** The answer cut by the safety filter: finishReason SAFETY. */
  | { kind: "safety" }
  | { kind: "malformed-call" };

/** The Vertex AI flavour: the project and location its paths name, and the access token it takes. */
export interface FakeVertexOptions {
  project: string;
  location: string;
}

export interface FakeGemini {
  /** Base URL as the adapter expects it (`…/v1beta`; as Vertex AI, the origin). */
  baseUrl: string;
  /** As Vertex AI: the only `Authorization: Bearer` token accepted (the newest issued); others answer 401 UNAUTHENTICATED. */
  accessToken: string | undefined;
  requests: GeminiReceived[];
  /** The fault for the next requests; `faultTimes` of them (undefined: all), then normal answers again. */
  fault: GeminiFault | undefined;
  faultTimes: number | undefined;
  /** The answer's usageMetadata (default: 12 prompt, 5 candidates). */
  usage: Record<string, number> | undefined;
  /** The thoughtSignature of a function call it answers (default GEMINI_SIGNATURE; real ones run to hundreds of characters). */
  signature: string;
  reset(): void;
  close(): Promise<void>;
}

export const GEMINI_TEXT = "Hello from Gemini";
/** A thoughtSignature with the base64 characters an id may not hold (`+`, `/`, `=`). */
export const GEMINI_SIGNATURE = "Y2lyY3Vz+/8=";

/** Fields of a GenerateContentRequest and its GenerationConfig the fake knows (the real API refuses unknown names). */
const REQUEST_FIELDS = new Set(["contents", "systemInstruction", "tools", "toolConfig", "generationConfig", "safetySettings", "cachedContent"]);
const CONFIG_FIELDS = new Set([
  "temperature",
  "topP",
  "topK",
  "maxOutputTokens",
  "stopSequences",
  "presencePenalty",
  "frequencyPenalty",
  "seed",
  "responseMimeType",
  "responseSchema",
  "responseJsonSchema",
  "candidateCount",
  "thinkingConfig",
]);
const PART_FIELDS = new Set(["text", "inlineData", "fileData", "functionCall", "functionResponse", "thought", "thoughtSignature"]);

function googleError(code: number, status: string, message: string, details: unknown[] = []): string {
  return JSON.stringify({ error: { code, message, status, ...(details.length > 0 ? { details } : {}) } });
}

/** Why a GenerateContentRequest is invalid, in the real API's words, or undefined. */
function invalid(body: Record<string, unknown>): string | undefined {
  for (const key of Object.keys(body)) if (!REQUEST_FIELDS.has(key)) return `Invalid JSON payload received. Unknown name "${key}": Cannot find field.`;
  const config = body["generationConfig"];
  if (typeof config === "object" && config !== null) {
    for (const key of Object.keys(config)) {
      if (!CONFIG_FIELDS.has(key)) return `Invalid JSON payload received. Unknown name "${key}" at 'generation_config': Cannot find field.`;
    }
  }
  const contents = body["contents"];
  if (!Array.isArray(contents) || contents.length === 0) return "* GenerateContentRequest.contents: contents is not specified";
  for (const [i, content] of (contents as Array<{ role?: unknown; parts?: unknown }>).entries()) {
    if (content.role !== "user" && content.role !== "model") return `Please use a valid role: user, model. (contents[${i}].role: ${String(content.role)})`;
    if (!Array.isArray(content.parts) || content.parts.length === 0) return `* GenerateContentRequest.contents[${i}].parts: contents.parts must not be empty.`;
    for (const [j, part] of (content.parts as Array<Record<string, unknown>>).entries()) {
      for (const key of Object.keys(part))
        if (!PART_FIELDS.has(key)) return `Invalid JSON payload received. Unknown name "${key}" at 'contents[${i}].parts': Cannot find field.`;
      // thoughtSignature is a bytes field: the API decodes it (standard or web-safe base64) and refuses what does not decode.
      const signature = part["thoughtSignature"];
      if (signature !== undefined && (typeof signature !== "string" || !/^[A-Za-z0-9+/_-]*={0,2}$/.test(signature) || signature.length % 4 === 1))
        return `Invalid value at 'contents[${i}].parts[${j}].thought_signature' (TYPE_BYTES), Base64 decoding failed for "${String(signature)}"`;
    }
  }
  return undefined;
}

/** The function the answer calls: with `toolConfig.functionCallingConfig.mode` ANY, the allowed (or first) declaration. */
function forcedCall(body: Record<string, unknown>): string | undefined {
  const tools = body["tools"] as Array<{ functionDeclarations?: Array<{ name: string }> }> | undefined;
  const config = (body["toolConfig"] as { functionCallingConfig?: { mode?: string; allowedFunctionNames?: string[] } } | undefined)?.functionCallingConfig;
  if (tools === undefined || config?.mode !== "ANY") return undefined;
  return config.allowedFunctionNames?.[0] ?? tools[0]?.functionDeclarations?.[0]?.name;
}

/**
 * Start the fake. A forced tool (mode ANY) is called with `{ city: "Paris" }` and a thoughtSignature; a JSON answer
 * (`responseMimeType: application/json`) is `{"answer":"yes"}`; otherwise GEMINI_TEXT. Streams send the answer in
 * three events, the last with finishReason and usageMetadata.
 */
export async function startFakeGemini(options: { vertex?: FakeVertexOptions } = {}): Promise<FakeGemini> {
  const vertex = options.vertex;
  const prefix = vertex === undefined ? "/v1beta/models/" : `/v1/projects/${vertex.project}/locations/${vertex.location}/publishers/google/models/`;
  const methods = vertex === undefined ? "generateContent|streamGenerateContent|batchEmbedContents" : "generateContent|streamGenerateContent";
  const route = new RegExp(`^${prefix.replaceAll(".", "\\.")}([^/:]+):(${methods})(\\?alt=sse)?$`);
  const state: FakeGemini = {
    baseUrl: "",
    accessToken: undefined,
    requests: [],
    fault: undefined,
    faultTimes: undefined,
    usage: undefined,
    signature: GEMINI_SIGNATURE,
    reset() {
      state.fault = undefined;
      state.faultTimes = undefined;
      state.usage = undefined;
      state.signature = GEMINI_SIGNATURE;
    },
    close: async () => undefined,
  };
  const server = await listen(async (req, res) => {
    const parts: Buffer[] = [];
    for await (const p of req) parts.push(p as Buffer);
    const raw = Buffer.concat(parts).toString("utf8");
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      res.writeHead(400, { "content-type": "application/json" }).end(googleError(400, "INVALID_ARGUMENT", "Invalid JSON payload received."));
      return;
    }
    const path = req.url ?? "";
    state.requests.push({ path, headers: req.headers, body });
    const json = (status: number, text: string, headers: Record<string, string> = {}) =>
      res.writeHead(status, { "content-type": "application/json", ...headers }).end(text);
    const match = route.exec(path);
    if (match === null || (match[2] === "streamGenerateContent") !== (match[3] !== undefined)) {
      json(404, googleError(404, "NOT_FOUND", `Requested entity was not found: ${path}`));
      return;
    }
    const key = req.headers["x-goog-api-key"];
    if (vertex !== undefined) {
      if (key !== undefined || req.headers.authorization !== `Bearer ${state.accessToken ?? "none"}`) {
        json(
          401,
          googleError(
            401,
            "UNAUTHENTICATED",
            "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.",
            [{ "@type": "type.googleapis.com/google.rpc.ErrorInfo", reason: "ACCESS_TOKEN_EXPIRED", domain: "googleapis.com" }],
          ),
        );
        return;
      }
    } else if (typeof key !== "string") {
      json(403, googleError(403, "PERMISSION_DENIED", "Method doesn't allow unregistered callers (callers without established identity)."));
      return;
    }
    if (key === "bad-key") {
      json(
        400,
        googleError(400, "INVALID_ARGUMENT", "API key not valid. Please pass a valid API key.", [
          { "@type": "type.googleapis.com/google.rpc.ErrorInfo", reason: "API_KEY_INVALID", domain: "googleapis.com" },
        ]),
      );
      return;
    }
    const model = decodeURIComponent(match[1] as string);
    const method = match[2] as string;

    const fault = state.fault;
    if (fault !== undefined) {
      if (state.faultTimes !== undefined && --state.faultTimes <= 0) state.fault = undefined;
      if (fault.kind === "error") {
        const details: unknown[] = [];
        if (fault.reason !== undefined) details.push({ "@type": "type.googleapis.com/google.rpc.ErrorInfo", reason: fault.reason });
        if (fault.retryDelay !== undefined) details.push({ "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: fault.retryDelay });
        json(
          fault.status,
          googleError(fault.status, fault.googleStatus, fault.message ?? "failed", details),
          fault.retryAfter !== undefined ? { "retry-after": fault.retryAfter } : {},
        );
        return;
      }
      if (fault.kind === "hang") return; // never answers; the router's timeout must abort
      if (fault.kind === "garbage") {
        json(200, "<html>not json");
        return;
      }
      if (fault.kind === "reset-mid-body") {
        res.writeHead(200, { "content-type": method === "streamGenerateContent" ? "text/event-stream" : "application/json" });
        res.write('{"candidates": [{"content": {"parts": [{"text": "Hel');
        setTimeout(() => res.destroy(), 10);
        return;
      }
    }

    if (method === "batchEmbedContents") {
      const requests = body["requests"] as Array<{ model: string; content: { parts: Array<{ text: string }> }; outputDimensionality?: number }>;
      if (!Array.isArray(requests) || requests.some((r) => r.model !== `models/${model}`)) {
        json(400, googleError(400, "INVALID_ARGUMENT", "* BatchEmbedContentsRequest.requests: model must match the request's model"));
        return;
      }
      const embeddings = requests.map((r) => {
        const text = r.content.parts.map((p) => p.text).join("");
        const values = [text.length, 0.5, -0.25, 1];
        return { values: values.slice(0, r.outputDimensionality ?? values.length) };
      });
      json(200, JSON.stringify({ embeddings }));
      return;
    }

    const problem = invalid(body);
    if (problem !== undefined) {
      json(400, googleError(400, "INVALID_ARGUMENT", problem));
      return;
    }
    const usage = { promptTokenCount: 12, candidatesTokenCount: 5, totalTokenCount: 17, ...state.usage };
    const tool = forcedCall(body);
    const jsonAnswer = (body["generationConfig"] as { responseMimeType?: string } | undefined)?.responseMimeType === "application/json";
    const texts = jsonAnswer ? ['{"answer":', '"yes"', "}"] : ["Hello ", "from ", "Gemini"];
    const head = { modelVersion: `${model}-001`, responseId: "resp-1" };
    const last = (): { finishReason: string; parts: Array<Record<string, unknown>> } => {
      if (fault?.kind === "safety") return { finishReason: "SAFETY", parts: [] };
      if (fault?.kind === "malformed-call") return { finishReason: "MALFORMED_FUNCTION_CALL", parts: [] };
      if (tool !== undefined)
        return { finishReason: "STOP", parts: [{ functionCall: { name: tool, args: { city: "Paris" } }, thoughtSignature: state.signature }] };
      return { finishReason: "STOP", parts: [] };
    };

    if (method === "generateContent") {
      if (fault?.kind === "block-prompt") {
        json(200, JSON.stringify({ promptFeedback: { blockReason: "SAFETY" }, usageMetadata: { promptTokenCount: 12, totalTokenCount: 12 }, ...head }));
        return;
      }
      const end = last();
      const partsOut = tool !== undefined || fault?.kind === "safety" || fault?.kind === "malformed-call" ? end.parts : [{ text: texts.join("") }];
      json(
        200,
        JSON.stringify({
          candidates: [{ content: { role: "model", parts: partsOut }, finishReason: end.finishReason, index: 0 }],
          usageMetadata: usage,
          ...head,
        }),
      );
      return;
    }

    res.writeHead(200, { "content-type": "text/event-stream" });
    const send = (event: Record<string, unknown>) => res.write(`data: ${JSON.stringify({ ...event, ...head })}\r\n\r\n`);
    if (fault?.kind === "block-prompt") {
      send({ promptFeedback: { blockReason: "SAFETY" }, usageMetadata: { promptTokenCount: 12, totalTokenCount: 12 } });
      res.end();
      return;
    }
    const slice = (text: string) => ({ candidates: [{ content: { role: "model", parts: [{ text }] }, index: 0 }], usageMetadata: { promptTokenCount: 12 } });
    if (tool === undefined) {
      if (fault?.kind !== "stream-error" || fault.first !== true) send(slice(texts[0] as string));
      if (fault?.kind === "stream-error") {
        res.end(`data: ${googleError(fault.code, fault.googleStatus, "The model is overloaded. Please try again later.")}\r\n\r\n`);
        return;
      }
      if (fault?.kind === "stream-cut") {
        res.end();
        return;
      }
      send(slice(texts[1] as string));
    }
    const end = last();
    const final = tool === undefined && end.finishReason === "STOP" ? [{ text: texts[2] }] : end.parts;
    send({ candidates: [{ content: { role: "model", parts: final }, finishReason: end.finishReason, index: 0 }], usageMetadata: usage });
    res.end();
  });
  state.baseUrl = vertex === undefined ? `${server.url}/v1beta` : server.url;
  state.close = server.close;
  return state;
}

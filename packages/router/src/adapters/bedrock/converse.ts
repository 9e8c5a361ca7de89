/**
 * @module The AWS Bedrock adapter's calls: the Converse and ConverseStream APIs (`POST /model/{modelId}/converse`,
 * `/converse-stream`), SigV4-signed (aws4fetch) with credentials from the AWS default chain's environment, web
 * identity and container steps (credentials.ts);
 * ConverseStream answers in AWS event-stream framing (eventstream.ts), not SSE. Loaded by the adapter's first call
 * (index.ts): router.mjs carries it as an asset beside it, so only releases using bedrock pay for it, and its classes
 * and helpers from the router's core (UpstreamError…) come in as `BedrockCore`.
 */
import { structuredToolName } from "../anthropic/translate.ts";
import type {
  AdapterCall,
  AdapterInit,
  CompletionResult,
  StreamEvent,
  TransportResponse,
  UpstreamError,
  UpstreamErrorDetail,
  classifyStatus,
  parseRetryAfter,
  toUpstreamError,
  unsendable,
} from "../types.ts";
import { EventStreamDecoder, EventStreamError, type EventStreamMessage } from "./eventstream.ts";
import { awsCredentialProvider } from "./credentials.ts";
import { bedrockBase } from "./endpoints.ts";
import { type AwsCredentials, signRequest } from "./sign.ts";
import { type ConverseResponse, type ConverseStreamEvent, ConverseStreamTranslator, fromConverseResponse, toConverseRequest } from "./translate.ts";

/** What the calls use of the router's core: its error class and helpers (one copy of each, for `instanceof`), and the event size cap. */
export interface BedrockCore {
  UpstreamError: typeof UpstreamError;
  toUpstreamError: typeof toUpstreamError;
  unsendable: typeof unsendable;
  classifyStatus: typeof classifyStatus;
  parseRetryAfter: typeof parseRetryAfter;
  /** Largest event-stream frame read, bytes (the transport's SSE event cap). */
  maxMessageBytes: number;
}

/** The calls of one bedrock provider. */
export interface ConverseClient {
  complete(call: AdapterCall): Promise<CompletionResult>;
  stream(call: AdapterCall): Promise<AsyncIterable<StreamEvent>>;
}

/**
 * The failure class of a Bedrock error type, from the HTTP `x-amzn-errortype` header or an exception event's
 * `:exception-type` (either case): throttling and a model not ready yet are the upstream's rate limit; internal,
 * unavailable, model-stream and model errors are the upstream's fault; a model timeout is a timeout; validation is the
 * request's (passed through); access, missing resources and account quotas are the deployment's (provider_4xx).
 */
export function bedrockErrorClass(type: string, status?: number, classify?: typeof classifyStatus): UpstreamError["errorClass"] {
  switch (type.charAt(0).toLowerCase() + type.slice(1)) {
    case "throttlingException":
    case "modelNotReadyException":
      return "429";
    case "internalServerException":
    case "serviceUnavailableException":
    case "modelStreamErrorException":
    case "modelErrorException":
      return "5xx";
    case "modelTimeoutException":
      return "timeout";
    case "validationException":
      return "4xx";
    case "accessDeniedException":
    case "resourceNotFoundException":
    case "serviceQuotaExceededException":
    case "unrecognizedClientException":
    case "expiredTokenException":
      return "provider_4xx";
    default:
      return status !== undefined && classify !== undefined ? classify(status) : "5xx";
  }
}

/** Bedrock says a prompt outgrew the model's context in words only ("Input is too long for requested model."). */
const CONTEXT_LENGTH_TEXT = /input is too long|too many input tokens|prompt is too long|context (window|length)/i;

/** A Bedrock error body's message (`{"message": "…"}`, or `Message`), one line, else undefined. */
function errorMessage(body: string): string | undefined {
  try {
    const parsed = JSON.parse(body) as { message?: unknown; Message?: unknown };
    const message = typeof parsed === "object" && parsed !== null ? (parsed.message ?? parsed.Message) : undefined;
    return typeof message === "string" ? message.replace(/\s+/g, " ").trim() : undefined;
  } catch {
    return undefined;
  }
}

/** The error type of an HTTP error answer: `x-amzn-errortype` (`ValidationException:http://…`), else the body's `__type` (`…#ValidationException`). */
function errorType(headers: TransportResponse["headers"], body: string): string {
  const header = headers["x-amzn-errortype"];
  const raw = (Array.isArray(header) ? header[0] : header) ?? "";
  if (raw !== "") return raw.split(":")[0] ?? "";
  try {
    const type = (JSON.parse(body) as { __type?: unknown }).__type;
    return typeof type === "string" ? (type.split("#").pop() ?? "") : "";
  } catch {
    return "";
  }
}

/** What a client-caused error passes through: Bedrock's message in OpenAI's terms. */
function errorDetail(message: string, type: string): UpstreamErrorDetail {
  const contextLength = CONTEXT_LENGTH_TEXT.test(message);
  return {
    message: message.slice(0, 500),
    type: "invalid_request_error",
    code: contextLength ? "context_length_exceeded" : type === "" || type === "ValidationException" || type === "validationException" ? null : type,
    contextLength,
  };
}

/** A non-2xx Converse answer as an UpstreamError: classified by its error type, its message quoted (never for 401/403). */
async function bedrockHttpError(response: TransportResponse, provider: string, core: BedrockCore): Promise<UpstreamError> {
  let body = "";
  if (response.status !== 401 && response.status !== 403) {
    try {
      body = await response.text();
    } catch {
      body = "";
    }
  } else response.dump();
  const type = errorType(response.headers, body);
  const message = errorMessage(body);
  const errorClass = bedrockErrorClass(type, response.status, core.classifyStatus);
  const retryAfterMs = core.parseRetryAfter(response.headers["retry-after"]);
  const quoted = message === undefined ? "" : `: ${type === "" ? "" : `(${type}) `}${message}`.slice(0, 202);
  return new core.UpstreamError(errorClass, `${provider} answered ${response.status}${quoted}`, {
    status: response.status,
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    ...(message !== undefined && errorClass === "4xx" ? { detail: errorDetail(message, type) } : {}),
  });
}

/**
 * The Converse calls of a bedrock provider. The provider's `region` is the signing region and picks the endpoint
 * (`baseUrl`, else AWS_ENDPOINT_URL_BEDROCK_RUNTIME, else AWS_ENDPOINT_URL override the endpoint, not the region:
 * endpoints.ts); the model's `name` is the Bedrock model id or inference profile. Credentials come from `init.env` as
 * credentials.ts finds them (static keys, web identity, container endpoint); missing or unobtainable ones, or an
 * endpoint variable refused, fail each call with a provider error naming the variables, logged once while it lasts.
 */
export function createConverseClient(init: AdapterInit, core: BedrockCore): ConverseClient {
  const { UpstreamError, toUpstreamError, unsendable } = core;
  const name = init.providerId;
  const region = init.provider.region ?? "";
  const env = init.env ?? {};
  const endpoint = bedrockBase(init.provider.baseUrl, env, region);
  const credentials = awsCredentialProvider(core, name, env, region, init.transport);
  // A partly set source the chain went past (the SDKs skip it silently): said once, naming the variables.
  if (credentials.notice !== undefined) process.stderr.write(`switchyard router: provider \`${name}\` (bedrock) ${credentials.notice}\n`);
  // The credentials failure last logged: the same one is not logged again until credentials are had again.
  let reported: string | undefined;
  const report = (error: unknown): never => {
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof UpstreamError && error.errorClass === "provider_4xx" && message !== reported) {
      reported = message;
      process.stderr.write(`switchyard router: ${message}\n`);
    }
    throw error;
  };

  /** The credentials to sign with, or the provider error the call fails with (logged once while it lasts). */
  const credentialsFor = async (signal: AbortSignal): Promise<AwsCredentials> => {
    try {
      const found = await credentials.get(signal);
      reported = undefined;
      return found;
    } catch (error) {
      return report(error);
    }
  };

  /** The signed POST of `call`'s request to `/converse` or `/converse-stream`. */
  const send = async (call: AdapterCall, path: "converse" | "converse-stream"): Promise<TransportResponse> => {
    let body: string;
    try {
      body = JSON.stringify(toConverseRequest(call.body, call.model));
    } catch (error) {
      throw unsendable(name, error);
    }
    if ("problem" in endpoint) return report(new UpstreamError("provider_4xx", `provider \`${name}\` (bedrock): ${endpoint.problem}`));
    const found = await credentialsFor(call.signal);
    const url = new URL(`${endpoint.base}/model/${encodeURIComponent(call.model.name)}/${path}`);
    const accept = path === "converse" ? "application/json" : "application/vnd.amazon.eventstream";
    const headers = await signRequest({ url, headers: { ...init.headers, "content-type": "application/json", accept }, body }, found, region);
    const response = await init.transport.post({ url, headers, body, signal: call.signal });
    if (response.status < 200 || response.status >= 300) {
      const error = await bedrockHttpError(response, name, core);
      // Temporary credentials Bedrock no longer takes (expired early, revoked): the next call fetches new ones.
      if (response.status === 403 && /^(ExpiredToken|UnrecognizedClient|InvalidSignature)/i.test(errorType(response.headers, ""))) credentials.invalidate();
      throw error;
    }
    return response;
  };

  const meta = (response: TransportResponse, call: AdapterCall) => {
    const header = response.headers["x-amzn-requestid"];
    const requestId = (Array.isArray(header) ? header[0] : header) ?? call.requestId;
    return { id: `chatcmpl-${requestId}`, model: call.model.name, created: Math.floor(Date.now() / 1000) };
  };

  return {
    async complete(call: AdapterCall): Promise<CompletionResult> {
      try {
        const response = await send(call, "converse");
        let parsed: ConverseResponse;
        try {
          parsed = JSON.parse(await response.text()) as ConverseResponse;
        } catch {
          throw new UpstreamError("invalid_response", `${name}'s response is not valid JSON`);
        }
        if (typeof parsed !== "object" || parsed === null || !Array.isArray(parsed.output?.message?.content)) {
          throw new UpstreamError("invalid_response", `${name}'s response has no \`output.message.content\``);
        }
        const completion = fromConverseResponse(parsed, meta(response, call), structuredToolName(call.body));
        return { text: JSON.stringify(completion), completion, usage: completion.usage };
      } catch (error) {
        throw toUpstreamError(error, call.signal);
      }
    },

    async stream(call: AdapterCall): Promise<AsyncIterable<StreamEvent>> {
      let response: TransportResponse;
      try {
        response = await send(call, "converse-stream");
      } catch (error) {
        throw toUpstreamError(error, call.signal);
      }
      return events(response.body, new ConverseStreamTranslator(meta(response, call), structuredToolName(call.body)), name, call.signal, core);
    },
  };
}

/** The UpstreamError an exception (or error) message of a ConverseStream stands for. */
function streamError(message: EventStreamMessage, provider: string, core: BedrockCore): UpstreamError {
  const headers = message.headers;
  if (headers[":message-type"] === "error") {
    const code = String(headers[":error-code"] ?? "error");
    return new core.UpstreamError(bedrockErrorClass(code), `${provider} reported ${code} mid-stream: ${String(headers[":error-message"] ?? "").slice(0, 200)}`);
  }
  const type = String(headers[":exception-type"] ?? "exception");
  const text = errorMessage(Buffer.from(message.payload).toString("utf8")) ?? "";
  const errorClass = bedrockErrorClass(type);
  return new core.UpstreamError(errorClass, `${provider} reported ${type} mid-stream: ${text.slice(0, 200)}`, {
    ...(errorClass === "4xx" && text !== "" ? { detail: errorDetail(text, type) } : {}),
  });
}

async function* events(
  body: AsyncIterable<Uint8Array>,
  translator: ConverseStreamTranslator,
  name: string,
  signal: AbortSignal,
  core: BedrockCore,
): AsyncGenerator<StreamEvent> {
  const { UpstreamError, toUpstreamError } = core;
  const decoder = new EventStreamDecoder(core.maxMessageBytes);
  const messages: EventStreamMessage[] = [];
  try {
    for await (const bytes of body) {
      decoder.feed(bytes, messages);
      for (const message of messages) {
        if (message.headers[":message-type"] !== "event") throw streamError(message, name, core);
        let event: ConverseStreamEvent;
        try {
          event = JSON.parse(Buffer.from(message.payload).toString("utf8")) as ConverseStreamEvent;
        } catch {
          throw new UpstreamError("invalid_response", `an event from ${name} is not valid JSON`);
        }
        if (typeof event !== "object" || event === null) throw new UpstreamError("invalid_response", `an event from ${name} is not a JSON object`);
        for (const chunk of translator.next(String(message.headers[":event-type"] ?? ""), event)) yield { chunk };
      }
      messages.length = 0;
    }
    decoder.finish();
  } catch (error) {
    // A frame cut short is a dropped stream; a frame that does not check out is a broken upstream.
    if (error instanceof EventStreamError)
      throw new UpstreamError(error.truncated ? "stream_interrupted" : "invalid_response", `${name}'s event stream: ${error.message}`);
    throw toUpstreamError(error, signal);
  }
  if (!translator.stopped) throw new UpstreamError("stream_interrupted", `${name}'s stream ended before messageStop`);
}

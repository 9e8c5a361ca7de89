/**
 * @module A local server speaking AWS Bedrock's Converse and ConverseStream APIs for tests: it checks each request's
 * SigV4 signature with AWS's own signer (@smithy/signature-v4) as Bedrock would (403 otherwise), validates the body as
 * Converse does (400 ValidationException), records what it received, and streams in AWS event-stream frames encoded
 * by AWS's own codec (@smithy/eventstream-codec), split across writes. Errors come in Bedrock's shape:
 * `x-amzn-errortype` and `{"message": …}`.
 */
import type { IncomingHttpHeaders, ServerResponse } from "node:http";
import { Sha256 } from "@aws-crypto/sha256-js";
import { EventStreamCodec } from "@smithy/eventstream-codec";
import { SignatureV4 } from "@smithy/signature-v4";
import { fromUtf8, toUtf8 } from "@smithy/util-utf8";
import { listen } from "./http-server.ts";
import { stopAt } from "./stop-sequences.ts";

export const FAKE_AWS = { accessKeyId: "AKIAFAKEBEDROCK00001", secretAccessKey: "fake/secret+key/for/tests/only/000000000", region: "us-east-1" };

export interface BedrockReceived {
  path: string;
  /** The model id, URL-decoded from the path. */
  modelId: string;
  /** `converse` or `converse-stream`. */
  operation: string;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
  /** The SignedHeaders list of the request's Authorization. */
  signedHeaders: string[];
}

export interface FakeBedrock {
  /** What a provider's `baseUrl` is set to (the endpoint root; the adapter appends `/model/{id}/converse`). */
  baseUrl: string;
  requests: BedrockReceived[];
  /** Credentials the fake accepts (the signature is checked with these); a session token, when set, must be sent. */
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** The next requests answer this Bedrock error instead (e.g. 429 ThrottlingException), with `retryAfter` seconds when set. */
  failWith: { status: number; type: string; message?: string; retryAfter?: string } | undefined;
  /** A stream sends this exception event (`:message-type: exception`) after messageStart (and `afterText` text deltas). */
  streamException: { type: string; message: string; afterText?: number } | undefined;
  /** Stream faults: drop the connection after messageStart, send a frame with a bad CRC, or end without messageStop. */
  streamFault: "drop" | "bad-crc" | "no-stop" | undefined;
  /** Answer 200 with a body that is not Converse JSON. */
  malformed: boolean;
  /** Never answer (for timeouts). */
  hang: boolean;
  /** The usage reported (default inputTokens 12, outputTokens 5). */
  usage: Record<string, number> | undefined;
  /** Answer text (default "Hello from Bedrock"), streamed word by word; cut before the first of the request's stop sequences in it. */
  text: string;
  reset(): void;
  close(): Promise<void>;
}

const codec = new EventStreamCodec(toUtf8, fromUtf8);

function frame(type: string, payload: Record<string, unknown>): Uint8Array {
  return codec.encode({
    headers: {
      ":event-type": { type: "string", value: type },
      ":content-type": { type: "string", value: "application/json" },
      ":message-type": { type: "string", value: "event" },
    },
    // Bedrock pads events with a `p` field of varying length (against length side channels).
    body: fromUtf8(JSON.stringify({ ...payload, p: "abcdefghijklmnopqrstuvwxyz".slice(0, 3 + (type.length % 20)) })),
  });
}

function exceptionFrame(type: string, message: string): Uint8Array {
  return codec.encode({
    headers: {
      ":exception-type": { type: "string", value: type },
      ":content-type": { type: "string", value: "application/json" },
      ":message-type": { type: "string", value: "exception" },
    },
    body: fromUtf8(JSON.stringify({ message })),
  });
}

function awsError(res: ServerResponse, status: number, type: string, message: string, extra: Record<string, string> = {}): void {
  res.writeHead(status, {
    "content-type": "application/json",
    "x-amzn-errortype": `${type}:http://internal.amazon.com/coral/com.amazon.bedrock/`,
    "x-amzn-requestid": "req-err",
    ...extra,
  });
  res.end(JSON.stringify({ message }));
}

/** The SigV4 check Bedrock does: recompute the signature over the signed headers with the same date, compare. */
async function signatureProblem(method: string, path: string, headers: IncomingHttpHeaders, body: string, fake: FakeBedrock): Promise<string | undefined> {
  const auth = headers.authorization;
  const m =
    typeof auth === "string"
      ? /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(auth)
      : null;
  if (m === null) return "Missing Authentication Token";
  const [, accessKeyId, day, region, service, signed = "", signature] = m;
  if (accessKeyId !== fake.credentials.accessKeyId) return "The security token included in the request is invalid.";
  if (service !== "bedrock" || region !== FAKE_AWS.region) return `Credential should be scoped to a valid region / service (got ${region}/${service}).`;
  const date = headers["x-amz-date"];
  if (typeof date !== "string" || !date.startsWith(day ?? "-")) return "X-Amz-Date is missing or does not match the credential scope.";
  const when = Date.UTC(+date.slice(0, 4), +date.slice(4, 6) - 1, +date.slice(6, 8), +date.slice(9, 11), +date.slice(11, 13), +date.slice(13, 15));
  if (Math.abs(Date.now() - when) > 5 * 60_000) return "Signature expired.";
  if (fake.credentials.sessionToken !== undefined && headers["x-amz-security-token"] !== fake.credentials.sessionToken)
    return "The security token included in the request is invalid.";
  const names = signed.split(";");
  if (!names.includes("host") || !names.includes("x-amz-date")) return "SignedHeaders must include host and x-amz-date.";
  const signedValues: Record<string, string> = {};
  for (const name of names) signedValues[name] = String(headers[name] ?? "");
  const signer = new SignatureV4({ credentials: fake.credentials, region: FAKE_AWS.region, service: "bedrock", sha256: Sha256, applyChecksum: false });
  const [pathname = "", search = ""] = path.split("?");
  const query = Object.fromEntries(new URLSearchParams(search));
  const host = String(headers.host ?? "");
  const redone = await signer.sign(
    { method, protocol: "http:", hostname: host.split(":")[0] ?? "", path: pathname, query, headers: signedValues, body },
    { signingDate: new Date(when), signableHeaders: new Set(names) },
  );
  const expected = /Signature=([0-9a-f]{64})$/.exec(String(redone.headers["authorization"] ?? ""))?.[1];
  return expected === signature ? undefined : "The request signature we calculated does not match the signature you provided.";
}

/** What Converse refuses in a body (a few of its checks), as its message. */
function validationProblem(body: Record<string, unknown>): string | undefined {
  const messages = body["messages"];
  if (!Array.isArray(messages) || messages.length === 0)
    return "A conversation must start with a user message. Try again with a conversation that starts with a user message.";
  let previous = "";
  let toolBlocks = false;
  for (const [i, m] of (messages as Array<{ role?: unknown; content?: unknown }>).entries()) {
    if (m.role !== "user" && m.role !== "assistant") return `messages.${i}.role: must be user or assistant`;
    if (i === 0 && m.role !== "user") return "A conversation must start with a user message. Try again with a conversation that starts with a user message.";
    if (m.role === previous)
      return "A conversation must alternate between user and assistant roles. Make sure the conversation alternates between user and assistant roles and try again.";
    previous = m.role;
    if (!Array.isArray(m.content) || m.content.length === 0) return `messages.${i}.content: must not be empty`;
    for (const block of m.content as Array<Record<string, unknown>>) {
      const keys = Object.keys(block);
      if (keys.length !== 1) return `messages.${i}.content: a content block must have exactly one member, got ${keys.join(", ")}`;
      if (keys[0] === "toolUse" || keys[0] === "toolResult") {
        toolBlocks = true;
        // Converse's own constraint on ToolUseBlock.toolUseId and ToolResultBlock.toolUseId.
        const id = (block[keys[0]] as { toolUseId?: unknown }).toolUseId;
        if (typeof id !== "string" || !/^[a-zA-Z0-9_-]{1,64}$/.test(id))
          return `1 validation error detected: Value at 'messages.${i + 1}.member.content.${keys[0]}.toolUseId' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_-]+ and length at most 64`;
      }
    }
  }
  const toolConfig = body["toolConfig"] as { tools?: unknown } | undefined;
  if (toolBlocks && (toolConfig === undefined || !Array.isArray(toolConfig.tools) || toolConfig.tools.length === 0)) {
    return "The toolConfig field must be defined when using toolUse and toolResult content blocks.";
  }
  const known = new Set([
    "messages",
    "system",
    "inferenceConfig",
    "toolConfig",
    "guardrailConfig",
    "additionalModelRequestFields",
    "additionalModelResponseFieldPaths",
    "promptVariables",
    "requestMetadata",
    "performanceConfig",
  ]);
  const unknown = Object.keys(body).find((k) => !known.has(k));
  if (unknown !== undefined) return `Malformed input request: extraneous key [${unknown}] is not permitted, please reformat your input and try again.`;
  // Converse refuses an empty or malformed JSON Pointer (and ignores a valid one the model's answer does not have).
  const paths = body["additionalModelResponseFieldPaths"];
  if (paths !== undefined && (!Array.isArray(paths) || !paths.every((p) => typeof p === "string" && p.startsWith("/"))))
    return "additionalModelResponseFieldPaths: each path must be a JSON Pointer";
  const max = (body["inferenceConfig"] as { maxTokens?: unknown } | undefined)?.maxTokens;
  if (max !== undefined && (typeof max !== "number" || max < 1)) return "inferenceConfig.maxTokens: must be at least 1";
  const text = JSON.stringify(messages);
  if (text.includes("TOO_LONG")) return "Input is too long for requested model.";
  return undefined;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Start the fake (credentials FAKE_AWS, region us-east-1). A forced tool choice (`any` or `tool`) answers a toolUse of the first (or named) tool with `{"city":"Paris"}`. */
export async function startFakeBedrock(): Promise<FakeBedrock> {
  const fake: FakeBedrock = {
    baseUrl: "",
    requests: [],
    credentials: { accessKeyId: FAKE_AWS.accessKeyId, secretAccessKey: FAKE_AWS.secretAccessKey },
    failWith: undefined,
    streamException: undefined,
    streamFault: undefined,
    malformed: false,
    hang: false,
    usage: undefined,
    text: "Hello from Bedrock",
    reset() {
      fake.requests.length = 0;
      fake.failWith = undefined;
      fake.streamException = undefined;
      fake.streamFault = undefined;
      fake.malformed = false;
      fake.hang = false;
      fake.usage = undefined;
      fake.text = "Hello from Bedrock";
      fake.credentials = { accessKeyId: FAKE_AWS.accessKeyId, secretAccessKey: FAKE_AWS.secretAccessKey };
    },
    close: async () => undefined,
  };
  const server = await listen(async (req, res) => {
    const parts: Buffer[] = [];
    for await (const p of req) parts.push(p as Buffer);
    const raw = Buffer.concat(parts).toString("utf8");
    const path = req.url ?? "";
    const route = /^\/model\/([^/]+)\/(converse|converse-stream)$/.exec(path);
    if (req.method !== "POST" || route === null) return awsError(res, 404, "UnknownOperationException", `no operation at ${req.method} ${path}`);
    const problem = await signatureProblem(req.method, path, req.headers, raw, fake);
    if (problem !== undefined)
      return awsError(res, 403, problem.startsWith("The request signature") ? "InvalidSignatureException" : "UnrecognizedClientException", problem);
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      return awsError(res, 400, "SerializationException", "Unexpected end of JSON input");
    }
    const operation = route[2] ?? "";
    fake.requests.push({
      path,
      modelId: decodeURIComponent(route[1] ?? ""),
      operation,
      headers: req.headers,
      body,
      signedHeaders: (/SignedHeaders=([^,]+)/.exec(String(req.headers.authorization))?.[1] ?? "").split(";"),
    });
    if (fake.hang) return; // the socket stays open until the test server closes
    const invalid = validationProblem(body);
    if (invalid !== undefined) return awsError(res, 400, "ValidationException", invalid);
    if (fake.failWith !== undefined) {
      const f = fake.failWith;
      return awsError(
        res,
        f.status,
        f.type,
        f.message ?? "Too many requests, please wait before trying again.",
        f.retryAfter !== undefined ? { "retry-after": f.retryAfter } : {},
      );
    }
    if (fake.malformed) {
      res.writeHead(200, { "content-type": "application/json", "x-amzn-requestid": "req-1" });
      res.end(operation === "converse" ? "{ not json" : "not an event stream at all, just text");
      return;
    }
    const toolConfig = body["toolConfig"] as
      { tools?: Array<{ toolSpec: { name: string } }>; toolChoice?: { any?: unknown; tool?: { name: string } } } | undefined;
    const choice = toolConfig?.toolChoice;
    const tool = choice?.tool?.name ?? (choice?.any !== undefined ? toolConfig?.tools?.[0]?.toolSpec.name : undefined);
    const usage = fake.usage ?? { inputTokens: 12, outputTokens: 5 };
    const totalUsage = { ...usage, totalTokens: Object.entries(usage).reduce((sum, [k, v]) => (k === "totalTokens" ? sum : sum + v), 0) };
    // The text cut before the first stop sequence it holds: Converse says `stop_sequence`, and which one only as an
    // Anthropic model's own answer field (`additionalModelResponseFields.stop_sequence`, null when none matched), and
    // only when the request asked for it by its JSON Pointer.
    const answer = stopAt(fake.text, (body["inferenceConfig"] as { stopSequences?: unknown } | undefined)?.stopSequences);
    const stopReason = tool !== undefined ? "tool_use" : answer.stop !== null ? "stop_sequence" : "end_turn";
    const asked = (body["additionalModelResponseFieldPaths"] as string[] | undefined)?.includes("/stop_sequence") === true;
    const fields =
      asked && route[1]?.includes("anthropic") === true ? { additionalModelResponseFields: { stop_sequence: tool !== undefined ? null : answer.stop } } : {};
    if (operation === "converse") {
      const content =
        tool !== undefined
          ? [{ text: "Let me check." }, { toolUse: { toolUseId: "tooluse_01", name: tool, input: { city: "Paris" } } }]
          : [{ text: answer.text }];
      res.writeHead(200, { "content-type": "application/json", "x-amzn-requestid": "req-1" });
      res.end(JSON.stringify({ output: { message: { role: "assistant", content } }, stopReason, ...fields, usage: totalUsage, metrics: { latencyMs: 42 } }));
      return;
    }
    res.writeHead(200, { "content-type": "application/vnd.amazon.eventstream", "x-amzn-requestid": "req-1" });
    // Each frame goes out in two writes cut mid-frame, so the router's decoder sees frames split across chunks.
    const send = async (bytes: Uint8Array) => {
      const cut = Math.max(1, Math.floor(bytes.length / 3));
      res.write(bytes.subarray(0, cut));
      await sleep(1);
      res.write(bytes.subarray(cut));
    };
    await send(frame("messageStart", { role: "assistant" }));
    if (fake.streamFault === "drop") {
      await sleep(5);
      res.destroy();
      return;
    }
    const words = tool !== undefined ? ["Let ", "me ", "check."] : answer.text.split(/(?<= )/).filter((word) => word !== "");
    const exception = fake.streamException;
    for (const [i, word] of words.entries()) {
      if (exception !== undefined && i === (exception.afterText ?? 0)) break;
      await send(frame("contentBlockDelta", { contentBlockIndex: 0, delta: { text: word } }));
    }
    if (exception !== undefined) {
      await send(exceptionFrame(exception.type, exception.message));
      res.end();
      return;
    }
    if (fake.streamFault === "bad-crc") {
      const bad = Buffer.from(frame("contentBlockDelta", { contentBlockIndex: 0, delta: { text: "!" } }));
      bad.writeUInt8(bad.readUInt8(bad.length - 1) ^ 0xff, bad.length - 1);
      await send(bad);
      res.end();
      return;
    }
    await send(frame("contentBlockStop", { contentBlockIndex: 0 }));
    if (tool !== undefined) {
      await send(frame("contentBlockStart", { contentBlockIndex: 1, start: { toolUse: { toolUseId: "tooluse_01", name: tool } } }));
      for (const part of ['{"city"', ': "Par', 'is"}']) await send(frame("contentBlockDelta", { contentBlockIndex: 1, delta: { toolUse: { input: part } } }));
      await send(frame("contentBlockStop", { contentBlockIndex: 1 }));
    }
    if (fake.streamFault === "no-stop") {
      res.end();
      return;
    }
    await send(frame("messageStop", { stopReason, ...fields }));
    await send(frame("metadata", { usage: totalUsage, metrics: { latencyMs: 42 } }));
    res.end();
  });
  fake.baseUrl = server.url;
  fake.close = server.close;
  return fake;
}

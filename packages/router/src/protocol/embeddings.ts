/**
 * @module OpenAI Embeddings (`POST /v1/embeddings`) on the wire: the request a client sends, its validation (errors name
 * the field in OpenAI's words), and the answer. Pure, without classes (it rides in the embeddings chunk of router.mjs too):
 * a problem is data; the handler (http/embeddings.ts) answers it as a 400, an adapter's `embed` calls the upstream.
 */
import { estimateTextTokens } from "../core/tokens.ts";
import { kind, shown } from "./json.ts";

/** What may be embedded: one text, texts, one token array or token arrays (OpenAI's `input`). */
export type EmbeddingInput = string | string[] | number[] | number[][];

/** How vectors are encoded in the answer: JSON numbers, or base64 of little-endian float32s (openai-node's default). */
export type EncodingFormat = "float" | "base64";

/** A validated embeddings request. `model` names a route. */
export interface EmbeddingsBody {
  model: string;
  input: EmbeddingInput;
  encoding_format?: EncodingFormat;
  /** Shorter vectors, for models that support it (text-embedding-3-*): at most the route's `dimensions`. */
  dimensions?: number;
  user?: string;
}

/** One vector of the answer, at the index of its input. */
export interface Embedding {
  object: "embedding";
  index: number;
  embedding: number[] | string;
}

export interface EmbeddingsUsage {
  prompt_tokens: number;
  total_tokens: number;
}

/** OpenAI's embeddings answer. */
export interface EmbeddingsResponse {
  object: "list";
  data: Embedding[];
  model: string;
  usage: EmbeddingsUsage;
}

/** OpenAI's limit on the inputs of one request. */
export const MAX_EMBEDDING_INPUTS = 2048;

/** What is wrong with a request body: the field (OpenAI's name, e.g. `input[3]`) and why. */
export interface BodyProblem {
  param: string;
  problem: string;
}

/** The largest token id accepted: vocabularies are far smaller, and an id past a 32-bit integer is a client's mistake, not a token. */
export const MAX_TOKEN_ID = 2 ** 31 - 1;

const isTokenId = (t: unknown): t is number => typeof t === "number" && Number.isInteger(t) && t >= 0 && t <= MAX_TOKEN_ID;

const isTokenArray = (value: unknown): value is number[] => Array.isArray(value) && value.length > 0 && value.every(isTokenId);

/** The first entry of a token array that is not a token id, named (`input[2]`, `input[0][5]`). */
function tokenProblem(tokens: unknown[], at: string): BodyProblem | undefined {
  const i = tokens.findIndex((t) => !isTokenId(t));
  if (i < 0) return undefined;
  return {
    param: `${at}[${i}]`,
    problem: `must be a token id, an integer from 0 to ${MAX_TOKEN_ID}, got ${typeof tokens[i] === "number" ? String(tokens[i]) : shown(tokens[i])}`,
  };
}

/** The problem with `input`, if any. */
function inputProblem(input: unknown): BodyProblem | undefined {
  const problem = (param: string, text: string): BodyProblem => ({ param, problem: text });
  if (input === undefined) return problem("input", "is required: a string, an array of strings, or token arrays");
  if (typeof input === "string") return input === "" ? problem("input", "must not be empty") : undefined;
  if (!Array.isArray(input) || input.length === 0)
    return problem("input", `must be a non-empty string, array of strings, array of tokens or array of token arrays, got ${kind(input)}`);
  if (input.length > MAX_EMBEDDING_INPUTS) return problem("input", `holds ${input.length} inputs; at most ${MAX_EMBEDDING_INPUTS} per request`);
  if (isTokenArray(input)) return undefined;
  // One token array (numbers only): name the entry that is not a token id.
  if (input.every((item) => typeof item === "number")) return tokenProblem(input, "input");
  for (let i = 0; i < input.length; i++) {
    const item: unknown = input[i];
    if (Array.isArray(item) && item.length > 0) {
      const wrong = tokenProblem(item, `input[${i}]`);
      if (wrong !== undefined) return wrong;
    } else if (typeof item !== "string" || item === "") return problem(`input[${i}]`, "must be a non-empty string or a non-empty array of tokens");
  }
  if (!(input.every((item) => typeof item === "string") || input.every((item) => Array.isArray(item))))
    return problem("input", "must not mix strings and token arrays");
  return undefined;
}

/**
 * Read a client's embeddings body: the request, or the problem with it (naming the field).
 *
 * @example readEmbeddingsBody({ model: "search", input: ["a", "b"] }) // { model: "search", input: ["a", "b"] }
 * @example readEmbeddingsBody({ model: "search" }) // { param: "input", problem: "is required: …" }
 */
export function readEmbeddingsBody(value: unknown): EmbeddingsBody | BodyProblem {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    return { param: "", problem: `the request body must be a JSON object, got ${kind(value)}` };
  const body = value as Record<string, unknown>;
  const model = body["model"];
  if (model === undefined) return { param: "model", problem: "is required: name the embedding route to use" };
  if (typeof model !== "string" || model === "") return { param: "model", problem: `must be a non-empty string (a route name), got ${kind(model)}` };
  const wrong = inputProblem(body["input"]);
  if (wrong !== undefined) return wrong;
  // Prompts as code render generation requests; an embeddings request sending one would otherwise embed without it, silently.
  if (body["prompt"] !== undefined && body["prompt"] !== null)
    return {
      param: "prompt",
      problem: "is not read by embeddings: routes.ts prompts render chat, Responses and Messages requests; send the text to embed in `input`",
    };
  const format = body["encoding_format"];
  if (format !== undefined && format !== null && format !== "float" && format !== "base64")
    return { param: "encoding_format", problem: 'must be "float" or "base64"' };
  const dimensions = body["dimensions"];
  if (dimensions !== undefined && dimensions !== null && !(typeof dimensions === "number" && Number.isInteger(dimensions) && dimensions >= 1))
    return { param: "dimensions", problem: `must be a positive integer, got ${kind(dimensions)}` };
  const user = body["user"];
  if (user !== undefined && user !== null && typeof user !== "string") return { param: "user", problem: `must be a string, got ${kind(user)}` };
  const out: EmbeddingsBody = { model, input: body["input"] as EmbeddingInput };
  if (format === "float" || format === "base64") out.encoding_format = format;
  if (typeof dimensions === "number") out.dimensions = dimensions;
  if (typeof user === "string") out.user = user;
  return out;
}

/** The inputs one by one (a single string or token array is one input). */
export function inputsOf(input: EmbeddingInput): Array<string | number[]> {
  if (typeof input === "string") return [input];
  if (input.length > 0 && typeof input[0] === "number") return [input as number[]];
  return input as Array<string | number[]>;
}

/** Estimated input tokens of a request (a token array counts its tokens), for limits and budget reservations before the upstream's usage. */
export function estimateEmbeddingTokens(input: EmbeddingInput): number {
  let total = 0;
  for (const item of inputsOf(input)) total += typeof item === "string" ? estimateTextTokens(item) : item.length;
  return total;
}

/** A vector as base64 of little-endian float32s: what OpenAI answers for `encoding_format: "base64"`. */
export function vectorToBase64(vector: readonly number[]): string {
  const bytes = Buffer.alloc(vector.length * 4);
  for (let i = 0; i < vector.length; i++) bytes.writeFloatLE(vector[i] as number, i * 4);
  return bytes.toString("base64");
}

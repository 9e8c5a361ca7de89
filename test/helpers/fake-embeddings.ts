/**
 * @module OpenAI's `POST /v1/embeddings` as the fake OpenAI upstream (fake-openai.ts) answers it, following the documented
 * wire format: `{ object: "list", data: [{ object: "embedding", index, embedding }], model, usage }`, each vector `dimensions`
 * long (the request's, else 8), as JSON floats or, for `encoding_format: "base64"`, base64 of little-endian float32s.
 */
import type { ServerResponse } from "node:http";

/** The fake's vector for a text: deterministic, float32-exact, so a base64 answer decodes to the float one. */
export function fakeVector(model: string, text: string, length: number): number[] {
  let h = 2166136261;
  for (const c of `${model}:${text}`) h = Math.imul(h ^ c.charCodeAt(0), 16777619) >>> 0;
  return Array.from({ length }, (_, i) => Math.fround(((Math.imul(h, i + 1) >>> 0) % 2000) / 1000 - 1));
}

/** Tokens the fake reports for one input: its words, or a token array's length. */
export function fakeTokens(input: unknown): number {
  return typeof input === "string" ? (input.match(/\S+/g) ?? []).length : Array.isArray(input) ? input.length : 0;
}

/** Answer one embeddings request. */
export function answerEmbeddings(res: ServerResponse, body: Record<string, unknown>): void {
  const model = String(body["model"]);
  const input = body["input"];
  const inputs: unknown[] = typeof input === "string" || (Array.isArray(input) && typeof input[0] === "number") ? [input] : Array.isArray(input) ? input : [];
  const length = typeof body["dimensions"] === "number" ? body["dimensions"] : 8;
  const base64 = body["encoding_format"] === "base64";
  const data = inputs.map((item, index) => {
    const vector = fakeVector(model, typeof item === "string" ? item : JSON.stringify(item), length);
    return { object: "embedding", index, embedding: base64 ? Buffer.from(new Float32Array(vector).buffer).toString("base64") : vector };
  });
  const tokens = inputs.reduce<number>((sum, item) => sum + fakeTokens(item), 0);
  res.writeHead(200, { "content-type": "application/json" });
  res.end(JSON.stringify({ object: "list", data, model, usage: { prompt_tokens: tokens, total_tokens: tokens } }));
}

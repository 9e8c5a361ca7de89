/** Classifying upstream HTTP errors: whose fault a status is, and what of the body a client may read. */
import { describe, expect, it } from "vitest";
import { parseUpstreamError } from "./http-error.ts";
import { UpstreamError, classifyStatus } from "./types.ts";

describe("classifyStatus", () => {
  it.each([
    [400, "4xx"],
    [413, "4xx"],
    [422, "4xx"],
    [401, "provider_4xx"],
    [403, "provider_4xx"],
    [404, "provider_4xx"],
    [409, "provider_4xx"],
    [408, "timeout"],
    [429, "429"],
    [500, "5xx"],
    [529, "5xx"],
  ])("%i is %s", (status, errorClass) => {
    expect(classifyStatus(status)).toBe(errorClass);
  });
});

describe("parseUpstreamError", () => {
  it("reads OpenAI's shape, context length included", () => {
    const body = {
      error: {
        message: "This model's maximum context length is 128000 tokens.",
        type: "invalid_request_error",
        code: "context_length_exceeded",
        param: "messages",
      },
    };
    expect(parseUpstreamError(JSON.stringify(body))).toEqual({
      message: "This model's maximum context length is 128000 tokens.",
      type: "invalid_request_error",
      code: "context_length_exceeded",
      param: "messages",
      shape: "openai",
      contextLength: true,
    });
  });

  it("reads Anthropic's shape; `prompt is too long` is a context-length refusal", () => {
    const body = { type: "error", error: { type: "invalid_request_error", message: "prompt is too long: 210000 tokens > 200000 maximum" } };
    expect(parseUpstreamError(JSON.stringify(body))).toMatchObject({ type: "invalid_request_error", code: undefined, shape: "anthropic", contextLength: true });
    const other = { type: "error", error: { type: "invalid_request_error", message: "max_tokens: Field required" } };
    expect(parseUpstreamError(JSON.stringify(other))).toMatchObject({ contextLength: false });
  });

  it("is one line of at most 500 characters, keys masked once in an UpstreamError; nothing from HTML", () => {
    const detail = parseUpstreamError(JSON.stringify({ error: { message: `bad\n key ${["sk", "abc123def456ghi789"].join("-")} ${"x".repeat(900)}` } }));
    expect(detail?.message).toHaveLength(500);
    const error = new UpstreamError("4xx", "p answered 400", { status: 400, ...(detail !== undefined ? { detail } : {}) });
    expect(error.detail?.message.startsWith("bad key sk-[redacted] xxx")).toBe(true);
    expect(parseUpstreamError("<html>502</html>")).toBeUndefined();
    expect(parseUpstreamError('{"nothing":1}')).toBeUndefined();
  });
});

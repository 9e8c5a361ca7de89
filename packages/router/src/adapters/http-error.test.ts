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

describe("parseUpstreamError: an upstream's error in OpenAI's terms", () => {
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
      contextLength: true,
    });
    expect(parseUpstreamError(JSON.stringify({ error: { message: "bad", type: "invalid_request_error", code: "invalid_value" } }))).toMatchObject({
      code: "invalid_value",
      contextLength: false,
    });
  });

  it("maps Anthropic's shape: `prompt is too long` is context_length_exceeded, an Anthropic type other than invalid_request_error is the code", () => {
    const anthropic = (type: string, message: string) => parseUpstreamError(JSON.stringify({ type: "error", error: { type, message } }));
    expect(anthropic("invalid_request_error", "prompt is too long: 210000 tokens > 200000 maximum")).toEqual({
      message: "prompt is too long: 210000 tokens > 200000 maximum",
      type: "invalid_request_error",
      code: "context_length_exceeded",
      contextLength: true,
    });
    expect(anthropic("invalid_request_error", "max_tokens: Field required")).toMatchObject({ type: "invalid_request_error", code: null, contextLength: false });
    expect(anthropic("request_too_large", "too big")).toMatchObject({ type: "invalid_request_error", code: "request_too_large" });
    expect(anthropic("overloaded_error", "Overloaded")).toMatchObject({ type: "server_error", code: "overloaded_error" });
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

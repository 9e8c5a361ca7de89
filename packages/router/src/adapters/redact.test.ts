import { describe, expect, it } from "vitest";
import { upstreamErrorDetail } from "./http-error.ts";
import { redactSecrets } from "./redact.ts";
import { UpstreamError } from "./types.ts";

describe("redactSecrets", () => {
  it.each([
    ["bad key sk-abc123def456ghi789", "bad key sk-[redacted]"],
    ["key sk-ant-api03-AbCdEf_123456-xyz was refused", "key sk-[redacted] was refused"],
    ["sk-proj-ABCDEFGH12345678", "sk-[redacted]"],
    ["Authorization: Bearer eyJhbGciOi.J9xyz.abc", "Authorization: Bearer [redacted]"],
    ["token 3f2a9c0e1b7d4a5f8e6c2b1a0d9f8e7c6b5a4f3e", "token [redacted]"],
    ["blob QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo0NTY3ODkw== end", "blob [redacted] end"],
    ["AKIAIOSFODNN7EXAMPLE and ghp_abcdefghijklmnopqrstuvwxyz0123456789", "[redacted] and [redacted]"],
    ["AIzaSyA1234567890abcdefghijklmnopqrstuv", "[redacted]"],
  ])("masks %j", (input, output) => {
    expect(redactSecrets(input)).toBe(output);
  });

  it.each([
    "the model gpt-4o-mini is overloaded",
    "max_tokens must be at most 4096",
    "a_very_long_identifier_without_any_digits_at_all",
    "task-force risk-assessment",
  ])("leaves %j alone", (text) => {
    expect(redactSecrets(text)).toBe(text);
  });

  it("applies to every UpstreamError message (what clients, logs and traces read)", () => {
    expect(new UpstreamError("5xx", "p reported an error mid-stream: your key sk-live1234567890 is bad").message).toBe(
      "p reported an error mid-stream: your key sk-[redacted] is bad",
    );
  });
});

describe("upstreamErrorDetail", () => {
  it("takes the structured message, type and code of OpenAI- and Anthropic-shaped bodies", () => {
    expect(upstreamErrorDetail('{"error":{"message":"bad  key\\n here","type":"invalid_request_error","code":"x"}}')).toBe(
      "(invalid_request_error, x) bad key here",
    );
    expect(upstreamErrorDetail('{"type":"error","error":{"type":"invalid_request_error","message":"max_tokens: too big"}}')).toBe(
      "(invalid_request_error) max_tokens: too big",
    );
    expect(upstreamErrorDetail('{"error":"plain string"}')).toBe("plain string");
    expect(upstreamErrorDetail(`{"error":{"message":"${"m".repeat(500)}"}}`)).toHaveLength(200);
  });

  it.each([
    "<html><body><h1>502 Bad Gateway</h1></body></html>",
    "upstream exploded sk-abc12345678",
    '{"detail":"no message field"}',
    "[1,2]",
    '"just a string"',
    "",
  ])("echoes nothing of %j", (text) => {
    expect(upstreamErrorDetail(text)).toBe("");
  });
});

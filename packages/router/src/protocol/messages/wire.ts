/**
 * @module Anthropic's Messages API on the wire (the subset the router reads and writes): request blocks, the `message`
 * answer, stream events and the error body. Types only.
 */

export type MessagesStopReason = "end_turn" | "max_tokens" | "stop_sequence" | "tool_use" | "refusal" | "pause_turn";

export type MessagesOutputBlock = { type: "text"; text: string } | { type: "tool_use"; id: string; name: string; input: unknown };

export interface MessagesUsage {
  /** Input tokens neither read from nor written to a prompt cache (Anthropic's meaning). */
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens: number;
  cache_creation_input_tokens: number;
}

/** The answer of `POST /v1/messages`. */
export interface MessagesAnswer {
  id: string;
  type: "message";
  role: "assistant";
  model: string;
  content: MessagesOutputBlock[];
  stop_reason: MessagesStopReason | null;
  stop_sequence: string | null;
  usage: MessagesUsage;
}

/** Anthropic's `error.type` vocabulary. */
export type MessagesErrorType =
  | "invalid_request_error"
  | "authentication_error"
  | "permission_error"
  | "not_found_error"
  | "request_too_large"
  | "rate_limit_error"
  | "api_error"
  | "overloaded_error";

/** `{ "type": "error", "error": { type, message, details } }`; `details.error_code` is the router's code. */
export interface MessagesErrorBody {
  type: "error";
  error: { type: MessagesErrorType; message: string; details: { error_code: string } };
}

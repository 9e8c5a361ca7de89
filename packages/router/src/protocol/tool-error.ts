/**
 * @module TOOL_ERROR marks a tool message whose result is an error (a Messages client's `tool_result` with `is_error:
 * true`). A symbol, not a field: JSON.stringify leaves it out, so an OpenAI-kind upstream (whose tool messages have no
 * such flag, and which refuses fields it does not know) never sees it; the anthropic and bedrock adapters send it as
 * their own flag. `Symbol.for`, so the lazily loaded chunks that carry a copy of this module (the Messages dialect, the
 * Bedrock calls) mark and read the same symbol as the core.
 */
export const TOOL_ERROR: unique symbol = Symbol.for("switchyard.toolError");

/**
 * @module STOP_SEQUENCE marks an answer's choice (a finished completion's, or a stream's chunk carrying the finish reason)
 * that one of the client's stop sequences ended, with the sequence, when the upstream says which: Anthropic's
 * `stop_sequence`, and Bedrock's `additionalModelResponseFields.stop_sequence` (Anthropic models). The Messages dialect
 * answers it as `stop_reason: "stop_sequence"` with that `stop_sequence`. A symbol, not a field: JSON.stringify leaves it
 * out, so a Chat Completions client's answer (`finish_reason: "stop"`) is unchanged. `Symbol.for`, so the lazily loaded
 * chunks that carry a copy of this module (the anthropic and Bedrock calls, the Messages dialect) mark and read the same
 * symbol.
 */
export const STOP_SEQUENCE: unique symbol = Symbol.for("switchyard.stopSequence");

/** Mark `choice` with the sequence an upstream says ended it: its stop reason is `stop_sequence` (Anthropic's and Converse's word). */
export function markStopSequence(
  choice: { [STOP_SEQUENCE]?: string } | undefined,
  reason: string | null | undefined,
  sequence: string | null | undefined,
): void {
  if (choice !== undefined && reason === "stop_sequence" && typeof sequence === "string") choice[STOP_SEQUENCE] = sequence;
}

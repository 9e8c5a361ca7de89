/** @module What of a chat body AWS Bedrock's Converse API cannot honour (checked before any attempt, so it stays in router.mjs's core). */
import { RouterError } from "../../errors.ts";
import type { ChatBody, ChatContentPart, ChatMessage } from "../../protocol/chat.ts";
import { structuredToolName } from "../anthropic/translate.ts";
import { blocksOf, hasToolBlocks, imageOf } from "./content.ts";

/** Numbers a Chat Completions body may set that Converse has no counterpart for, and the value that means "unset". */
const NEUTRAL_NUMBERS: ReadonlyArray<readonly [string, number, string]> = [
  ["n", 1, "it answers one choice per request"],
  ["presence_penalty", 0, "it has no presence penalty"],
  ["frequency_penalty", 0, "it has no frequency penalty"],
  ["top_logprobs", 0, "it returns no log probabilities"],
];

/**
 * What of `body` Bedrock's Converse API cannot honour, as `unsupported_parameter` naming the field: `n` > 1, log
 * probabilities, penalties, `logit_bias`, audio output, content parts other than text and images, images that are not
 * `data:` URLs of PNG, JPEG, GIF or WebP (Converse takes image bytes or S3 locations, never an http URL), empty user or
 * assistant turns, `response_format` beside callable tools (it is a forced tool there), and `tool_choice: "none"` on a
 * conversation holding tool calls (Converse has no "none" and needs the tools declared once tool blocks appear).
 */
export function bedrockRefusal(body: ChatBody, provider: string): RouterError | undefined {
  const refuse = (param: string, why: string): RouterError =>
    new RouterError("unsupported_parameter", `\`${param}\` cannot be honoured by provider \`${provider}\` (AWS Bedrock's Converse API): ${why}`, { param });
  for (const [field, neutral, why] of NEUTRAL_NUMBERS) {
    const value = body[field];
    if (value !== undefined && value !== null && value !== neutral) return refuse(field, why);
  }
  if (body["logprobs"] === true) return refuse("logprobs", "it returns no log probabilities");
  const bias = body["logit_bias"];
  if (typeof bias === "object" && bias !== null && Object.keys(bias).length > 0) return refuse("logit_bias", "it has no logit bias");
  if (body["audio"] !== undefined && body["audio"] !== null) return refuse("audio", "it produces no audio");
  const format = body.response_format?.type;
  if (format !== undefined && format !== "text" && format !== "json_schema" && format !== "json_object")
    return refuse("response_format.type", `it has no \`${format}\` output`);
  if (structuredToolName(body) !== undefined && (body.tools?.length ?? 0) > 0 && body.tool_choice !== "none") {
    return refuse("response_format", "structured output is a forced tool call there, which cannot be combined with `tools` the model may call");
  }
  if (body.tool_choice === "none" && (body.tools?.length ?? 0) > 0 && hasToolBlocks(body.messages)) {
    return refuse("tool_choice", 'it has no "none": a conversation with tool calls must declare its tools, and the model could then call them');
  }
  const last = body.messages.length - 1;
  for (let i = 0; i <= last; i++) {
    const m = body.messages[i] as ChatMessage;
    if (m.role === "user" || m.role === "tool") {
      if (Array.isArray(m.content)) {
        for (let j = 0; j < m.content.length; j++) {
          const part = m.content[j] as ChatContentPart;
          if (part.type === "image_url" && imageOf(part) === undefined) {
            return refuse(`messages[${i}].content[${j}].image_url`, "it takes images as bytes: send a data: URL of a PNG, JPEG, GIF or WebP image");
          }
          if (part.type !== "text" && part.type !== "image_url") return refuse(`messages[${i}].content[${j}].type`, `it takes no \`${part.type}\` content`);
        }
      }
      if (m.role === "user" && blocksOf(m.content).length === 0) {
        return refuse(`messages[${i}].content`, "it refuses an empty user turn, and dropping it would change the conversation");
      }
    } else if (m.role === "assistant" && i < last && blocksOf(m.content).length === 0 && (m.tool_calls?.length ?? 0) === 0) {
      return refuse(`messages[${i}].content`, "it refuses an empty assistant turn, and dropping it would merge the turns around it");
    }
  }
  return undefined;
}

/** @module Derive decide()'s request features from an OpenAI chat-completions body. */
import type { Capability, Route } from "@switchyard/ir";
import { estimateTextTokens, estimateTokens } from "./tokens.ts";

/** What the routing core reads from a chat body (the HTTP layer validates the body first). */
export interface ChatRequestFeatures {
  promptTokens: number;
  maxOutputTokens: number | undefined;
  requires: Capability[];
}

/**
 * Prompt-token estimate (messages + tool definitions), `max_completion_tokens ?? max_tokens`, and the
 * capabilities the body needs: `tools` when tools/functions are declared, `vision` when any message
 * holds an image part, `json` for a `json_object`/`json_schema` response_format. (`stream: true` does not add
 * `streaming`: a model that declares capabilities but omits it would otherwise drop out silently.)
 *
 * @example
 * chatRequestFeatures({ messages: [{ role: "user", content: "hi" }], max_tokens: 100 })
 * // → { promptTokens: 8, maxOutputTokens: 100, requires: [] }
 */
export function chatRequestFeatures(body: unknown): ChatRequestFeatures {
  const b = (typeof body === "object" && body !== null ? body : {}) as Record<string, unknown>;
  let promptTokens = estimateTokens(b["messages"]);
  const requires: Capability[] = [];
  const tools = b["tools"] ?? b["functions"];
  if (Array.isArray(tools) && tools.length > 0) {
    requires.push("tools");
    promptTokens += estimateTextTokens(JSON.stringify(tools));
  }
  if (Array.isArray(b["messages"]) && (b["messages"] as unknown[]).some(hasImage)) requires.push("vision");
  const rf = b["response_format"];
  if (typeof rf === "object" && rf !== null) {
    const t = (rf as { type?: unknown }).type;
    if (t === "json_object" || t === "json_schema") requires.push("json");
  }
  const max = b["max_completion_tokens"] ?? b["max_tokens"];
  const maxOutputTokens = typeof max === "number" && Number.isFinite(max) && max > 0 ? Math.floor(max) : undefined;
  return { promptTokens, maxOutputTokens, requires };
}

function hasImage(m: unknown): boolean {
  if (typeof m !== "object" || m === null) return false;
  const content = (m as { content?: unknown }).content;
  if (!Array.isArray(content)) return false;
  return (content as unknown[]).some(
    (p) => typeof p === "object" && p !== null && ((p as { type?: unknown }).type === "image_url" || (p as { image_url?: unknown }).image_url !== undefined),
  );
}

/**
 * The sticky key for a route's canary: the body's `user` field, or the configured header (lower-cased
 * lookup). Undefined when the route has no canary or the caller sent no key (→ per-request assignment).
 */
export function canaryStickyKey(route: Route, input: { user: unknown; headers: Record<string, string | string[] | undefined> }): string | undefined {
  const canary = route.canary;
  if (canary === undefined) return undefined;
  if (canary.stickyBy === "user") return typeof input.user === "string" && input.user !== "" ? input.user : undefined;
  const v = input.headers[canary.stickyBy.header.toLowerCase()];
  const s = Array.isArray(v) ? v[0] : v;
  return s !== undefined && s !== "" ? s : undefined;
}

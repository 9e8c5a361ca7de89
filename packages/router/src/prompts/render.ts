/**
 * @module Prompts as code on the request path: a request that names a prompt — `prompt: { id, variables }` in its body,
 * or the `x-switchyard-prompt` header — has it rendered into messages before its dialect reads it, so routing,
 * budgets, token estimates, validators and traces see the rendered request whatever API the client spoke (Chat
 * Completions, Responses, Messages). Templates are split once per release (a WeakMap on the config); rendering is
 * string concatenation in one pass, so a value holding `{{x}}` is never expanded again.
 */
import type { IncomingHttpHeaders } from "node:http";
import { type Config, type Prompt, type PromptMessage, promptVersion } from "@switchyard/ir";
import { stickyBucket } from "../core/sticky.ts";
import { kind } from "../protocol/json.ts";
import { PROMPT_HEADER, promptCanaryKey } from "./keys.ts";

/**
 * A request this module refuses: what is wrong and the field (`param`). The chunk's entry (./chunk.ts) turns it into the
 * core's RouterError `invalid_request` (400), so this module holds no class or state of the core's.
 */
export class PromptRefusal extends Error {
  readonly param: string;
  constructor(message: string, param: string) {
    super(message);
    this.param = param;
  }
}

/** Refuse the request with a 400 naming what is wrong (`param`). */
function refuse(message: string, param: string): never {
  throw new PromptRefusal(message, param);
}

/** One message of a template, split at its placeholders: `texts[0] names[0] texts[1] … texts[n]`. */
interface SplitMessage {
  role: PromptMessage["role"];
  texts: string[];
  names: string[];
}

/** One version of a prompt's messages. */
export interface PromptVersion {
  /** 12 hex digits of the SHA-256 of the messages: the same text is the same version in every release. */
  version: string;
  messages: SplitMessage[];
  /** Variables this version uses. */
  uses: ReadonlySet<string>;
}

/** A prompt ready to render: its baseline version and, when canaried, the canary's. */
export interface CompiledPrompt {
  id: string;
  def: Prompt;
  baseline: PromptVersion;
  canary: PromptVersion | undefined;
}

/** What a request's prompt was, for traces and the canary's guard window. */
export interface PromptUse {
  id: string;
  version: string;
  /** Set when the prompt has a canary: the side this request drew. */
  arm?: "canary" | "baseline";
}

const PLACEHOLDER = /\{\{([A-Za-z_][A-Za-z0-9_]*)\}\}/g;

function splitVersion(messages: readonly PromptMessage[]): PromptVersion {
  const uses = new Set<string>();
  const split = messages.map(({ role, content }) => {
    const texts: string[] = [];
    const names: string[] = [];
    let last = 0;
    for (const match of content.matchAll(PLACEHOLDER)) {
      texts.push(content.slice(last, match.index));
      names.push(match[1] as string);
      uses.add(match[1] as string);
      last = match.index + match[0].length;
    }
    texts.push(content.slice(last));
    return { role, texts, names };
  });
  return { version: promptVersion(messages), messages: split, uses };
}

const tables = new WeakMap<Config, Map<string, CompiledPrompt>>();

/** The release's prompts, split once per config. */
export function promptTable(config: Config): Map<string, CompiledPrompt> {
  let table = tables.get(config);
  if (table === undefined) {
    table = new Map();
    for (const [id, def] of Object.entries(config.prompts ?? {}))
      table.set(id, { id, def, baseline: splitVersion(def.messages), canary: def.canary === undefined ? undefined : splitVersion(def.canary.messages) });
    tables.set(config, table);
  }
  return table;
}

/** What a request asked for: the prompt's id and its variables as sent (unchecked). */
interface PromptAsk {
  id: unknown;
  variables: unknown;
  /** Where it came from, for error params: `prompt` (body) or the header. */
  from: string;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function readAsk(body: Record<string, unknown>, headers: IncomingHttpHeaders): PromptAsk | undefined {
  const header = headers[PROMPT_HEADER];
  const inBody = body["prompt"];
  if (header !== undefined && inBody !== undefined && inBody !== null)
    refuse(`send the prompt in the body's \`prompt\` or in the ${PROMPT_HEADER} header, not both`, "prompt");
  if (inBody !== undefined && inBody !== null) {
    if (!isRecord(inBody)) refuse(`\`prompt\` must be an object { id, variables }, got ${kind(inBody)}`, "prompt");
    return { id: inBody["id"], variables: inBody["variables"], from: "prompt" };
  }
  if (header === undefined) return undefined;
  const text = (Array.isArray(header) ? header[0] : header)?.trim() ?? "";
  if (!text.startsWith("{")) return { id: text, variables: undefined, from: PROMPT_HEADER };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    refuse(`the ${PROMPT_HEADER} header is neither a prompt id nor JSON {"id":…,"variables":{…}}`, PROMPT_HEADER);
  }
  if (!isRecord(parsed)) refuse(`the ${PROMPT_HEADER} header must hold a JSON object`, PROMPT_HEADER);
  return { id: parsed["id"], variables: parsed["variables"], from: PROMPT_HEADER };
}

/** `it takes a, b` for error messages (built only when refusing). */
function takes(prompt: CompiledPrompt): string {
  const names = Object.keys(prompt.def.variables);
  return names.length === 0 ? "it takes none" : `it takes ${names.join(", ")}`;
}

/** The variables' values for `version`: every one sent is declared and a string within its limit; every one used is sent or defaulted. */
function resolveVariables(prompt: CompiledPrompt, version: PromptVersion, sent: unknown, from: string): Record<string, string> {
  const declared = prompt.def.variables;
  if (sent !== undefined && sent !== null && !isRecord(sent)) refuse(`${from}.variables must be an object of strings, got ${kind(sent)}`, `${from}.variables`);
  const values: Record<string, string> = {};
  if (sent != null)
    for (const name in sent) {
      if (!Object.hasOwn(sent, name)) continue;
      const value = sent[name];
      const spec = Object.hasOwn(declared, name) ? declared[name] : undefined;
      if (spec === undefined) refuse(`prompt "${prompt.id}" has no variable "${name}" (${takes(prompt)})`, `${from}.variables.${name}`);
      if (typeof value !== "string") refuse(`variable "${name}" of prompt "${prompt.id}" must be a string, got ${kind(value)}`, `${from}.variables.${name}`);
      if (spec.maxLength !== undefined && value.length > spec.maxLength)
        refuse(`variable "${name}" of prompt "${prompt.id}" is ${value.length} characters; at most ${spec.maxLength}`, `${from}.variables.${name}`);
      values[name] = value;
    }
  for (const name of version.uses) {
    if (Object.hasOwn(values, name)) continue;
    const fallback = declared[name]?.default;
    if (fallback === undefined) refuse(`prompt "${prompt.id}" needs variable "${name}" (${takes(prompt)})`, `${from}.variables.${name}`);
    values[name] = fallback;
  }
  return values;
}

/** A version's messages with `values` put in. */
export function renderVersion(version: PromptVersion, values: Readonly<Record<string, string>>): { role: PromptMessage["role"]; content: string }[] {
  return version.messages.map(({ role, texts, names }) => {
    let content = texts[0] as string;
    for (let i = 0; i < names.length; i++) content += (values[names[i] as string] as string) + (texts[i + 1] as string);
    return { role, content };
  });
}

/** The caller's sticky key for a prompt canary, read from the dialect's body (as decide() reads a model canary's). */
function stickyKey(prompt: Prompt, dialect: string, body: Record<string, unknown>, headers: IncomingHttpHeaders): string | undefined {
  const by = prompt.canary?.stickyBy ?? "user";
  let key: unknown;
  if (by === "user") key = dialect === "messages" ? (isRecord(body["metadata"]) ? body["metadata"]["user_id"] : undefined) : body["user"];
  else {
    const v = headers[by.header.toLowerCase()];
    key = Array.isArray(v) ? v[0] : v;
  }
  return typeof key === "string" && key !== "" ? key : undefined;
}

/** Set a sampling field the request left unset (and, for max tokens, its other spelling too). */
function setIfAbsent(out: Record<string, unknown>, field: string, value: number | undefined, alsoAbsent?: string): void {
  if (value !== undefined && out[field] == null && (alsoAbsent === undefined || out[alsoAbsent] == null)) out[field] = value;
}

/** The client's list at `field` after `first`, when it is a list or absent (anything else is left for the dialect to refuse). */
function prepend(out: Record<string, unknown>, field: string, first: unknown[]): void {
  const sent = out[field];
  if (sent == null) out[field] = first;
  else if (Array.isArray(sent)) out[field] = first.concat(sent);
}

/** Where a dialect keeps what a prompt renders, and what its sampling fields are called. */
function splice(dialect: string, body: Record<string, unknown>, messages: { role: string; content: string }[], prompt: Prompt): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key in body) if (key !== "prompt" && Object.hasOwn(body, key)) out[key] = body[key];
  const params = prompt.params;
  if (params !== undefined) {
    setIfAbsent(out, "temperature", params.temperature);
    setIfAbsent(out, "top_p", params.topP);
  }
  if (dialect === "responses") {
    const input = out["input"];
    if (typeof input === "string") out["input"] = [{ role: "user", content: input }];
    prepend(out, "input", messages);
    setIfAbsent(out, "max_output_tokens", params?.maxTokens);
  } else if (dialect === "messages") {
    let system = "";
    const turns: { role: string; content: string }[] = [];
    for (const m of messages) {
      if (m.role !== "system") turns.push(m);
      else system = system === "" ? m.content : `${system}\n\n${m.content}`;
    }
    if (system !== "") {
      const sent = out["system"];
      if (sent == null) out["system"] = system;
      else if (typeof sent === "string") out["system"] = `${system}\n\n${sent}`;
      else if (Array.isArray(sent)) out["system"] = [{ type: "text", text: system }, ...(sent as unknown[])];
    }
    prepend(out, "messages", turns);
    setIfAbsent(out, "max_tokens", params?.maxTokens);
  } else {
    prepend(out, "messages", messages);
    setIfAbsent(out, "max_tokens", params?.maxTokens, "max_completion_tokens");
  }
  return out;
}

/**
 * Render the prompt a request names into its body, in the shape of `dialect` (`chat`, `responses`, `messages`):
 * the rendered messages go first (a Messages request's system text into `system`), the client's own after them;
 * `model` defaults to the prompt's route; the prompt's sampling params fill what the request leaves unset. Returns
 * undefined when the request names no prompt. Throws PromptRefusal (a 400 once the chunk's entry has made it the core's
 * RouterError) naming an unknown prompt, an unknown, missing, non-string or too long variable.
 *
 * @example
 * applyPrompt(config, "chat", { model: "support", prompt: { id: "greet", variables: { name: "Ada" } } }, {}, () => 0)
 * // → { body: { model: "support", messages: [{ role: "user", content: "Hello Ada" }] }, use: { id: "greet", version: "…" } }
 */
export function applyPrompt(
  config: Config,
  dialect: string,
  value: unknown,
  headers: IncomingHttpHeaders,
  canaryPercent: (key: string) => number,
  rng: () => number = Math.random,
): { body: Record<string, unknown>; use: PromptUse } | undefined {
  if (!isRecord(value)) return undefined;
  const ask = readAsk(value, headers);
  if (ask === undefined) return undefined;
  const table = promptTable(config);
  const id = ask.id;
  if (typeof id !== "string" || id === "") refuse(`${ask.from}.id must name a prompt`, `${ask.from}.id`);
  const prompt = table.get(id);
  if (prompt === undefined) {
    const known = [...table.keys()];
    refuse(
      `prompt "${id}" is not declared in this release${known.length === 0 ? " (it declares no prompts)" : ` (it declares ${known.join(", ")})`}`,
      `${ask.from}.id`,
    );
  }
  let version = prompt.baseline;
  let arm: PromptUse["arm"];
  if (prompt.canary !== undefined) {
    arm = "baseline";
    const percent = canaryPercent(promptCanaryKey(id));
    if (percent > 0) {
      const key = stickyKey(prompt.def, dialect, value, headers);
      // Salted like a model canary's bucket (route and canary model), so one caller is not first in every canary.
      const bucket = key === undefined ? rng() * 100 : stickyBucket(key, `${promptCanaryKey(id)}/${prompt.canary.version}`);
      if (bucket < percent) {
        version = prompt.canary;
        arm = "canary";
      }
    }
  }
  const values = resolveVariables(prompt, version, ask.variables, ask.from);
  const body = splice(dialect, value, renderVersion(version, values), prompt.def);
  if (body["model"] == null || body["model"] === "") {
    if (prompt.def.route === undefined) refuse(`\`model\` is required: prompt "${id}" names no route of its own`, "model");
    body["model"] = prompt.def.route;
  }
  return { body, use: arm === undefined ? { id, version: version.version } : { id, version: version.version, arm } };
}

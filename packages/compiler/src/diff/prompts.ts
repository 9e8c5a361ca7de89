/**
 * @module diff/prompts — how a prompt's text change reads in `switchyard diff`: per message, the words that changed in
 * their context (`…for {{product}}. Answer in [-two-]{+three+} sentences…`), and the version the traces will show.
 */
import { promptVersion } from "@switchyard/ir";
import type { ChangeKind } from "./types.ts";

/** One change below a prompt, as diff-configs records it. */
export interface PromptTextChange {
  path: string[];
  kind: ChangeKind;
  old?: unknown;
  new?: unknown;
  phrase: string;
}

interface Message {
  role: string;
  content: string;
}

/** Words kept on each side of a change. */
const CONTEXT_WORDS = 6;
/** Longest text shown for one side of a change. */
const MAX_SHOWN = 160;

function messagesOf(value: unknown): Message[] {
  return Array.isArray(value)
    ? value.flatMap((m: unknown) =>
        typeof m === "object" && m !== null && typeof (m as Message).content === "string"
          ? [{ role: String((m as Message).role), content: (m as Message).content }]
          : [],
      )
    : [];
}

function clip(text: string, from: "start" | "end"): string {
  if (text.length <= MAX_SHOWN) return text;
  return from === "start" ? `${text.slice(0, MAX_SHOWN)}…` : `…${text.slice(-MAX_SHOWN)}`;
}

/** A one-line rendering of what changed between two texts: common words around `[-removed-]{+added+}`. */
export function wordDiff(before: string, after: string): string {
  const a = before.split(/(\s+)/);
  const b = after.split(/(\s+)/);
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let end = 0;
  while (end < a.length - start && end < b.length - start && a[a.length - 1 - end] === b[b.length - 1 - end]) end++;
  const words = (parts: string[]): number => parts.filter((p) => p.trim() !== "").length;
  const keepBefore = a.slice(0, start);
  let lead = keepBefore;
  while (words(lead) > CONTEXT_WORDS) lead = lead.slice(1);
  const keepAfter = a.slice(a.length - end);
  let tail = keepAfter;
  while (words(tail) > CONTEXT_WORDS) tail = tail.slice(0, -1);
  while (lead[0] !== undefined && lead[0].trim() === "") lead = lead.slice(1);
  while (tail.length > 0 && (tail[tail.length - 1] ?? "").trim() === "") tail = tail.slice(0, -1);
  const removed = a.slice(start, a.length - end).join("");
  const added = b.slice(start, b.length - end).join("");
  const oneLine = (s: string): string => s.replace(/\n/g, "⏎");
  return oneLine(
    `${lead.length < keepBefore.length ? "…" : ""}${lead.join("")}${removed === "" ? "" : `[-${clip(removed, "start")}-]`}${added === "" ? "" : `{+${clip(added, "start")}+}`}${tail.join("")}${tail.length < keepAfter.length ? "…" : ""}`,
  );
}

const quoted = (text: string): string => JSON.stringify(clip(text, "start"));

/**
 * The changes between two versions of a prompt's messages (`path` is where they sit: `messages` or `canary.messages`),
 * message by message, then the version they make.
 */
export function promptMessageChanges(path: readonly string[], old: unknown, now: unknown): PromptTextChange[] {
  const before = messagesOf(old);
  const after = messagesOf(now);
  const out: PromptTextChange[] = [];
  const label = path.length > 1 ? "canary message" : "message";
  for (let i = 0; i < Math.max(before.length, after.length); i++) {
    const o = before[i];
    const n = after[i];
    const at = [...path, String(i)];
    if (o === undefined && n !== undefined) out.push({ path: at, kind: "add", new: n, phrase: `${label} ${i + 1} (${n.role}) added: ${quoted(n.content)}` });
    else if (n === undefined && o !== undefined)
      out.push({ path: at, kind: "delete", old: o, phrase: `${label} ${i + 1} (${o.role}) removed (was ${quoted(o.content)})` });
    else if (o !== undefined && n !== undefined && (o.role !== n.role || o.content !== n.content)) {
      const role = o.role === n.role ? o.role : `${o.role} → ${n.role}`;
      out.push({
        path: at,
        kind: "update",
        old: o,
        new: n,
        phrase: `${label} ${i + 1} (${role}): ${o.content === n.content ? "text unchanged" : wordDiff(o.content, n.content)}`,
      });
    }
  }
  if (out.length > 0 && before.length > 0 && after.length > 0) {
    const from = promptVersion(before);
    const to = promptVersion(after);
    out.push({
      path: [...path.slice(0, -1), "version"],
      kind: "update",
      old: from,
      new: to,
      phrase: `${path.length > 1 ? "canary version" : "version"} ${from} → ${to}`,
    });
  }
  return out;
}

/** @module A minimal Server-Sent Events parser over a byte stream (what OpenAI and Anthropic stream). */

export interface SseEvent {
  event: string | undefined;
  data: string;
}

/**
 * Parse SSE frames from an async byte stream. Handles `\n`, `\r\n` and `\r` line ends, multi-line
 * `data:` fields and comments; yields one event per blank-line-terminated frame.
 * Truncation is the adapter's to judge (OpenAI ends with `[DONE]`, Anthropic with `message_stop`).
 *
 * @example for await (const e of parseSse(response.body)) if (e.data !== "[DONE]") JSON.parse(e.data);
 */
export async function* parseSse(body: AsyncIterable<Uint8Array>): AsyncGenerator<SseEvent> {
  const decoder = new TextDecoder();
  let buffer = "";
  let event: string | undefined;
  let data: string[] = [];
  for await (const bytes of body) {
    buffer += decoder.decode(bytes, { stream: true });
    let start = 0;
    for (;;) {
      const nl = findLineEnd(buffer, start);
      if (nl === -1) break;
      const line = buffer.slice(start, nl);
      start = nl + (buffer.charCodeAt(nl) === 13 && buffer.charCodeAt(nl + 1) === 10 ? 2 : 1);
      if (line === "") {
        if (data.length > 0) yield { event, data: data.join("\n") };
        event = undefined;
        data = [];
        continue;
      }
      if (line.charCodeAt(0) === 58) continue; // ":" comment
      const colon = line.indexOf(":");
      const field = colon === -1 ? line : line.slice(0, colon);
      let value = colon === -1 ? "" : line.slice(colon + 1);
      if (value.charCodeAt(0) === 32) value = value.slice(1);
      if (field === "data") data.push(value);
      else if (field === "event") event = value;
    }
    buffer = buffer.slice(start);
  }
  buffer += decoder.decode();
  if (buffer.trim() !== "" || data.length > 0) {
    // A last frame without its blank line: accept a complete `data:` line, as browsers do not but most clients do.
    const line = buffer.trim();
    if (line.startsWith("data:")) data.push(line.slice(5).trimStart());
    if (data.length > 0) yield { event, data: data.join("\n") };
  }
}

function findLineEnd(s: string, from: number): number {
  for (let i = from; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 10) return i;
    if (c === 13) return i + 1 < s.length ? i : -1; // wait for a possible \n after \r
  }
  return -1;
}

/** @module How a model's answer meets a request's stop sequences, for the fake upstreams that honour them (Anthropic, Bedrock). */

/**
 * `text` as a model given `stops` answers it: cut before the earliest stop sequence it contains (the sequence itself is
 * not part of the answer, as Anthropic and Bedrock leave it out), with that sequence; else whole, with `null`.
 */
export function stopAt(text: string, stops: unknown): { text: string; stop: string | null } {
  let at = text.length;
  let stop: string | null = null;
  for (const sequence of Array.isArray(stops) ? (stops as unknown[]) : []) {
    const found = typeof sequence === "string" && sequence !== "" ? text.indexOf(sequence) : -1;
    if (found !== -1 && found < at) {
      at = found;
      stop = sequence as string;
    }
  }
  return { text: text.slice(0, at), stop };
}

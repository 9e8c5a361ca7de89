/** @module redactSecrets(): masks key-shaped strings in any text bound for a client, a log or a trace. */

/**
 * Provider keys (`sk-…`, `sk-ant-…`, `sk-proj-…`), bearer credentials, AWS/Google/GitHub/Slack key
 * shapes, and long hex or base64 runs. One alternation, so the text is scanned once.
 */
const KEY_SHAPED =
  /\b(sk|pk|rk)-[\w-]{6,}|\b([Bb]earer)\s+[^\s"',;]{6,}|\bAKIA[0-9A-Z]{16}\b|\bAIza[\w-]{30,}|\b(?:gh[pousr]|xox[abprs]|glpat)[_-][\w-]{10,}|[\w+/=-]{32,}/g;

/**
 * `text` with every key-shaped string replaced by `[redacted]` (a recognised prefix is kept: `sk-[redacted]`,
 * `Bearer [redacted]`). Any other match counts as a key only if it mixes letters and digits, so long
 * words and paths read on.
 *
 * @example redactSecrets("bad key sk-abc123def456") // → "bad key sk-[redacted]"
 */
export function redactSecrets(text: string): string {
  return text.replace(KEY_SHAPED, (match: string, prefix: string | undefined, scheme: string | undefined) =>
    prefix !== undefined
      ? `${prefix}-[redacted]`
      : scheme !== undefined
        ? `${scheme} [redacted]`
        : /\d/.test(match) && /[a-z]/i.test(match)
          ? "[redacted]"
          : match,
  );
}

/**
 * `text` fit for an error message: one line, at most 200 characters, each of `secrets` (4 characters or more) and
 * anything key-shaped masked. For what a credentials endpoint says, which could echo what it was sent.
 *
 * @example maskedLine("bad token abcd1234\n  expired", ["abcd1234"]) // → "bad token [redacted] expired"
 */
export function maskedLine(text: string, secrets: ReadonlyArray<string | undefined>): string {
  let out = text;
  for (const secret of secrets) if (secret !== undefined && secret.length >= 4) out = out.replaceAll(secret, "[redacted]");
  return redactSecrets(out.replace(/\s+/g, " ").trim()).slice(0, 200);
}

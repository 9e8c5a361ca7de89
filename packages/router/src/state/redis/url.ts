/** @module The start-up check of a Redis URL: one problem message, never echoing a password. */

const SCHEMES = new Set(["redis:", "rediss:"]);

/**
 * A problem with a Redis URL, or undefined when it is usable. The message never contains the URL's
 * password (nor the URL itself when it cannot be parsed: a secret may sit anywhere in it).
 *
 * @example checkRedisUrl("http://cache:6379") // → "must start with redis:// or rediss:// (got http://)"
 */
export function checkRedisUrl(url: string): string | undefined {
  if (url.trim() === "") return "is empty";
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return "is not a URL (expected redis://[user:password@]host[:port][/db] or rediss://…)";
  }
  if (!SCHEMES.has(parsed.protocol)) return `must start with redis:// or rediss:// (got ${parsed.protocol}//)`;
  if (parsed.hostname === "") return "names no host (expected redis://[user:password@]host[:port][/db])";
  if (parsed.port !== "" && (Number(parsed.port) < 1 || Number(parsed.port) > 65_535)) return `has port ${parsed.port}, outside 1..65535`;
  const path = parsed.pathname.replace(/^\//, "");
  if (path !== "" && !/^\d{1,5}$/.test(path)) return "has a path other than a database number (expected /0, /1, …)";
  if (parsed.search !== "" || parsed.hash !== "") return "has a query or fragment, which the router does not read";
  return undefined;
}

/** The URL with its password replaced by `***`, for log lines. */
export function redactRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== "") parsed.password = "***";
    return parsed.toString();
  } catch {
    return "(unparsable Redis URL)";
  }
}

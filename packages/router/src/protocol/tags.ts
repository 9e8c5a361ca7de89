/**
 * @module The `x-switchyard-tags` header: a caller's attribution tags (`feature:search, tenant:acme`), bounded and
 * checked so that what reaches traces and the JSONL file is short, safe text. Tags are never metric labels (their
 * values are the caller's: unbounded cardinality). Pure.
 */
import { RouterError } from "../errors.ts";

export const TAGS_HEADER = "x-switchyard-tags";
/** At most this many tags per request. */
export const MAX_TAGS = 10;
/** At most this many characters per `key:value` tag. */
export const MAX_TAG_LENGTH = 64;

/** `key:value`: a key of letters, digits, `_`, `.`, `-`; a value of those and `/`, `@`, `+`, `:`. */
const TAG_RE = /^([A-Za-z0-9_.-]+):([A-Za-z0-9_.\-/@+:]+)$/;

/** A request's tags, key → value (no tag: empty). */
export type RequestTags = Readonly<Record<string, string>>;

function refuse(message: string): never {
  throw new RouterError("invalid_request", `the ${TAGS_HEADER} header ${message}`, { param: TAGS_HEADER });
}

/**
 * The tags of an `x-switchyard-tags` header: comma-separated `key:value` pairs, at most MAX_TAGS of at most
 * MAX_TAG_LENGTH characters, each key once. Undefined when the header is absent or blank; throws RouterError
 * `invalid_request` (400) naming the header and the tag at fault otherwise.
 *
 * @example parseTags("feature:search, tenant:acme") // { feature: "search", tenant: "acme" }
 */
export function parseTags(header: string | string[] | undefined): RequestTags | undefined {
  if (header === undefined) return undefined;
  const text = Array.isArray(header) ? header.join(",") : header;
  const items = text
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item !== "");
  if (items.length === 0) return undefined;
  if (items.length > MAX_TAGS) refuse(`holds ${items.length} tags; at most ${MAX_TAGS} are allowed`);
  // A null-prototype object: a key such as `__proto__` is a tag like any other.
  const tags = Object.create(null) as Record<string, string>;
  for (const item of items) {
    const shown = JSON.stringify(item.length > MAX_TAG_LENGTH ? `${item.slice(0, MAX_TAG_LENGTH)}…` : item);
    if (item.length > MAX_TAG_LENGTH) refuse(`tag ${shown} is longer than ${MAX_TAG_LENGTH} characters`);
    const match = TAG_RE.exec(item);
    if (match === null) {
      refuse(`tag ${shown} is not \`key:value\` (key: letters, digits, _ . -; value: those and / @ + :)`);
    }
    const key = match[1] as string;
    if (Object.hasOwn(tags, key)) refuse(`names the tag key \`${key}\` twice`);
    tags[key] = match[2] as string;
  }
  return tags;
}

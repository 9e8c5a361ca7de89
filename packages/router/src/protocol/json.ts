/** @module Reading untrusted JSON: parse errors and nesting depth, for every inbound dialect and the admin API. */
import { RouterError } from "../errors.ts";

/** Parse a request body, or refuse it as `invalid_json` with the parser's reason. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new RouterError("invalid_json", `the request body is not valid JSON: ${(error as Error).message}`);
  }
}

/** How a value is named in a validation message ("an array", "a string"…). */
export function kind(value: unknown): string {
  if (value === null) return "null";
  // A field that is absent ("must be a string, got nothing"), not "got a undefined".
  if (value === undefined) return "nothing";
  // JSON's `1e999` parses to Infinity: "must be a number, got a number" would say nothing.
  if (typeof value === "number" && !Number.isFinite(value)) return String(value);
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

/**
 * A client's value quoted in a validation message: a string as JSON, cut to 60 characters (it may be megabytes);
 * anything else by its kind ("got nothing" for a missing field, "got an object"), never printed whole.
 *
 * @example shown("texte") // '"texte"'; shown(undefined) // "nothing"; shown({ a: 1 }) // "an object"
 */
export function shown(value: unknown): string {
  if (typeof value !== "string") return kind(value);
  return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
}

/**
 * How deeply objects and arrays may nest in a request body (the body itself is level 1). Anything the
 * router or an adapter walks recursively (JSON.stringify, token estimates, schema translation) is
 * safe below this; 100k levels overflowed the stack and were booked against the model.
 */
export const MAX_JSON_DEPTH = 64;

/**
 * The field holding a value nested deeper than `limit` levels (`tools[0].function.parameters`: the
 * path to a JSON schema, else at most four keys), or undefined. Walked with an explicit stack, never
 * recursion, so the check itself cannot overflow; the path is built (by a second walk) only when a
 * value is too deep.
 *
 * @example tooDeep({ a: [[1]] }, 2) // → "a[0]"
 */
export function tooDeep(value: unknown, limit: number = MAX_JSON_DEPTH): string | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  // One reused stack of (container, depth) pairs: no allocation per call on the request path. Slots
  // are cleared as they are popped, so it holds no request's objects afterwards.
  const stack = STACK;
  let top = 0;
  stack[top++] = value;
  stack[top++] = 1;
  while (top > 0) {
    const depth = stack[--top] as number;
    const v = stack[--top] as object;
    stack[top] = undefined;
    if (depth > limit) {
      stack.length = 0;
      return deepPath(value, limit);
    }
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        const child: unknown = v[i];
        if (typeof child === "object" && child !== null) {
          stack[top++] = child;
          stack[top++] = depth + 1;
        }
      }
    } else {
      for (const key in v) {
        const child = (v as Record<string, unknown>)[key];
        if (typeof child === "object" && child !== null) {
          stack[top++] = child;
          stack[top++] = depth + 1;
        }
      }
    }
  }
  return undefined;
}

const STACK: unknown[] = [];

/** The path tooDeep reports, found by a second walk that carries paths (only for a body already known to be too deep). */
function deepPath(value: unknown, limit: number): string {
  const stack: Array<[unknown, number, string]> = [[value, 1, ""]];
  for (;;) {
    const [v, depth, path] = stack.pop() as [unknown, number, string];
    if (depth > limit) return path;
    const array = Array.isArray(v);
    for (const key in v as object) {
      const child = (v as Record<string, unknown>)[key];
      if (typeof child !== "object" || child === null) continue;
      stack.push([
        child,
        depth + 1,
        depth > 4 || /\.(parameters|schema)$/.test(path) ? path : array ? `${path}[${key}]` : path === "" ? key : `${path}.${key}`,
      ]);
    }
  }
}

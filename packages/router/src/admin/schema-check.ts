/**
 * @module A small JSON Schema checker for exactly the keywords zod's `toJSONSchema` emits for the IR
 * (`configJsonSchema()`). A general validator would add ~20 KB to router.mjs. `auditSchema` refuses any schema
 * using a keyword it does not implement; a test runs it on the generated schema (the schema is built with the
 * router, so a schema change cannot be silently ignored), which keeps the audit itself out of router.mjs.
 */
import type { AdminDiagnostic } from "./types.ts";

type Schema = Readonly<Record<string, unknown>>;

/** Keywords implemented below, plus annotations that do not constrain. */
const KNOWN = new Set([
  "type",
  "properties",
  "required",
  "additionalProperties",
  "propertyNames",
  "items",
  "minItems",
  "maxItems",
  "enum",
  "const",
  "pattern",
  "format",
  "minLength",
  "maxLength",
  "minimum",
  "maximum",
  "exclusiveMinimum",
  "exclusiveMaximum",
  "anyOf",
  "oneOf",
  "allOf",
  "$schema",
  "default",
  "description",
  "title",
  "examples",
]);
const FORMATS = new Set(["uri", "date"]);

/** A compiled checker: `check(value)` returns every problem, one per location, with dotted paths under `root`. */
export interface SchemaCheck {
  check(value: unknown): AdminDiagnostic[];
}

/** Throws when the schema uses a keyword or format this checker does not implement (tests run it on the IR's schema). */
export function auditSchema(schema: Schema): void {
  const audit = (s: unknown, at: string): void => {
    if (typeof s === "boolean") return;
    if (typeof s !== "object" || s === null) throw new Error(`${at}: a schema must be an object or a boolean`);
    for (const [key, sub] of Object.entries(s)) {
      if (!KNOWN.has(key)) throw new Error(`${at}: the JSON Schema keyword "${key}" is not supported by the release check`);
      if (key === "format" && !FORMATS.has(String(sub))) throw new Error(`${at}: format "${String(sub)}" is not supported by the release check`);
      if (key === "properties") for (const [name, p] of Object.entries(sub as Schema)) audit(p, `${at}.properties.${name}`);
      if (key === "additionalProperties" || key === "propertyNames" || key === "items") audit(sub, `${at}.${key}`);
      if (key === "anyOf" || key === "oneOf" || key === "allOf") (sub as unknown[]).forEach((b, i) => audit(b, `${at}.${key}[${i}]`));
    }
  };
  audit(schema, "#");
}

/** A checker for `schema` (see auditSchema for the keywords it implements); paths start at `root`. */
export function compileSchemaCheck(schema: Schema, root = ""): SchemaCheck {
  /** Compiled once per pattern, on first use. */
  const patterns = new Map<string, RegExp>();
  return {
    check(value) {
      const out: AdminDiagnostic[] = [];
      validate(schema, value, root === "" ? [] : [root], out, patterns);
      return out;
    },
  };
}

function regex(patterns: Map<string, RegExp>, source: string): RegExp {
  let re = patterns.get(source);
  if (re === undefined) patterns.set(source, (re = new RegExp(source, "u")));
  return re;
}

const describe = (value: unknown): string => (value === null ? "null" : Array.isArray(value) ? "array" : Number.isInteger(value) ? "integer" : typeof value);

function typeMatches(type: string, value: unknown): boolean {
  switch (type) {
    case "object":
      return typeof value === "object" && value !== null && !Array.isArray(value);
    case "array":
      return Array.isArray(value);
    case "integer":
      return Number.isInteger(value);
    case "number":
      return typeof value === "number" && Number.isFinite(value);
    case "null":
      return value === null;
    default:
      return typeof value === type;
  }
}

function formatOk(format: string, value: string): boolean {
  if (format === "date") return /^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(Date.parse(`${value}T00:00:00Z`));
  try {
    new URL(value);
    return true;
  } catch {
    return false;
  }
}

/** Append the problems of `value` against `schema` to `out`; returns whether it matched. */
function validate(schema: unknown, value: unknown, path: string[], out: AdminDiagnostic[], patterns: Map<string, RegExp>): boolean {
  if (schema === true) return true;
  const at = path.join(".");
  const fail = (code: string, message: string): false => {
    out.push({ code, message, ...(at !== "" ? { path: at } : {}) });
    return false;
  };
  if (schema === false) return fail("unrecognized_keys", `unknown key \`${path[path.length - 1] ?? ""}\``);
  const s = schema as Schema;

  const types = s["type"] === undefined ? [] : Array.isArray(s["type"]) ? (s["type"] as string[]) : [s["type"] as string];
  if (types.length > 0 && !types.some((t) => typeMatches(t, value))) return fail("invalid_type", `expected ${types.join(" or ")}, got ${describe(value)}`);
  if ("const" in s && JSON.stringify(s["const"]) !== JSON.stringify(value)) return fail("invalid_value", `must be ${JSON.stringify(s["const"])}`);
  if (Array.isArray(s["enum"]) && !s["enum"].some((e) => JSON.stringify(e) === JSON.stringify(value))) {
    return fail("invalid_value", `must be one of ${s["enum"].map((e) => JSON.stringify(e)).join(", ")}, got ${JSON.stringify(value)}`);
  }

  for (const key of ["anyOf", "oneOf"] as const) {
    const branches = s[key] as unknown[] | undefined;
    if (branches === undefined) continue;
    const results = branches.map((b) => {
      const errs: AdminDiagnostic[] = [];
      return { ok: validate(b, value, path, errs, patterns), errs };
    });
    const matched = results.filter((r) => r.ok).length;
    if (key === "oneOf" && matched > 1) return fail("invalid_union", "matches more than one of the allowed shapes");
    if (matched === 0) {
      // Among the branches whose type fits, report the one with the fewest problems: usually the one meant.
      const here = at === "" ? undefined : at;
      const fitting = results.filter((r) => !r.errs.some((e) => e.path === here && (e.code === "invalid_type" || e.code === "invalid_value")));
      const best = fitting.reduce<(typeof results)[number] | undefined>((a, b) => (a === undefined || b.errs.length < a.errs.length ? b : a), undefined);
      if (best === undefined) return fail("invalid_union", `does not match any allowed shape (got ${describe(value)})`);
      out.push(...best.errs);
      return false;
    }
  }
  for (const sub of (s["allOf"] as unknown[] | undefined) ?? []) if (!validate(sub, value, path, out, patterns)) return false;

  let ok = true;
  if (typeof value === "string") {
    if (typeof s["minLength"] === "number" && value.length < s["minLength"]) ok = fail("too_small", `must be at least ${s["minLength"]} character(s)`);
    else if (typeof s["maxLength"] === "number" && value.length > s["maxLength"]) ok = fail("too_big", `must be at most ${s["maxLength"]} characters`);
    else if (typeof s["pattern"] === "string" && !regex(patterns, s["pattern"]).test(value))
      ok = fail("invalid_format", `must match ${s["pattern"]}, got ${JSON.stringify(value)}`);
    else if (typeof s["format"] === "string" && !formatOk(s["format"], value))
      ok = fail("invalid_format", `must be a valid ${s["format"]}, got ${JSON.stringify(value)}`);
  } else if (typeof value === "number") {
    if (typeof s["minimum"] === "number" && value < s["minimum"]) ok = fail("too_small", `must be ≥ ${s["minimum"]}, got ${value}`);
    else if (typeof s["exclusiveMinimum"] === "number" && value <= s["exclusiveMinimum"])
      ok = fail("too_small", `must be > ${s["exclusiveMinimum"]}, got ${value}`);
    else if (typeof s["maximum"] === "number" && value > s["maximum"]) ok = fail("too_big", `must be ≤ ${s["maximum"]}, got ${value}`);
    else if (typeof s["exclusiveMaximum"] === "number" && value >= s["exclusiveMaximum"])
      ok = fail("too_big", `must be < ${s["exclusiveMaximum"]}, got ${value}`);
  } else if (Array.isArray(value)) {
    if (typeof s["minItems"] === "number" && value.length < s["minItems"]) ok = fail("too_small", `must have at least ${s["minItems"]} item(s)`);
    else if (typeof s["maxItems"] === "number" && value.length > s["maxItems"]) ok = fail("too_big", `must have at most ${s["maxItems"]} items`);
    if (s["items"] !== undefined) value.forEach((item, i) => (ok = validate(s["items"], item, [...path, String(i)], out, patterns) && ok));
  } else if (typeof value === "object" && value !== null) {
    const object = value as Record<string, unknown>;
    const properties = (s["properties"] as Schema | undefined) ?? {};
    for (const name of (s["required"] as string[] | undefined) ?? []) {
      if (!(name in object)) {
        out.push({ code: "missing_field", message: `missing required field \`${name}\``, path: [...path, name].join(".") });
        ok = false;
      }
    }
    for (const [name, item] of Object.entries(object)) {
      if (s["propertyNames"] !== undefined && !validate(s["propertyNames"], name, [...path, name], out, patterns)) ok = false;
      const sub = Object.hasOwn(properties, name) ? properties[name] : s["additionalProperties"];
      if (sub !== undefined && !validate(sub, item, [...path, name], out, patterns)) ok = false;
    }
  }
  return ok;
}

/**
 * @module provider/property-path — detailedDiff keys the Pulumi CLI can render. `diffConfigs` names
 * list members by what identifies them (`tiers.fast.models.gpt-mini`, `teams.support.keys.SUPPORT_KEY_2`,
 * `policies.cost-guard`); the engine instead walks each key through the resource's old and new inputs
 * with `ParsePropertyPath` (pulumi sdk/go/common/resource/properties_path.go), where a list is entered
 * only by an index. These functions turn a change's path into such a key (`tiers.fast.models[0].weight`).
 */
import type { Config } from "@switchyard/ir";

/** One step of a property path: a key into an object or an index into a list. */
export type PathSegment = string | number;

/** A key that may be written bare after a dot: ParsePropertyPath reads up to the next `.` or `[` (kept to a safe set). */
const BARE = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

/**
 * A Pulumi property path: `.name` where a key allows it, `["key"]` otherwise, `[n]` for an index.
 * Returns undefined when a key cannot be written: the grammar unescapes only `\"`, so a key ending in
 * a backslash would swallow its closing quote.
 */
export function propertyPath(segments: readonly PathSegment[]): string | undefined {
  let path = "";
  for (const segment of segments) {
    if (typeof segment === "number") path += `[${segment}]`;
    else if (BARE.test(segment)) path += path === "" ? segment : `.${segment}`;
    else if (segment.endsWith("\\")) return undefined;
    else path += `["${segment.replaceAll('"', '\\"')}"]`;
  }
  return path;
}

type Kind = "add" | "delete" | "update";

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** What names a list member in `diffConfigs`: the string itself, a tier member's model, a key's secret, a policy's pack. */
function memberName(item: unknown): string | undefined {
  if (typeof item === "string") return item;
  if (!isRecord(item)) return undefined;
  for (const field of ["model", "secret", "pack"]) if (typeof item[field] === "string") return item[field] as string;
  return undefined;
}

/** The index of the member `name` names (`pack#2` is the second selection of `pack`, as `diffConfigs` numbers them); -1 when absent. */
function indexOf(list: readonly unknown[], name: string): number {
  const exact = list.findIndex((item) => memberName(item) === name);
  if (exact !== -1) return exact;
  const numbered = /^(.*)#(\d+)$/.exec(name);
  if (numbered === null) return -1;
  let seen = 0;
  for (let i = 0; i < list.length; i++) if (memberName(list[i]) === numbered[1] && ++seen === Number(numbered[2])) return i;
  return -1;
}

function equal(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * The property paths (as segments) one `diffConfigs` change points at in the resource's inputs,
 * where the config sections are top-level properties (`telemetry` too, which `diffConfigs` files
 * under `router`). A list member is entered by its index in the side that has it (the new config for
 * an add, the old one for a delete); an update of a member that moved is reported on the list itself,
 * since the engine reads old and new at the same index. An updated member that is an object is
 * reported field by field (`tiers.fast.models[0].weight`).
 */
export function changePaths(change: { path: readonly string[]; kind: Kind }, before: Config, after: Config): PathSegment[][] {
  const path = change.path[0] === "router" && change.path[1] === "telemetry" ? change.path.slice(1) : change.path;
  const out: PathSegment[] = [];
  let old: unknown = before;
  let now: unknown = after;
  for (const segment of path) {
    const list = change.kind === "delete" ? old : now;
    if (Array.isArray(list)) {
      const oldIndex = Array.isArray(old) ? indexOf(old, segment) : -1;
      const newIndex = Array.isArray(now) ? indexOf(now, segment) : -1;
      const index = change.kind === "delete" ? oldIndex : newIndex;
      // Unknown member, or an update whose member sits elsewhere now: the list as a whole changed.
      if (index === -1 || (change.kind === "update" && oldIndex !== newIndex)) return [out];
      out.push(index);
      old = Array.isArray(old) ? old[oldIndex] : undefined;
      now = Array.isArray(now) ? now[newIndex] : undefined;
    } else if (isRecord(list)) {
      out.push(segment);
      old = isRecord(old) ? old[segment] : undefined;
      now = isRecord(now) ? now[segment] : undefined;
    } else {
      // The path goes below a value that is not an object: the change is at that value.
      return [out];
    }
  }
  if (change.kind === "update" && typeof out.at(-1) === "number" && isRecord(old) && isRecord(now)) {
    const fields = [...new Set([...Object.keys(old), ...Object.keys(now)])].filter((key) => !equal(old[key], now[key]));
    if (fields.length > 0) return fields.map((field) => [...out, field]);
  }
  return [out];
}

/** detailedDiff entries for a list of `diffConfigs` changes: keys made with `propertyPath`, two changes on one key merged into an update. */
export function detailedDiffOf(changes: readonly { path: readonly string[]; kind: Kind }[], before: Config, after: Config): Map<string, Kind> {
  const keys = new Map<string, Kind>();
  for (const change of changes) {
    for (const segments of changePaths(change, before, after)) {
      // Nothing writable (a key ending in a backslash): report the nearest writable parent.
      let key: string | undefined;
      for (let n = segments.length; n > 0 && key === undefined; n--) key = propertyPath(segments.slice(0, n));
      if (key === undefined || key === "") continue;
      const seen = keys.get(key);
      keys.set(key, seen === undefined || seen === change.kind ? change.kind : "update");
    }
  }
  return keys;
}

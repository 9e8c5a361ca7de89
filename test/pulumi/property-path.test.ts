/**
 * @module detailedDiff keys against Pulumi's property path grammar. `parsePropertyPath` and `get`
 * below are ports of `parsePropertyPath` and `PropertyPath.Get` in pulumi's
 * sdk/go/common/resource/properties_path.go (the engine parses every detailedDiff key with it and
 * walks the key through the resource's old and new inputs, pkg/engine/detailedDiff.go): a key that
 * does not parse, or that names a list member by a string, cannot be rendered by the CLI.
 */
import type { Release } from "@switchyard/ir";
import { serialiseRelease } from "@switchyard/ir";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { propertyPath } from "../../packages/pulumi/src/provider/property-path.ts";
import { createReleaseProvider } from "../../packages/pulumi/src/provider/release-provider.ts";
import { secret } from "../../packages/pulumi/src/provider/wire.ts";
import { releaseOf } from "../helpers/release.ts";

type Element = string | number;

/** Port of `parsePropertyPath(path, strict)` (Go); throws where Go returns an error. */
function parsePropertyPath(input: string, strict = false): Element[] {
  const elements: Element[] = [];
  let path = input;
  if (path.length > 0 && path[0] === ".") throw new Error("expected property path to start with a name or index");
  while (path.length > 0) {
    // charAt: the loop guarantees a first character, which `path[0]` (string | undefined) cannot tell the switch.
    switch (path.charAt(0)) {
      case ".":
        path = path.slice(1);
        if (path.length === 0) throw new Error("expected property path to end with a name or index");
        if (path[0] === "[" && strict) throw new Error("expected property name after '.'");
        break;
      case "[": {
        let element: Element;
        if (path.length > 1 && path[1] === '"') {
          let key = "";
          let i = 2;
          for (;;) {
            if (i >= path.length) throw new Error("missing closing quote in property name");
            if (path[i] === '"') {
              i++;
              break;
            }
            if (path[i] === "\\" && i + 1 < path.length && path[i + 1] === '"') {
              key += '"';
              i += 2;
            } else {
              key += path[i];
              i++;
            }
          }
          if (i >= path.length || path[i] !== "]") throw new Error("missing closing bracket in property access");
          element = key;
          path = path.slice(i);
        } else {
          const rbracket = path.indexOf("]");
          if (rbracket === -1) throw new Error("missing closing bracket in array index");
          const segment = path.slice(1, rbracket);
          if (segment === "*") element = "*";
          else {
            // strconv.ParseInt(segment, 10, 0): optional sign, decimal digits only.
            if (!/^[+-]?\d+$/.test(segment)) throw new Error(`invalid array index: ${segment}`);
            element = Number.parseInt(segment, 10);
          }
          path = path.slice(rbracket);
        }
        elements.push(element);
        path = path.slice(1);
        break;
      }
      default: {
        let i = 0;
        while (i < path.length && path[i] !== "." && path[i] !== "[") i++;
        elements.push(path.slice(0, i));
        path = path.slice(i);
      }
    }
  }
  return elements;
}

/** Port of `PropertyPath.Get`: a list is entered only by an in-range integer, an object only by a string key it has. */
function get(value: unknown, path: readonly Element[]): { found: boolean; value?: unknown } {
  let v = value;
  for (const key of path) {
    if (Array.isArray(v)) {
      if (typeof key !== "number" || key < 0 || key >= v.length) return { found: false };
      v = v[key];
    } else if (typeof v === "object" && v !== null) {
      if (typeof key !== "string" || !Object.hasOwn(v, key)) return { found: false };
      v = (v as Record<string, unknown>)[key];
    } else return { found: false };
  }
  return { found: true, value: v };
}

describe("the Go grammar port", () => {
  it("reads the examples of properties_path.go", () => {
    expect(parsePropertyPath("root.nested")).toEqual(["root", "nested"]);
    expect(parsePropertyPath('root["double"].nest')).toEqual(["root", "double", "nest"]);
    expect(parsePropertyPath("root.array[0][1].nested")).toEqual(["root", "array", 0, 1, "nested"]);
    expect(parsePropertyPath('root["key with \\"escaped\\" quotes"]')).toEqual(["root", 'key with "escaped" quotes']);
    expect(parsePropertyPath('["root key with a ."][100]')).toEqual(["root key with a .", 100]);
    expect(parsePropertyPath("root.array[*].field")).toEqual(["root", "array", "*", "field"]);
    // Bare names run to the next '.' or '[' (the note under the EBNF).
    expect(parsePropertyPath("routes.support-faq.fallback")).toEqual(["routes", "support-faq", "fallback"]);
    expect(() => parsePropertyPath(".a")).toThrow();
    expect(() => parsePropertyPath("a[x]")).toThrow(/invalid array index/);
    expect(() => parsePropertyPath('a["x')).toThrow(/missing closing quote/);
  });
});

describe("propertyPath", () => {
  it("round-trips any segments through the grammar (both modes), except a key ending in a backslash, which it refuses", () => {
    const segment = fc.oneof(fc.string({ unit: "binary-ascii" }), fc.string(), fc.nat(1000));
    fc.assert(
      fc.property(fc.array(segment, { minLength: 1, maxLength: 6 }), (segments) => {
        const key = propertyPath(segments);
        if (segments.some((s) => typeof s === "string" && s.endsWith("\\"))) return key === undefined;
        expect(key).toBeDefined();
        expect(parsePropertyPath(key ?? "")).toEqual(segments);
        expect(parsePropertyPath(key ?? "", true)).toEqual(segments);
        return true;
      }),
      { seed: 17, numRuns: 2_000 },
    );
    expect(propertyPath(["tiers", "fast", "models", 0, "weight"])).toBe("tiers.fast.models[0].weight");
    expect(propertyPath(["providers", "p", "headers", "x-api.key"])).toBe('providers.p.headers["x-api.key"]');
  });
});

const base = {
  providers: {
    p: { kind: "mock" as const, headers: { "x-team.id": "acme", 'say "hi"': { secret: "HI_TOKEN" } } },
  },
  models: {
    "gpt-mini": { provider: "p", name: "m1", context: 8_000, price: { input: 0, output: 0 } },
    "gpt-4.1": { provider: "p", name: "m2", context: 8_000, price: { input: 1, output: 2 } },
    big: { provider: "p", name: "m3", context: 8_000, price: { input: 3, output: 4 } },
  },
  routes: { chat: { tier: "fast" }, "faq.v2": { model: "gpt-mini" } },
};

const before = releaseOf({
  ...base,
  tiers: {
    fast: {
      models: [
        { model: "gpt-mini", weight: 80 },
        { model: "gpt-4.1", weight: 20 },
      ],
    },
    slow: {
      models: [
        { model: "big", weight: 1 },
        { model: "gpt-mini", weight: 1 },
      ],
    },
  },
  teams: { support: { keys: [{ secret: "SUPPORT_KEY" }, { secret: "SUPPORT_KEY_OLD" }], routes: ["chat"] } },
  policies: [{ pack: "cost-guard", severities: { "max-price": "warning" } }, { pack: "cost-guard", severities: {} }, { pack: "baseline" }],
});

const after = releaseOf({
  ...base,
  providers: { p: { kind: "mock" as const, headers: { "x-team.id": "acme-2", 'say "hi"': { secret: "HI_TOKEN_2" } } } },
  models: { ...base.models, "gpt-4.1": { ...base.models["gpt-4.1"], context: 16_000 } },
  // fast: gpt-mini's weight changes, gpt-4.1 stays, big joins; slow: its two members swap places.
  tiers: {
    fast: {
      models: [
        { model: "gpt-mini", weight: 60 },
        { model: "gpt-4.1", weight: 20 },
        { model: "big", weight: 20 },
      ],
    },
    slow: {
      models: [
        { model: "gpt-mini", weight: 1 },
        { model: "big", weight: 1 },
      ],
    },
  },
  teams: { support: { keys: [{ secret: "SUPPORT_KEY" }, { secret: "SUPPORT_KEY_2" }], routes: ["chat", "faq.v2"] } },
  policies: [{ pack: "cost-guard", severities: { "max-price": "error" } }, { pack: "cost-guard", severities: { "no-sunset": "off" } }, { pack: "residency" }],
  telemetry: { jsonl: { path: "traces/router.jsonl" } },
});

async function detailedDiff(a: Release, b: Release) {
  const provider = createReleaseProvider();
  const inputs = (r: Release) => ({ routerUrl: "http://router.test:8787", adminToken: secret("t"), release: serialiseRelease(r) });
  const olds = (await provider.check({}, inputs(a))).inputs;
  const news = (await provider.check(olds, inputs(b))).inputs;
  return { olds, news, diff: await provider.diff("http://router.test:8787", olds, news) };
}

describe("Release diff: detailedDiff keys", () => {
  it("every key parses (strict too) and resolves in the old inputs (delete), the new ones (add) or both with different values (update)", async () => {
    const { olds, news, diff } = await detailedDiff(before, after);
    const keys = Object.keys(diff.detailedDiff).filter((key) => key !== "hash");
    expect(keys.length).toBeGreaterThan(10);
    for (const key of keys) {
      const kind = diff.detailedDiff[key]?.kind;
      const path = parsePropertyPath(key, true);
      const old = get(olds, path);
      const now = get(news, path);
      if (kind === "add") expect({ key, found: now.found }).toEqual({ key, found: true });
      else if (kind === "delete") expect({ key, found: old.found }).toEqual({ key, found: true });
      else {
        expect({ key, old: old.found, now: now.found }).toEqual({ key, old: true, now: true });
        expect({ key, same: JSON.stringify(old.value) === JSON.stringify(now.value) }).toEqual({ key, same: false });
      }
    }
  });

  it("list members become indexes; ids with dots or quotes are bracketed; telemetry is its own property", async () => {
    const { diff } = await detailedDiff(before, after);
    const kinds = Object.fromEntries(Object.entries(diff.detailedDiff).map(([key, entry]) => [key, entry.kind]));
    expect(kinds).toMatchObject({
      "tiers.fast.models[0].weight": "update",
      "tiers.fast.models[2]": "add",
      // A member that moved is reported on the list: the engine reads old and new at one index.
      "tiers.slow.models": "update",
      "teams.support.keys[1]": "update",
      "teams.support.routes[1]": "add",
      "policies[0].severities.max-price": "update",
      "policies[1].severities.no-sunset": "add",
      "policies[2]": "update",
      'models["gpt-4.1"].context': "update",
      'providers.p.headers["x-team.id"]': "update",
      'providers.p.headers["say \\"hi\\""]': "update",
      "telemetry.jsonl.path": "add",
    });
    // No key names a member by its id any more.
    for (const key of Object.keys(kinds)) expect(key).not.toMatch(/models\.gpt-mini|keys\.SUPPORT|policies\.cost-guard/);
    expect(diff.diffs).toEqual(expect.arrayContaining(["tiers", "teams", "policies", "models", "providers", "telemetry"]));
  });

  it("a removed member is a delete at its old index", async () => {
    const { olds, diff } = await detailedDiff(after, before);
    expect(diff.detailedDiff["tiers.fast.models[2]"]?.kind).toBe("delete");
    expect(get(olds, parsePropertyPath("tiers.fast.models[2]")).value).toEqual({ model: "big", weight: 20 });
  });
});

/** @module Tests for the policy engine: selection, severities, options, messages, crashes. */
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { definePack, definePolicy, type PolicyPack } from "./define.ts";
import { renderMessage, runPolicies as runWith, suggestion } from "./engine.ts";
import { builtinPacks, runPolicies } from "./index.ts";
import { parseConfig } from "@switchyard/ir";
import { fixture } from "./testing/fixture.ts";

const now = new Date("2026-06-01T00:00:00Z");
const config = fixture();

const routeCounter = definePolicy({
  id: "acme/route-count",
  description: "Reports every route.",
  rationale: "test",
  defaultSeverity: "warning",
  messages: { seen: "route {{route}} (limit {{limit}})" },
  defaultOptions: { limit: 5 },
  optionsSchema: z.strictObject({ limit: z.number().int() }),
  check({ config: c, options, report }) {
    for (const id of Object.keys(c.routes)) report({ node: { kind: "route", id }, messageId: "seen", data: { route: id, limit: options.limit } });
  },
});

const thrower = definePolicy({
  id: "acme/thrower",
  description: "Reports once, then throws.",
  rationale: "test",
  defaultSeverity: "warning",
  messages: { before: "before the crash" },
  defaultOptions: {},
  check({ report }) {
    report({ node: { kind: "model", id: "mini" }, messageId: "before" });
    throw new TypeError("cannot read properties of undefined (reading 'x')");
  },
});

const acme: PolicyPack = definePack({ id: "acme", description: "test pack", policies: [routeCounter, thrower] });
const run = (
  selection: { pack?: string; severities?: Record<string, "error" | "warning" | "off">; options?: Record<string, unknown> },
  packs: Record<string, PolicyPack> = { "./acme.ts": acme },
) =>
  runPolicies({
    config,
    environment: "prod",
    now,
    packs,
    selections: [{ pack: selection.pack ?? "./acme.ts", severities: selection.severities ?? {}, options: selection.options ?? {} }],
  });

describe("runPolicies", () => {
  it("runs a user pack given by path, renders messages, keeps report order", () => {
    const findings = run({ severities: { thrower: "off" } });
    expect(findings).toEqual([
      { policyId: "acme/route-count", severity: "warning", node: { kind: "route", id: "chat" }, messageId: "seen", message: "route chat (limit 5)" },
    ]);
  });

  it("a policy that throws is a finding naming it, at error, at the selection; earlier reports are kept", () => {
    const findings = run({ severities: { "route-count": "off" } });
    expect(findings).toEqual([
      { policyId: "acme/thrower", severity: "warning", node: { kind: "model", id: "mini" }, messageId: "before", message: "before the crash" },
      {
        policyId: "acme/thrower",
        severity: "error",
        node: { kind: "selection", id: "0", path: ["pack"] },
        messageId: "crashed",
        message: "policy acme/thrower crashed: cannot read properties of undefined (reading 'x')",
      },
    ]);
  });

  it("a thrown non-Error is reported too", () => {
    const odd = definePolicy({
      ...thrower,
      id: "acme/odd",
      check: () => {
        throw 42;
      },
    });
    const findings = run({}, { "./acme.ts": definePack({ id: "acme", description: "", policies: [odd] }) });
    expect(findings.map((f) => f.message)).toEqual(["policy acme/odd crashed: non-Error value thrown"]);
  });

  it("the full id wins over the short name; both win over the default", () => {
    expect(run({ severities: { "route-count": "error", thrower: "off" } })[0]?.severity).toBe("error");
    expect(run({ severities: { "route-count": "error", "acme/route-count": "warning", thrower: "off" } })[0]?.severity).toBe("warning");
    expect(run({ severities: { "acme/route-count": "off", "acme/thrower": "off" } })).toEqual([]);
  });

  it("options are merged over defaults and validated; invalid options are findings and the policy does not run", () => {
    expect(run({ options: { limit: 9 }, severities: { thrower: "off" } })[0]?.message).toBe("route chat (limit 9)");
    expect(run({ options: { limit: "nine" }, severities: { thrower: "off" } })).toEqual([
      {
        policyId: "acme/route-count",
        severity: "error",
        node: { kind: "selection", id: "0", path: ["options", "limit"] },
        messageId: "invalid-options",
        message: expect.stringMatching(/^invalid options for policy acme\/route-count: limit: /),
      },
    ]);
  });

  it("an option no policy of the pack declares is reported at that key", () => {
    expect(run({ options: { limt: 9 }, severities: { thrower: "off" } })).toEqual([
      expect.objectContaining({ policyId: "acme/route-count" }),
      {
        policyId: "policies/unknown-option",
        severity: "error",
        node: { kind: "selection", id: "0", path: ["options", "limt"] },
        messageId: "unknown-option",
        message: 'pack "acme" has no option "limt"; its options: limit. Did you mean "limit"?',
      },
    ]);
  });

  it("a severity key that names no policy is reported at that key", () => {
    const findings = run({ severities: { "route-cnt": "off", thrower: "off", "route-count": "off" } });
    expect(findings).toEqual([
      {
        policyId: "policies/unknown-policy",
        severity: "error",
        node: { kind: "selection", id: "0", path: ["severities", "route-cnt"] },
        messageId: "unknown-policy",
        message: 'pack "acme" has no policy "route-cnt"; its policies: route-count, thrower. Did you mean "route-count"?',
      },
    ]);
  });

  it("an unknown pack is a finding at the selection, listing known packs", () => {
    const findings = run({ pack: "prod-safty" });
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      policyId: "policies/unknown-pack",
      severity: "error",
      node: { kind: "selection", id: "0", path: ["pack"] },
      messageId: "unknown-pack",
    });
    expect(findings[0]?.message).toContain("baseline, cost-guard, eu-residency, prod-safety");
  });

  it("built-ins are merged in; a caller's pack of the same id wins", () => {
    const quiet = definePack({ id: "baseline", description: "replaced", policies: [] });
    const broken = fixture((d) => {
      d.routes.chat!.fallback = [];
    });
    const select = [{ pack: "baseline", severities: {}, options: {} }];
    expect(runPolicies({ config: broken, environment: "prod", now, packs: {}, selections: select }).map((f) => f.policyId)).toContain(
      "baseline/fallback-required",
    );
    expect(runPolicies({ config: broken, environment: "prod", now, packs: { baseline: quiet }, selections: select })).toEqual([]);
    expect(runWith({ config: broken, environment: "prod", now, packs: {}, selections: select })[0]?.policyId).toBe("policies/unknown-pack");
  });

  it("selections are numbered in order; exact duplicates are dropped", () => {
    const findings = runPolicies({
      config,
      environment: "prod",
      now,
      packs: { "./acme.ts": acme },
      selections: [
        { pack: "./acme.ts", severities: { thrower: "off" }, options: {} },
        { pack: "./acme.ts", severities: { thrower: "off" }, options: {} },
        { pack: "nope", severities: {}, options: {} },
      ],
    });
    expect(findings.map((f) => `${f.policyId}@${f.node.kind}:${f.node.id}`)).toEqual(["acme/route-count@route:chat", "policies/unknown-pack@selection:2"]);
  });

  it("a policy that writes to the config crashes instead of changing it", () => {
    const writer = definePolicy({
      ...thrower,
      id: "acme/writer",
      check: ({ config: c }) => {
        (c.routes.chat as { owner?: string }).owner = "me";
      },
    });
    const findings = run({}, { "./acme.ts": definePack({ id: "acme", description: "", policies: [writer] }) });
    expect(findings).toEqual([
      expect.objectContaining({
        policyId: "acme/writer",
        messageId: "crashed",
        message: expect.stringMatching(/^policy acme\/writer crashed: Cannot assign to read only property 'owner'/),
      }),
    ]);
    expect(config.routes.chat?.owner).toBe("support");
  });

  it("a malformed report or a non-policy in a pack is reported, never thrown", () => {
    const malformed = definePolicy({
      ...thrower,
      id: "acme/malformed",
      check: ({ report }) => {
        report({ messageId: "before" } as never);
      },
    });
    const pack = { id: "acme", description: "", policies: [malformed, { id: 42 } as never] };
    const findings = run({}, { "./acme.ts": pack });
    expect(findings.map((f) => [f.policyId, f.messageId, f.message])).toEqual([
      ["acme/malformed", "crashed", "policy acme/malformed crashed: report() needs { node: { kind, id, path? }, messageId, data? }"],
      ["acme", "crashed", "pack acme holds something that is not a policy (a policy has an id, messages and a check)"],
    ]);
  });

  it("a report with an undeclared messageId still yields a readable finding", () => {
    const sloppy = definePolicy({ ...routeCounter, id: "acme/sloppy", messages: {} as Record<"seen", string> });
    const findings = run({}, { "./acme.ts": definePack({ id: "acme", description: "", policies: [sloppy] }) });
    expect(findings[0]?.message).toBe('policy acme/sloppy reported an undeclared message "seen"');
  });

  it("a policy without schema rejects nothing but unknown keys; an async schema is invalid options", () => {
    const asyncSchema = { "~standard": { version: 1 as const, vendor: "test", validate: async (value: unknown) => ({ value: value as { limit: number } }) } };
    const asyncPolicy = definePolicy({ ...routeCounter, id: "acme/async", optionsSchema: asyncSchema });
    const findings = run({}, { "./acme.ts": definePack({ id: "acme", description: "", policies: [asyncPolicy] }) });
    expect(findings).toEqual([expect.objectContaining({ messageId: "invalid-options", message: expect.stringContaining("asynchronous") })]);
  });

  it("is pure: the config is not mutated and the same input gives the same output", () => {
    const frozen = structuredClone(config);
    const deepFreeze = (value: unknown): void => {
      if (typeof value === "object" && value !== null) {
        Object.freeze(value);
        Object.values(value).forEach(deepFreeze);
      }
    };
    deepFreeze(frozen);
    const selections = Object.keys(builtinPacks).map((pack) => ({ pack, severities: {}, options: {} }));
    const first = runPolicies({ config: frozen, environment: "prod", now, packs: {}, selections });
    expect(first.filter((f) => f.messageId === "crashed")).toEqual([]);
    expect(runPolicies({ config: frozen, environment: "prod", now, packs: {}, selections })).toEqual(first);
  });

  it("the clean fixture passes every built-in pack", () => {
    const selections = Object.keys(builtinPacks).map((pack) => ({ pack, severities: {}, options: {} }));
    expect(runPolicies({ config, environment: "prod", now, packs: {}, selections })).toEqual([]);
  });
});

describe("scale", () => {
  it("runs every built-in pack over 1,000 routes and 200 models well within the check budget", () => {
    const providers: Record<string, unknown> = {};
    const models: Record<string, unknown> = {};
    const tiers: Record<string, unknown> = {};
    const routes: Record<string, unknown> = {};
    for (let p = 0; p < 10; p++)
      providers[`p${p}`] = { kind: "openai", apiKey: { secret: "KEY" }, residency: p % 2 === 0 ? "us" : "eu", headers: { "x-team": "a" } };
    for (let m = 0; m < 200; m++) models[`m${m}`] = { provider: `p${m % 10}`, name: "x", context: 32_000 + m * 100, price: { input: 1, output: 2 } };
    for (let t = 0; t < 50; t++) tiers[`t${t}`] = { models: [0, 1, 2, 3].map((k) => ({ model: `m${(t * 4 + k) % 200}`, weight: 1 })) };
    for (let r = 0; r < 1_000; r++) {
      routes[`r${r}`] = {
        tier: `t${r % 50}`,
        fallback: [{ tier: `t${(r + 1) % 50}` }, { model: `m${r % 200}` }],
        residency: r % 3 === 0 ? "eu" : "any",
        longContext: { over: 16_000, use: { model: "m199" } },
        canary: { model: `m${(r + 7) % 200}`, steps: [5], everyMs: 1000 },
        description: "a route",
      };
    }
    const parsed = parseConfig({ irVersion: 1, environment: "prod", providers, models, tiers, routes });
    if (!parsed.success) throw new Error(parsed.issues[0]?.message);
    const selections = Object.keys(builtinPacks).map((pack) => ({ pack, severities: {}, options: {} }));
    const started = performance.now();
    const findings = runPolicies({ config: parsed.data, environment: "prod", now, packs: {}, selections });
    const elapsed = performance.now() - started;
    expect(findings.length).toBeGreaterThan(1_000);
    expect(findings.filter((f) => f.messageId === "crashed")).toEqual([]);
    // Measured ~100 ms on the dev machine; the bound leaves room for slow CI runners.
    expect(elapsed).toBeLessThan(2_000);
  });
});

describe("suggestion", () => {
  it("suggests the closest name only when it is close", () => {
    expect(suggestion("price-cieling", ["price-ceiling"])).toBe(' Did you mean "price-ceiling"?');
    expect(suggestion("owners", ["owners-set", "fallback-required"])).toBe("");
    expect(suggestion("maxAttempt", ["maxAttempts", "maxFirstCanaryStep"])).toBe(' Did you mean "maxAttempts"?');
  });
});

describe("renderMessage", () => {
  it("fills placeholders and leaves unknown ones as written", () => {
    expect(renderMessage("{{a}} and {{ b }} and {{c}}", { a: 1, b: "two" })).toBe("1 and two and {{c}}");
  });
});

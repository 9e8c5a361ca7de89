/** @module regions.test — Region-aware placement in the compiler: lowering, SY0209 for unknown regions, and diff phrases. */
import { describe, expect, it } from "vitest";
import { diffConfigs } from "../diff/diff-configs.ts";
import { acmeIr } from "../diff/fixtures.test-helper.ts";
import { generateTraces } from "../simulate/generate.ts";
import { Replay } from "../simulate/replay.ts";
import { parseTraceLine, type TracedRequest } from "../simulate/trace-line.ts";
import { validateConfigValue } from "../validate/validate.ts";

const price = { input: 1, output: 1 };
function config(extra: Record<string, unknown> = {}, team: Record<string, unknown> = {}) {
  return {
    providers: {
      fra: { kind: "mock", region: "eu-central", residency: "eu" },
      iad: { kind: "mock", region: "us-east" },
    },
    models: { a: { provider: "fra", name: "a", context: 1000, price }, b: { provider: "iad", name: "b", context: 1000, price } },
    tiers: { both: { models: ["a", "b"] } },
    routes: { chat: { tier: "both", placement: { maxP95: "2s" } } },
    teams: { fra: { routes: ["chat"], region: "eu-central", ...team } },
    regions: { "eu-central": ["us-east"], "ap-south": ["eu-central", "us-east"] },
    environments: { prod: { router: { regionHeader: "x-edge-region" } } },
    ...extra,
  };
}

describe("region-aware placement in the compiler", () => {
  it("lowers the proximity table, team regions, a route's p95 target (to ms) and the region header", () => {
    const result = validateConfigValue({ value: config(), env: "prod" });
    expect(result.findings).toEqual([]);
    expect(result.config?.regions).toEqual({ "eu-central": ["us-east"], "ap-south": ["eu-central", "us-east"] });
    expect(result.config?.teams.fra?.region).toBe("eu-central");
    expect(result.config?.routes.chat?.placement).toEqual({ maxP95Ms: 2000 });
    expect(result.config?.router.regionHeader).toBe("x-edge-region");
  });

  it("reports SY0209 at a table region no provider serves and at a team region placement does not know, with a hint", () => {
    const result = validateConfigValue({ value: config({ regions: { "eu-central": ["us-eats"] } }, { region: "eu-centrl" }) });
    expect(result.findings.map((f) => [f.code, f.path.join("."), f.hint])).toEqual([
      ["SY0209", "regions.eu-central.0", 'Did you mean "us-east"?'],
      ["SY0209", "teams.fra.region", 'Did you mean "eu-central"?'],
    ]);
    expect(result.findings[0]?.message).toContain('no provider serves region "us-eats"');
  });

  it("refuses a region header that is not a lower-case header name", () => {
    const result = validateConfigValue({ value: config({ router: { regionHeader: "X Region" } }) });
    expect(result.findings.map((f) => f.code)).toContain("SY0102");
  });

  it("diff names proximity, team region, p95 target and region header changes in routes.ts words", () => {
    const before = validateConfigValue({ value: config() }).config;
    const after = validateConfigValue({
      value: config(
        {
          regions: { "eu-central": ["us-east"], "us-east": ["eu-central"] },
          routes: { chat: { tier: "both", placement: { maxP95: "3s" } } },
          router: { regionHeader: "x-edge-region" },
        },
        { region: "us-east" },
      ),
    }).config;
    if (before === undefined || after === undefined) throw new Error("did not compile");
    expect(diffConfigs(before, after).changes.map((c) => c.summary)).toEqual([
      "route chat: placement p95 target 2s → 3s",
      "team fra: region eu-central → us-east",
      "router: region header unset → x-edge-region",
      "router: regions ap-south [eu-central, us-east] → unset",
      "router: regions us-east unset → [eu-central]",
    ]);
  });

  it("simulate replays each trace's caller region through placement: a proximity entry moves where requests are served", () => {
    // support-faq's tier `fast` (latency strategy) holds gpt-mini (us) and gpt-mini-eu (eu); callers in ap-south, a
    // region no provider serves. Without a `regions` entry the strategy orders alone (the traced latencies favour eu
    // most of the time); with `"ap-south": ["us"]`, us comes first.
    const base = acmeIr();
    const next = acmeIr();
    next.regions = { "ap-south": ["us"] };
    const requests: TracedRequest[] = [];
    let n = 0;
    for (const line of generateTraces(base, { requests: 400, seed: 5, longShare: 0 })) {
      const parsed = parseTraceLine(line, ++n);
      if (parsed.kind === "request" && parsed.request.route === "support-faq") requests.push({ ...parsed.request, region: "ap-south" });
    }
    expect(requests.length).toBeGreaterThan(50);
    const replay = new Replay({ base, next, seed: 1 });
    for (const r of requests) replay.add(r);
    const faq = replay.result().routes.get("support-faq");
    const eu = (regions: Map<string, number> | undefined) => (regions?.get("eu") ?? 0) / [...(regions?.values() ?? [])].reduce((a, b) => a + b, 0);
    expect(eu(faq?.sides.base.regions)).toBeGreaterThan(0.5);
    expect(eu(faq?.sides.new.regions)).toBeLessThan(0.05);
  });
});

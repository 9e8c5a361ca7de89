/** @module Tests of formatPlan()'s text rendering. */
import { describe, expect, it } from "vitest";
import { decide } from "./decide.ts";
import { formatPlan } from "./format-plan.ts";
import { mulberry32 } from "./rng.ts";
import { acmeConfig, fakeState, req } from "./testing.ts";

const NOW = Date.UTC(2026, 10, 26);

describe("formatPlan", () => {
  it("renders candidates in order with reasons, then exclusions", () => {
    const config = acmeConfig();
    const d = decide(config, req({ route: "support-faq", team: "support", promptTokens: 30_000, maxOutputTokens: 4_000 }), fakeState(), {
      rng: mulberry32(1),
      now: NOW,
      explain: true,
    });
    expect(formatPlan(d, config)).toBe(
      [
        "route support-faq (environment prod): tier fast, strategy latency",
        "long-context rule applied",
        "",
        "plan (tried in this order):",
        "   1. claude       (anthropic, us)",
        "      long context (over 16000 tokens): tier frontier (cost) #1 of 1: est. $0.150",
        "   2. gpt-mini     (openai, us)",
        "      primary: tier fast (latency) #1 of 2: no latency samples yet",
        "   3. gpt-mini-eu  (azureEu, eu, residency eu)",
        "      primary: tier fast (latency) #2 of 2: no latency samples yet",
        "",
        "excluded:",
        "  - claude (step 1) duplicate: already earlier in the plan",
        "  - llama-local (step 2) context-window: needs 34000 tokens (prompt 30000 + output 4000); context is 32000",
        "",
      ].join("\n"),
    );
  });

  it("marks a probe and renders errors with their code", () => {
    const config = acmeConfig();
    const open = { status: "open" as const, openedAt: NOW - 60_000 };
    const d = decide(config, req({ route: "legal-review" }), fakeState({ breakers: { "llama-local": open } }), { rng: mulberry32(1), now: NOW });
    const text = formatPlan(d, config);
    expect(text).toContain("llama-local  (local, eu, residency eu)  PROBE");
    expect(text).toContain("this one opened 60 s ago");
    expect(formatPlan(decide(config, req({ route: "nope" }), fakeState(), { rng: mulberry32(1), now: NOW }), config)).toBe(
      'error route_not_found: route "nope" does not exist\n',
    );
  });
});

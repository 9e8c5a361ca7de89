/** @module Tests for prod-safety/no-experimental-models. */
import { fixture } from "../testing/fixture.ts";
import { testPolicy } from "../testing/policy-tester.ts";
import policy from "./no-experimental-models.ts";

const withNext = (lifecycle: "experimental" | "preview") =>
  fixture((d) => {
    d.models.next = { provider: "anthropicEu", name: "claude-next", context: 200_000, price: { input: 3, output: 15 }, lifecycle };
  });

testPolicy({
  policy,
  valid: [
    { name: "GA models only", config: fixture() },
    { name: "an unused experimental model", config: withNext("experimental") },
    {
      name: "a canary guarded by maxErrorRate",
      config: fixture((d) => {
        d.models.next = { provider: "anthropicEu", name: "claude-next", context: 200_000, price: { input: 3, output: 15 }, lifecycle: "experimental" };
        d.routes.chat!.canary = { model: "next", steps: [5, 50, 100], everyMs: 3_600_000, guard: { maxErrorRate: 0.02 } };
      }),
    },
    {
      name: "a canary guarded by maxP95Ms",
      config: fixture((d) => {
        d.models.next = { provider: "anthropicEu", name: "claude-next", context: 200_000, price: { input: 3, output: 15 }, lifecycle: "preview" };
        d.routes.chat!.canary = { model: "next", steps: [5], everyMs: 3_600_000, guard: { maxP95Ms: 4000 } };
      }),
    },
    {
      name: "preview allowed when lifecycles lists only experimental",
      config: fixture((d) => {
        d.models.claude!.lifecycle = "preview";
      }),
      options: { lifecycles: ["experimental"] },
    },
  ],
  invalid: [
    {
      name: "an experimental model as a fallback step",
      config: fixture((d) => {
        d.models.next = { provider: "anthropicEu", name: "claude-next", context: 200_000, price: { input: 3, output: 15 }, lifecycle: "experimental" };
        d.routes.chat!.fallback = [{ tier: "frontier" }, { model: "next" }];
      }),
      errors: [
        {
          messageId: "reachable",
          node: { kind: "route", id: "chat", path: ["fallback", 1] },
          message: "route chat reaches experimental model next through fallback step 2; use a GA model or roll it out as a guarded canary",
        },
      ],
    },
    {
      name: "a preview member of the primary tier",
      config: fixture((d) => {
        d.models.mini!.lifecycle = "preview";
      }),
      errors: [
        { messageId: "reachable", node: { kind: "route", id: "chat", path: ["tier"] }, message: /preview model mini through its primary \(tier fast\)/ },
      ],
    },
    {
      name: "an unguarded canary",
      config: fixture((d) => {
        d.models.next = { provider: "anthropicEu", name: "claude-next", context: 200_000, price: { input: 3, output: 15 }, lifecycle: "experimental" };
        d.routes.chat!.canary = { model: "next", steps: [5], everyMs: 3_600_000, guard: { minRequests: 50 } };
      }),
      errors: [
        {
          messageId: "unguarded-canary",
          node: { kind: "route", id: "chat", path: ["canary", "guard"] },
          message:
            "route chat canaries experimental model next without a guard; set canary.guard.maxErrorRate or canary.guard.maxP95 so a bad rollout stops itself",
        },
      ],
    },
  ],
});

/**
 * @module Pins the DSL's enums to the IR's (issue 18 item 7): @switchyard/ir declares each value set once; the compiler's
 * DSL schema reuses those zod schemas, and the SDK, which users install without @switchyard/ir, keeps readable literal
 * unions that must equal the IR's exactly. A value added on one side only fails these type tests.
 */
import { describe, expectTypeOf, it } from "vitest";
import type * as Ir from "@switchyard/ir";
import type * as Sdk from "@switchyard/sdk";
import type { ConfigDslInput } from "../../packages/compiler/src/validate/dsl-schema.ts";

type Element<A> = A extends readonly (infer E)[] ? E : never;
type Entry<K extends "providers" | "models" | "tiers" | "routes" | "teams"> = NonNullable<ConfigDslInput[K]>[string];
type RouteDslInput = Entry<"routes">;
type BudgetDslInput = NonNullable<Entry<"teams">["budget"]>;

describe("the SDK's literal unions equal the IR's enums", () => {
  it("provider kinds, residency, data classes, lifecycle, capabilities", () => {
    expectTypeOf<Sdk.ProviderKind>().toEqualTypeOf<Ir.ProviderKind>();
    expectTypeOf<Sdk.Residency>().toEqualTypeOf<Ir.Residency>();
    expectTypeOf<Sdk.DataClass>().toEqualTypeOf<Ir.DataClass>();
    expectTypeOf<Sdk.Lifecycle>().toEqualTypeOf<Ir.Lifecycle>();
    expectTypeOf<Sdk.Capability>().toEqualTypeOf<Ir.Capability>();
    expectTypeOf<Sdk.ModelKind>().toEqualTypeOf<Ir.ModelKind>();
  });

  it("strategies, optimize goals, error classes, severities", () => {
    expectTypeOf<Sdk.Strategy>().toEqualTypeOf<Ir.Strategy>();
    expectTypeOf<Sdk.Optimize>().toEqualTypeOf<Ir.Optimize>();
    expectTypeOf<Sdk.ErrorClass>().toEqualTypeOf<Ir.ErrorClass>();
    expectTypeOf<Sdk.Severity>().toEqualTypeOf<Ir.Severity>();
  });

  it("budget periods and modes, validator kinds", () => {
    expectTypeOf<NonNullable<Sdk.BudgetDef["per"]>>().toEqualTypeOf<Ir.BudgetPeriod>();
    expectTypeOf<NonNullable<Sdk.BudgetDef["mode"]>>().toEqualTypeOf<Ir.BudgetMode>();
    expectTypeOf<Sdk.ValidatorDef["kind"]>().toEqualTypeOf<Ir.ValidatorKind>();
  });

  it("state kinds and what to do while Redis is unreachable", () => {
    expectTypeOf<Sdk.StateDef["kind"]>().toEqualTypeOf<Ir.StateKind>();
    expectTypeOf<Sdk.StateUnavailable>().toEqualTypeOf<Ir.StateUnavailable>();
    expectTypeOf<NonNullable<Sdk.RedisStateDef["onUnavailable"]>>().toEqualTypeOf<Ir.StateUnavailable>();
  });

  it("the SDK's DSL uses those unions where the IR does", () => {
    expectTypeOf<Sdk.ProviderDef["kind"]>().toEqualTypeOf<Ir.ProviderKind>();
    expectTypeOf<NonNullable<Sdk.TierDef<string>["strategy"]>>().toEqualTypeOf<Ir.Strategy>();
    expectTypeOf<NonNullable<Sdk.ModelDef<string>["lifecycle"]>>().toEqualTypeOf<Ir.Lifecycle>();
  });
});

describe("the IR and the compiler's DSL schema agree", () => {
  it("the IR's validator union covers exactly the validator kinds", () => {
    expectTypeOf<Ir.Validator["kind"]>().toEqualTypeOf<Ir.ValidatorKind>();
    expectTypeOf<Element<NonNullable<RouteDslInput["validate"]>>["kind"]>().toEqualTypeOf<Ir.ValidatorKind>();
  });

  it("the DSL schema accepts the IR's values, no more and no fewer", () => {
    expectTypeOf<Entry<"providers">["kind"]>().toEqualTypeOf<Ir.ProviderKind>();
    expectTypeOf<NonNullable<Entry<"tiers">["strategy"]>>().toEqualTypeOf<Ir.Strategy>();
    expectTypeOf<NonNullable<Entry<"models">["lifecycle"]>>().toEqualTypeOf<Ir.Lifecycle>();
    expectTypeOf<NonNullable<RouteDslInput["optimize"]>>().toEqualTypeOf<Ir.Optimize>();
    expectTypeOf<NonNullable<RouteDslInput["dataClass"]>>().toEqualTypeOf<Ir.DataClass>();
    expectTypeOf<NonNullable<RouteDslInput["residency"]>>().toEqualTypeOf<Ir.Residency>();
    expectTypeOf<Element<NonNullable<RouteDslInput["requires"]>>>().toEqualTypeOf<Ir.Capability>();
    expectTypeOf<Element<NonNullable<NonNullable<RouteDslInput["retry"]>["on"]>>>().toEqualTypeOf<Ir.ErrorClass>();
    expectTypeOf<NonNullable<BudgetDslInput["per"]>>().toEqualTypeOf<Ir.BudgetPeriod>();
    expectTypeOf<NonNullable<BudgetDslInput["mode"]>>().toEqualTypeOf<Ir.BudgetMode>();
    expectTypeOf<NonNullable<ConfigDslInput["state"]>["kind"]>().toEqualTypeOf<Ir.StateKind>();
    expectTypeOf<NonNullable<Extract<NonNullable<ConfigDslInput["state"]>, { kind: "redis" }>["onUnavailable"]>>().toEqualTypeOf<Ir.StateUnavailable>();
  });
});

/** @module @switchyard/policies/testing — a fixture builder and a table tester (vitest) for policies. */
export { baseConfigInput, fixture, type Draft } from "./fixture.ts";
export { runOne, testPolicy, type ExpectedFinding, type InvalidCase, type PolicyTable, type ValidCase } from "./policy-tester.ts";

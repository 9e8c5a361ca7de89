import { describe, expect, it } from "vitest";
import { ERRORS, RouterError, allFailedStatus, type AttemptSummary } from "./errors.ts";

describe("RouterError", () => {
  it("renders OpenAI's error shape from the table", () => {
    const e = new RouterError("route_not_found", "route `x` does not exist", { param: "model" });
    expect(e.status).toBe(404);
    expect(e.toBody()).toEqual({ error: { message: "route `x` does not exist", type: "not_found_error", code: "route_not_found", param: "model" } });
  });

  it("every code has a 4xx/5xx status", () => {
    for (const { status } of Object.values(ERRORS)) expect(status >= 400 && status < 600).toBe(true);
  });

  it("picks 504 when all attempts timed out, 503 when all were overloaded, else 502", () => {
    const at = (errorClass: AttemptSummary["errorClass"], status?: number): AttemptSummary => ({
      model: "m",
      provider: "p",
      step: 0,
      attempt: 1,
      outcome: "error",
      errorClass,
      latencyMs: 1,
      ...(status ? { status } : {}),
    });
    expect(allFailedStatus([at("timeout"), at("timeout")])).toBe(504);
    expect(allFailedStatus([at("5xx", 503), at("429", 429)])).toBe(503);
    expect(allFailedStatus([at("5xx", 500), at("timeout")])).toBe(502);
  });
});

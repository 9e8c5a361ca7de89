/** @module The default attempt recorder until the state store lands: all breakers closed, no latency data. */
import type { RoutingState } from "../core/index.ts";
import type { AttemptRecorder } from "../execute/execute.ts";

export function defaultRecorder(): AttemptRecorder {
  const inFlight = new Map<string, number>();
  const view: RoutingState = {
    breaker: () => ({ status: "closed", openedAt: undefined }),
    latency: () => undefined,
    inFlight: (model) => inFlight.get(model) ?? 0,
    canaryPercent: () => 0,
  };
  return {
    view: () => view,
    attemptStarted: (model) => void inFlight.set(model, (inFlight.get(model) ?? 0) + 1),
    attemptFinished: (model) => void inFlight.set(model, Math.max(0, (inFlight.get(model) ?? 1) - 1)),
  };
}

/** @module The default state store: placeholder until MemoryStateStore lands (all breakers closed, no latency data). */
import type { RoutingState } from "../core/index.ts";
import type { StateStore } from "../state/store.ts";

export function defaultState(): StateStore {
  const inFlight = new Map<string, number>();
  const view: RoutingState = {
    breaker: () => ({ status: "closed", openedAt: undefined }),
    latency: () => undefined,
    inFlight: (model) => inFlight.get(model) ?? 0,
    canaryPercent: () => 0,
  };
  return {
    name: "placeholder",
    view: () => view,
    activate: () => undefined,
    recordAttempt: () => undefined,
    acquire: (model) => {
      inFlight.set(model, (inFlight.get(model) ?? 0) + 1);
      return { model, probe: false, release: () => void inFlight.set(model, Math.max(0, (inFlight.get(model) ?? 1) - 1)) };
    },
    setCanaryPercent: () => undefined,
    snapshot: () => ({ breakers: {}, latency: {}, inFlight: Object.fromEntries(inFlight), canaries: {} }),
  };
}

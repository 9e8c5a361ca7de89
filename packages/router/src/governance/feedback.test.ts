/** @module The in-memory feedback store: the conformance suite, and its bound (answered requests beyond the cap are forgotten, oldest first). */
import { describe, expect, it } from "vitest";
import { feedbackStoreConformance } from "./feedback.conformance.ts";
import { MemoryFeedbackStore } from "./feedback.ts";

feedbackStoreConformance("memory", async () => ({ store: new MemoryFeedbackStore(), close: async () => undefined }));

const served = (servedAt: number) => ({ team: "t", route: "chat", model: "m", arm: undefined, servedAt });
const body = (requestId: string) => ({ requestId, score: 1, label: undefined });

describe("MemoryFeedbackStore", () => {
  it("keeps at most maxRequests, forgetting the oldest first", () => {
    const store = new MemoryFeedbackStore(3);
    for (let i = 0; i < 5; i++) store.remember(`r${i}`, served(i));
    expect(() => store.score("t", body("r1"), 10)).toThrow(/no recent answer `r1`/);
    expect(store.score("t", body("r2"), 10).repeated).toBe(false);
  });
});

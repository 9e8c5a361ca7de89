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

  it("forgets a reused id only with its newest answer, and a forgotten answer's score with it", () => {
    const store = new MemoryFeedbackStore(3);
    store.remember("a", served(0));
    expect(store.score("t", body("a"), 10).repeated).toBe(false);
    store.remember("b", served(1));
    store.remember("a", { ...served(2), model: "m2" }); // "a" answered anew: its older answer's slot is stale
    store.remember("c", served(3)); // overwrites the stale slot of "a": "a" stays, as its newer answer
    const again = store.score("t", body("a"), 10);
    expect(again).toMatchObject({ served: { model: "m2", servedAt: 2 }, repeated: false });
    store.remember("d", served(4)); // forgets "b"
    store.remember("e", served(5)); // forgets "a" and its score
    expect(() => store.score("t", body("b"), 10)).toThrow(/no recent answer `b`/);
    expect(() => store.score("t", body("a"), 10)).toThrow(/no recent answer `a`/);
    store.markCounted(again, true); // the answer is gone: nothing to mark
    store.remember("a", served(6));
    expect(store.score("t", { requestId: "a", score: 0.5, label: undefined }, 10)).toMatchObject({ feedback: { score: 0.5, counted: false }, repeated: false });
  });

  it("tells answers apart by team, route, model and arm, however many there are", () => {
    const store = new MemoryFeedbackStore(3_000);
    for (let i = 0; i < 2_500; i++)
      store.remember(`r${i}`, { team: `t${i % 7}`, route: `route${i % 11}`, model: `m${i}`, arm: i % 2 === 0 ? "canary" : undefined, servedAt: i });
    for (const i of [0, 1, 1_023, 1_024, 1_025, 2_499]) {
      expect(store.score(`t${i % 7}`, body(`r${i}`), 10_000).served).toEqual({
        team: `t${i % 7}`,
        route: `route${i % 11}`,
        model: `m${i}`,
        arm: i % 2 === 0 ? "canary" : undefined,
        servedAt: i,
      });
    }
    store.remember("open", { team: undefined, route: "chat", model: "m", arm: undefined, servedAt: 1 });
    expect(() => store.score("undefined", body("open"), 10)).toThrow(/no recent answer/);
  });
});

/** @module The in-memory feedback store: the conformance suite, and its bound (answered requests beyond the cap are forgotten, oldest first). */
import fc from "fast-check";
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

  it("answers like a list of its last maxRequests answers, whatever the order of answers, reused ids and scores", () => {
    // A small ring and a small index: probe runs collide and wrap, so forgetting moves entries back.
    const step = fc.oneof(
      fc.record({ kind: fc.constant("remember" as const), id: fc.integer({ min: 0, max: 19 }), team: fc.constantFrom("a", "b") }),
      fc.record({ kind: fc.constant("score" as const), id: fc.integer({ min: 0, max: 19 }), team: fc.constantFrom("a", "b"), score: fc.constantFrom(0, 1) }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9 }), fc.array(step, { minLength: 50, maxLength: 300 }), (cap, steps) => {
        const store = new MemoryFeedbackStore(cap);
        const answers: Array<{ id: string; team: string; servedAt: number; score?: number }> = [];
        steps.forEach((s, t) => {
          const id = `req-${s.id}`;
          if (s.kind === "remember") {
            answers.push({ id, team: s.team, servedAt: t });
            store.remember(id, { team: s.team, route: "chat", model: `m${t}`, arm: undefined, servedAt: t });
            return;
          }
          const newest = answers.slice(-cap).findLast((a) => a.id === id);
          const call = () => store.score(s.team, { requestId: id, score: s.score, label: undefined }, t);
          if (newest === undefined || newest.team !== s.team) {
            expect(call).toThrow(/no recent answer/);
          } else if (newest.score !== undefined && newest.score !== s.score) {
            expect(call).toThrow(/already has score/);
          } else {
            expect(call()).toMatchObject({ served: { model: `m${newest.servedAt}`, servedAt: newest.servedAt }, repeated: newest.score !== undefined });
            newest.score = s.score;
          }
        });
      }),
      { numRuns: 200 },
    );
  });
});

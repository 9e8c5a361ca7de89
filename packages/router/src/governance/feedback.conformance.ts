/** @module The FeedbackStore conformance suite: the in-memory store and the Redis one run these very cases. */
import { describe, expect, it } from "vitest";
import { type MakeStore, T0, withStore } from "../state/conformance.ts";
import { FEEDBACK_TTL_MS, type FeedbackBody, type FeedbackStore, type ServedRequest } from "./feedback.ts";

const served = (over: Partial<ServedRequest> = {}): ServedRequest => ({ team: "support", route: "chat", model: "next", arm: "canary", servedAt: T0, ...over });
const body = (requestId: string, score: number, label?: string): FeedbackBody => ({ requestId, score, label });

/**
 * Register the FeedbackStore cases under `describe("feedback store conformance: <name>")`. The stores are made with
 * the default time to live (FEEDBACK_TTL_MS); time moves only through the `now` arguments and `servedAt`.
 *
 * @example
 * feedbackStoreConformance("memory", async () => ({ store: new MemoryFeedbackStore(), close: async () => {} }));
 */
export function feedbackStoreConformance(name: string, make: MakeStore<FeedbackStore>): void {
  const test = (title: string, fn: (s: FeedbackStore) => Promise<void>) => it(title, withStore(make, fn));
  /** A call as a promise, whether the store answers synchronously (memory) or not. */
  const scoring = (s: FeedbackStore, team: string | undefined, b: FeedbackBody, now = T0 + 1_000) => Promise.resolve().then(() => s.score(team, b, now));

  describe(`feedback store conformance: ${name}`, () => {
    test("matches a score to the served request once; the same score again is a repeat, another one a conflict", async (s) => {
      s.remember("r1", served());
      const first = await scoring(s, "support", body("r1", 0.9, "helpful"));
      expect(first).toEqual({
        requestId: "r1",
        served: served(),
        feedback: { score: 0.9, label: "helpful", counted: false },
        repeated: false,
      });
      expect(await scoring(s, "support", body("r1", 0.9, "helpful"))).toMatchObject({ repeated: true, feedback: { score: 0.9, label: "helpful" } });
      await expect(scoring(s, "support", body("r1", 0.2))).rejects.toMatchObject({ code: "feedback_conflict", param: "score" });
      await expect(scoring(s, "support", body("r1", 0.9, "other label"))).rejects.toMatchObject({ code: "feedback_conflict" });
    });

    test("a repeat answers whether the first score counted", async (s) => {
      s.remember("r1", served());
      const first = await scoring(s, "support", body("r1", 0.4));
      await s.markCounted(first, true);
      expect((await scoring(s, "support", body("r1", 0.4))).feedback).toEqual({ score: 0.4, label: undefined, counted: true });
    });

    test("an unknown id, another team's request and an expired one read alike as not found", async (s) => {
      s.remember("mine", served());
      s.remember("old", served({ servedAt: T0 - FEEDBACK_TTL_MS - 1 }));
      for (const [team, id] of [
        ["support", "never-served"],
        ["legal", "mine"],
        [undefined, "mine"],
        ["support", "old"],
      ] as const) {
        await expect(scoring(s, team, body(id, 1)), `${team ?? "no team"} scoring ${id}`).rejects.toMatchObject({
          code: "request_not_found",
          param: "request_id",
        });
      }
      // At the edge of the time to live it is still there.
      s.remember("edge", served());
      expect((await scoring(s, "support", body("edge", 1), T0 + FEEDBACK_TTL_MS)).repeated).toBe(false);
    });

    test("an open router's answers (no team) are scored without a team", async (s) => {
      s.remember("open", served({ team: undefined, arm: undefined }));
      expect(await scoring(s, undefined, body("open", 0.5))).toMatchObject({ served: { team: undefined, arm: undefined }, repeated: false });
      await expect(scoring(s, "support", body("open", 0.5))).rejects.toMatchObject({ code: "request_not_found" });
    });

    test("a reused request id is a new answer: the older answer's score does not carry over", async (s) => {
      s.remember("again", served());
      await scoring(s, "support", body("again", 0.1));
      s.remember("again", served({ servedAt: T0 + 5_000, model: "current", arm: "baseline" }));
      expect(await scoring(s, "support", body("again", 0.8), T0 + 6_000)).toMatchObject({
        served: { model: "current", arm: "baseline" },
        feedback: { score: 0.8 },
        repeated: false,
      });
    });

    test("of concurrent different first scores exactly one stands", async (s) => {
      s.remember("race", served());
      const results = await Promise.allSettled([0.1, 0.2, 0.3, 0.4].map((score) => scoring(s, "support", body("race", score))));
      const won = results.filter((r) => r.status === "fulfilled");
      expect(won).toHaveLength(1);
      expect(results.filter((r) => r.status === "rejected").map((r) => (r.reason as { code: string }).code)).toEqual([
        "feedback_conflict",
        "feedback_conflict",
        "feedback_conflict",
      ]);
    });
  });
}

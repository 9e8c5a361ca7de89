/** @module The feedback ledger's bound: answered requests beyond the cap are forgotten, oldest first. */
import { describe, expect, it } from "vitest";
import { FeedbackLedger } from "./feedback.ts";

const served = (servedAt: number) => ({ team: "t", route: "chat", model: "m", arm: undefined, servedAt });
const body = (requestId: string) => ({ requestId, score: 1, label: undefined });

describe("FeedbackLedger", () => {
  it("keeps at most maxRequests, forgetting the oldest first", () => {
    const ledger = new FeedbackLedger(3);
    for (let i = 0; i < 5; i++) ledger.remember(`r${i}`, served(i));
    expect(() => ledger.score("t", body("r1"))).toThrow(/no recent answer `r1`/);
    expect(ledger.score("t", body("r2")).repeated).toBe(false);
  });
});

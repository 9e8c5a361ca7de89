/** @module The feedback ledger's bounds: served requests are forgotten after the TTL and beyond the cap, oldest first. */
import { describe, expect, it } from "vitest";
import { FeedbackLedger } from "./feedback.ts";

const served = (servedAt: number) => ({ team: "t", route: "chat", model: "m", arm: undefined, servedAt });
const body = (requestId: string) => ({ requestId, score: 1, label: undefined });

describe("FeedbackLedger", () => {
  it("keeps at most maxRequests, forgetting the oldest first", () => {
    const ledger = new FeedbackLedger(3, 60_000);
    for (let i = 0; i < 5; i++) ledger.remember(`r${i}`, served(i));
    expect(ledger.size).toBe(3);
    expect(() => ledger.score("t", body("r1"), 10)).toThrow(/no answer with request id `r1`/);
    expect(ledger.score("t", body("r2"), 10).repeated).toBe(false);
  });

  it("forgets requests older than the TTL", () => {
    const ledger = new FeedbackLedger(10, 1_000);
    ledger.remember("old", served(0));
    ledger.remember("young", served(900));
    expect(() => ledger.score("t", body("old"), 1_500)).toThrow(/no answer/);
    expect(ledger.score("t", body("young"), 1_500).served.route).toBe("chat");
    expect(ledger.size).toBe(1);
  });
});

import { describe, expect, it } from "vitest";
import type { ChatBody } from "../protocol/chat.ts";
import { MAX_TOOL_CALL_ID, shortToolCallId, toolUseId, withShortToolCallIds } from "./tool-call-ids.ts";

const long = `call_0__sig__${"Ab9-_".repeat(80)}`;
const body = (id: string): ChatBody => ({
  model: "chat",
  messages: [
    { role: "user", content: "Weather?" },
    { role: "assistant", content: null, tool_calls: [{ id, type: "function", function: { name: "weather", arguments: "{}" } }] },
    { role: "tool", tool_call_id: id, content: "sunny" },
  ],
});

describe("withShortToolCallIds", () => {
  it("is undefined when every id fits (nothing copied), including ids of exactly 40 characters", () => {
    expect(withShortToolCallIds(body("call_abc"))).toBeUndefined();
    expect(withShortToolCallIds(body("c".repeat(MAX_TOOL_CALL_ID)))).toBeUndefined();
    expect(withShortToolCallIds({ model: "m", messages: [{ role: "user", content: "hi" }] })).toBeUndefined();
  });

  it("replaces a long id in the call and its result by the same short id, leaving the client's body as it was", () => {
    const original = body(long);
    const before = JSON.stringify(original);
    const out = withShortToolCallIds(original);
    const short = shortToolCallId(long);
    expect(short).toMatch(/^call_[A-Za-z0-9_-]{35}$/);
    expect(out?.messages[1]?.tool_calls?.[0]?.id).toBe(short);
    expect(out?.messages[2]?.tool_call_id).toBe(short);
    expect(out?.messages[0]).toBe(original.messages[0]);
    expect(JSON.stringify(original)).toBe(before);
  });

  it("maps the same id to the same short id every time, and different ids apart", () => {
    expect(shortToolCallId(long)).toBe(shortToolCallId(long));
    expect(shortToolCallId(`${long}x`)).not.toBe(shortToolCallId(long));
  });

  it("keeps short ids beside long ones, and tolerates calls without an id", () => {
    const b = body(long);
    b.messages[1]!.tool_calls!.push({ id: "call_1", type: "function", function: { name: "clock", arguments: "{}" } });
    b.messages[1]!.tool_calls!.push({ type: "function", function: { name: "x", arguments: "{}" } } as never);
    const out = withShortToolCallIds(b);
    expect(out?.messages[1]?.tool_calls?.map((c) => c.id)).toEqual([shortToolCallId(long), "call_1", undefined]);
  });
});

describe("toolUseId (anthropic, bedrock)", () => {
  it("keeps an id of [A-Za-z0-9_-] up to 64 characters, and maps any other to its short id", () => {
    expect(toolUseId("toolu_01AbC-9")).toBe("toolu_01AbC-9");
    expect(toolUseId("x".repeat(64))).toBe("x".repeat(64));
    for (const id of ["functions.Bash:0", "x".repeat(65), long, "call 1", ""]) {
      expect(toolUseId(id)).toBe(shortToolCallId(id));
      expect(toolUseId(id)).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
    }
    expect(toolUseId(undefined)).toBe(shortToolCallId(""));
  });
});

import { describe, expect, it } from "vitest";
import { RouterError } from "../errors.ts";
import { validateChatBody } from "./chat-body.ts";

function paramOf(body: unknown): string | null {
  try {
    validateChatBody(body);
    return null;
  } catch (error) {
    expect(error).toBeInstanceOf(RouterError);
    return (error as RouterError).param ?? "(none)";
  }
}

describe("validateChatBody", () => {
  it("accepts a minimal body and keeps unknown fields", () => {
    const body = validateChatBody({ model: "r", messages: [{ role: "user", content: "hi" }], seed: 3 });
    expect(body["seed"]).toBe(3);
  });

  it.each([
    [[1, 2], "(none)"],
    [{ messages: [] }, "model"],
    [{ model: 5, messages: [] }, "model"],
    [{ model: "r" }, "messages"],
    [{ model: "r", messages: "hi" }, "messages"],
    [{ model: "r", messages: [] }, "messages"],
    [{ model: "r", messages: [{ content: "x" }] }, "messages[0].role"],
    [{ model: "r", messages: [{ role: "robot", content: "x" }] }, "messages[0].role"],
    [{ model: "r", messages: [{ role: "user", content: 5 }] }, "messages[0].content"],
    [{ model: "r", messages: [{ role: "user" }] }, "messages[0].content"],
    [{ model: "r", messages: [{ role: "tool", content: "x" }] }, "messages[0].tool_call_id"],
    [{ model: "r", messages: [{ role: "user", content: "x" }], stream: "yes" }, "stream"],
    [{ model: "r", messages: [{ role: "user", content: "x" }], max_tokens: 0 }, "max_tokens"],
    [{ model: "r", messages: [{ role: "user", content: "x" }], temperature: "hot" }, "temperature"],
    [{ model: "r", messages: [{ role: "user", content: "x" }], tools: [{ type: "function" }] }, "tools[0].function.name"],
    [{ model: "r", messages: [{ role: "user", content: "x" }], stop: [1] }, "stop"],
  ])("rejects %j at %s", (body, param) => {
    expect(paramOf(body)).toBe(param);
  });
});

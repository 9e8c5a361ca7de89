/**
 * @module The tool round trip every Gemini wire (the gemini kind, and Vertex AI's, which takes the same bodies) is held
 * to through the official openai client: a forced call comes back as tool_calls with its thought signature riding in the
 * id, and the history sent back carries the functionCall with its signature and the functionResponse.
 */
import type OpenAI from "openai";
import { expect } from "vitest";
import { type FakeGemini, GEMINI_SIGNATURE, GEMINI_TEXT } from "./fake-gemini.ts";

export const WEATHER_TOOL: OpenAI.ChatCompletionFunctionTool = {
  type: "function",
  function: {
    name: "weather",
    description: "The weather in a city",
    parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
  },
};

/** Ask route `model` for a forced `weather` call, answer it, and check both answers and what `fake` received (its requests empty before). */
export async function expectGeminiToolRoundTrip(client: OpenAI, fake: FakeGemini, model = "chat"): Promise<void> {
  const first = await client.chat.completions.create({
    model,
    messages: [{ role: "user", content: "Weather in Paris?" }],
    tools: [WEATHER_TOOL],
    tool_choice: { type: "function", function: { name: "weather" } },
  });
  const call = first.choices[0]?.message.tool_calls?.[0];
  expect(first.choices[0]?.finish_reason).toBe("tool_calls");
  expect(call).toMatchObject({ type: "function", function: { name: "weather", arguments: '{"city":"Paris"}' } });
  // The signature rides in the id, in characters every provider's tool-call ids accept.
  expect(call?.id).toMatch(/^call_0__sig__[A-Za-z0-9_-]+$/);
  expect(fake.requests[0]?.body).toMatchObject({
    tools: [{ functionDeclarations: [{ name: "weather", description: "The weather in a city", parametersJsonSchema: WEATHER_TOOL.function.parameters }] }],
    toolConfig: { functionCallingConfig: { mode: "ANY", allowedFunctionNames: ["weather"] } },
  });
  const second = await client.chat.completions.create({
    model,
    messages: [
      { role: "user", content: "Weather in Paris?" },
      { role: "assistant", content: null, tool_calls: first.choices[0]?.message.tool_calls ?? [] },
      { role: "tool", tool_call_id: call?.id ?? "", content: '{"temp":"18°C"}' },
    ],
    tools: [WEATHER_TOOL],
  });
  expect(second.choices[0]?.message.content).toBe(GEMINI_TEXT);
  expect(fake.requests[1]?.body["contents"]).toEqual([
    { role: "user", parts: [{ text: "Weather in Paris?" }] },
    { role: "model", parts: [{ functionCall: { name: "weather", args: { city: "Paris" } }, thoughtSignature: GEMINI_SIGNATURE }] },
    { role: "user", parts: [{ functionResponse: { name: "weather", response: { temp: "18°C" } } }] },
  ]);
}

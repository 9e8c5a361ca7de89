/**
 * LangChain's `ChatOpenAI({ useResponsesApi: true })` against the router's `/v1/responses`, over an OpenAI-kind and an
 * Anthropic-kind upstream: invoke, stream, and `withStructuredOutput`; what the upstream received is asserted too.
 */
import { HumanMessage, SystemMessage } from "@langchain/core/messages";
import { ChatOpenAI } from "@langchain/openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { KINDS, type ResponsesRig, startResponsesRig, upstreamOf } from "./setup.ts";

let rig: ResponsesRig;

beforeAll(async () => {
  rig = await startResponsesRig();
});

afterAll(() => rig.close());

beforeEach(() => {
  for (const up of [rig.openai, rig.anthropic]) {
    up.requests.length = 0;
    up.script = () => ({ text: "Hello there" });
  }
});

const chatModel = (route: string): ChatOpenAI =>
  new ChatOpenAI({ model: route, apiKey: rig.key, configuration: { baseURL: `${rig.router.url}/v1` }, useResponsesApi: true, maxRetries: 0 });

describe.each(KINDS)("over $kind ($route)", ({ route, kind }) => {
  it("invoke answers an AIMessage with usage; the system message reaches the upstream", async () => {
    const message = await chatModel(route).invoke([new SystemMessage("Be brief."), new HumanMessage("Say hello")]);
    expect(message.text).toBe("Hello there");
    expect(message.usage_metadata).toMatchObject({ input_tokens: 11, output_tokens: 4, total_tokens: 15 });
    expect(String(message.id)).toMatch(/^resp_/);
    const sent = upstreamOf(rig, kind).requests[0]?.body;
    if (kind === "openai") {
      expect(sent?.["messages"]).toEqual([
        { role: "system", content: "Be brief." },
        { role: "user", content: "Say hello" },
      ]);
    } else {
      expect(sent).toMatchObject({ system: "Be brief.", messages: [{ role: "user", content: [{ type: "text", text: "Say hello" }] }] });
    }
  });

  it("carries an earlier answer back in a conversation as an assistant turn", async () => {
    const model = chatModel(route);
    const first = await model.invoke([new HumanMessage("Say hello")]);
    await model.invoke([new HumanMessage("Say hello"), first, new HumanMessage("Again")]);
    const sent = upstreamOf(rig, kind).requests[1]?.body["messages"];
    expect(JSON.stringify(sent)).toContain("Hello there");
    expect((sent as Array<{ role: string }>).map((m) => m.role)).toEqual(["user", "assistant", "user"]);
  });

  it("streams chunks that add up to the answer", async () => {
    let text = "";
    for await (const chunk of await chatModel(route).stream("Say hello")) text += chunk.text;
    expect(text).toBe("Hello there");
    expect(upstreamOf(rig, kind).requests[0]?.body["stream"]).toBe(true);
  });

  it("withStructuredOutput parses the answer into the schema", async () => {
    const Person = z.object({ name: z.string(), age: z.number() });
    const up = upstreamOf(rig, kind);
    // Whichever way LangChain asks (json_schema or a forced function), the upstream answers in kind.
    up.script = (body) => {
      const json = JSON.stringify({ name: "Ada", age: 36 });
      return body["tools"] !== undefined ? { calls: [{ id: "call_p1", name: "extract", arguments: json }] } : { text: json };
    };
    const structured = chatModel(route).withStructuredOutput(Person, { name: "extract" });
    expect(await structured.invoke("Ada Lovelace, 36 years old")).toEqual({ name: "Ada", age: 36 });
    const sent = up.requests[0]?.body;
    if (kind === "openai") {
      const asked =
        (sent?.["response_format"] as { json_schema?: { name?: string } } | undefined)?.json_schema?.name ??
        (sent?.["tools"] as Array<{ function: { name: string } }> | undefined)?.[0]?.function.name;
      expect(asked).toBe("extract");
    }
  });
});

/** OpenAI's embeddings request as the router reads it: each accepted input shape, each refusal naming its field. */
import { describe, expect, it } from "vitest";
import { MAX_EMBEDDING_INPUTS, estimateEmbeddingTokens, inputsOf, readEmbeddingsBody, vectorToBase64 } from "./embeddings.ts";

describe("readEmbeddingsBody", () => {
  it("accepts a string, strings, a token array and token arrays, with the optional fields", () => {
    for (const input of ["one", ["one", "two"], [1, 2, 3], [[1], [2, 3]]])
      expect(readEmbeddingsBody({ model: "search", input })).toEqual({ model: "search", input });
    expect(readEmbeddingsBody({ model: "s", input: "x", encoding_format: "base64", dimensions: 256, user: "u" })).toEqual({
      model: "s",
      input: "x",
      encoding_format: "base64",
      dimensions: 256,
      user: "u",
    });
  });

  it.each([
    [[], "", "JSON object"],
    [{ input: "x" }, "model", "is required"],
    [{ model: "s" }, "input", "is required"],
    [{ model: "s", input: "" }, "input", "must not be empty"],
    [{ model: "s", input: [] }, "input", "non-empty"],
    [{ model: "s", input: ["a", 3] }, "input[1]", "non-empty string"],
    [{ model: "s", input: ["a", [1]] }, "input", "must not mix"],
    [{ model: "s", input: [[1], [-1]] }, "input[1][0]", "token id, an integer from 0 to 2147483647, got -1"],
    [{ model: "s", input: [[1], []] }, "input[1]", "non-empty array of tokens"],
    [{ model: "s", input: [5, 1e308] }, "input[1]", "an integer from 0 to 2147483647, got 1e+308"],
    [{ model: "s", input: [[1, 2, 2 ** 31]] }, "input[0][2]", "got 2147483648"],
    [{ model: "s", input: [1.5] }, "input[0]", "token id"],
    [{ model: "s", input: "x", prompt: { id: "support-answer" } }, "prompt", "not read by embeddings"],
    [{ model: "s", input: Array.from({ length: MAX_EMBEDDING_INPUTS + 1 }, () => "a") }, "input", "at most 2048"],
    [{ model: "s", input: "x", encoding_format: "binary" }, "encoding_format", '"float" or "base64"'],
    [{ model: "s", input: "x", dimensions: 0 }, "dimensions", "positive integer"],
    [{ model: "s", input: "x", user: 7 }, "user", "string"],
  ])("refuses %j naming `%s`", (body, param, problem) => {
    const read = readEmbeddingsBody(body);
    expect(read).toMatchObject({ param });
    expect((read as { problem: string }).problem).toContain(problem);
  });
});

describe("helpers", () => {
  it("lists inputs one by one and estimates their tokens (a token array counts its tokens)", () => {
    expect(inputsOf([1, 2])).toEqual([[1, 2]]);
    expect(inputsOf(["a", "b"])).toEqual(["a", "b"]);
    expect(estimateEmbeddingTokens([[1, 2, 3], [4]])).toBe(4);
    expect(estimateEmbeddingTokens("hello world")).toBeGreaterThan(0);
  });

  it("encodes a vector as base64 of little-endian float32s", () => {
    const bytes = Buffer.from(vectorToBase64([1, -0.5]), "base64");
    expect([bytes.readFloatLE(0), bytes.readFloatLE(4)]).toEqual([1, -0.5]);
  });
});

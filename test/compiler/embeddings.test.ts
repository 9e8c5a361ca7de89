/** @module embeddings.test — Embedding models and routes in routes.ts: cross-kind references fail at the route (TypeScript) and at the literal (SY0208, with a hint); a valid one compiles to the IR. */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compile } from "@switchyard/compiler";
import { validateConfigValue } from "../../packages/compiler/src/validate/validate.ts";
import { fixtures } from "./helpers.ts";

describe("embedding routes in routes.ts", () => {
  it("a chat route naming an embedding model and an embedding route naming a chat model are type errors, and the compiler says why at the model", async () => {
    const result = await compile({ file: join(fixtures, "embeddings-kinds.ts") });
    expect(result.ok).toBe(false);
    expect(result.diagnostics.map((d) => `${d.line}:${d.column} ${d.code}`)).toEqual(["11:5 TS2322", "11:20 SY0208", "12:5 TS2322", "12:41 SY0208"]);
    const [chat, search] = result.diagnostics.filter((d) => d.code === "SY0208");
    expect(chat?.message).toContain('chat route "chat" reaches embedding model "small"');
    expect(search?.message).toContain('embedding route "search" reaches chat model "mini"');
    expect(chat?.hint).toContain('`kind: "embedding"`');
  });

  const base = {
    providers: { openai: { kind: "openai", apiKey: { secret: "OPENAI_API_KEY" } } },
    models: {
      mini: { provider: "openai", name: "gpt-4o-mini", context: 128_000, price: { input: 0.15, output: 0.6 } },
      small: { kind: "embedding", provider: "openai", name: "text-embedding-3-small", dimensions: 1536, context: 8191, price: { input: 0.02 } },
      ada: { kind: "embedding", provider: "openai", name: "text-embedding-ada-002", dimensions: 1536, context: 8191, price: { input: 0.1 } },
    },
    routes: { chat: { model: "mini" }, search: { kind: "embedding", model: "small", fallback: ["ada"] } },
  };

  it("lowers an embedding model's price to no output, and keeps kinds and dimensions in the IR", () => {
    const { findings, config } = validateConfigValue({ value: base });
    expect(findings).toEqual([]);
    expect(config?.models.small).toMatchObject({ kind: "embedding", dimensions: 1536, price: { input: 0.02, output: 0 } });
    expect(config?.models.mini?.kind).toBeUndefined();
    expect(config?.routes.search).toMatchObject({ kind: "embedding", model: "small", fallback: [{ model: "ada" }] });
  });

  it("refuses chat-only properties on an embedding route, and an embedding model without dimensions", () => {
    const value = structuredClone(base) as Record<string, any>;
    value.routes.search.validate = [{ kind: "json" }];
    delete value.models.ada.dimensions;
    const { findings } = validateConfigValue({ value });
    expect(findings.map((f) => `${f.code} ${f.path.join(".")}`)).toEqual(["SY0208 models.ada", "SY0208 routes.search.validate"]);
  });

  it("a chat model's price still needs its output", () => {
    const value = structuredClone(base) as Record<string, any>;
    delete value.models.mini.price.output;
    const { findings } = validateConfigValue({ value });
    expect(findings.map((f) => `${f.code} ${f.path.join(".")}`)).toEqual(["SY0104 models.mini.price"]);
  });
});

/** @module Provider kinds' own fields (issue 22): what configRuleProblems says of an azure or bedrock provider that lacks them. */
import { describe, expect, it } from "vitest";
import { configRuleProblems } from "./rules.ts";
import { ConfigSchema, IR_VERSION, type ConfigInput } from "./schema.ts";

const config = (providers: ConfigInput["providers"], embedding = false) =>
  ConfigSchema.parse({
    irVersion: IR_VERSION,
    environment: "dev",
    providers,
    models: {
      m: {
        provider: "p",
        name: "m",
        context: 1000,
        price: { input: 1, output: embedding ? 0 : 1 },
        ...(embedding ? { kind: "embedding", dimensions: 8 } : {}),
      },
    },
    routes: { r: { model: "m", ...(embedding ? { kind: "embedding" } : {}) } },
  });

describe("provider fields by kind", () => {
  it("an azure provider needs its endpoint; a bedrock provider its region", () => {
    expect(configRuleProblems(config({ p: { kind: "azure" } }))).toEqual([
      { code: "provider_needs", path: ["providers", "p"], message: expect.stringContaining("needs `baseUrl`") as unknown },
    ]);
    expect(configRuleProblems(config({ p: { kind: "bedrock" } }))).toEqual([
      { code: "provider_needs", path: ["providers", "p"], message: expect.stringContaining("needs `region`") as unknown },
    ]);
    expect(configRuleProblems(config({ p: { kind: "bedrock", region: "us-east-1" } }))).toEqual([]);
    expect(configRuleProblems(config({ p: { kind: "bedrock", region: "us-gov-west-1" } }))).toEqual([]);
    // A region goes into the endpoint's host name: one that could move it elsewhere is refused at build and upload.
    for (const region of ["x@169.254.169.254:80/", "us-east-1.evil.example", "US-EAST-1", "us-east-1-"])
      expect(
        configRuleProblems(config({ p: { kind: "bedrock", region } })).map((p) => [p.code, p.path.join(".")]),
        region,
      ).toEqual([["provider_value", "providers.p.region"]]);
    expect(configRuleProblems(config({ p: { kind: "azure", baseUrl: "https://acme.openai.azure.com", apiVersion: "v1", auth: "entra" } }))).toEqual([]);
  });

  it("apiVersion and auth belong to azure providers only", () => {
    const problems = configRuleProblems(config({ p: { kind: "openai", apiVersion: "2024-10-21", auth: "entra" } }));
    expect(problems.map((p) => [p.code, p.path.join(".")])).toEqual([
      ["provider_foreign", "providers.p.apiVersion"],
      ["provider_foreign", "providers.p.auth"],
    ]);
  });

  it("a vertex provider needs its project and a Google Cloud location; project is vertex's alone", () => {
    expect(configRuleProblems(config({ p: { kind: "vertex", region: "us-central1", project: "acme-prod" } }))).toEqual([]);
    expect(configRuleProblems(config({ p: { kind: "vertex", region: "global", project: "acme-prod" } }))).toEqual([]);
    expect(configRuleProblems(config({ p: { kind: "vertex" } })).map((p) => [p.code, p.path.join("."), p.message])).toEqual([
      ["provider_needs", "providers.p", expect.stringContaining("needs `region`: the Google Cloud location")],
      ["provider_needs", "providers.p", expect.stringContaining("needs `project`")],
    ]);
    expect(configRuleProblems(config({ p: { kind: "vertex", region: "EU_West", project: "acme-prod" } })).map((p) => [p.code, p.path.join(".")])).toEqual([
      ["provider_value", "providers.p.region"],
    ]);
    expect(configRuleProblems(config({ p: { kind: "gemini", project: "acme-prod" } }))).toEqual([
      { code: "provider_foreign", path: ["providers", "p", "project"], message: '`project` is a vertex provider\'s setting; "p" is gemini' },
    ]);
    expect(() => config({ p: { kind: "vertex", region: "us-central1", project: "acme/prod" } })).toThrow(/Google Cloud project id/);
  });

  it("embedding models only on kinds with an embeddings API", () => {
    expect(configRuleProblems(config({ p: { kind: "bedrock", region: "us-east-1" } }, true)).map((p) => p.message)).toEqual([
      'embedding model "m" is on bedrock-kind provider "p", which has no embeddings API',
    ]);
    expect(configRuleProblems(config({ p: { kind: "vertex", region: "us-central1", project: "acme-prod" } }, true)).map((p) => p.message)).toEqual([
      'embedding model "m" is on vertex-kind provider "p", which has no embeddings API',
    ]);
    expect(configRuleProblems(config({ p: { kind: "gemini" } }, true))).toEqual([]);
  });
});

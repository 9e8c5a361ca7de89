/** @module The pure parts of compileRoutes: which environment a stack deploys, which key variables a release reads. */
import { describe, expect, it } from "vitest";
import { environmentFor, secretNamesOf } from "./compile-routes.ts";

describe("environmentFor", () => {
  it("is the stack name unless the stack configures switchyard:environment", () => {
    expect(environmentFor({ stack: "prod" })).toBe("prod");
    expect(environmentFor({ stack: "staging", configured: "prod" })).toBe("prod");
    expect(environmentFor({ stack: "dev", configured: "" })).toBe("dev");
  });
});

describe("secretNamesOf", () => {
  it("finds every secret reference once, sorted, and nothing else", () => {
    const config = {
      providers: { openai: { kind: "openai", apiKey: { secret: "OPENAI_API_KEY" }, headers: { "x-org": { secret: "ORG_HEADER" } } } },
      teams: { support: { keys: [{ secret: "SUPPORT_KEY" }, { secret: "OPENAI_API_KEY" }] } },
      routes: { chat: { model: "m", description: "secret" } },
      notASecret: { secret: "LOOKS_LIKE_ONE", other: 1 },
    };
    expect(secretNamesOf(config)).toEqual(["OPENAI_API_KEY", "ORG_HEADER", "SUPPORT_KEY"]);
  });
});

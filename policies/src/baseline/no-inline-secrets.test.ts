/** @module Tests for baseline/no-inline-secrets: flagged, and never echoed. */
import { describe, expect, it } from "vitest";
import { fixture } from "../testing/fixture.ts";
import { runOne, testPolicy } from "../testing/policy-tester.ts";
import policy from "./no-inline-secrets.ts";

const OPENAI_KEY = `sk-proj-${"A1b2C3d4".repeat(4)}`;
const JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U";

testPolicy({
  policy,
  valid: [
    { name: "secret references everywhere", config: fixture() },
    {
      name: "a secret header and a harmless literal header",
      config: fixture((d) => {
        d.providers.openaiEu!.headers = { Authorization: { secret: "PROXY_TOKEN" }, "x-team": "support" };
      }),
    },
    {
      name: "a short sk- word is not a key",
      config: fixture((d) => {
        d.routes.chat!.description = "route for sk-learn questions";
      }),
    },
  ],
  invalid: [
    {
      name: "an API key in a custom header",
      config: fixture((d) => {
        d.providers.openaiEu!.headers = { "x-upstream": OPENAI_KEY };
      }),
      errors: [
        {
          messageId: "looks-like-key",
          node: { kind: "provider", id: "openaiEu", path: ["headers", "x-upstream"] },
          message:
            'provider openaiEu: headers.x-upstream holds what looks like an OpenAI/Anthropic-style API key (sk-…); use secret("ENV_VAR") and keep the value out of routes.ts',
        },
      ],
    },
    {
      name: "a literal Authorization header, whatever its shape",
      config: fixture((d) => {
        d.providers.anthropicEu!.headers = { Authorization: "Bearer abcdefghijklmnop" };
      }),
      errors: [
        {
          messageId: "literal-header",
          node: { kind: "provider", id: "anthropicEu", path: ["headers", "Authorization"] },
          message: 'provider anthropicEu: header Authorization is a credential header with a literal value; use secret("ENV_VAR")',
        },
      ],
    },
    {
      name: "a key in a baseUrl query and a password in another",
      config: fixture((d) => {
        d.providers.openaiEu!.baseUrl = "https://eu.example.com/v1?api-key=abc";
        d.providers.openaiUs!.baseUrl = "https://user:pw@us.example.com/v1";
      }),
      errors: [
        {
          messageId: "url-credential",
          node: { kind: "provider", id: "openaiEu", path: ["baseUrl"] },
          message: "provider openaiEu: baseUrl contains a credential in the URL's query (api-key=…); move it to a secret() header",
        },
        { messageId: "url-credential", node: { kind: "provider", id: "openaiUs", path: ["baseUrl"] }, message: /user:password@/ },
      ],
    },
    {
      name: "a key in a prompt's text or a variable's default (sent to every upstream that serves it)",
      config: fixture((d) => {
        d.prompts = {
          answer: {
            messages: [{ role: "system", content: `Call the tool with key ${OPENAI_KEY}. Answer {{question}}.` }],
            variables: { question: {}, token: { default: JWT } },
          },
        };
      }),
      errors: [
        {
          messageId: "looks-like-key",
          node: { kind: "prompt", id: "answer", path: ["messages", 0, "content"] },
          message:
            'prompt answer: messages[0].content holds what looks like an OpenAI/Anthropic-style API key (sk-…); use secret("ENV_VAR") and keep the value out of routes.ts',
        },
        { messageId: "looks-like-key", node: { kind: "prompt", id: "answer", path: ["variables", "token", "default"] }, message: /a JSON Web Token/ },
      ],
    },
    {
      name: "a token anywhere else: a route description, a team owner",
      config: fixture((d) => {
        d.routes.chat!.description = `call with Bearer ${JWT}`;
        d.teams.support!.owner = "ghp_0123456789abcdefghijABCDEFGHIJ0123";
      }),
      errors: [
        { messageId: "looks-like-key", node: { kind: "route", id: "chat", path: ["description"] }, message: /looks like a bearer token/ },
        { messageId: "looks-like-key", node: { kind: "team", id: "support", path: ["owner"] }, message: /looks like a GitHub token/ },
      ],
    },
    {
      name: "a key in a validator pattern (arrays are walked)",
      config: fixture((d) => {
        d.routes.chat!.validate = [{ kind: "json" }, { kind: "regex", pattern: `^(?!${OPENAI_KEY})` }];
      }),
      errors: [{ messageId: "looks-like-key", node: { kind: "route", id: "chat", path: ["validate", 1, "pattern"] }, message: /validate\[1\]\.pattern/ }],
    },
  ],
});

describe("baseline/no-inline-secrets never echoes a value", () => {
  it("no finding contains the key or the token", () => {
    const config = fixture((d) => {
      d.providers.openaiEu!.headers = { "x-upstream": OPENAI_KEY, Authorization: `Bearer ${JWT}` };
      d.routes.chat!.description = JWT;
    });
    const findings = runOne({ policy, config });
    expect(findings.length).toBe(3);
    for (const finding of findings) {
      expect(finding.message).not.toContain(OPENAI_KEY.slice(8));
      expect(finding.message).not.toContain(JWT.slice(0, 20));
      expect(JSON.stringify(finding)).not.toContain("A1b2C3d4");
    }
  });
});

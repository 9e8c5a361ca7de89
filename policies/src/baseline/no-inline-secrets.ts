/** @module baseline/no-inline-secrets — secrets are references, never values; flagged without echoing them. */
import { definePolicy, type NodeRef } from "../define.ts";

/** Shapes of well-known credentials. Only the kind is ever printed, never the match. */
const KEY_SHAPES: readonly { kind: string; pattern: RegExp }[] = [
  { kind: "an OpenAI/Anthropic-style API key (sk-…)", pattern: /sk-[A-Za-z0-9_-]{20,}/ },
  { kind: "a bearer token", pattern: /\bBearer\s+[A-Za-z0-9._~+/=-]{8,}/i },
  { kind: "an AWS access key id", pattern: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/ },
  { kind: "a GitHub token", pattern: /\bgh[pousr]_[A-Za-z0-9]{30,}/ },
  { kind: "a Google API key", pattern: /\bAIza[0-9A-Za-z_-]{35}/ },
  { kind: "a Slack token", pattern: /\bxox[abprs]-[A-Za-z0-9-]{10,}/ },
  { kind: "a JSON Web Token", pattern: /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/ },
];

/** Header names whose value is a credential whatever it looks like. */
const SENSITIVE_HEADER = /^(authorization|proxy-authorization|x-api-key|api-key|apikey|x-goog-api-key|cookie|x-auth-token|ocp-apim-subscription-key)$/i;
/** Query parameters that carry credentials in a URL. */
const SENSITIVE_QUERY = /^(api[-_]?key|key|token|access[-_]?token|sig|signature|code|secret|password)$/i;

type Section = "providers" | "models" | "tiers" | "routes" | "teams" | "prompts";
const KIND_OF: Record<Section, NodeRef["kind"]> = { providers: "provider", models: "model", tiers: "tier", routes: "route", teams: "team", prompts: "prompt" };

function looksLikeKey(value: string): string | undefined {
  return KEY_SHAPES.find((shape) => shape.pattern.test(value))?.kind;
}

function credentialInUrl(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return undefined;
  if (url.password !== "" || url.username !== "") return "credentials in the URL (user:password@)";
  for (const name of url.searchParams.keys()) {
    if (SENSITIVE_QUERY.test(name)) return `a credential in the URL's query (${name}=…)`;
  }
  return undefined;
}

function where(path: readonly (string | number)[]): string {
  return path
    .map((segment) => (typeof segment === "number" ? `[${segment}]` : `.${segment}`))
    .join("")
    .replace(/^\./, "");
}

export default definePolicy({
  id: "baseline/no-inline-secrets",
  description:
    "No string anywhere in providers, models, tiers, routes, teams or prompts (their text, a canary's, variables' defaults) looks like a credential (API keys, bearer tokens, cloud and chat tokens, JWTs, user:password@ or ?api_key= in URLs), and credential headers (Authorization, x-api-key, …) use `secret()`. The value is never printed.",
  rationale: 'A key in routes.ts lands in git history, the compiled bundle, CI logs and every diagnostic; `secret("ENV_VAR")` keeps it in the environment.',
  defaultSeverity: "error",
  messages: {
    "looks-like-key": '{{section}} {{id}}: {{where}} holds what looks like {{shape}}; use secret("ENV_VAR") and keep the value out of routes.ts',
    "literal-header": 'provider {{id}}: header {{header}} is a credential header with a literal value; use secret("ENV_VAR")',
    "url-credential": "provider {{id}}: {{where}} contains {{shape}}; move it to a secret() header",
  },
  defaultOptions: {},
  check({ config, report }) {
    const sections: Section[] = ["providers", "models", "tiers", "routes", "teams", "prompts"];
    for (const section of sections) {
      // A prompt's text is sent to every upstream that serves it, and logged with payloads: a key there leaks further.
      for (const [id, node] of Object.entries((config[section] ?? {}) as Record<string, unknown>)) {
        const kind = KIND_OF[section];
        const reported = new Set<string>();
        // Credential headers first: a more precise message than the shape scan.
        if (section === "providers") {
          const provider = config.providers[id];
          for (const [header, value] of Object.entries(provider?.headers ?? {})) {
            if (typeof value === "string" && SENSITIVE_HEADER.test(header)) {
              report({ node: { kind, id, path: ["headers", header] }, messageId: "literal-header", data: { id, header } });
              reported.add(JSON.stringify(["headers", header]));
            }
          }
          const shape = provider?.baseUrl === undefined ? undefined : credentialInUrl(provider.baseUrl);
          if (shape !== undefined) {
            report({ node: { kind, id, path: ["baseUrl"] }, messageId: "url-credential", data: { id, where: "baseUrl", shape } });
            reported.add(JSON.stringify(["baseUrl"]));
          }
        }
        const visit = (value: unknown, path: (string | number)[]): void => {
          if (typeof value === "string") {
            const shape = looksLikeKey(value);
            if (shape !== undefined && !reported.has(JSON.stringify(path))) {
              report({ node: { kind, id, path }, messageId: "looks-like-key", data: { section: kind, id, where: where(path), shape } });
            }
          } else if (Array.isArray(value)) {
            value.forEach((item, index) => visit(item, [...path, index]));
          } else if (typeof value === "object" && value !== null) {
            for (const [key, item] of Object.entries(value)) {
              // A secret reference names a variable; its name is not a secret.
              if (key === "secret" && Object.keys(value).length === 1) continue;
              visit(item, [...path, key]);
            }
          }
        };
        visit(node, []);
      }
    }
  },
});

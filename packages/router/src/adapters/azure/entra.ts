/**
 * @module Microsoft Entra ID tokens for Azure OpenAI (`auth: "entra"`): the OAuth2 client-credentials grant against
 * `{AZURE_AUTHORITY_HOST}/{AZURE_TENANT_ID}/oauth2/v2.0/token` with a client secret (AZURE_CLIENT_SECRET) or, for
 * workload identity, the federated token in AZURE_FEDERATED_TOKEN_FILE as a client assertion. One token per provider,
 * shared by its calls, fetched once at a time and refreshed before it expires.
 *
 * In router.mjs this module is an asset loaded at the first token request (azure/index.ts; ENTRA_CHUNK in
 * packages/compiler/src/emit/router-bundle.ts), so api-key releases do not carry it: it imports no value from the core,
 * which passes in its error class (EntraCore).
 */
import { readFile } from "node:fs/promises";
import type { FailureClass } from "../../errors.ts";
import { refreshTimes, refreshing } from "../refresh.ts";
import type { Transport, UpstreamError, toUpstreamError } from "../types.ts";

/** The core's parts the token source uses: its UpstreamError class (the router's `instanceof` checks know only that one). */
export interface EntraCore {
  UpstreamError: typeof UpstreamError;
  toUpstreamError: typeof toUpstreamError;
}

/** The scope of a token for Azure OpenAI (Azure AI services' data plane). */
export const COGNITIVE_SERVICES_SCOPE = "https://cognitiveservices.azure.com/.default";
export const DEFAULT_AUTHORITY_HOST = "https://login.microsoftonline.com";
/** A token request that takes longer than this fails (the router's own attempt timeouts are shorter still). */
const TOKEN_TIMEOUT_MS = 30_000;

type Env = Readonly<Record<string, string | undefined>>;

/** The credentials the environment names: a client secret, else a federated token file. */
export interface EntraCredentials {
  authorityHost: string;
  tenantId: string;
  clientId: string;
  secret: { kind: "client-secret"; value: string } | { kind: "federated-token-file"; path: string };
}

const value = (env: Env, name: string): string | undefined => {
  const v = env[name]?.trim();
  return v === undefined || v === "" ? undefined : v;
};

/**
 * The Entra ID credentials in `env`, or what is missing, in words naming the variables (never their values).
 *
 * @example entraCredentials({ AZURE_TENANT_ID: "t", AZURE_CLIENT_ID: "c", AZURE_CLIENT_SECRET: "s" }).secret // → { kind: "client-secret", value: "s" }
 */
export function entraCredentials(env: Env): EntraCredentials | { missing: string } {
  const tenantId = value(env, "AZURE_TENANT_ID");
  const clientId = value(env, "AZURE_CLIENT_ID");
  const clientSecret = value(env, "AZURE_CLIENT_SECRET");
  const tokenFile = value(env, "AZURE_FEDERATED_TOKEN_FILE");
  const unset = [
    ...(tenantId === undefined ? ["AZURE_TENANT_ID"] : []),
    ...(clientId === undefined ? ["AZURE_CLIENT_ID"] : []),
    ...(clientSecret === undefined && tokenFile === undefined ? ["AZURE_CLIENT_SECRET (or AZURE_FEDERATED_TOKEN_FILE)"] : []),
  ];
  if (tenantId === undefined || clientId === undefined || unset.length > 0) return { missing: unset.join(", ") };
  return {
    authorityHost: (value(env, "AZURE_AUTHORITY_HOST") ?? DEFAULT_AUTHORITY_HOST).replace(/\/+$/, ""),
    tenantId,
    clientId,
    secret: clientSecret !== undefined ? { kind: "client-secret", value: clientSecret } : { kind: "federated-token-file", path: tokenFile ?? "" },
  };
}

/** A token and when it expires and should be refreshed (epoch ms). */
interface Token {
  accessToken: string;
  expiresAt: number;
  refreshAt: number;
}

/** When a token obtained at `now`, valid `expiresInS` seconds, expires and is refreshed (refresh.ts's margin). */
export function tokenTimes(now: number, expiresInS: number): { expiresAt: number; refreshAt: number } {
  return refreshTimes(now, now + Math.max(0, expiresInS) * 1000);
}

/** The failure class of a token endpoint's status: its 4xx are the deployment's credentials, never the client's request. */
function tokenErrorClass(status: number): FailureClass {
  if (status === 429) return "429";
  if (status >= 500) return "5xx";
  return "provider_4xx";
}

/** The token endpoint's own words: `error` and the first line of `error_description` (`AADSTS7000215: Invalid client secret provided.`). */
function entraErrorText(body: string): string {
  try {
    const parsed = JSON.parse(body) as { error?: unknown; error_description?: unknown };
    const code = typeof parsed.error === "string" ? parsed.error : undefined;
    const description = typeof parsed.error_description === "string" ? (parsed.error_description.split(/\r?\n/)[0] ?? "").trim().slice(0, 200) : undefined;
    return [code, description].filter((v) => v !== undefined && v !== "").join(": ");
  } catch {
    return "";
  }
}

/** A provider's Entra ID token: `get` answers the cached one, fetching or refreshing it first when needed. */
export interface EntraTokenSource {
  get(signal: AbortSignal): Promise<string>;
  /** Forget the cached token (the upstream rejected it with 401): the next call fetches a new one. */
  invalidate(): void;
}

/**
 * The token source of provider `provider`. Missing variables are an error at the first call (a `provider_4xx`
 * UpstreamError naming them), as is a token endpoint's refusal (its `error` and AADSTS code, never the secret); a
 * token past its refresh time is refreshed, and while that fails the old token serves until it expires.
 */
export function entraTokenSource(core: EntraCore, provider: string, env: Env, transport: Transport, now: () => number = Date.now): EntraTokenSource {
  const credentials = entraCredentials(env);

  async function fetchToken(c: EntraCredentials): Promise<Token> {
    const form = new URLSearchParams({ grant_type: "client_credentials", client_id: c.clientId, scope: COGNITIVE_SERVICES_SCOPE });
    if (c.secret.kind === "client-secret") form.set("client_secret", c.secret.value);
    else {
      let assertion: string;
      try {
        assertion = (await readFile(c.secret.path, "utf8")).trim();
      } catch (error) {
        throw new core.UpstreamError(
          "provider_4xx",
          `provider \`${provider}\`: cannot read AZURE_FEDERATED_TOKEN_FILE (${(error as NodeJS.ErrnoException).code ?? "unreadable"})`,
        );
      }
      form.set("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
      form.set("client_assertion", assertion);
    }
    const url = new URL(`${c.authorityHost}/${encodeURIComponent(c.tenantId)}/oauth2/v2.0/token`);
    const signal = AbortSignal.timeout(TOKEN_TIMEOUT_MS);
    const startedAt = now();
    try {
      const response = await transport.post({
        url,
        headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
        body: form.toString(),
        signal,
      });
      const text = await response.text();
      if (response.status < 200 || response.status >= 300) {
        // Entra does not echo the secret; should a proxy in between, it is masked all the same.
        const said = c.secret.kind === "client-secret" ? entraErrorText(text).replaceAll(c.secret.value, "[redacted]") : entraErrorText(text);
        throw new core.UpstreamError(
          tokenErrorClass(response.status),
          `provider \`${provider}\`: Microsoft Entra ID refused a token (${response.status}${said === "" ? "" : `, ${said}`})`,
          { status: response.status },
        );
      }
      let answer: { access_token?: unknown; expires_in?: unknown };
      try {
        answer = JSON.parse(text) as typeof answer;
      } catch {
        answer = {};
      }
      const expiresIn = typeof answer.expires_in === "number" ? answer.expires_in : Number(answer.expires_in);
      if (typeof answer.access_token !== "string" || answer.access_token === "" || !Number.isFinite(expiresIn))
        throw new core.UpstreamError("invalid_response", `provider \`${provider}\`: Microsoft Entra ID's token answer has no access_token or expires_in`);
      return { accessToken: answer.access_token, ...tokenTimes(startedAt, expiresIn) };
    } catch (error) {
      if (error instanceof core.UpstreamError) throw error;
      const failed = core.toUpstreamError(error, signal);
      throw new core.UpstreamError(failed.errorClass, `provider \`${provider}\`: cannot reach Microsoft Entra ID at ${url.origin}: ${failed.message}`);
    }
  }

  const tokens = refreshing(
    // Called only once get() has found the variables set.
    () => fetchToken(credentials as EntraCredentials),
    (signal) => core.toUpstreamError(new Error("aborted"), signal),
    now,
  );

  return {
    get(signal: AbortSignal): Promise<string> {
      if ("missing" in credentials)
        return Promise.reject(
          new core.UpstreamError(
            "provider_4xx",
            `provider \`${provider}\` authenticates with Microsoft Entra ID (auth: "entra"), but ${credentials.missing} is not set`,
          ),
        );
      return tokens.get(signal).then((t) => t.accessToken);
    },
    invalidate(): void {
      tokens.invalidate();
    },
  };
}

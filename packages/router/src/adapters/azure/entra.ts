/**
 * @module Microsoft Entra ID tokens for Azure OpenAI (`auth: "entra"`), found as Azure's DefaultAzureCredential finds
 * them in a pod or on a machine: the OAuth2 client-credentials grant against
 * `{AZURE_AUTHORITY_HOST}/{AZURE_TENANT_ID}/oauth2/v2.0/token` with a client secret (AZURE_CLIENT_SECRET) or, for
 * workload identity, the federated token in AZURE_FEDERATED_TOKEN_FILE as a client assertion; else the managed
 * identity: App Service's and Functions' endpoint (IDENTITY_ENDPOINT, IDENTITY_HEADER), else the instance metadata
 * service (VMs and scale sets, AKS nodes; AZURE_POD_IDENTITY_AUTHORITY_HOST moves it), a user-assigned identity chosen
 * by AZURE_CLIENT_ID. The token is for the Cognitive Services audience of the resource's cloud (`.azure.us`,
 * `.azure.cn` endpoints: theirs). One token per provider, shared by its calls, fetched once at a time and refreshed
 * before it expires.
 *
 * In router.mjs this module is an asset loaded at the first token request (azure/index.ts; ENTRA_CHUNK in
 * packages/compiler/src/emit/router-bundle.ts), so api-key releases do not carry it: it imports no value from the core,
 * which passes in its error class (EntraCore).
 */
import { readFile } from "node:fs/promises";
import { httpGet } from "../http-get.ts";
import { oauthErrorText, tokenErrorClass, tokenTimes } from "../oauth.ts";
import { refreshing } from "../refresh.ts";
import type { Transport, UpstreamError, toUpstreamError } from "../types.ts";

/** The core's parts the token source uses: its UpstreamError class (the router's `instanceof` checks know only that one). */
export interface EntraCore {
  UpstreamError: typeof UpstreamError;
  toUpstreamError: typeof toUpstreamError;
}

/** The scope of a token for Azure OpenAI (Azure AI services' data plane) in Azure's public cloud. */
export const COGNITIVE_SERVICES_SCOPE = "https://cognitiveservices.azure.com/.default";
export const DEFAULT_AUTHORITY_HOST = "https://login.microsoftonline.com";
/** The instance metadata service's token endpoint (reachable from Azure VMs, scale sets and AKS nodes only). */
export const IMDS_TOKEN_URL = "http://169.254.169.254/metadata/identity/oauth2/token";
/** A token request that takes longer than this fails (the router's own attempt timeouts are shorter still). */
const TOKEN_TIMEOUT_MS = 30_000;
/** A managed identity endpoint is on the machine or the pod's node: one that does not answer in this long is not there. */
const MANAGED_IDENTITY_TIMEOUT_MS = 5_000;

/**
 * The token scope for an Azure OpenAI endpoint: its cloud's Cognitive Services audience (Azure Government's
 * `*.azure.us`, Azure China's `*.azure.cn`), else the public cloud's.
 *
 * @example entraScope("https://acme.openai.azure.us") // → "https://cognitiveservices.azure.us/.default"
 */
export function entraScope(baseUrl: string | undefined): string {
  let host = "";
  try {
    host = new URL(baseUrl ?? "").hostname;
  } catch {
    return COGNITIVE_SERVICES_SCOPE;
  }
  if (host.endsWith(".azure.us")) return "https://cognitiveservices.azure.us/.default";
  if (host.endsWith(".azure.cn")) return "https://cognitiveservices.azure.cn/.default";
  return COGNITIVE_SERVICES_SCOPE;
}

type Env = Readonly<Record<string, string | undefined>>;

/** The credentials the environment names: a client secret, else a federated token file. */
export interface EntraCredentials {
  authorityHost: string;
  tenantId: string;
  clientId: string;
  secret: { kind: "client-secret"; value: string } | { kind: "federated-token-file"; path: string };
}

/** The machine's or the app's managed identity, asked when the environment names no credentials. */
export interface ManagedIdentity {
  /** App Service and Functions' endpoint, else the instance metadata service. */
  via: "app-service" | "imds";
  url: URL;
  /** Where the URL comes from, for messages (a variable's name, or the default endpoint). */
  where: string;
  /** App Service's X-IDENTITY-HEADER value (IDENTITY_HEADER). */
  header?: string;
  /** A user-assigned identity's client id (AZURE_CLIENT_ID); absent: the system-assigned one. */
  clientId?: string;
  /** Credential variables set without the rest, named for the message should the managed identity fail. */
  partial?: string;
}

/** Where a provider's tokens come from. */
export type EntraSource = EntraCredentials | ManagedIdentity | { problem: string };

const value = (env: Env, name: string): string | undefined => {
  const v = env[name]?.trim();
  return v === undefined || v === "" ? undefined : v;
};

/** `text` as an http(s) URL, else undefined. */
function httpUrl(text: string): URL | undefined {
  try {
    const url = new URL(text);
    return url.protocol === "http:" || url.protocol === "https:" ? url : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Where the tokens come from, as DefaultAzureCredential looks: the client secret or the federated token file (with
 * AZURE_TENANT_ID and AZURE_CLIENT_ID), else the managed identity. A bad endpoint URL is a problem naming its variable
 * (never a value).
 *
 * @example entraCredentials({ AZURE_TENANT_ID: "t", AZURE_CLIENT_ID: "c", AZURE_CLIENT_SECRET: "s" }) // → { …, secret: { kind: "client-secret", value: "s" } }
 * @example entraCredentials({}) // → { via: "imds", url: IMDS_TOKEN_URL, … }
 */
export function entraCredentials(env: Env): EntraSource {
  const tenantId = value(env, "AZURE_TENANT_ID");
  const clientId = value(env, "AZURE_CLIENT_ID");
  const clientSecret = value(env, "AZURE_CLIENT_SECRET");
  const tokenFile = value(env, "AZURE_FEDERATED_TOKEN_FILE");
  if (tenantId !== undefined && clientId !== undefined && (clientSecret !== undefined || tokenFile !== undefined)) {
    const authorityHost = (value(env, "AZURE_AUTHORITY_HOST") ?? DEFAULT_AUTHORITY_HOST).replace(/\/+$/, "");
    if (httpUrl(authorityHost) === undefined) return { problem: "AZURE_AUTHORITY_HOST is not an http(s) URL" };
    return {
      authorityHost,
      tenantId,
      clientId,
      secret: clientSecret !== undefined ? { kind: "client-secret", value: clientSecret } : { kind: "federated-token-file", path: tokenFile ?? "" },
    };
  }
  // AZURE_CLIENT_ID alone chooses a user-assigned managed identity; the others alone are credentials set in part.
  const partial =
    tenantId !== undefined || clientSecret !== undefined || tokenFile !== undefined
      ? `${[
          ...(tenantId === undefined ? ["AZURE_TENANT_ID"] : []),
          ...(clientId === undefined ? ["AZURE_CLIENT_ID"] : []),
          ...(clientSecret === undefined && tokenFile === undefined ? ["AZURE_CLIENT_SECRET (or AZURE_FEDERATED_TOKEN_FILE)"] : []),
        ].join(", ")} not set`
      : undefined;
  const common = { ...(clientId !== undefined ? { clientId } : {}), ...(partial !== undefined ? { partial } : {}) };
  const endpoint = value(env, "IDENTITY_ENDPOINT");
  const header = value(env, "IDENTITY_HEADER");
  if (endpoint !== undefined && header !== undefined) {
    const url = httpUrl(endpoint);
    if (url === undefined) return { problem: "IDENTITY_ENDPOINT is not an http(s) URL" };
    return { via: "app-service", url, where: "the managed identity endpoint (IDENTITY_ENDPOINT)", header, ...common };
  }
  const podHost = value(env, "AZURE_POD_IDENTITY_AUTHORITY_HOST");
  if (podHost !== undefined) {
    const url = httpUrl(`${podHost.replace(/\/+$/, "")}/metadata/identity/oauth2/token`);
    if (url === undefined) return { problem: "AZURE_POD_IDENTITY_AUTHORITY_HOST is not an http(s) URL" };
    return { via: "imds", url, where: `the managed identity endpoint (AZURE_POD_IDENTITY_AUTHORITY_HOST, ${url.origin})`, ...common };
  }
  return { via: "imds", url: new URL(IMDS_TOKEN_URL), where: "the instance metadata service (169.254.169.254)", ...common };
}

/** A token and when it expires and should be refreshed (epoch ms). */
interface Token {
  accessToken: string;
  expiresAt: number;
  refreshAt: number;
}

/** A provider's Entra ID token: `get` answers the cached one, fetching or refreshing it first when needed. */
export interface EntraTokenSource {
  get(signal: AbortSignal): Promise<string>;
  /** Forget the cached token (the upstream rejected it with 401): the next call fetches a new one. */
  invalidate(): void;
}

/** Options for tests and sovereign clouds: the clock, and the token scope (entraScope of the provider's endpoint). */
export interface EntraOptions {
  now?: () => number;
  scope?: string;
}

/**
 * The token source of provider `provider`. A bad endpoint variable is an error at the first call (a `provider_4xx`
 * UpstreamError naming it), as is a token endpoint's refusal (its `error` and AADSTS code, never the secret) or a
 * managed identity that does not answer (naming the credential variables it looked for); a token past its refresh
 * time is refreshed, and while that fails the old token serves until it expires.
 */
export function entraTokenSource(core: EntraCore, provider: string, env: Env, transport: Transport, options: EntraOptions = {}): EntraTokenSource {
  const source = entraCredentials(env);
  const now = options.now ?? Date.now;
  const scope = options.scope ?? COGNITIVE_SERVICES_SCOPE;

  async function fetchToken(c: EntraCredentials): Promise<Token> {
    const form = new URLSearchParams({ grant_type: "client_credentials", client_id: c.clientId, scope });
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
        const said = c.secret.kind === "client-secret" ? oauthErrorText(text).replaceAll(c.secret.value, "[redacted]") : oauthErrorText(text);
        throw new core.UpstreamError(
          tokenErrorClass(response.status),
          `provider \`${provider}\`: Microsoft Entra ID refused a token (${response.status}${said === "" ? "" : `, ${said}`})`,
          { status: response.status },
        );
      }
      return tokenOf(text, startedAt, "Microsoft Entra ID's token answer");
    } catch (error) {
      if (error instanceof core.UpstreamError) throw error;
      const failed = core.toUpstreamError(error, signal);
      throw new core.UpstreamError(failed.errorClass, `provider \`${provider}\`: cannot reach Microsoft Entra ID at ${url.origin}: ${failed.message}`);
    }
  }

  /** A token of the managed identity (a GET: App Service's `X-IDENTITY-HEADER`, or IMDS's `Metadata: true`). */
  async function fetchManaged(m: ManagedIdentity): Promise<Token> {
    const url = new URL(m.url);
    url.searchParams.set("api-version", m.via === "app-service" ? "2019-08-01" : "2018-02-01");
    url.searchParams.set("resource", scope.replace(/\/\.default$/, ""));
    if (m.clientId !== undefined) url.searchParams.set("client_id", m.clientId);
    const headers: Record<string, string> = m.via === "app-service" ? { "x-identity-header": m.header ?? "" } : { metadata: "true" };
    const looked = `no Microsoft Entra ID credentials are set (AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET or AZURE_FEDERATED_TOKEN_FILE${m.partial === undefined ? "" : `: ${m.partial}`}), so the managed identity was asked`;
    const signal = AbortSignal.timeout(MANAGED_IDENTITY_TIMEOUT_MS);
    const startedAt = now();
    let answer: { status: number; text: string };
    try {
      answer = await httpGet(url, { ...headers, accept: "application/json" }, signal);
    } catch (error) {
      const failed = core.toUpstreamError(error, signal);
      throw new core.UpstreamError("provider_4xx", `provider \`${provider}\`: cannot reach ${m.where}: ${failed.message}; ${looked}`);
    }
    if (answer.status < 200 || answer.status >= 300) {
      const said = m.header === undefined ? oauthErrorText(answer.text) : oauthErrorText(answer.text).replaceAll(m.header, "[redacted]");
      throw new core.UpstreamError(
        tokenErrorClass(answer.status),
        `provider \`${provider}\`: ${m.where} refused a token (${answer.status}${said === "" ? "" : `, ${said}`}); ${looked}`,
        { status: answer.status },
      );
    }
    return tokenOf(answer.text, startedAt, `${m.where}'s token answer`);
  }

  /** The token in a token endpoint's JSON answer: `expires_in` seconds from `startedAt`, else `expires_on` (epoch seconds). */
  function tokenOf(text: string, startedAt: number, what: string): Token {
    let answer: { access_token?: unknown; expires_in?: unknown; expires_on?: unknown };
    try {
      answer = JSON.parse(text) as typeof answer;
    } catch {
      answer = {};
    }
    const expiresIn = Number(answer.expires_in ?? Number.NaN);
    const expiresOn = Number(answer.expires_on ?? Number.NaN);
    const lifetimeS = Number.isFinite(expiresIn) ? expiresIn : Number.isFinite(expiresOn) ? expiresOn - startedAt / 1000 : Number.NaN;
    if (typeof answer.access_token !== "string" || answer.access_token === "" || !Number.isFinite(lifetimeS))
      throw new core.UpstreamError("invalid_response", `provider \`${provider}\`: ${what} has no access_token or expiry`);
    return { accessToken: answer.access_token, ...tokenTimes(startedAt, lifetimeS) };
  }

  const tokens = refreshing(
    // Called only once get() has found the source usable.
    () => ("secret" in source ? fetchToken(source) : fetchManaged(source as ManagedIdentity)),
    (signal) => core.toUpstreamError(new Error("aborted"), signal),
    now,
  );

  return {
    get(signal: AbortSignal): Promise<string> {
      if ("problem" in source)
        return Promise.reject(
          new core.UpstreamError("provider_4xx", `provider \`${provider}\` authenticates with Microsoft Entra ID (auth: "entra"), but ${source.problem}`),
        );
      return tokens.get(signal).then((t) => t.accessToken);
    },
    invalidate(): void {
      tokens.invalidate();
    },
  };
}

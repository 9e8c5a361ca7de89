/**
 * @module Google OAuth2 access tokens for a vertex provider, found in the order of Google's Application Default
 * Credentials as far as a pod or VM needs it: GOOGLE_APPLICATION_CREDENTIALS naming a service account key file (a
 * self-signed RS256 JWT, signed with node:crypto, exchanged at the key's `token_uri`), else the GCE / GKE metadata
 * server (how GKE Workload Identity serves a pod its Google identity; GCE_METADATA_HOST moves it). One token per
 * provider, shared by its calls, fetched once at a time and refreshed before it expires (refresh.ts).
 *
 * In router.mjs this module is an asset loaded at the first call (vertex/index.ts; VERTEX_AUTH_CHUNK in
 * packages/compiler/src/emit/router-bundle.ts): it imports no value from the core, which passes in its error class
 * (GoogleAuthCore). The key file's private key is read at each exchange and never leaves this module: no message,
 * log or trace holds it, nor a token or the signed assertion.
 */
import { createPrivateKey, sign } from "node:crypto";
import { readFile } from "node:fs/promises";
import type { FailureClass } from "../../errors.ts";
import { httpGet } from "../http-get.ts";
import { oauthErrorText, tokenErrorClass, tokenTimes } from "../oauth.ts";
import { maskedLine } from "../redact.ts";
import { type Expiring, refreshing } from "../refresh.ts";
import type { Transport, UpstreamError, toUpstreamError } from "../types.ts";

/** The core's parts the token source uses: its UpstreamError class (the router's `instanceof` checks know only that one). */
export interface GoogleAuthCore {
  UpstreamError: typeof UpstreamError;
  toUpstreamError: typeof toUpstreamError;
}

type Env = Readonly<Record<string, string | undefined>>;

/** The scope Vertex AI's calls need. */
export const CLOUD_PLATFORM_SCOPE = "https://www.googleapis.com/auth/cloud-platform";
/** Google's token endpoint, for a key file that names none. */
export const GOOGLE_TOKEN_URI = "https://oauth2.googleapis.com/token";
/** The metadata server's host on GCE and GKE (GCE_METADATA_HOST replaces it). */
export const METADATA_HOST = "metadata.google.internal";
/** The default service account's token on the metadata server. */
export const METADATA_TOKEN_PATH = "/computeMetadata/v1/instance/service-accounts/default/token";
/** A token request that takes longer than this fails. */
export const TOKEN_TIMEOUT_MS = 10_000;
/** The lifetime asked of a self-signed assertion, seconds (Google's maximum). */
const ASSERTION_LIFETIME_S = 3600;

/** Where a provider's tokens come from. */
export type GoogleCredentialSource = { kind: "service-account"; keyFile: string } | { kind: "metadata"; url: URL } | { kind: "none"; problem: string };

const value = (env: Env, name: string): string | undefined => {
  const v = env[name]?.trim();
  return v === undefined || v === "" ? undefined : v;
};

/**
 * Where the tokens come from, in Application Default Credentials' order: GOOGLE_APPLICATION_CREDENTIALS (a key file),
 * else the metadata server at GCE_METADATA_HOST (a host, `host:port`, or a URL), else at metadata.google.internal.
 *
 * @example googleCredentialSource({ GCE_METADATA_HOST: "127.0.0.1:8080" }) // → { kind: "metadata", url: http://127.0.0.1:8080/computeMetadata/v1/… }
 */
export function googleCredentialSource(env: Env): GoogleCredentialSource {
  const keyFile = value(env, "GOOGLE_APPLICATION_CREDENTIALS");
  if (keyFile !== undefined) return { kind: "service-account", keyFile };
  const host = value(env, "GCE_METADATA_HOST") ?? METADATA_HOST;
  try {
    const url = new URL(METADATA_TOKEN_PATH, /^https?:\/\//i.test(host) ? host : `http://${host}`);
    return { kind: "metadata", url };
  } catch {
    return { kind: "none", problem: "GCE_METADATA_HOST is not a host (`host` or `host:port`)" };
  }
}

/** The fields of a service account key file the exchange uses. */
export interface ServiceAccountKey {
  clientEmail: string;
  privateKey: string;
  privateKeyId?: string;
  tokenUri: URL;
}

/**
 * Whether a key file's `token_uri` may receive its assertions: https, or plain http to a loopback address (a local
 * emulator or a test's fake).
 */
function tokenUriAllowed(url: URL): boolean {
  return (
    url.protocol === "https:" || (url.protocol === "http:" && (["localhost", "[::1]"].includes(url.hostname) || /^127\.\d+\.\d+\.\d+$/.test(url.hostname)))
  );
}

/**
 * A service account key file's text as the fields the exchange uses, or what is wrong with it in words naming the
 * fields (never their values: the text holds the private key).
 *
 * @example parseServiceAccountKey('{"type":"authorized_user"}') // → { problem: "… is of type authorized_user, not service_account …" }
 */
export function parseServiceAccountKey(text: string): ServiceAccountKey | { problem: string } {
  let key: Record<string, unknown>;
  try {
    key = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return { problem: "is not JSON" };
  }
  if (typeof key !== "object" || key === null || Array.isArray(key)) return { problem: "is not a JSON object" };
  const type = key["type"];
  if (type !== "service_account")
    return {
      problem: `is ${typeof type === "string" ? `of type ${type.slice(0, 40)}` : "without a type"}, not a service account key (type service_account): the router signs its own tokens with one, or uses the metadata server when GOOGLE_APPLICATION_CREDENTIALS is unset`,
    };
  const { client_email: clientEmail, private_key: privateKey, private_key_id: privateKeyId, token_uri: tokenUri } = key;
  const missing = [
    ...(typeof clientEmail !== "string" || clientEmail === "" ? ["client_email"] : []),
    ...(typeof privateKey !== "string" || privateKey === "" ? ["private_key"] : []),
  ];
  if (missing.length > 0) return { problem: `has no ${missing.join(" or ")}` };
  let url: URL;
  try {
    url = new URL(typeof tokenUri === "string" && tokenUri !== "" ? tokenUri : GOOGLE_TOKEN_URI);
  } catch {
    return { problem: "has a token_uri that is not a URL" };
  }
  if (!tokenUriAllowed(url)) return { problem: `has a token_uri that is neither https nor http to a loopback address (host ${url.hostname})` };
  return {
    clientEmail: clientEmail as string,
    privateKey: privateKey as string,
    ...(typeof privateKeyId === "string" && privateKeyId !== "" ? { privateKeyId } : {}),
    tokenUri: url,
  };
}

const base64url = (data: string | Buffer): string => Buffer.from(data).toString("base64url");

/**
 * The self-signed assertion exchanged for an access token (RFC 7523): an RS256 JWT from the service account to its
 * token endpoint, asking for `scope`, valid an hour from `nowS`. Throws when the private key is not one (the message
 * says so without the key or node:crypto's words).
 *
 * @example signAssertion(key, CLOUD_PLATFORM_SCOPE, Math.floor(Date.now() / 1000)) // → "eyJhbGciOiJSUzI1NiIs…"
 */
export function signAssertion(key: ServiceAccountKey, scope: string, nowS: number): string {
  const header = { alg: "RS256", typ: "JWT", ...(key.privateKeyId !== undefined ? { kid: key.privateKeyId } : {}) };
  const claims = { iss: key.clientEmail, scope, aud: key.tokenUri.href, iat: nowS, exp: nowS + ASSERTION_LIFETIME_S };
  const input = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
  let signature: Buffer;
  try {
    signature = sign("sha256", Buffer.from(input), createPrivateKey(key.privateKey));
  } catch {
    throw new Error("its private_key is not a PEM-encoded RSA private key");
  }
  return `${input}.${base64url(signature)}`;
}

/** A token and when it expires and is refreshed (epoch ms). */
interface Token extends Expiring {
  accessToken: string;
}

/** The access token and its lifetime in a token answer (`{ access_token, expires_in, token_type }`), else undefined. */
export function parseTokenAnswer(text: string): { accessToken: string; expiresInS: number } | undefined {
  let answer: { access_token?: unknown; expires_in?: unknown };
  try {
    answer = JSON.parse(text) as typeof answer;
  } catch {
    return undefined;
  }
  if (typeof answer !== "object" || answer === null) return undefined;
  const expiresInS = typeof answer.expires_in === "number" ? answer.expires_in : Number(answer.expires_in);
  if (typeof answer.access_token !== "string" || answer.access_token === "" || !Number.isFinite(expiresInS) || expiresInS <= 0) return undefined;
  return { accessToken: answer.access_token, expiresInS };
}

/** A provider's Google access token: `get` answers the cached one, fetching or refreshing it first when needed. */
export interface GoogleTokenSource {
  /** The source's kind, for messages and tests. */
  readonly kind: GoogleCredentialSource["kind"];
  get(signal: AbortSignal): Promise<string>;
  /** Forget the cached token (Vertex AI answered 401): the next call fetches a new one. */
  invalidate(): void;
}

/** Options for tests: the clock, the token request's timeout and the GET used for the metadata server. */
export interface GoogleAuthOptions {
  now?: () => number;
  timeoutMs?: number;
  get?: typeof httpGet;
}

/**
 * The token source of vertex provider `provider`, from `env` as googleCredentialSource finds it. Every failure is an
 * UpstreamError (`provider_4xx` for the deployment's: a bad key file, a refusal; `5xx` or `429` when the endpoint is
 * down or busy) naming the variable or the endpoint's error code, never a key, assertion or token; a failed refresh
 * serves the old token while it lasts.
 */
export function googleTokenSource(core: GoogleAuthCore, provider: string, env: Env, transport: Transport, options: GoogleAuthOptions = {}): GoogleTokenSource {
  const now = options.now ?? Date.now;
  const timeoutMs = options.timeoutMs ?? TOKEN_TIMEOUT_MS;
  const get = options.get ?? httpGet;
  const source = googleCredentialSource(env);
  const fail = (message: string, errorClass: FailureClass = "provider_4xx", status?: number): UpstreamError =>
    new core.UpstreamError(errorClass, `provider \`${provider}\` (vertex): ${message}`, status === undefined ? {} : { status });

  /** A fetch's own failure (already an UpstreamError) as it is; anything else as the endpoint being out of reach. */
  const unreachable = (error: unknown, signal: AbortSignal, what: string): UpstreamError => {
    if (error instanceof core.UpstreamError) return error;
    const reason = signal.aborted ? `no answer within ${timeoutMs} ms` : core.toUpstreamError(error, signal).message;
    return fail(`cannot reach ${what}: ${reason}`);
  };

  async function fromKeyFile(keyFile: string): Promise<Token> {
    let text: string;
    try {
      text = await readFile(keyFile, "utf8");
    } catch (error) {
      throw fail(`cannot read the key file GOOGLE_APPLICATION_CREDENTIALS names (${(error as NodeJS.ErrnoException).code ?? "unreadable"})`);
    }
    const key = parseServiceAccountKey(text);
    if ("problem" in key) throw fail(`the key file GOOGLE_APPLICATION_CREDENTIALS names ${key.problem}`);
    const startedAt = now();
    let assertion: string;
    try {
      assertion = signAssertion(key, CLOUD_PLATFORM_SCOPE, Math.floor(startedAt / 1000));
    } catch (error) {
      throw fail(`the key file GOOGLE_APPLICATION_CREDENTIALS names cannot sign: ${(error as Error).message}`);
    }
    const body = new URLSearchParams({ grant_type: "urn:ietf:params:oauth:grant-type:jwt-bearer", assertion }).toString();
    const signal = AbortSignal.timeout(timeoutMs);
    const where = `the token endpoint ${key.tokenUri.origin} (GOOGLE_APPLICATION_CREDENTIALS)`;
    try {
      const response = await transport.post({
        url: key.tokenUri,
        headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
        body,
        signal,
      });
      const answer = await response.text();
      if (response.status < 200 || response.status >= 300) {
        const words = maskedLine(oauthErrorText(answer), [assertion, key.privateKey]);
        throw fail(
          `${where} refused the service account ${key.clientEmail}'s assertion (${response.status}${words === "" ? "" : ` ${words}`})`,
          tokenErrorClass(response.status),
          response.status,
        );
      }
      const token = parseTokenAnswer(answer);
      if (token === undefined) throw fail(`${where} answered without access_token and expires_in`, "invalid_response");
      return { accessToken: token.accessToken, ...tokenTimes(startedAt, token.expiresInS) };
    } catch (error) {
      throw unreachable(error, signal, where);
    }
  }

  async function fromMetadata(url: URL): Promise<Token> {
    const signal = AbortSignal.timeout(timeoutMs);
    const startedAt = now();
    const where = `the metadata server at ${url.origin}`;
    try {
      const response = await get(url, { "metadata-flavor": "Google", accept: "application/json" }, signal);
      if (response.status !== 200) {
        const words = maskedLine(response.text.split(/\r?\n/)[0] ?? "", []);
        throw fail(
          `${where} answered ${response.status}${words === "" ? "" : ` ${words}`}${response.status === 403 || response.status === 404 ? " (on GKE, is Workload Identity set up for the pod's service account?)" : ""}`,
          tokenErrorClass(response.status),
          response.status,
        );
      }
      const token = parseTokenAnswer(response.text);
      if (token === undefined) throw fail(`${where} answered without access_token and expires_in`, "invalid_response");
      return { accessToken: token.accessToken, ...tokenTimes(startedAt, token.expiresInS) };
    } catch (error) {
      throw unreachable(error, signal, `${where} (not on GCE or GKE? set GOOGLE_APPLICATION_CREDENTIALS to a service account key file, or GCE_METADATA_HOST)`);
    }
  }

  if (source.kind === "none") {
    const error = fail(`no Google credentials: ${source.problem}`);
    return { kind: "none", get: () => Promise.reject(error), invalidate: () => undefined };
  }
  const tokens = refreshing<Token>(
    () => (source.kind === "service-account" ? fromKeyFile(source.keyFile) : fromMetadata(source.url)),
    (signal) => core.toUpstreamError(new Error("aborted"), signal),
    now,
  );
  return { kind: source.kind, get: (signal) => tokens.get(signal).then((t) => t.accessToken), invalidate: () => tokens.invalidate() };
}

/**
 * @module The AWS credentials a bedrock provider signs with, found as the AWS SDKs' default chain finds them in a
 * pod or container: static keys in the environment (AWS_ACCESS_KEY_ID…), else a web identity (IRSA on EKS:
 * AWS_ROLE_ARN + AWS_WEB_IDENTITY_TOKEN_FILE, exchanged with STS AssumeRoleWithWebIdentity), else the container
 * credentials endpoint (EKS Pod Identity, ECS: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI / _FULL_URI). Temporary
 * credentials are cached per provider, fetched once at a time and refreshed before they expire (refresh.ts).
 *
 * Part of the bedrock asset (converse.ts imports it): it imports no value from the core, which passes in its error
 * class (CredentialsCore).
 */
import { readFile } from "node:fs/promises";
import { httpGet } from "../http-get.ts";
import { maskedLine } from "../redact.ts";
import { type Expiring, refreshTimes, refreshing } from "../refresh.ts";
import type { Transport, UpstreamError, toUpstreamError } from "../types.ts";
import { awsRegionName, configuredEndpoint } from "./endpoints.ts";
import { AWS_ACCESS_KEY_ENV, AWS_SECRET_KEY_ENV, AWS_SESSION_TOKEN_ENV, type AwsCredentials, awsCredentialsFromEnv } from "./sign.ts";

/** The core's parts the credentials use: its UpstreamError class (the router's `instanceof` checks know only that one). */
export interface CredentialsCore {
  UpstreamError: typeof UpstreamError;
  toUpstreamError: typeof toUpstreamError;
}

type Env = Readonly<Record<string, string | undefined>>;

/** A credentials request (STS, the container endpoint) that takes longer than this fails. */
export const CREDENTIALS_TIMEOUT_MS = 10_000;
/** Where AWS_CONTAINER_CREDENTIALS_RELATIVE_URI points (ECS's credentials endpoint). */
export const ECS_CREDENTIALS_HOST = "http://169.254.170.2";

/**
 * Where a provider's credentials come from. `skipped` names the partly set sources the chain went past to get there
 * (partialSources), in its order.
 */
export type CredentialSource = (
  | { kind: "static"; credentials: AwsCredentials }
  | { kind: "web-identity"; roleArn: string; tokenFile: string; sessionName: string; stsUrl: URL }
  | { kind: "container"; url: URL; variable: string; tokenFile?: string; token?: string }
  | { kind: "none"; problem: string }
) & { skipped?: string[] };

/** The chain's steps, in its order. */
const STEPS = { static: 0, "web-identity": 1, container: 2 } as const;

const value = (env: Env, name: string): string | undefined => {
  const v = env[name]?.trim();
  return v === undefined || v === "" ? undefined : v;
};

/** STS's regional endpoint (`https://sts.eu-west-1.amazonaws.com/`; China's regions under amazonaws.com.cn). */
export function stsEndpoint(region: string): string {
  return `https://sts.${region}.amazonaws.com${region.startsWith("cn-") ? ".cn" : ""}/`;
}

/**
 * The partly set sources in `env`, each with its step in the chain and in words naming what is set and what is
 * missing, never a value. The AWS SDK for JavaScript v3 skips each silently: credential-provider-env's fromEnv wants
 * both keys and credential-provider-web-identity's fromTokenFile both AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE,
 * else they throw a CredentialsProviderError, on which the default chain tries its next provider; the container
 * step is taken only when a credentials URI is set, whatever authorization token is. An AWS_SESSION_TOKEN without
 * both keys counts as partial static keys.
 *
 * @example partialSources({ AWS_ROLE_ARN: "arn:aws:iam::1:role/r" }) // → [{ step: 1, words: "AWS_ROLE_ARN is set but AWS_WEB_IDENTITY_TOKEN_FILE is not" }]
 */
export function partialSources(env: Env): Array<{ step: number; words: string }> {
  const out: Array<{ step: number; words: string }> = [];
  const keys = awsCredentialsFromEnv(env);
  if ("missing" in keys) {
    const [missing] = keys.missing;
    if (keys.missing.length === 1 && missing !== undefined)
      out.push({ step: STEPS.static, words: `${missing === AWS_ACCESS_KEY_ENV ? AWS_SECRET_KEY_ENV : AWS_ACCESS_KEY_ENV} is set but ${missing} is not` });
    else if ((env[AWS_SESSION_TOKEN_ENV] ?? "") !== "")
      out.push({ step: STEPS.static, words: `${AWS_SESSION_TOKEN_ENV} is set but ${AWS_ACCESS_KEY_ENV} and ${AWS_SECRET_KEY_ENV} are not` });
  }
  const roleArn = value(env, "AWS_ROLE_ARN");
  const tokenFile = value(env, "AWS_WEB_IDENTITY_TOKEN_FILE");
  if ((roleArn === undefined) !== (tokenFile === undefined))
    out.push({
      step: STEPS["web-identity"],
      words:
        roleArn === undefined ? "AWS_WEB_IDENTITY_TOKEN_FILE is set but AWS_ROLE_ARN is not" : "AWS_ROLE_ARN is set but AWS_WEB_IDENTITY_TOKEN_FILE is not",
    });
  if (value(env, "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") === undefined && value(env, "AWS_CONTAINER_CREDENTIALS_FULL_URI") === undefined) {
    const token = ["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", "AWS_CONTAINER_AUTHORIZATION_TOKEN"].find((name) => value(env, name) !== undefined);
    if (token !== undefined)
      out.push({
        step: STEPS.container,
        words: `${token} is set but neither AWS_CONTAINER_CREDENTIALS_RELATIVE_URI nor AWS_CONTAINER_CREDENTIALS_FULL_URI is`,
      });
  }
  return out;
}

/**
 * Whether the container credentials endpoint may be `url`: the AWS SDKs' rule (aws-sdk-js-v3
 * credential-provider-http's checkUrl): any https URL; plain http only to a loopback address (127.0.0.0/8, [::1],
 * localhost) or the ECS / EKS Pod Identity link-local hosts 169.254.170.2, 169.254.170.23 and [fd00:ec2::23].
 *
 * @example containerUriAllowed(new URL("http://169.254.170.23/v1/credentials")) // → true
 */
export function containerUriAllowed(url: URL): boolean {
  if (url.protocol === "https:") return true;
  if (url.protocol !== "http:") return false;
  // WHATWG URLs are canonical here: IPv4 as four decimal parts, IPv6 bracketed and compressed.
  const host = url.hostname;
  return ["169.254.170.2", "169.254.170.23", "[fd00:ec2::23]", "[::1]", "localhost"].includes(host) || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * Where the credentials of a provider signing for `region` come from, in the AWS default chain's order: both static
 * keys; else AWS_ROLE_ARN with AWS_WEB_IDENTITY_TOKEN_FILE, exchanged at STS's endpoint (AWS_ENDPOINT_URL_STS, else
 * AWS_ENDPOINT_URL, else the regional one: endpoints.ts); else AWS_CONTAINER_CREDENTIALS_RELATIVE_URI, or
 * AWS_CONTAINER_CREDENTIALS_FULL_URI (when no relative one is set, as the SDKs' reference says). A partly set source
 * is skipped, as the SDKs do, and listed in `skipped`; with no source complete, the partly set ones are the problem.
 * What is missing or refused is said naming the variables, never their values.
 *
 * @example awsCredentialSource({ AWS_ROLE_ARN: "arn:aws:iam::1:role/r", AWS_WEB_IDENTITY_TOKEN_FILE: "/t" }, "us-east-1").kind // → "web-identity"
 */
export function awsCredentialSource(env: Env, region: string, now: () => number = Date.now): CredentialSource {
  const keys = awsCredentialsFromEnv(env);
  if (!("missing" in keys)) return { kind: "static", credentials: keys };
  const partial = partialSources(env);
  /** The partly set sources before `step`, as the `skipped` of a source found there. */
  const skipped = (step: number): { skipped?: string[] } => {
    const words = partial.filter((p) => p.step < step).map((p) => p.words);
    return words.length > 0 ? { skipped: words } : {};
  };
  const roleArn = value(env, "AWS_ROLE_ARN");
  const tokenFile = value(env, "AWS_WEB_IDENTITY_TOKEN_FILE");
  const relative = value(env, "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
  const full = value(env, "AWS_CONTAINER_CREDENTIALS_FULL_URI");
  if (roleArn !== undefined && tokenFile !== undefined) {
    const at = skipped(STEPS["web-identity"]);
    const configured = configuredEndpoint(env, "STS");
    if (configured !== undefined && "problem" in configured)
      return { kind: "none", problem: `${configured.problem} (STS's endpoint, for AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE)`, ...at };
    let stsUrl = configured?.url;
    if (stsUrl === undefined) {
      const regionVariable = ["AWS_REGION", "AWS_DEFAULT_REGION"].find((name) => value(env, name) !== undefined);
      const stsRegion = regionVariable === undefined ? region : (value(env, regionVariable) ?? region);
      if (!awsRegionName(stsRegion))
        return {
          kind: "none",
          problem: `${regionVariable ?? "the provider's region"} is not an AWS region name (a host label: letters, digits, hyphens)`,
          ...at,
        };
      stsUrl = new URL(stsEndpoint(stsRegion));
    }
    // STS's pattern for a session name: [\w+=,.@-]{2,64}.
    const sessionName = (value(env, "AWS_ROLE_SESSION_NAME") ?? `switchyard-${now()}`).replace(/[^\w+=,.@-]/g, "_").slice(0, 64);
    return { kind: "web-identity", roleArn, tokenFile, sessionName, stsUrl, ...at };
  }
  if (relative !== undefined || full !== undefined) {
    const at = skipped(STEPS.container);
    const variable = relative !== undefined ? "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI" : "AWS_CONTAINER_CREDENTIALS_FULL_URI";
    let url: URL;
    try {
      // A relative URI is a path on ECS's host; a leading "/" keeps it one (no "@host" or "//host" can move it).
      url = new URL(relative !== undefined ? `${ECS_CREDENTIALS_HOST}${relative.startsWith("/") ? "" : "/"}${relative}` : (full ?? ""));
    } catch {
      return { kind: "none", problem: `${variable} is not a URL`, ...at };
    }
    if (!containerUriAllowed(url))
      return {
        kind: "none",
        problem: `${variable} must be an https URL, or http to a loopback address or 169.254.170.2, 169.254.170.23 or [fd00:ec2::23] (got host ${url.hostname === "" ? url.protocol : url.hostname})`,
        ...at,
      };
    const authFile = value(env, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
    const token = value(env, "AWS_CONTAINER_AUTHORIZATION_TOKEN");
    return {
      kind: "container",
      url,
      variable,
      ...(authFile !== undefined ? { tokenFile: authFile } : token !== undefined ? { token } : {}),
      ...at,
    };
  }
  if (partial.length > 0) return { kind: "none", problem: partial.map((p) => p.words).join("; ") };
  return {
    kind: "none",
    problem:
      "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary credentials), AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE (IRSA), or AWS_CONTAINER_CREDENTIALS_FULL_URI / _RELATIVE_URI (EKS Pod Identity, ECS)",
  };
}

/** Temporary credentials and when they expire and are refreshed (epoch ms). */
export interface TemporaryCredentials extends Expiring {
  credentials: AwsCredentials;
}

/** An RFC 3339 time (`2026-12-08T02:00:00Z`, fractions and offsets too) as epoch ms, else undefined. */
export function parseExpiration(text: unknown): number | undefined {
  if (typeof text !== "string" || !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/i.test(text.trim())) return undefined;
  const at = Date.parse(text.trim());
  return Number.isFinite(at) ? at : undefined;
}

const XML_ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

/** The text of the first `<tag>…</tag>` in `xml`, its entities decoded, else undefined. */
function xmlText(xml: string, tag: string): string | undefined {
  const found = new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(xml)?.[1];
  return found?.trim().replace(/&(?:#x([0-9a-f]+)|#(\d+)|(amp|lt|gt|quot|apos));/gi, (entity: string, hex?: string, decimal?: string, name?: string) => {
    const code = hex !== undefined ? parseInt(hex, 16) : decimal !== undefined ? parseInt(decimal, 10) : undefined;
    if (code !== undefined) return code <= 0x10ffff ? String.fromCodePoint(code) : entity;
    return XML_ENTITIES[(name ?? "").toLowerCase()] ?? entity;
  });
}

/**
 * The credentials in an AssumeRoleWithWebIdentity answer (`…<Credentials><AccessKeyId>…</AccessKeyId>
 * <SecretAccessKey>…<SessionToken>…<Expiration>…</Credentials>…`), else undefined.
 */
export function parseStsCredentials(xml: string): { credentials: Required<AwsCredentials>; expiresAt: number } | undefined {
  const block = /<Credentials>([\s\S]*?)<\/Credentials>/.exec(xml)?.[1];
  if (block === undefined) return undefined;
  const accessKeyId = xmlText(block, "AccessKeyId");
  const secretAccessKey = xmlText(block, "SecretAccessKey");
  const sessionToken = xmlText(block, "SessionToken");
  const expiresAt = parseExpiration(xmlText(block, "Expiration"));
  if (!accessKeyId || !secretAccessKey || !sessionToken || expiresAt === undefined) return undefined;
  return { credentials: { accessKeyId, secretAccessKey, sessionToken }, expiresAt };
}

/** STS's error code and message (`<ErrorResponse><Error><Code>InvalidIdentityToken</Code><Message>…`), as far as present. */
export function parseStsError(xml: string): { code?: string; message?: string } {
  const block = /<Error>([\s\S]*?)<\/Error>/.exec(xml)?.[1] ?? "";
  const code = xmlText(block, "Code");
  const message = xmlText(block, "Message");
  return { ...(code ? { code } : {}), ...(message ? { message } : {}) };
}

/** The credentials in a container endpoint's answer (`{"AccessKeyId", "SecretAccessKey", "Token", "Expiration"}`), else undefined. */
export function parseContainerCredentials(text: string): { credentials: Required<AwsCredentials>; expiresAt: number } | undefined {
  let answer: Record<string, unknown>;
  try {
    answer = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (typeof answer !== "object" || answer === null) return undefined;
  const { AccessKeyId: accessKeyId, SecretAccessKey: secretAccessKey, Token: sessionToken } = answer;
  const expiresAt = parseExpiration(answer["Expiration"]);
  if (typeof accessKeyId !== "string" || typeof secretAccessKey !== "string" || typeof sessionToken !== "string") return undefined;
  if (accessKeyId === "" || secretAccessKey === "" || sessionToken === "" || expiresAt === undefined) return undefined;
  return { credentials: { accessKeyId, secretAccessKey, sessionToken }, expiresAt };
}

/** Options for tests: the clock, the fetch timeout and the GET used for the container endpoint. */
export interface CredentialOptions {
  now?: () => number;
  timeoutMs?: number;
  get?: typeof httpGet;
}

/** A provider's AWS credentials: `get` answers them (static ones at once; temporary ones cached, fetched when due). */
export interface AwsCredentialProvider {
  /** The source's kind, for messages and tests. */
  readonly kind: CredentialSource["kind"];
  /**
   * When the chain went past a partly set source to the one used (the SDKs do so silently): what to log once, naming
   * the variables set and missing and the source used, never a value. Undefined otherwise (with no source, the
   * provider's error says it).
   */
  readonly notice: string | undefined;
  get(signal: AbortSignal): AwsCredentials | Promise<AwsCredentials>;
  /** Forget cached temporary credentials (Bedrock said they expired or are unknown): the next call fetches anew. */
  invalidate(): void;
}

/**
 * The credentials of bedrock provider `provider` (signing for `region`), from `env` as awsCredentialSource finds them.
 * Every failure is a `provider_4xx` UpstreamError (the deployment's, like a 401: the route falls back) naming the
 * variables or STS's error code, never a key, token or secret; a failed refresh serves the old credentials while they
 * last.
 */
export function awsCredentialProvider(
  core: CredentialsCore,
  provider: string,
  env: Env,
  region: string,
  transport: Transport,
  options: CredentialOptions = {},
): AwsCredentialProvider {
  const now = options.now ?? Date.now;
  const timeoutMs = options.timeoutMs ?? CREDENTIALS_TIMEOUT_MS;
  const get = options.get ?? httpGet;
  const source = awsCredentialSource(env, region, now);
  const fail = (message: string): UpstreamError => new core.UpstreamError("provider_4xx", `provider \`${provider}\` (bedrock): ${message}`);

  /** The contents of a token file the platform rotates (read at each fetch), or the provider error naming its variable. */
  async function tokenFrom(path: string, variable: string): Promise<string> {
    try {
      return (await readFile(path, "utf8")).trim();
    } catch (error) {
      throw fail(`cannot read ${variable} (${(error as NodeJS.ErrnoException).code ?? "unreadable"})`);
    }
  }

  /** A fetch's own failure (a refusal, already an UpstreamError) as it is; anything else as the endpoint being out of reach. */
  const unreachable = (error: unknown, signal: AbortSignal, what: string): UpstreamError => {
    if (error instanceof core.UpstreamError) return error;
    return fail(`cannot reach ${what}: ${signal.aborted ? `no answer within ${timeoutMs} ms` : core.toUpstreamError(error, signal).message}`);
  };

  async function fromWebIdentity(c: Extract<CredentialSource, { kind: "web-identity" }>): Promise<TemporaryCredentials> {
    const token = await tokenFrom(c.tokenFile, "AWS_WEB_IDENTITY_TOKEN_FILE");
    const body = new URLSearchParams({
      Action: "AssumeRoleWithWebIdentity",
      Version: "2011-06-15",
      RoleArn: c.roleArn,
      RoleSessionName: c.sessionName,
      WebIdentityToken: token,
    }).toString();
    const signal = AbortSignal.timeout(timeoutMs);
    const startedAt = now();
    try {
      const response = await transport.post({
        url: c.stsUrl,
        headers: { "content-type": "application/x-www-form-urlencoded; charset=utf-8", accept: "text/xml" },
        body,
        signal,
      });
      const text = await response.text();
      if (response.status < 200 || response.status >= 300) {
        const { code, message } = parseStsError(text);
        const words = [code, message === undefined ? undefined : maskedLine(message, [token])].filter((v) => v !== undefined).join(": ");
        throw fail(
          `STS AssumeRoleWithWebIdentity refused AWS_ROLE_ARN with AWS_WEB_IDENTITY_TOKEN_FILE (${response.status}${words === "" ? "" : ` ${words}`})`,
        );
      }
      const parsed = parseStsCredentials(text);
      if (parsed === undefined)
        throw fail("STS AssumeRoleWithWebIdentity answered without Credentials (AccessKeyId, SecretAccessKey, SessionToken, Expiration)");
      return { credentials: parsed.credentials, ...refreshTimes(startedAt, parsed.expiresAt) };
    } catch (error) {
      throw unreachable(error, signal, `STS at ${c.stsUrl.origin} (AWS_ROLE_ARN, AWS_WEB_IDENTITY_TOKEN_FILE)`);
    }
  }

  async function fromContainer(c: Extract<CredentialSource, { kind: "container" }>): Promise<TemporaryCredentials> {
    const authorization = c.tokenFile !== undefined ? await tokenFrom(c.tokenFile, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE") : c.token;
    const signal = AbortSignal.timeout(timeoutMs);
    const startedAt = now();
    try {
      const response = await get(c.url, { accept: "application/json", ...(authorization !== undefined ? { authorization } : {}) }, signal);
      if (response.status !== 200) {
        let words = "";
        try {
          const answer = JSON.parse(response.text) as { Code?: unknown; Message?: unknown; message?: unknown };
          const message = answer.Message ?? answer.message;
          words = [typeof answer.Code === "string" ? answer.Code : undefined, typeof message === "string" ? message : undefined]
            .filter((v) => v !== undefined)
            .join(": ");
        } catch {
          words = "";
        }
        words = maskedLine(words, [authorization]);
        throw fail(`the container credentials endpoint (${c.variable}) answered ${response.status}${words === "" ? "" : ` ${words}`}`);
      }
      const parsed = parseContainerCredentials(response.text);
      if (parsed === undefined)
        throw fail(`the container credentials endpoint (${c.variable}) answered without AccessKeyId, SecretAccessKey, Token and Expiration`);
      return { credentials: parsed.credentials, ...refreshTimes(startedAt, parsed.expiresAt) };
    } catch (error) {
      throw unreachable(error, signal, `the container credentials endpoint at ${c.url.origin} (${c.variable})`);
    }
  }

  const skipped = source.skipped?.join("; ");
  switch (source.kind) {
    case "static": {
      const credentials = source.credentials;
      return { kind: "static", notice: undefined, get: () => credentials, invalidate: () => undefined };
    }
    case "none": {
      const message = `provider \`${provider}\` (bedrock) has no AWS credentials: ${source.problem}${skipped === undefined ? "" : `; skipped, partly set: ${skipped}`}`;
      return {
        kind: "none",
        notice: undefined,
        get: () => Promise.reject(new core.UpstreamError("provider_4xx", message)),
        invalidate: () => undefined,
      };
    }
    case "web-identity":
    case "container": {
      const cache = refreshing<TemporaryCredentials>(
        () => (source.kind === "web-identity" ? fromWebIdentity(source) : fromContainer(source)),
        (signal) => core.toUpstreamError(new Error("aborted"), signal),
        now,
      );
      const used = source.kind === "web-identity" ? "web identity (AWS_ROLE_ARN, AWS_WEB_IDENTITY_TOKEN_FILE)" : `the container endpoint (${source.variable})`;
      return {
        kind: source.kind,
        notice: skipped === undefined ? undefined : `skipped partly set AWS credentials (${skipped}) and uses ${used}`,
        get: (signal) => cache.get(signal).then((t) => t.credentials),
        invalidate: () => cache.invalidate(),
      };
    }
  }
}

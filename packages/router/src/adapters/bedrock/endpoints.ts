/**
 * @module Where a bedrock provider's requests go, as the AWS SDKs decide it (the SDKs and Tools Reference Guide's
 * "Service-specific endpoints"): an endpoint set explicitly (the release's `baseUrl`) wins; else
 * `AWS_ENDPOINT_URL_<SERVICE>` (`AWS_ENDPOINT_URL_BEDROCK_RUNTIME`, `AWS_ENDPOINT_URL_STS`); else `AWS_ENDPOINT_URL`;
 * else the service's regional endpoint. `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true` ignores both variables. A value
 * from the environment must pass what a release's URLs must: an http(s) URL whose host is not link-local or cloud
 * metadata (the IR's blockedHost); else it is a problem naming the variable and at most the host, never the value.
 *
 * Part of the bedrock asset (converse.ts and credentials.ts import it).
 */
import { blockedHost } from "@switchyard/ir";

type Env = Readonly<Record<string, string | undefined>>;

/** The SDKs' service ids as their variables spell them (`Bedrock Runtime` → `BEDROCK_RUNTIME`). */
export type AwsServiceId = "BEDROCK_RUNTIME" | "STS";

/** The variable every service's endpoint comes from when its own is unset. */
export const AWS_ENDPOINT_URL_ENV = "AWS_ENDPOINT_URL";
/** `true` (any case): the SDKs read no endpoint from the environment (or their config files). */
export const AWS_IGNORE_ENDPOINTS_ENV = "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS";

/** An endpoint the environment names, or the problem with it. */
export type ConfiguredEndpoint = { url: URL; variable: string } | { problem: string; variable: string };

/**
 * Bedrock's runtime endpoint of a region (China's regions under amazonaws.com.cn, as STS's: stsEndpoint).
 *
 * @example bedrockEndpoint("cn-northwest-1") // → "https://bedrock-runtime.cn-northwest-1.amazonaws.com.cn"
 */
export function bedrockEndpoint(region: string): string {
  return `https://bedrock-runtime.${region}.amazonaws.com${region.startsWith("cn-") ? ".cn" : ""}`;
}

/**
 * Whether `region` may go into an endpoint's host name: one host label (letters, digits, inner hyphens; at most 63),
 * the AWS SDKs' check (`Region not accepted: … is not a valid hostname component`). Anything else could move the host
 * (`x@169.254.169.254/` would send the signed request there).
 *
 * @example awsRegionName("us-gov-west-1") // → true
 */
export function awsRegionName(region: string): boolean {
  return /^(?!-)[a-zA-Z0-9-]{1,63}(?<!-)$/.test(region);
}

/**
 * What is wrong with `text` as an upstream URL, by the rules a release's URLs follow (an http:// or https:// URL,
 * HttpUrlSchema; a host that is not link-local or cloud metadata, blockedHost), else undefined. Names at most the
 * host: a URL may carry credentials.
 *
 * @example upstreamUrlProblem("http://169.254.169.254/") // → "names 169.254.169.254, which is link-local or cloud metadata"
 */
export function upstreamUrlProblem(text: string): string | undefined {
  if (!/^https?:\/\//.test(text)) return "is not an http:// or https:// URL";
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return "is not a valid URL";
  }
  if (blockedHost(url.hostname)) return `names ${url.hostname}, which is link-local or cloud metadata`;
  return undefined;
}

/**
 * The endpoint the environment configures for `service`: `AWS_ENDPOINT_URL_<service>`, else `AWS_ENDPOINT_URL`
 * (unset or empty ones are skipped, as the SDKs do), else undefined; undefined too when
 * AWS_IGNORE_CONFIGURED_ENDPOINT_URLS is `true`. A value refused is `{ problem }`, the first one set decides.
 *
 * @example configuredEndpoint({ AWS_ENDPOINT_URL: "http://127.0.0.1:4566" }, "STS") // → { url: URL("http://127.0.0.1:4566/"), variable: "AWS_ENDPOINT_URL" }
 */
export function configuredEndpoint(env: Env, service: AwsServiceId): ConfiguredEndpoint | undefined {
  if (env[AWS_IGNORE_ENDPOINTS_ENV]?.trim().toLowerCase() === "true") return undefined;
  for (const variable of [`${AWS_ENDPOINT_URL_ENV}_${service}`, AWS_ENDPOINT_URL_ENV]) {
    const text = env[variable]?.trim();
    if (text === undefined || text === "") continue;
    const problem = upstreamUrlProblem(text);
    return problem === undefined ? { url: new URL(text), variable } : { problem: `${variable} ${problem}`, variable };
  }
  return undefined;
}

/**
 * Where a bedrock provider's Converse calls go (no trailing "/"): its `baseUrl`, else the environment's endpoint
 * (configuredEndpoint), else the region's (a region that is no host label is refused); a problem with the
 * environment's names the variable.
 *
 * @example bedrockBase(undefined, { AWS_ENDPOINT_URL_BEDROCK_RUNTIME: "https://vpce-1.bedrock-runtime.us-east-1.vpce.amazonaws.com/" }, "us-east-1") // → { base: "https://vpce-1.bedrock-runtime.us-east-1.vpce.amazonaws.com" }
 */
export function bedrockBase(baseUrl: string | undefined, env: Env, region: string): { base: string } | { problem: string } {
  if (baseUrl !== undefined) return { base: baseUrl.replace(/\/+$/, "") };
  const configured = configuredEndpoint(env, "BEDROCK_RUNTIME");
  if (configured === undefined)
    return awsRegionName(region)
      ? { base: bedrockEndpoint(region) }
      : { problem: "the provider's `region` is not an AWS region name (a host label: letters, digits, hyphens)" };
  if ("problem" in configured) return { problem: configured.problem };
  return { base: configured.url.href.replace(/\/+$/, "") };
}

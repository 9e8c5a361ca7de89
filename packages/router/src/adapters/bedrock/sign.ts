/** @module AWS credentials from the standard environment variables, and SigV4 signing of a Bedrock request (aws4fetch's AwsV4Signer). */
import { AwsV4Signer } from "aws4fetch";

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** The variables the AWS SDKs and CLI read first (the default chain's environment step). */
export const AWS_ACCESS_KEY_ENV = "AWS_ACCESS_KEY_ID";
export const AWS_SECRET_KEY_ENV = "AWS_SECRET_ACCESS_KEY";
export const AWS_SESSION_TOKEN_ENV = "AWS_SESSION_TOKEN";

/**
 * Credentials from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and (temporary credentials) AWS_SESSION_TOKEN, or the
 * names of the required variables that are unset or empty.
 *
 * @example awsCredentialsFromEnv({ AWS_ACCESS_KEY_ID: "AKIA…", AWS_SECRET_ACCESS_KEY: "…" }) // → { accessKeyId, secretAccessKey }
 */
export function awsCredentialsFromEnv(env: Readonly<Record<string, string | undefined>>): AwsCredentials | { missing: string[] } {
  const accessKeyId = env[AWS_ACCESS_KEY_ENV] ?? "";
  const secretAccessKey = env[AWS_SECRET_KEY_ENV] ?? "";
  const missing = [accessKeyId === "" ? AWS_ACCESS_KEY_ENV : undefined, secretAccessKey === "" ? AWS_SECRET_KEY_ENV : undefined].filter(
    (name): name is string => name !== undefined,
  );
  if (missing.length > 0) return { missing };
  const sessionToken = env[AWS_SESSION_TOKEN_ENV] ?? "";
  return { accessKeyId, secretAccessKey, ...(sessionToken !== "" ? { sessionToken } : {}) };
}

/** The SigV4 signing name of Bedrock's runtime API (the endpoint is `bedrock-runtime.…`, the credential scope says `bedrock`). */
export const BEDROCK_SIGNING_SERVICE = "bedrock";

/**
 * `headers` plus the SigV4 ones for a POST of `body` to `url`: `x-amz-date`, `x-amz-security-token` (with a session
 * token) and `authorization`, all header names lower-case. `datetime` (`20260101T000000Z`) fixes the signing time for
 * tests; by default it is now. content-type is sent unsigned (aws4fetch's choice; SigV4 lets the client choose).
 */
export async function signRequest(
  request: { url: URL; headers: Record<string, string>; body: string },
  credentials: AwsCredentials,
  region: string,
  datetime?: string,
): Promise<Record<string, string>> {
  const signer = new AwsV4Signer({
    method: "POST",
    url: request.url.toString(),
    headers: request.headers,
    body: request.body,
    accessKeyId: credentials.accessKeyId,
    secretAccessKey: credentials.secretAccessKey,
    ...(credentials.sessionToken !== undefined ? { sessionToken: credentials.sessionToken } : {}),
    service: BEDROCK_SIGNING_SERVICE,
    region,
    ...(datetime !== undefined ? { datetime } : {}),
  });
  const signed = await signer.sign();
  const headers: Record<string, string> = {};
  signed.headers.forEach((value, name) => {
    headers[name] = value;
  });
  return headers;
}

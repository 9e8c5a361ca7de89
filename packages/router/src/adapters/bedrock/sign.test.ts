/** Conformance: our SigV4 (aws4fetch) signs a Bedrock request exactly as AWS's own signer (@smithy/signature-v4) does. */
import { Sha256 } from "@aws-crypto/sha256-js";
import { SignatureV4 } from "@smithy/signature-v4";
import { describe, expect, it } from "vitest";
import { type AwsCredentials, awsCredentialsFromEnv, signRequest } from "./sign.ts";

const DATETIME = "20260315T101112Z";
const DATE = new Date(Date.UTC(2026, 2, 15, 10, 11, 12));

/** What AWS's signer says the headers of this request are, at DATE: content-type unsigned as aws4fetch leaves it. */
async function smithyHeaders(url: URL, headers: Record<string, string>, body: string, credentials: AwsCredentials, region: string) {
  const signer = new SignatureV4({ credentials, region, service: "bedrock", sha256: Sha256, applyChecksum: false });
  const signed = await signer.sign(
    {
      method: "POST",
      protocol: url.protocol,
      hostname: url.hostname,
      port: url.port === "" ? undefined : Number(url.port),
      path: url.pathname,
      query: {},
      headers: { ...headers, host: url.host },
      body,
    },
    { signingDate: DATE, unsignableHeaders: new Set(["content-type"]) },
  );
  return signed.headers;
}

const body = JSON.stringify({ messages: [{ role: "user", content: [{ text: "héllo ✓" }] }], inferenceConfig: { maxTokens: 64 } });
const keys: AwsCredentials = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" };

describe("SigV4 for Bedrock against @smithy/signature-v4", () => {
  const cases: Array<[string, string, AwsCredentials]> = [
    ["a plain model id", "https://bedrock-runtime.us-east-1.amazonaws.com/model/amazon.nova-lite-v1%3A0/converse", keys],
    [
      "a model id with `:` and a session token",
      "https://bedrock-runtime.eu-west-3.amazonaws.com/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse-stream",
      { ...keys, sessionToken: "FQoGZXIvYXdzEXAMPLE//token=" },
    ],
    [
      "an inference profile ARN on a test endpoint with a port",
      `http://127.0.0.1:4567/model/${encodeURIComponent("arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-x")}/converse`,
      keys,
    ],
  ];
  for (const [what, href, credentials] of cases) {
    it(`same Authorization for ${what}`, async () => {
      const url = new URL(href);
      const region = /bedrock-runtime\.([^.]+)\./.exec(url.hostname)?.[1] ?? "us-east-1";
      const headers = { "content-type": "application/json", accept: "application/json" };
      const ours = await signRequest({ url, headers, body }, credentials, region, DATETIME);
      const theirs = await smithyHeaders(url, headers, body, credentials, region);
      expect(ours["authorization"]).toBe(theirs["authorization"]);
      expect(ours["authorization"]).toMatch(new RegExp(`^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260315/${region}/bedrock/aws4_request, SignedHeaders=`));
      expect(ours["x-amz-date"]).toBe(DATETIME);
      expect(ours["x-amz-security-token"]).toBe(credentials.sessionToken);
      expect(ours["content-type"]).toBe("application/json");
    });
  }

  it("a different body or time gives a different signature", async () => {
    const url = new URL(cases[0]?.[1] ?? "");
    const a = await signRequest({ url, headers: {}, body }, keys, "us-east-1", DATETIME);
    const b = await signRequest({ url, headers: {}, body: `${body} ` }, keys, "us-east-1", DATETIME);
    const c = await signRequest({ url, headers: {}, body }, keys, "us-east-1", "20260315T101113Z");
    expect(new Set([a["authorization"], b["authorization"], c["authorization"]]).size).toBe(3);
  });
});

describe("credentials from the environment", () => {
  it("reads the standard variables, the session token when set", () => {
    expect(awsCredentialsFromEnv({ AWS_ACCESS_KEY_ID: "AKID", AWS_SECRET_ACCESS_KEY: "s" })).toEqual({ accessKeyId: "AKID", secretAccessKey: "s" });
    expect(awsCredentialsFromEnv({ AWS_ACCESS_KEY_ID: "AKID", AWS_SECRET_ACCESS_KEY: "s", AWS_SESSION_TOKEN: "t" })).toEqual({
      accessKeyId: "AKID",
      secretAccessKey: "s",
      sessionToken: "t",
    });
  });

  it("names what is missing (unset or empty)", () => {
    expect(awsCredentialsFromEnv({})).toEqual({ missing: ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"] });
    expect(awsCredentialsFromEnv({ AWS_ACCESS_KEY_ID: "AKID", AWS_SECRET_ACCESS_KEY: "" })).toEqual({ missing: ["AWS_SECRET_ACCESS_KEY"] });
  });
});

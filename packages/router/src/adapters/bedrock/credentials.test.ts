import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Transport, TransportRequest } from "../types.ts";
import { UpstreamError, toUpstreamError } from "../types.ts";
import { httpGet } from "../http-get.ts";
import {
  type CredentialOptions,
  awsCredentialProvider,
  awsCredentialSource,
  containerUriAllowed,
  parseContainerCredentials,
  parseExpiration,
  parseStsCredentials,
  parseStsError,
  partialSources,
  stsEndpoint,
} from "./credentials.ts";

const CORE = { UpstreamError, toUpstreamError };
const signal = new AbortController().signal;
const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();

const stsAnswer = (n: number, expiresAt: number) => `<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleWithWebIdentityResult>
    <SubjectFromWebIdentityToken>system:serviceaccount:llm:router</SubjectFromWebIdentityToken>
    <Credentials>
      <AccessKeyId>ASIASTS000000000000${n}</AccessKeyId>
      <SecretAccessKey>sts-secret-${n}</SecretAccessKey>
      <SessionToken>sts-session-${n}&amp;more</SessionToken>
      <Expiration>${iso(expiresAt)}</Expiration>
    </Credentials>
  </AssumeRoleWithWebIdentityResult>
</AssumeRoleWithWebIdentityResponse>`;

const stsError = (code: string, message: string) =>
  `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>r-1</RequestId></ErrorResponse>`;

/** A transport answering STS requests with `answers` in turn (status, XML), recording each request. */
function stsTransport(answers: Array<[number, string] | (() => Promise<[number, string]>)>): { transport: Transport; seen: TransportRequest[] } {
  const seen: TransportRequest[] = [];
  const transport: Transport = {
    post: async (request) => {
      const next = answers[seen.length] ?? [500, stsError("InternalFailure", "no more answers")];
      seen.push(request);
      const [status, text] = typeof next === "function" ? await next() : next;
      return { status, headers: {}, body: (async function* () {})(), text: async () => text, dump: () => undefined };
    },
    close: async () => undefined,
  };
  return { transport, seen };
}

const noTransport: Transport = {
  post: () => Promise.reject(new Error("no POST expected")),
  close: async () => undefined,
};

let dir: string;
let tokenFile: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "switchyard-aws-credentials-"));
  tokenFile = path.join(dir, "token");
  await writeFile(tokenFile, "eyJ.web-identity-token-1\n");
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const webIdentityEnv = () => ({
  AWS_ROLE_ARN: "arn:aws:iam::123456789012:role/router",
  AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile,
  AWS_ROLE_SESSION_NAME: "pod-1",
});

describe("awsCredentialSource: the default chain's order", () => {
  it("static keys first, then web identity, then the container endpoint", () => {
    const all = {
      AWS_ACCESS_KEY_ID: "AKIA1",
      AWS_SECRET_ACCESS_KEY: "s",
      ...webIdentityEnv(),
      AWS_CONTAINER_CREDENTIALS_FULL_URI: "http://169.254.170.23/v1/credentials",
    };
    expect(awsCredentialSource(all, "us-east-1").kind).toBe("static");
    expect(awsCredentialSource({ ...all, AWS_ACCESS_KEY_ID: "" }, "us-east-1").kind).toBe("web-identity");
    expect(awsCredentialSource({ AWS_CONTAINER_CREDENTIALS_FULL_URI: "http://169.254.170.23/v1/credentials" }, "us-east-1")).toEqual({
      kind: "container",
      url: new URL("http://169.254.170.23/v1/credentials"),
      variable: "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    });
  });

  it("web identity: STS of AWS_REGION, else AWS_DEFAULT_REGION, else the provider's; AWS_ENDPOINT_URL_STS overrides", () => {
    const at = (env: Record<string, string>) => {
      const source = awsCredentialSource({ ...webIdentityEnv(), ...env }, "eu-west-1", () => 42);
      return source.kind === "web-identity" ? [source.stsUrl.href, source.sessionName] : [source.kind, ""];
    };
    expect(at({})).toEqual(["https://sts.eu-west-1.amazonaws.com/", "pod-1"]);
    expect(at({ AWS_DEFAULT_REGION: "us-west-2" })[0]).toBe("https://sts.us-west-2.amazonaws.com/");
    expect(at({ AWS_DEFAULT_REGION: "us-west-2", AWS_REGION: "ap-south-1" })[0]).toBe("https://sts.ap-south-1.amazonaws.com/");
    expect(at({ AWS_ENDPOINT_URL_STS: "http://127.0.0.1:4566" })[0]).toBe("http://127.0.0.1:4566/");
    expect(at({ AWS_ROLE_SESSION_NAME: "" })[1]).toBe("switchyard-42");
    expect(stsEndpoint("cn-north-1")).toBe("https://sts.cn-north-1.amazonaws.com.cn/");
  });

  it("web identity: AWS_ENDPOINT_URL_STS, else AWS_ENDPOINT_URL, as the SDKs read them; refused as a release's URL would be", () => {
    const at = (env: Record<string, string>) => {
      const source = awsCredentialSource({ ...webIdentityEnv(), ...env }, "eu-west-1");
      return source.kind === "web-identity" ? source.stsUrl.href : source.kind === "none" ? source.problem : source.kind;
    };
    expect(at({ AWS_ENDPOINT_URL: "http://127.0.0.1:4566" })).toBe("http://127.0.0.1:4566/");
    expect(at({ AWS_ENDPOINT_URL: "http://127.0.0.1:4566", AWS_ENDPOINT_URL_STS: "https://sts.vpce.example/" })).toBe("https://sts.vpce.example/");
    expect(at({ AWS_ENDPOINT_URL: "http://127.0.0.1:4566", AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: "true" })).toBe("https://sts.eu-west-1.amazonaws.com/");
    // Bedrock's own variable is not STS's.
    expect(at({ AWS_ENDPOINT_URL_BEDROCK_RUNTIME: "http://127.0.0.1:4566" })).toBe("https://sts.eu-west-1.amazonaws.com/");
    const refused = at({ AWS_ENDPOINT_URL: "http://role:Secret-Value-123@169.254.169.254/" });
    expect(refused).toBe(
      "AWS_ENDPOINT_URL names 169.254.169.254, which is link-local or cloud metadata (STS's endpoint, for AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE)",
    );
    expect(at({ AWS_ENDPOINT_URL_STS: "sts.internal" })).toMatch(/^AWS_ENDPOINT_URL_STS is not an http:\/\/ or https:\/\/ URL/);
    // The region goes into STS's host name: one that could move it is refused, naming where it came from.
    expect(at({ AWS_REGION: "x@169.254.169.254:80/" })).toBe("AWS_REGION is not an AWS region name (a host label: letters, digits, hyphens)");
    expect(at({ AWS_DEFAULT_REGION: "evil.example/#" })).toBe("AWS_DEFAULT_REGION is not an AWS region name (a host label: letters, digits, hyphens)");
  });

  it("container: the relative URI (on 169.254.170.2) before the full one; the token file before the token", () => {
    const source = awsCredentialSource(
      {
        AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: "/v2/credentials/abc",
        AWS_CONTAINER_CREDENTIALS_FULL_URI: "http://127.0.0.1:1/x",
        AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: "/var/run/token",
        AWS_CONTAINER_AUTHORIZATION_TOKEN: "Basic abc",
      },
      "us-east-1",
    );
    expect(source).toEqual({
      kind: "container",
      url: new URL("http://169.254.170.2/v2/credentials/abc"),
      variable: "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
      tokenFile: "/var/run/token",
    });
    // A relative URI cannot name another host.
    const sneaky = awsCredentialSource({ AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: "@evil.example/x" }, "us-east-1");
    expect(sneaky.kind === "container" && sneaky.url.hostname).toBe("169.254.170.2");
  });

  it("names what is missing or refused, never a value", () => {
    const problem = (env: Record<string, string>) => {
      const source = awsCredentialSource(env, "us-east-1");
      return source.kind === "none" ? source.problem : source.kind;
    };
    expect(problem({})).toContain("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY");
    expect(problem({})).toContain("AWS_WEB_IDENTITY_TOKEN_FILE");
    expect(problem({})).toContain("AWS_CONTAINER_CREDENTIALS_FULL_URI");
    expect(problem({ AWS_ACCESS_KEY_ID: "AKIAVALUE" })).toBe("AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not");
    expect(problem({ AWS_ROLE_ARN: "arn:aws:iam::1:role/r" })).toBe("AWS_ROLE_ARN is set but AWS_WEB_IDENTITY_TOKEN_FILE is not");
    const refused = problem({ AWS_CONTAINER_CREDENTIALS_FULL_URI: "http://user:pw@10.0.0.5/creds" });
    expect(refused).toMatch(/^AWS_CONTAINER_CREDENTIALS_FULL_URI must be an https URL.*got host 10\.0\.0\.5\)$/);
    expect(refused).not.toContain("pw");
    expect(problem({ AWS_CONTAINER_CREDENTIALS_FULL_URI: "not a url" })).toBe("AWS_CONTAINER_CREDENTIALS_FULL_URI is not a URL");
  });
});

describe("awsCredentialSource: partly set sources are skipped, as the AWS SDK for JavaScript v3 skips them", () => {
  const container = { AWS_CONTAINER_CREDENTIALS_FULL_URI: "http://169.254.170.23/v1/credentials" };
  const found = (env: Record<string, string>) => {
    const source = awsCredentialSource(env, "us-east-1");
    return [source.kind, source.skipped];
  };

  it("the chain goes past a partly set source to the next complete one, listing what it went past", () => {
    expect(found({ AWS_ACCESS_KEY_ID: "AKIAPARTIALVALUE0001", ...webIdentityEnv() })).toEqual([
      "web-identity",
      ["AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not"],
    ]);
    expect(found({ AWS_ROLE_ARN: "arn:aws:iam::1:role/r", ...container })).toEqual([
      "container",
      ["AWS_ROLE_ARN is set but AWS_WEB_IDENTITY_TOKEN_FILE is not"],
    ]);
    expect(found({ AWS_SECRET_ACCESS_KEY: "s3cr3t", AWS_WEB_IDENTITY_TOKEN_FILE: "/t", AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: "/v2/c" })).toEqual([
      "container",
      ["AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not", "AWS_WEB_IDENTITY_TOKEN_FILE is set but AWS_ROLE_ARN is not"],
    ]);
    expect(found({ AWS_SESSION_TOKEN: "leftover-token", ...container })).toEqual([
      "container",
      ["AWS_SESSION_TOKEN is set but AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not"],
    ]);
  });

  it("a partly set source after the one used is not reached, so not listed", () => {
    expect(found({ AWS_ACCESS_KEY_ID: "AKIA1", AWS_SECRET_ACCESS_KEY: "s", AWS_ROLE_ARN: "arn:aws:iam::1:role/r" })).toEqual(["static", undefined]);
    expect(found({ ...webIdentityEnv(), AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: "/var/run/token" })).toEqual(["web-identity", undefined]);
    expect(found({ ...webIdentityEnv(), AWS_SESSION_TOKEN: "" })).toEqual(["web-identity", undefined]);
  });

  it("with no complete source, the partly set ones are the problem, each naming what is missing, never a value", () => {
    const problem = (env: Record<string, string>) => {
      const source = awsCredentialSource(env, "us-east-1");
      return source.kind === "none" ? source.problem : source.kind;
    };
    const both = problem({ AWS_ACCESS_KEY_ID: "AKIAPARTIALVALUE0001", AWS_ROLE_ARN: "arn:aws:iam::123456789012:role/r" });
    expect(both).toBe("AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not; AWS_ROLE_ARN is set but AWS_WEB_IDENTITY_TOKEN_FILE is not");
    expect(problem({ AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: "/var/run/token" })).toBe(
      "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE is set but neither AWS_CONTAINER_CREDENTIALS_RELATIVE_URI nor AWS_CONTAINER_CREDENTIALS_FULL_URI is",
    );
    expect(problem({ AWS_CONTAINER_AUTHORIZATION_TOKEN: "Basic abcd" })).toMatch(/^AWS_CONTAINER_AUTHORIZATION_TOKEN is set but neither/);
    // A source refused after a partly set one: the refusal is the problem, the skipped one rides along.
    const refused = awsCredentialSource({ AWS_ACCESS_KEY_ID: "AKIAPARTIALVALUE0001", AWS_CONTAINER_CREDENTIALS_FULL_URI: "http://10.1.2.3/x" }, "us-east-1");
    expect(refused).toMatchObject({ kind: "none", skipped: ["AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not"] });
    expect(JSON.stringify(refused)).not.toContain("AKIAPARTIALVALUE0001");
  });

  it("partialSources: each partial source with its step in the chain", () => {
    expect(partialSources({ AWS_ACCESS_KEY_ID: "AKIA1", AWS_ROLE_ARN: "r", AWS_CONTAINER_AUTHORIZATION_TOKEN: "t" }).map((p) => p.step)).toEqual([0, 1, 2]);
    expect(partialSources({ AWS_ACCESS_KEY_ID: "AKIA1", AWS_SECRET_ACCESS_KEY: "s", ...webIdentityEnv(), ...container })).toEqual([]);
  });
});

describe("containerUriAllowed: the AWS SDKs' rule", () => {
  it.each([
    ["https://creds.example.com/x", true],
    ["http://169.254.170.2/v2/credentials/1", true],
    ["http://169.254.170.23/v1/credentials", true],
    ["http://[fd00:ec2::23]/v1/credentials", true],
    ["http://[fd00:ec2:0::23]:80/v1/credentials", true],
    ["http://127.0.0.1:8080/creds", true],
    ["http://127.200.3.4/creds", true],
    ["http://localhost/creds", true],
    ["http://[::1]:9/creds", true],
    ["http://[0:0:0:0:0:0:0:1]/creds", true],
    ["http://10.0.0.5/creds", false],
    ["http://169.254.169.254/latest/meta-data", false],
    ["http://128.0.0.1/creds", false],
    ["http://example.com/creds", false],
    ["http://127.0.0.1.nip.io/creds", false],
    ["ftp://127.0.0.1/creds", false],
    ["file:///etc/passwd", false],
  ])("%s → %s", (uri, allowed) => {
    expect(containerUriAllowed(new URL(uri))).toBe(allowed);
  });
});

describe("parsing", () => {
  it("STS's XML answer and error, entities decoded", () => {
    expect(parseStsCredentials(stsAnswer(1, Date.UTC(2026, 0, 1)))).toEqual({
      credentials: { accessKeyId: "ASIASTS0000000000001", secretAccessKey: "sts-secret-1", sessionToken: "sts-session-1&more" },
      expiresAt: Date.UTC(2026, 0, 1),
    });
    expect(parseStsCredentials("<AssumeRoleWithWebIdentityResponse/>")).toBeUndefined();
    expect(parseStsCredentials(stsAnswer(1, 0).replace(/<Expiration>.*<\/Expiration>/, "<Expiration>soon</Expiration>"))).toBeUndefined();
    expect(parseStsError(stsError("InvalidIdentityToken", "Token &lt;expired&gt; &#x41;&#66;"))).toEqual({
      code: "InvalidIdentityToken",
      message: "Token <expired> AB",
    });
    expect(parseStsError("<html>bad gateway</html>")).toEqual({});
  });

  it("the container endpoint's JSON", () => {
    const answer = { AccessKeyId: "ASIA1", SecretAccessKey: "s", Token: "t", Expiration: "2026-01-01T00:00:00Z", RoleArn: "arn" };
    expect(parseContainerCredentials(JSON.stringify(answer))).toEqual({
      credentials: { accessKeyId: "ASIA1", secretAccessKey: "s", sessionToken: "t" },
      expiresAt: Date.UTC(2026, 0, 1),
    });
    expect(parseContainerCredentials(JSON.stringify({ ...answer, Token: undefined }))).toBeUndefined();
    expect(parseContainerCredentials(JSON.stringify({ ...answer, Expiration: 1767225600 }))).toBeUndefined();
    expect(parseContainerCredentials("null")).toBeUndefined();
    expect(parseContainerCredentials("<html>")).toBeUndefined();
  });

  it("RFC 3339 expirations, fractions and offsets", () => {
    expect(parseExpiration("2026-01-01T00:00:00Z")).toBe(Date.UTC(2026, 0, 1));
    expect(parseExpiration("2026-01-01T00:00:00.500Z")).toBe(Date.UTC(2026, 0, 1) + 500);
    expect(parseExpiration("2026-01-01T01:00:00+01:00")).toBe(Date.UTC(2026, 0, 1));
    expect(parseExpiration("2026-01-01")).toBeUndefined();
    expect(parseExpiration("tomorrow")).toBeUndefined();
    expect(parseExpiration(1767225600)).toBeUndefined();
  });
});

describe("awsCredentialProvider: web identity", () => {
  it("exchanges the token file with STS once for concurrent calls, refreshes ahead of Expiration, re-reading the file", async () => {
    let now = Date.UTC(2026, 0, 1);
    const { transport, seen } = stsTransport([
      [200, stsAnswer(1, now + HOUR)],
      [200, stsAnswer(2, now + 2 * HOUR)],
    ]);
    const provider = awsCredentialProvider(CORE, "aws", webIdentityEnv(), "us-east-1", transport, { now: () => now });
    expect(provider.kind).toBe("web-identity");
    const got = await Promise.all([provider.get(signal), provider.get(signal), provider.get(signal)]);
    expect(got.map((c) => c.accessKeyId)).toEqual(["ASIASTS0000000000001", "ASIASTS0000000000001", "ASIASTS0000000000001"]);
    expect(got[0]).toEqual({ accessKeyId: "ASIASTS0000000000001", secretAccessKey: "sts-secret-1", sessionToken: "sts-session-1&more" });
    expect(seen).toHaveLength(1);
    expect(seen[0]?.url.href).toBe("https://sts.us-east-1.amazonaws.com/");
    expect(seen[0]?.headers["content-type"]).toMatch(/^application\/x-www-form-urlencoded/);
    expect(Object.fromEntries(new URLSearchParams(seen[0]?.body))).toEqual({
      Action: "AssumeRoleWithWebIdentity",
      Version: "2011-06-15",
      RoleArn: "arn:aws:iam::123456789012:role/router",
      RoleSessionName: "pod-1",
      WebIdentityToken: "eyJ.web-identity-token-1",
    });
    // The kubelet rotates the token file; the next exchange sends the new token.
    await writeFile(tokenFile, "eyJ.web-identity-token-2");
    now += HOUR - 5 * 60_000 - 1;
    expect((await provider.get(signal)).accessKeyId).toBe("ASIASTS0000000000001");
    now += 1;
    expect((await provider.get(signal)).accessKeyId).toBe("ASIASTS0000000000002");
    expect(new URLSearchParams(seen[1]?.body).get("WebIdentityToken")).toBe("eyJ.web-identity-token-2");
    await writeFile(tokenFile, "eyJ.web-identity-token-1\n");
  });

  it("short-lived credentials are refreshed half-way through their lifetime", async () => {
    let now = 1_000_000;
    const { transport, seen } = stsTransport([
      [200, stsAnswer(1, now + 60_000)],
      [200, stsAnswer(2, now + 120_000)],
    ]);
    const provider = awsCredentialProvider(CORE, "aws", webIdentityEnv(), "us-east-1", transport, { now: () => now });
    await provider.get(signal);
    now += 29_999;
    await provider.get(signal);
    expect(seen).toHaveLength(1);
    now += 1;
    expect((await provider.get(signal)).accessKeyId).toBe("ASIASTS0000000000002");
  });

  it("a failed refresh keeps the old credentials while they are valid, then fails naming STS's code; no secret in any error", async () => {
    let now = Date.UTC(2026, 0, 1);
    const { transport, seen } = stsTransport([
      [200, stsAnswer(1, now + HOUR)],
      [400, stsError("InvalidIdentityToken", "Token eyJ.web-identity-token-1 is expired")],
      [400, stsError("InvalidIdentityToken", "Token eyJ.web-identity-token-1 is expired")],
    ]);
    const provider = awsCredentialProvider(CORE, "aws", webIdentityEnv(), "us-east-1", transport, { now: () => now });
    expect((await provider.get(signal)).accessKeyId).toBe("ASIASTS0000000000001");
    now += HOUR - 60_000;
    expect((await provider.get(signal)).accessKeyId).toBe("ASIASTS0000000000001");
    expect(seen).toHaveLength(2);
    now += 60_000;
    const error = await Promise.resolve(provider.get(signal)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UpstreamError);
    expect(error).toMatchObject({ errorClass: "provider_4xx" });
    const message = (error as Error).message;
    expect(message).toContain("provider `aws` (bedrock)");
    expect(message).toContain("400 InvalidIdentityToken");
    expect(message).toContain("AWS_ROLE_ARN");
    expect(message).not.toContain("web-identity-token");
    expect(message).not.toContain("sts-secret");
  });

  it("an answer without credentials, an unreadable token file, an unreachable or slow STS: provider errors naming the variables", async () => {
    const fails = async (env: Record<string, string>, transport: Transport, options: CredentialOptions = {}) => {
      const error = await Promise.resolve(awsCredentialProvider(CORE, "aws", env, "us-east-1", transport, options).get(signal)).catch((e: unknown) => e);
      expect(error).toMatchObject({ errorClass: "provider_4xx" });
      const message = (error as Error).message;
      expect(message).not.toContain("web-identity-token");
      return message;
    };
    expect(await fails(webIdentityEnv(), stsTransport([[200, "<AssumeRoleWithWebIdentityResponse/>"]]).transport)).toContain("without Credentials");
    expect(await fails({ ...webIdentityEnv(), AWS_WEB_IDENTITY_TOKEN_FILE: path.join(dir, "absent") }, noTransport)).toBe(
      "provider `aws` (bedrock): cannot read AWS_WEB_IDENTITY_TOKEN_FILE (ENOENT)",
    );
    const refused: Transport = {
      post: () => Promise.reject(Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:9"), { code: "ECONNREFUSED" })),
      close: async () => undefined,
    };
    expect(await fails({ ...webIdentityEnv(), AWS_ENDPOINT_URL_STS: "http://127.0.0.1:9" }, refused)).toMatch(
      /cannot reach STS at http:\/\/127\.0\.0\.1:9 \(AWS_ROLE_ARN, AWS_WEB_IDENTITY_TOKEN_FILE\): .*ECONNREFUSED/,
    );
    const hanging: Transport = {
      post: (request) => new Promise((_, reject) => request.signal.addEventListener("abort", () => reject(new Error("aborted")))),
      close: async () => undefined,
    };
    expect(await fails(webIdentityEnv(), hanging, { timeoutMs: 20 })).toContain("no answer within 20 ms");
  });

  it("a caller that gives up leaves at once; the shared fetch goes on for the others", async () => {
    let release: (() => void) | undefined;
    const { transport, seen } = stsTransport([() => new Promise((resolve) => (release = () => resolve([200, stsAnswer(1, Date.now() + HOUR)])))]);
    const provider = awsCredentialProvider(CORE, "aws", webIdentityEnv(), "us-east-1", transport);
    const gone = new AbortController();
    const first = Promise.resolve(provider.get(gone.signal)).catch((e: unknown) => e);
    const second = provider.get(signal);
    // Give up once the exchange is in flight (the token file is read first: on a loaded machine, more than a few ms).
    while (release === undefined) await new Promise((r) => setTimeout(r, 5));
    gone.abort();
    expect(await first).toBeInstanceOf(UpstreamError);
    release?.();
    expect((await second).accessKeyId).toBe("ASIASTS0000000000001");
    expect(seen).toHaveLength(1);
  });

  it("invalidate() makes the next call fetch anew", async () => {
    const { transport, seen } = stsTransport([
      [200, stsAnswer(1, Date.now() + HOUR)],
      [200, stsAnswer(2, Date.now() + HOUR)],
    ]);
    const provider = awsCredentialProvider(CORE, "aws", webIdentityEnv(), "us-east-1", transport);
    await provider.get(signal);
    provider.invalidate();
    expect((await provider.get(signal)).accessKeyId).toBe("ASIASTS0000000000002");
    expect(seen).toHaveLength(2);
  });
});

describe("awsCredentialProvider: container endpoint", () => {
  const fullEnv = (extra: Record<string, string> = {}) => ({ AWS_CONTAINER_CREDENTIALS_FULL_URI: "http://169.254.170.23/v1/credentials", ...extra });
  const answer = (n: number, expiresAt: number) =>
    JSON.stringify({
      AccessKeyId: `ASIACONTAINER00000${n}`,
      SecretAccessKey: `container-secret-${n}`,
      Token: `container-token-${n}`,
      Expiration: iso(expiresAt),
    });

  it("GETs the endpoint with the authorization token file re-read at each fetch, caching until the refresh time", async () => {
    const authFile = path.join(dir, "eks-pod-identity-token");
    await writeFile(authFile, "pod-identity-jwt-1\n");
    let now = Date.UTC(2026, 0, 1);
    const seen: Array<{ url: string; headers: Record<string, string> }> = [];
    const get: CredentialOptions["get"] = async (url, headers) => {
      seen.push({ url: url.href, headers });
      return { status: 200, text: answer(seen.length, now + HOUR) };
    };
    const provider = awsCredentialProvider(CORE, "aws", fullEnv({ AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: authFile }), "us-east-1", noTransport, {
      now: () => now,
      get,
    });
    expect(provider.kind).toBe("container");
    const got = await Promise.all([provider.get(signal), provider.get(signal)]);
    expect(got[0]).toEqual({ accessKeyId: "ASIACONTAINER000001", secretAccessKey: "container-secret-1", sessionToken: "container-token-1" });
    expect(seen).toEqual([{ url: "http://169.254.170.23/v1/credentials", headers: { accept: "application/json", authorization: "pod-identity-jwt-1" } }]);
    await writeFile(authFile, "pod-identity-jwt-2");
    now += HOUR - 5 * 60_000;
    expect((await provider.get(signal)).accessKeyId).toBe("ASIACONTAINER000002");
    expect(seen[1]?.headers.authorization).toBe("pod-identity-jwt-2");
  });

  it("AWS_CONTAINER_AUTHORIZATION_TOKEN when there is no token file; no Authorization without either", async () => {
    const headers: Array<Record<string, string>> = [];
    const get: CredentialOptions["get"] = async (_url, h) => {
      headers.push(h);
      return { status: 200, text: answer(1, Date.now() + HOUR) };
    };
    await awsCredentialProvider(CORE, "aws", fullEnv({ AWS_CONTAINER_AUTHORIZATION_TOKEN: "Basic abcd" }), "us-east-1", noTransport, { get }).get(signal);
    await awsCredentialProvider(CORE, "aws", fullEnv(), "us-east-1", noTransport, { get }).get(signal);
    expect(headers).toEqual([{ accept: "application/json", authorization: "Basic abcd" }, { accept: "application/json" }]);
  });

  it("a refusal names the variable and the endpoint's code, never the authorization token; a failed refresh keeps the old", async () => {
    let now = Date.UTC(2026, 0, 1);
    const answers: Array<{ status: number; text: string }> = [
      { status: 200, text: answer(1, now + HOUR) },
      { status: 500, text: "{}" },
      { status: 403, text: JSON.stringify({ Code: "AccessDeniedException", Message: "token Bearer-pod-identity-secret-token-value is not valid" }) },
    ];
    const get: CredentialOptions["get"] = async () => answers.shift() ?? { status: 500, text: "" };
    const provider = awsCredentialProvider(
      CORE,
      "aws",
      fullEnv({ AWS_CONTAINER_AUTHORIZATION_TOKEN: "Bearer-pod-identity-secret-token-value" }),
      "us-east-1",
      noTransport,
      { now: () => now, get },
    );
    expect((await provider.get(signal)).accessKeyId).toBe("ASIACONTAINER000001");
    now += HOUR - 1000;
    expect((await provider.get(signal)).accessKeyId).toBe("ASIACONTAINER000001");
    now += 1000;
    const error = await Promise.resolve(provider.get(signal)).catch((e: unknown) => e);
    expect(error).toMatchObject({ errorClass: "provider_4xx" });
    expect((error as Error).message).toBe(
      "provider `aws` (bedrock): the container credentials endpoint (AWS_CONTAINER_CREDENTIALS_FULL_URI) answered 403 AccessDeniedException: token [redacted] is not valid",
    );
  });

  it("a malformed answer, an unreadable token file, a refused URI", async () => {
    const get: CredentialOptions["get"] = async () => ({ status: 200, text: JSON.stringify({ AccessKeyId: "ASIA1", SecretAccessKey: "leak-me-not" }) });
    const message = async (env: Record<string, string>) => {
      const error = await Promise.resolve(awsCredentialProvider(CORE, "aws", env, "us-east-1", noTransport, { get }).get(signal)).catch((e: unknown) => e);
      expect(error).toMatchObject({ errorClass: "provider_4xx" });
      return (error as Error).message;
    };
    expect(await message(fullEnv())).toContain("answered without AccessKeyId, SecretAccessKey, Token and Expiration");
    expect(await message(fullEnv())).not.toContain("leak-me-not");
    expect(await message(fullEnv({ AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: path.join(dir, "absent") }))).toBe(
      "provider `aws` (bedrock): cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE (ENOENT)",
    );
    expect(await message({ AWS_CONTAINER_CREDENTIALS_FULL_URI: "http://10.1.2.3/creds" })).toMatch(
      /^provider `aws` \(bedrock\) has no AWS credentials: AWS_CONTAINER_CREDENTIALS_FULL_URI must be an https URL/,
    );
  });
});

describe("awsCredentialProvider: partly set sources", () => {
  it("a notice names what was skipped and the source used, never a value; none for a chain that skipped nothing", () => {
    const container = { AWS_CONTAINER_CREDENTIALS_FULL_URI: "http://169.254.170.23/v1/credentials" };
    const skipping = awsCredentialProvider(CORE, "aws", { AWS_ROLE_ARN: "arn:aws:iam::123456789012:role/r", ...container }, "us-east-1", noTransport);
    expect(skipping.notice).toBe(
      "skipped partly set AWS credentials (AWS_ROLE_ARN is set but AWS_WEB_IDENTITY_TOKEN_FILE is not) and uses the container endpoint (AWS_CONTAINER_CREDENTIALS_FULL_URI)",
    );
    const web = awsCredentialProvider(CORE, "aws", { AWS_SECRET_ACCESS_KEY: "s3cr3t-value", ...webIdentityEnv() }, "us-east-1", noTransport);
    expect(web.notice).toBe(
      "skipped partly set AWS credentials (AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not) and uses web identity (AWS_ROLE_ARN, AWS_WEB_IDENTITY_TOKEN_FILE)",
    );
    expect(awsCredentialProvider(CORE, "aws", container, "us-east-1", noTransport).notice).toBeUndefined();
    expect(awsCredentialProvider(CORE, "aws", { AWS_ACCESS_KEY_ID: "AKIA1" }, "us-east-1", noTransport).notice).toBeUndefined();
  });

  it("with no source, the call's error names the partly set ones, and those skipped on the way to a refused one", async () => {
    const message = async (env: Record<string, string>) => {
      const error = await Promise.resolve(awsCredentialProvider(CORE, "aws", env, "us-east-1", noTransport).get(signal)).catch((e: unknown) => e);
      expect(error).toMatchObject({ errorClass: "provider_4xx" });
      return (error as Error).message;
    };
    expect(await message({ AWS_ROLE_ARN: "arn:aws:iam::123456789012:role/r" })).toBe(
      "provider `aws` (bedrock) has no AWS credentials: AWS_ROLE_ARN is set but AWS_WEB_IDENTITY_TOKEN_FILE is not",
    );
    const refused = await message({ AWS_ACCESS_KEY_ID: "AKIAPARTIALVALUE0001", AWS_CONTAINER_CREDENTIALS_FULL_URI: "http://10.1.2.3/x" });
    expect(refused).toMatch(/^provider `aws` \(bedrock\) has no AWS credentials: AWS_CONTAINER_CREDENTIALS_FULL_URI must be an https URL/);
    expect(refused).toMatch(/; skipped, partly set: AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not$/);
    expect(refused).not.toContain("AKIAPARTIALVALUE0001");
  });
});

describe("awsCredentialProvider: static keys", () => {
  it("answers the environment's keys at once, without a fetch", () => {
    const provider = awsCredentialProvider(
      CORE,
      "aws",
      { AWS_ACCESS_KEY_ID: "AKIA1", AWS_SECRET_ACCESS_KEY: "s", AWS_SESSION_TOKEN: "t" },
      "us-east-1",
      noTransport,
    );
    expect(provider.get(signal)).toEqual({ accessKeyId: "AKIA1", secretAccessKey: "s", sessionToken: "t" });
  });
});

describe("httpGet", () => {
  it("reads a local answer whole, and refuses one past its cap", async () => {
    const { createServer } = await import("node:http");
    const server = createServer((req, res) => {
      if (req.url === "/big") res.end("x".repeat(200 * 1024));
      else res.end(JSON.stringify({ authorization: req.headers.authorization ?? null }));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as { port: number };
    try {
      const ok = await httpGet(new URL(`http://127.0.0.1:${port}/creds`), { authorization: "tok" }, AbortSignal.timeout(5000));
      expect(ok).toEqual({ status: 200, text: '{"authorization":"tok"}' });
      await expect(httpGet(new URL(`http://127.0.0.1:${port}/big`), {}, AbortSignal.timeout(5000))).rejects.toThrow(/larger than 65536 bytes/);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

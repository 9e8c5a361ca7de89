/**
 * A bedrock provider on EKS without static keys: the router gets short-lived credentials from a fake STS (IRSA: a
 * rotated web identity token file exchanged by AssumeRoleWithWebIdentity) or a fake container credentials endpoint
 * (EKS Pod Identity: a rotated authorization token file), and serves requests across credential rotations without a
 * restart; the fake Bedrock checks every SigV4 signature and accepts only the newest credentials and their
 * `x-amz-security-token`. A failed refresh keeps the old credentials while they last; after that the call fails as a
 * provider error naming STS's code, and the route falls back. The endpoints come from the environment as the AWS SDKs
 * take them (AWS_ENDPOINT_URL_BEDROCK_RUNTIME / _STS, else AWS_ENDPOINT_URL; the release's `baseUrl` wins), a bad one
 * is one provider error naming the variable; a partly set source is skipped as the SDKs skip it, and said once.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { RunningRouter } from "@switchyard/router";
import {
  type FakeContainerCredentials,
  type FakeSts,
  type IssuedCredentials,
  startFakeContainerCredentials,
  startFakeSts,
} from "../helpers/fake-aws-credentials.ts";
import { FAKE_AWS, type FakeBedrock, startFakeBedrock } from "../helpers/fake-bedrock.ts";
import { releaseOf } from "../helpers/release.ts";
import { chat, startTestRouter } from "../helpers/router.ts";
import { stderrOf } from "../helpers/stderr.ts";

let dir: string;
let bedrock: FakeBedrock;
let sts: FakeSts;
let pod: FakeContainerCredentials;
let router: RunningRouter | undefined;

/** Short enough to rotate within a test, long enough for a loaded machine: refreshed half-way, at 1.5 s. */
const LIFETIME_MS = 3_000;
const HALF = LIFETIME_MS / 2;

/** The fake Bedrock accepts only the newest credentials issued. */
const acceptOnly = (c: IssuedCredentials) => {
  bedrock.credentials = { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey, sessionToken: c.sessionToken };
};

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "switchyard-bedrock-credentials-"));
  bedrock = await startFakeBedrock();
  sts = await startFakeSts(LIFETIME_MS);
  pod = await startFakeContainerCredentials(LIFETIME_MS);
  sts.onIssue = acceptOnly;
  pod.onIssue = acceptOnly;
});

afterEach(async () => {
  await router?.close();
  router = undefined;
  bedrock.reset();
});

afterAll(async () => {
  await Promise.all([bedrock.close(), sts.close(), pod.close()]);
  await rm(dir, { recursive: true, force: true });
});

const release = () =>
  releaseOf({
    providers: {
      aws: { kind: "bedrock", region: FAKE_AWS.region, baseUrl: bedrock.baseUrl },
      sim: { kind: "mock", mock: { reply: "mock backup" } },
    },
    models: {
      nova: { provider: "aws", name: "amazon.nova-lite-v1:0", context: 300_000, price: { input: 0.06, output: 0.24 } },
      backup: { provider: "sim", name: "mock-b", context: 200_000, price: { input: 0, output: 0 } },
    },
    routes: { chat: { model: "nova", fallback: [{ model: "backup" }] } },
  });

/** The same release with the endpoint left to the environment (no `baseUrl`). */
const releaseWithoutBaseUrl = () =>
  releaseOf({
    providers: {
      aws: { kind: "bedrock", region: FAKE_AWS.region },
      sim: { kind: "mock", mock: { reply: "mock backup" } },
    },
    models: {
      nova: { provider: "aws", name: "amazon.nova-lite-v1:0", context: 300_000, price: { input: 0.06, output: 0.24 } },
      backup: { provider: "sim", name: "mock-b", context: 200_000, price: { input: 0, output: 0 } },
    },
    routes: { chat: { model: "nova", fallback: [{ model: "backup" }] } },
  });

const staticKeys = { AWS_ACCESS_KEY_ID: FAKE_AWS.accessKeyId, AWS_SECRET_ACCESS_KEY: FAKE_AWS.secretAccessKey };
/** An address nothing listens on: a request sent there fails. */
const NOWHERE = "http://127.0.0.1:9";

const hi = { model: "chat", messages: [{ role: "user", content: "hi" }] };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** The access key a Bedrock request was signed with, and its session token. */
const signedWith = (i: number) => {
  const request = bedrock.requests[i];
  return [/Credential=([^/]+)\//.exec(String(request?.headers.authorization))?.[1], request?.headers["x-amz-security-token"]];
};

interface ErrorBody {
  error: { attempts?: Array<{ errorClass: string; message?: string }> };
}

describe("bedrock credentials on Kubernetes, rotated without a restart", () => {
  it("IRSA: the web identity token file is exchanged with STS, refreshed half-way, a failed refresh rides on the old; then fallback", async () => {
    const tokenFile = path.join(dir, "irsa-token");
    await writeFile(tokenFile, "eyJ.projected-token-1");
    const stderr: string[] = [];
    router = await startTestRouter(release(), {
      env: {
        AWS_ROLE_ARN: "arn:aws:iam::123456789012:role/switchyard",
        AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile,
        AWS_ROLE_SESSION_NAME: "switchyard-test",
        AWS_ENDPOINT_URL_STS: sts.url,
      },
    });

    // Concurrent first calls share one exchange.
    const first = await Promise.all([chat(router, hi), chat(router, hi), chat(router, hi)]);
    expect(first.map((r) => [r.status, r.headers.get("x-switchyard-model")])).toEqual([
      [200, "nova"],
      [200, "nova"],
      [200, "nova"],
    ]);
    expect(sts.requests).toEqual([
      {
        Action: "AssumeRoleWithWebIdentity",
        Version: "2011-06-15",
        RoleArn: "arn:aws:iam::123456789012:role/switchyard",
        RoleSessionName: "switchyard-test",
        WebIdentityToken: "eyJ.projected-token-1",
      },
    ]);
    const one = sts.issued[0];
    expect(signedWith(0)).toEqual([one?.accessKeyId, one?.sessionToken]);

    // The kubelet rotates the projected token; past half the lifetime the router exchanges the new one.
    await writeFile(tokenFile, "eyJ.projected-token-2");
    await sleep(HALF + 200);
    const second = await chat(router, hi);
    expect(second.headers.get("x-switchyard-model")).toBe("nova");
    expect(sts.requests.map((r) => r["WebIdentityToken"])).toEqual(["eyJ.projected-token-1", "eyJ.projected-token-2"]);
    const two = sts.issued[1];
    expect(signedWith(3)).toEqual([two?.accessKeyId, two?.sessionToken]);

    // STS refuses from now on: past the refresh time the credentials still valid serve on.
    sts.failWith = { status: 400, code: "InvalidIdentityToken", message: "Token eyJ.projected-token-2 is expired" };
    await sleep(HALF + 200);
    const riding = await chat(router, hi);
    expect(riding.headers.get("x-switchyard-model")).toBe("nova");
    expect(signedWith(4)).toEqual([two?.accessKeyId, two?.sessionToken]);
    expect(sts.requests).toHaveLength(3);

    // Once they expire, the call is the deployment's failure (like a 401) and the route falls back.
    await sleep(HALF);
    const original = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string | Uint8Array) => {
      stderr.push(String(chunk));
      return true;
    }) as typeof process.stderr.write;
    let fallen: Response;
    let again: Response;
    try {
      fallen = await chat(router, hi);
      again = await chat(router, hi);
    } finally {
      process.stderr.write = original;
    }
    expect(fallen.status).toBe(200);
    expect(fallen.headers.get("x-switchyard-model")).toBe("backup");
    expect(again.headers.get("x-switchyard-model")).toBe("backup");
    expect(bedrock.requests).toHaveLength(5);
    // Logged once, naming STS's code and the variables, never a token or secret.
    const logged = stderr.filter((line) => line.includes("InvalidIdentityToken"));
    expect(logged).toHaveLength(1);
    expect(logged[0]).toContain("AWS_WEB_IDENTITY_TOKEN_FILE");
    expect(logged[0]).not.toContain("projected-token");
    expect(logged[0]).not.toContain("secret");
    sts.failWith = undefined;
  });

  it("the failure as the client sees it: a provider_4xx attempt naming STS's code", async () => {
    const tokenFile = path.join(dir, "irsa-token-refused");
    await writeFile(tokenFile, "eyJ.refused-token");
    sts.failWith = { status: 403, code: "AccessDenied", message: "Not authorized to perform sts:AssumeRoleWithWebIdentity" };
    const solo = releaseOf({
      providers: { aws: { kind: "bedrock", region: FAKE_AWS.region, baseUrl: bedrock.baseUrl } },
      models: { nova: { provider: "aws", name: "amazon.nova-lite-v1:0", context: 300_000, price: { input: 0.06, output: 0.24 } } },
      routes: { chat: { model: "nova" } },
    });
    router = await startTestRouter(solo, {
      env: { AWS_ROLE_ARN: "arn:aws:iam::123456789012:role/switchyard", AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile, AWS_ENDPOINT_URL_STS: sts.url },
    });
    try {
      const res = await chat(router, hi);
      expect(res.status).toBe(502);
      const body = (await res.json()) as ErrorBody;
      expect(body.error.attempts?.[0]).toMatchObject({ errorClass: "provider_4xx" });
      expect(body.error.attempts?.[0]?.message).toContain("403 AccessDenied");
      expect(JSON.stringify(body)).not.toContain("refused-token");
      expect(bedrock.requests).toHaveLength(0);
    } finally {
      sts.failWith = undefined;
    }
  });

  it("EKS Pod Identity: the container endpoint with the rotated authorization token file, refreshed half-way", async () => {
    const authFile = path.join(dir, "eks-pod-identity-token");
    await writeFile(authFile, "pod-jwt-1\n");
    pod.authorization = async () => (await readFile(authFile, "utf8")).trim();
    router = await startTestRouter(release(), {
      env: { AWS_CONTAINER_CREDENTIALS_FULL_URI: pod.url, AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: authFile },
    });
    const before = pod.issued.length;
    const first = await Promise.all([chat(router, hi), chat(router, { ...hi, stream: true })]);
    expect(first.map((r) => r.headers.get("x-switchyard-model"))).toEqual(["nova", "nova"]);
    expect(await first[1]?.text()).toContain("Hello");
    expect(pod.issued.length - before).toBe(1);
    expect(pod.requests.at(-1)).toEqual({ path: "/v1/credentials", authorization: "pod-jwt-1" });
    const one = pod.issued.at(-1);
    expect(signedWith(0)).toEqual([one?.accessKeyId, one?.sessionToken]);

    await writeFile(authFile, "pod-jwt-2");
    await sleep(HALF + 200);
    const second = await chat(router, hi);
    expect(second.headers.get("x-switchyard-model")).toBe("nova");
    expect(pod.requests.at(-1)).toEqual({ path: "/v1/credentials", authorization: "pod-jwt-2" });
    const two = pod.issued.at(-1);
    expect(two?.accessKeyId).not.toBe(one?.accessKeyId);
    expect(signedWith(2)).toEqual([two?.accessKeyId, two?.sessionToken]);
    pod.authorization = undefined;
  });
});

describe("bedrock endpoints from the environment, as the AWS SDKs take them", () => {
  it("AWS_ENDPOINT_URL_BEDROCK_RUNTIME, else AWS_ENDPOINT_URL, places Bedrock when the release has no baseUrl", async () => {
    router = await startTestRouter(releaseWithoutBaseUrl(), {
      env: { ...staticKeys, AWS_ENDPOINT_URL_BEDROCK_RUNTIME: bedrock.baseUrl, AWS_ENDPOINT_URL: NOWHERE },
    });
    const own = await chat(router, hi);
    expect([own.status, own.headers.get("x-switchyard-model")]).toEqual([200, "nova"]);
    await router.close();
    router = await startTestRouter(releaseWithoutBaseUrl(), { env: { ...staticKeys, AWS_ENDPOINT_URL: bedrock.baseUrl } });
    const global = await chat(router, hi);
    expect([global.status, global.headers.get("x-switchyard-model")]).toEqual([200, "nova"]);
    expect(bedrock.requests.map((r) => r.operation)).toEqual(["converse", "converse"]);
  });

  it("the release's baseUrl wins over the environment; AWS_ENDPOINT_URL still places STS for IRSA", async () => {
    const tokenFile = path.join(dir, "irsa-token-global-endpoint");
    await writeFile(tokenFile, "eyJ.global-endpoint-token");
    const before = sts.requests.length;
    router = await startTestRouter(release(), {
      env: {
        AWS_ROLE_ARN: "arn:aws:iam::123456789012:role/switchyard",
        AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile,
        // For every service: STS goes there; Bedrock goes to the release's baseUrl, not here.
        AWS_ENDPOINT_URL: sts.url,
      },
    });
    const res = await chat(router, hi);
    expect([res.status, res.headers.get("x-switchyard-model")]).toEqual([200, "nova"]);
    expect(sts.requests.slice(before).map((r) => r["WebIdentityToken"])).toEqual(["eyJ.global-endpoint-token"]);
    expect(signedWith(0)).toEqual([sts.issued.at(-1)?.accessKeyId, sts.issued.at(-1)?.sessionToken]);
  });

  it("a refused endpoint variable is one provider error naming it, logged once, never its value; the route falls back", async () => {
    router = await startTestRouter(releaseWithoutBaseUrl(), {
      env: { ...staticKeys, AWS_ENDPOINT_URL_BEDROCK_RUNTIME: "http://AKIAIOSFODNN7EXAMPLE:leak-me-not@169.254.169.254/latest/" },
    });
    const { result, lines } = await stderrOf(async () => [await chat(router as RunningRouter, hi), await chat(router as RunningRouter, hi)]);
    expect(result.map((r) => [r.status, r.headers.get("x-switchyard-model")])).toEqual([
      [200, "backup"],
      [200, "backup"],
    ]);
    expect(bedrock.requests).toHaveLength(0);
    const logged = lines.filter((line) => line.includes("AWS_ENDPOINT_URL_BEDROCK_RUNTIME"));
    expect(logged).toEqual([
      "switchyard router: provider `aws` (bedrock): AWS_ENDPOINT_URL_BEDROCK_RUNTIME names 169.254.169.254, which is link-local or cloud metadata\n",
    ]);
    expect(lines.join("")).not.toContain("leak-me-not");

    // As the client sees it: a provider_4xx attempt naming the variable.
    const solo = releaseOf({
      providers: { aws: { kind: "bedrock", region: FAKE_AWS.region } },
      models: { nova: { provider: "aws", name: "amazon.nova-lite-v1:0", context: 300_000, price: { input: 0.06, output: 0.24 } } },
      routes: { chat: { model: "nova" } },
    });
    await router.close();
    router = await startTestRouter(solo, { env: { ...staticKeys, AWS_ENDPOINT_URL: "bedrock.internal:443" } });
    const { result: refused } = await stderrOf(() => chat(router as RunningRouter, hi));
    expect(refused.status).toBe(502);
    const body = (await refused.json()) as ErrorBody;
    expect(body.error.attempts?.[0]).toMatchObject({ errorClass: "provider_4xx" });
    expect(body.error.attempts?.[0]?.message).toContain("AWS_ENDPOINT_URL is not an http:// or https:// URL");
  });
});

describe("partly set AWS credentials, skipped as the AWS SDKs skip them", () => {
  it("AWS_ROLE_ARN without its token file: the container endpoint signs, and the skip is said once naming the missing variable", async () => {
    const before = pod.issued.length;
    router = await startTestRouter(release(), {
      env: { AWS_ROLE_ARN: "arn:aws:iam::123456789012:role/forgotten", AWS_CONTAINER_CREDENTIALS_FULL_URI: pod.url },
    });
    const { result, lines } = await stderrOf(async () => [await chat(router as RunningRouter, hi), await chat(router as RunningRouter, hi)]);
    expect(result.map((r) => r.headers.get("x-switchyard-model"))).toEqual(["nova", "nova"]);
    expect(pod.issued.length - before).toBe(1);
    expect(signedWith(1)).toEqual([pod.issued.at(-1)?.accessKeyId, pod.issued.at(-1)?.sessionToken]);
    const said = lines.filter((line) => line.includes("skipped partly set AWS credentials"));
    expect(said).toEqual([
      "switchyard router: provider `aws` (bedrock) skipped partly set AWS credentials (AWS_ROLE_ARN is set but AWS_WEB_IDENTITY_TOKEN_FILE is not) and uses the container endpoint (AWS_CONTAINER_CREDENTIALS_FULL_URI)\n",
    ]);
    expect(lines.join("")).not.toContain("forgotten");
  });

  it("only partly set sources: the call fails naming every missing variable, once in the log, never a value; the route falls back", async () => {
    router = await startTestRouter(release(), { env: { AWS_ACCESS_KEY_ID: "AKIAPARTIALKEY000001", AWS_WEB_IDENTITY_TOKEN_FILE: "/var/run/token" } });
    const { result, lines } = await stderrOf(async () => [await chat(router as RunningRouter, hi), await chat(router as RunningRouter, hi)]);
    expect(result.map((r) => r.headers.get("x-switchyard-model"))).toEqual(["backup", "backup"]);
    expect(lines.filter((line) => line.includes("has no AWS credentials"))).toEqual([
      "switchyard router: provider `aws` (bedrock) has no AWS credentials: AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not; AWS_WEB_IDENTITY_TOKEN_FILE is set but AWS_ROLE_ARN is not\n",
    ]);
    expect(lines.join("")).not.toContain("AKIAPARTIALKEY000001");
    expect(bedrock.requests).toHaveLength(0);
  });
});

import { generateKeyPairSync, verify } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AdapterCall, type Transport, type TransportRequest, UpstreamError, toUpstreamError } from "../types.ts";
import { createVertexAdapter, vertexEndpoint, vertexModelsUrl } from "./index.ts";
import {
  CLOUD_PLATFORM_SCOPE,
  type GoogleAuthOptions,
  googleCredentialSource,
  googleTokenSource,
  parseServiceAccountKey,
  parseTokenAnswer,
  signAssertion,
} from "./auth.ts";

const CORE = { UpstreamError, toUpstreamError };
const signal = new AbortController().signal;
const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
const pem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
const keyJson = (overrides: Record<string, unknown> = {}) =>
  JSON.stringify({
    type: "service_account",
    private_key_id: "kid-1",
    private_key: pem,
    client_email: "sa@acme-prod.iam.gserviceaccount.com",
    token_uri: "https://oauth2.googleapis.com/token",
    ...overrides,
  });

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "switchyard-vertex-auth-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A transport that answers the token endpoint's POST with `answer` and records what it was sent. */
function tokenTransport(answer: (n: number) => { status: number; body: unknown }): Transport & { sent: TransportRequest[] } {
  const sent: TransportRequest[] = [];
  return {
    sent,
    async post(request) {
      sent.push(request);
      const { status, body } = answer(sent.length);
      const text = JSON.stringify(body);
      return { status, headers: {}, body: (async function* () {})(), text: async () => text, dump: () => undefined };
    },
    async close() {},
  } as Transport & { sent: TransportRequest[] };
}

describe("vertex endpoints", () => {
  it("names the regional endpoint, and the global one for location global", () => {
    expect(vertexEndpoint("europe-west4")).toBe("https://europe-west4-aiplatform.googleapis.com");
    expect(vertexEndpoint("global")).toBe("https://aiplatform.googleapis.com");
    expect(vertexModelsUrl({ project: "acme-prod", region: "us-central1" })).toBe(
      "https://us-central1-aiplatform.googleapis.com/v1/projects/acme-prod/locations/us-central1/publishers/google/models/",
    );
    expect(vertexModelsUrl({ project: "acme-prod", region: "global" })).toBe(
      "https://aiplatform.googleapis.com/v1/projects/acme-prod/locations/global/publishers/google/models/",
    );
    expect(vertexModelsUrl({ project: "acme-prod", region: "us-east5", baseUrl: "https://vertex.p.googleapis.com/" })).toBe(
      "https://vertex.p.googleapis.com/v1/projects/acme-prod/locations/us-east5/publishers/google/models/",
    );
  });
});

describe("a vertex adapter whose region is no location", () => {
  it("fails each call as the provider's error and sends nothing", async () => {
    const transport = tokenTransport(() => ({ status: 200, body: {} }));
    const adapter = createVertexAdapter({
      providerId: "gcp",
      provider: { kind: "vertex", project: "acme-prod", region: "evil.example/x?", headers: {}, selfHosted: false },
      apiKey: undefined,
      headers: {},
      transport,
      env: {},
    });
    const call = { body: { model: "m", messages: [{ role: "user", content: "hi" }] }, model: { name: "gemini-2.5-flash" }, signal } as unknown as AdapterCall;
    await expect(adapter.complete(call)).rejects.toThrow('provider `gcp` (vertex): region "evil.example/x?" is not a Google Cloud location');
    expect(transport.sent).toHaveLength(0);
  });
});

describe("Google credentials in Application Default Credentials' order", () => {
  it("a key file first, else the metadata server (GCE_METADATA_HOST moves it)", () => {
    expect(googleCredentialSource({ GOOGLE_APPLICATION_CREDENTIALS: "/k.json", GCE_METADATA_HOST: "x" })).toEqual({
      kind: "service-account",
      keyFile: "/k.json",
    });
    expect(googleCredentialSource({})).toEqual({
      kind: "metadata",
      url: new URL("http://metadata.google.internal/computeMetadata/v1/instance/service-accounts/default/token"),
    });
    expect(googleCredentialSource({ GCE_METADATA_HOST: "127.0.0.1:8080" })).toMatchObject({
      url: new URL("http://127.0.0.1:8080/computeMetadata/v1/instance/service-accounts/default/token"),
    });
    expect(googleCredentialSource({ GCE_METADATA_HOST: "a b" })).toMatchObject({ kind: "none" });
  });

  it("reads a service account key, and says what is wrong with another file without its contents", () => {
    expect(parseServiceAccountKey(keyJson())).toMatchObject({ clientEmail: "sa@acme-prod.iam.gserviceaccount.com", privateKeyId: "kid-1" });
    expect(parseServiceAccountKey(keyJson({ token_uri: undefined }))).toMatchObject({ tokenUri: new URL("https://oauth2.googleapis.com/token") });
    expect(parseServiceAccountKey("{not json")).toEqual({ problem: "is not JSON" });
    expect(parseServiceAccountKey(JSON.stringify({ type: "authorized_user", refresh_token: "1//secret" }))).toEqual({
      problem: expect.stringContaining("is of type authorized_user, not a service account key") as unknown,
    });
    expect(parseServiceAccountKey(keyJson({ private_key: "" }))).toEqual({ problem: "has no private_key" });
    expect(parseServiceAccountKey(keyJson({ token_uri: "http://evil.example/token" }))).toEqual({
      problem: "has a token_uri that is neither https nor http to a loopback address (host evil.example)",
    });
  });

  it("signs an RS256 assertion for the cloud-platform scope that the key's public half verifies", () => {
    const key = parseServiceAccountKey(keyJson());
    if ("problem" in key) throw new Error(key.problem);
    const jwt = signAssertion(key, CLOUD_PLATFORM_SCOPE, 1_700_000_000);
    const [header, claims, signature] = jwt.split(".");
    expect(JSON.parse(Buffer.from(header ?? "", "base64url").toString())).toEqual({ alg: "RS256", typ: "JWT", kid: "kid-1" });
    expect(JSON.parse(Buffer.from(claims ?? "", "base64url").toString())).toEqual({
      iss: "sa@acme-prod.iam.gserviceaccount.com",
      scope: CLOUD_PLATFORM_SCOPE,
      aud: "https://oauth2.googleapis.com/token",
      iat: 1_700_000_000,
      exp: 1_700_003_600,
    });
    expect(verify("sha256", Buffer.from(`${header}.${claims}`), publicKey, Buffer.from(signature ?? "", "base64url"))).toBe(true);
    expect(() => signAssertion({ ...key, privateKey: "-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n" }, CLOUD_PLATFORM_SCOPE, 0)).toThrow(
      /^its private_key is not a PEM-encoded RSA private key$/,
    );
  });

  it("reads a token answer", () => {
    expect(parseTokenAnswer('{"access_token":"ya29.a","expires_in":3599,"token_type":"Bearer"}')).toEqual({ accessToken: "ya29.a", expiresInS: 3599 });
    expect(parseTokenAnswer('{"access_token":"ya29.a"}')).toBeUndefined();
    expect(parseTokenAnswer("<html>")).toBeUndefined();
  });

  it("exchanges the assertion at the key's token_uri, caches the token and refreshes it half-way through a short lifetime", async () => {
    const file = path.join(dir, "key.json");
    await writeFile(file, keyJson());
    let clock = 1_000_000;
    const transport = tokenTransport((n) => ({ status: 200, body: { access_token: `ya29.t${n}`, expires_in: 60, token_type: "Bearer" } }));
    const options: GoogleAuthOptions = { now: () => clock };
    const tokens = googleTokenSource(CORE, "gcp", { GOOGLE_APPLICATION_CREDENTIALS: file }, transport, options);
    expect(tokens.kind).toBe("service-account");
    expect(await Promise.all([tokens.get(signal), tokens.get(signal)])).toEqual(["ya29.t1", "ya29.t1"]);
    expect(transport.sent).toHaveLength(1);
    const form = new URLSearchParams(transport.sent[0]?.body ?? "");
    expect(form.get("grant_type")).toBe("urn:ietf:params:oauth:grant-type:jwt-bearer");
    expect(transport.sent[0]?.url.href).toBe("https://oauth2.googleapis.com/token");
    clock += 29_000;
    expect(await tokens.get(signal)).toBe("ya29.t1");
    clock += 2_000;
    expect(await tokens.get(signal)).toBe("ya29.t2");
    tokens.invalidate();
    expect(await tokens.get(signal)).toBe("ya29.t3");
  });

  it("a refused exchange is a provider_4xx naming the variable and the endpoint's error code, never the key or the assertion", async () => {
    const file = path.join(dir, "refused.json");
    await writeFile(file, keyJson());
    const transport = tokenTransport(() => ({ status: 400, body: { error: "invalid_grant", error_description: "Invalid JWT Signature." } }));
    const tokens = googleTokenSource(CORE, "gcp", { GOOGLE_APPLICATION_CREDENTIALS: file }, transport);
    const error = (await tokens.get(signal).catch((e: unknown) => e)) as UpstreamError;
    expect(error).toBeInstanceOf(UpstreamError);
    expect(error.errorClass).toBe("provider_4xx");
    expect(error.message).toBe(
      "provider `gcp` (vertex): the token endpoint https://oauth2.googleapis.com (GOOGLE_APPLICATION_CREDENTIALS) refused the service account sa@acme-prod.iam.gserviceaccount.com's assertion (400 invalid_grant: Invalid JWT Signature.)",
    );
    const assertion = new URLSearchParams(transport.sent[0]?.body ?? "").get("assertion") ?? "";
    expect(error.message).not.toContain(assertion.split(".")[2]);
  });

  it("a missing or broken key file fails naming the variable, before anything is sent", async () => {
    const transport = tokenTransport(() => ({ status: 500, body: {} }));
    const missing = googleTokenSource(CORE, "gcp", { GOOGLE_APPLICATION_CREDENTIALS: path.join(dir, "nope.json") }, transport);
    await expect(missing.get(signal)).rejects.toThrow("provider `gcp` (vertex): cannot read the key file GOOGLE_APPLICATION_CREDENTIALS names (ENOENT)");
    const file = path.join(dir, "broken.json");
    await writeFile(file, keyJson({ private_key: "-----BEGIN PRIVATE KEY-----\nMIIBVQ-not-really\n-----END PRIVATE KEY-----\n" }));
    const broken = googleTokenSource(CORE, "gcp", { GOOGLE_APPLICATION_CREDENTIALS: file }, transport);
    const error = (await broken.get(signal).catch((e: unknown) => e)) as UpstreamError;
    expect(error.message).toBe(
      "provider `gcp` (vertex): the key file GOOGLE_APPLICATION_CREDENTIALS names cannot sign: its private_key is not a PEM-encoded RSA private key",
    );
    expect(error.errorClass).toBe("provider_4xx");
    expect(transport.sent).toHaveLength(0);
  });

  it("the metadata server: Metadata-Flavor: Google, its token cached; a 404 says what to check", async () => {
    const seen: Array<[string, Record<string, string>]> = [];
    let status = 200;
    const get: GoogleAuthOptions["get"] = async (url, headers) => {
      seen.push([url.href, headers]);
      return status === 200
        ? { status, text: JSON.stringify({ access_token: "ya29.m", expires_in: 3599, token_type: "Bearer" }) }
        : { status, text: "Not Found\n" };
    };
    const tokens = googleTokenSource(
      CORE,
      "gcp",
      { GCE_METADATA_HOST: "127.0.0.1:9" },
      tokenTransport(() => ({ status: 500, body: {} })),
      { get },
    );
    expect(await tokens.get(signal)).toBe("ya29.m");
    expect(await tokens.get(signal)).toBe("ya29.m");
    expect(seen).toEqual([
      ["http://127.0.0.1:9/computeMetadata/v1/instance/service-accounts/default/token", { "metadata-flavor": "Google", accept: "application/json" }],
    ]);
    status = 404;
    tokens.invalidate();
    await expect(tokens.get(signal)).rejects.toThrow(
      "provider `gcp` (vertex): the metadata server at http://127.0.0.1:9 answered 404 Not Found (on GKE, is Workload Identity set up for the pod's service account?)",
    );
  });
});

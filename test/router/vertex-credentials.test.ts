/**
 * A vertex provider with the pod's Google identity: on GKE (Workload Identity) the router takes short-lived tokens from
 * a fake metadata server (GCE_METADATA_HOST) and serves requests across their expiry without a restart, the fake Vertex
 * AI taking only the newest token; a token Vertex rejects (401) is dropped and the next call gets a new one. A bad
 * service account key file is one clear provider error, logged once, that names the variable and never holds the key.
 */
import { generateKeyPairSync } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { RunningRouter } from "@switchyard/router";
import {
  type FakeGoogleTokenEndpoint,
  type FakeMetadataServer,
  type IssuedToken,
  startFakeGoogleTokenEndpoint,
  startFakeMetadataServer,
} from "../helpers/fake-google-credentials.ts";
import type { FakeGemini } from "../helpers/fake-gemini.ts";
import { FAKE_VERTEX, startFakeVertex } from "../helpers/fake-vertex.ts";
import { releaseOf } from "../helpers/release.ts";
import { chat, startTestRouter } from "../helpers/router.ts";
import { stderrOf } from "../helpers/stderr.ts";

let dir: string;
let vertex: FakeGemini;
let metadata: FakeMetadataServer;
let google: FakeGoogleTokenEndpoint;
let router: RunningRouter | undefined;

/** Tokens live 2 s: refreshed half-way, at 1 s. */
const LIFETIME_S = 2;
const HALF_MS = (LIFETIME_S * 1000) / 2;

/** The fake Vertex AI takes only the newest token issued. */
const acceptOnly = (t: IssuedToken) => {
  vertex.accessToken = t.accessToken;
};

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "switchyard-vertex-credentials-"));
  vertex = await startFakeVertex();
  metadata = await startFakeMetadataServer(LIFETIME_S);
  google = await startFakeGoogleTokenEndpoint(3600);
  metadata.onIssue = acceptOnly;
  google.onIssue = acceptOnly;
});

afterEach(async () => {
  await router?.close();
  router = undefined;
  vertex.requests.length = 0;
  vertex.reset();
});

afterAll(async () => {
  await Promise.all([vertex.close(), metadata.close(), google.close()]);
  await rm(dir, { recursive: true, force: true });
});

const release = (fallback = true) =>
  releaseOf({
    providers: {
      gcp: { kind: "vertex", project: FAKE_VERTEX.project, region: FAKE_VERTEX.location, baseUrl: vertex.baseUrl },
      sim: { kind: "mock", mock: { reply: "mock backup" } },
    },
    models: {
      flash: { provider: "gcp", name: "gemini-2.5-flash", context: 1_048_576, price: { input: 0.3, output: 2.5 } },
      backup: { provider: "sim", name: "mock-b", context: 200_000, price: { input: 0, output: 0 } },
    },
    routes: { chat: { model: "flash", ...(fallback ? { fallback: [{ model: "backup" }] } : {}) } },
  });

const hi = { model: "chat", messages: [{ role: "user", content: "hi" }] };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const bearerOf = (i: number) => vertex.requests[i]?.headers.authorization;

interface ErrorBody {
  error: { code: string; attempts?: Array<{ errorClass: string; message?: string }> };
}

describe("vertex credentials on GKE, refreshed without a restart", () => {
  it("Workload Identity: the metadata server's token, shared by concurrent calls, refreshed across its expiry, dropped on a 401", async () => {
    router = await startTestRouter(release(), { env: { GCE_METADATA_HOST: metadata.host } });
    const before = metadata.issued.length;
    const first = await Promise.all([chat(router, hi), chat(router, hi), chat(router, { ...hi, stream: true })]);
    expect(first.map((r) => [r.status, r.headers.get("x-switchyard-model")])).toEqual([
      [200, "flash"],
      [200, "flash"],
      [200, "flash"],
    ]);
    expect(await first[2]?.text()).toContain("Gemini");
    expect(metadata.issued.length - before).toBe(1);
    expect(metadata.requests.at(-1)).toEqual({ path: "/computeMetadata/v1/instance/service-accounts/default/token", flavor: "Google" });
    const one = metadata.issued.at(-1)?.accessToken;
    expect([bearerOf(0), bearerOf(1), bearerOf(2)]).toEqual([`Bearer ${one}`, `Bearer ${one}`, `Bearer ${one}`]);

    // Past its expiry the token is fetched anew; Vertex takes only the new one.
    await sleep(LIFETIME_S * 1000 + 200);
    const second = await chat(router, hi);
    expect(second.headers.get("x-switchyard-model")).toBe("flash");
    const two = metadata.issued.at(-1)?.accessToken;
    expect(two).not.toBe(one);
    expect(bearerOf(3)).toBe(`Bearer ${two}`);

    // Vertex rejects the token before its time (revoked): that call falls back, the next one fetches a new token.
    vertex.accessToken = "ya29.revoked";
    const rejected = await chat(router, hi);
    expect(rejected.headers.get("x-switchyard-model")).toBe("backup");
    vertex.accessToken = undefined;
    const again = await chat(router, hi);
    expect(again.headers.get("x-switchyard-model")).toBe("flash");
    const three = metadata.issued.at(-1)?.accessToken;
    expect(bearerOf(5)).toBe(`Bearer ${three}`);
    expect(metadata.issued.length - before).toBe(3);
  });

  it("refreshes half-way through the lifetime, and a failing refresh serves the old token until it expires, then falls back", async () => {
    router = await startTestRouter(release(), { env: { GCE_METADATA_HOST: metadata.host } });
    expect((await chat(router, hi)).headers.get("x-switchyard-model")).toBe("flash");
    const one = metadata.issued.at(-1)?.accessToken;
    metadata.failWith = { status: 503, text: "Service Unavailable" };
    try {
      await sleep(HALF_MS + 200);
      const riding = await chat(router, hi);
      expect(riding.headers.get("x-switchyard-model")).toBe("flash");
      expect(bearerOf(1)).toBe(`Bearer ${one}`);
      await sleep(HALF_MS);
      const { result, lines: stderr } = await stderrOf(async () => [await chat(router!, hi), await chat(router!, hi)]);
      expect(result.map((r) => r.headers.get("x-switchyard-model"))).toEqual(["backup", "backup"]);
      const logged = stderr.filter((line) => line.includes("metadata server"));
      expect(logged).toHaveLength(1);
      expect(logged[0]).toContain("answered 503 Service Unavailable");
    } finally {
      metadata.failWith = undefined;
    }
  });

  it("a key file whose private key is not one: every call is the provider's error naming the variable, logged once, the key nowhere", async () => {
    const keyFile = path.join(dir, "broken-key.json");
    const broken = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQ-truncated\n-----END PRIVATE KEY-----\n";
    await writeFile(keyFile, google.keyFile({ private_key: broken }));
    router = await startTestRouter(release(false), { env: { GOOGLE_APPLICATION_CREDENTIALS: keyFile } });
    const { result, lines: stderr } = await stderrOf(async () => {
      const answers = [await chat(router!, hi), await chat(router!, hi)];
      return Promise.all(answers.map(async (r) => ({ status: r.status, text: await r.text() })));
    });
    for (const answer of result) {
      expect(answer.status).toBe(502);
      const body = JSON.parse(answer.text) as ErrorBody;
      expect(body.error.attempts?.[0]).toMatchObject({ errorClass: "provider_4xx" });
      expect(body.error.attempts?.[0]?.message).toBe(
        "provider `gcp` (vertex): the key file GOOGLE_APPLICATION_CREDENTIALS names cannot sign: its private_key is not a PEM-encoded RSA private key",
      );
      expect(answer.text).not.toContain("MIIEvQ");
    }
    const logged = stderr.filter((line) => line.includes("GOOGLE_APPLICATION_CREDENTIALS"));
    expect(logged).toEqual([
      "switchyard router: provider `gcp` (vertex): the key file GOOGLE_APPLICATION_CREDENTIALS names cannot sign: its private_key is not a PEM-encoded RSA private key\n",
    ]);
    expect(stderr.join("")).not.toContain("MIIEvQ");
    expect(vertex.requests).toHaveLength(0);
  });

  it("a key the token endpoint refuses (another key's signature): a provider_4xx naming its error code, never the key", async () => {
    const keyFile = path.join(dir, "other-key.json");
    const other = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    await writeFile(keyFile, google.keyFile({ private_key: other }));
    router = await startTestRouter(release(false), { env: { GOOGLE_APPLICATION_CREDENTIALS: keyFile } });
    const { result, lines: stderr } = await stderrOf(async () => {
      const res = await chat(router!, hi);
      return { status: res.status, text: await res.text() };
    });
    expect(result.status).toBe(502);
    const body = JSON.parse(result.text) as ErrorBody;
    expect(body.error.attempts?.[0]).toMatchObject({ errorClass: "provider_4xx" });
    expect(body.error.attempts?.[0]?.message).toContain(
      "refused the service account switchyard@acme-prod.iam.gserviceaccount.com's assertion (400 invalid_grant: Invalid JWT Signature.)",
    );
    const keyBody = other.split("\n")[1] ?? "";
    expect(result.text).not.toContain(keyBody);
    expect(stderr.join("")).not.toContain(keyBody);
    expect(stderr.filter((line) => line.includes("invalid_grant"))).toHaveLength(1);
    expect(vertex.requests).toHaveLength(0);
  });
});

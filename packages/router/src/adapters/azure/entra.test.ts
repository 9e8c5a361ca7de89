import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import type { Transport, TransportRequest } from "../types.ts";
import { UpstreamError, toUpstreamError } from "../types.ts";
import { tokenTimes } from "../oauth.ts";
import { COGNITIVE_SERVICES_SCOPE, DEFAULT_AUTHORITY_HOST, IMDS_TOKEN_URL, entraCredentials, entraScope, entraTokenSource } from "./entra.ts";

const ENV = { AZURE_TENANT_ID: "t", AZURE_CLIENT_ID: "c", AZURE_CLIENT_SECRET: "s3cret-value" };

/** A transport answering token requests with `answers` in turn (status, body); it records each request. */
function tokenTransport(answers: Array<[number, unknown]>): { transport: Transport; seen: TransportRequest[] } {
  const seen: TransportRequest[] = [];
  const transport: Transport = {
    post: async (request) => {
      const [status, body] = answers[seen.length] ?? [500, {}];
      seen.push(request);
      const text = JSON.stringify(body);
      return { status, headers: {}, body: (async function* () {})(), text: async () => text, dump: () => undefined };
    },
    close: async () => undefined,
  };
  return { transport, seen };
}

const CORE = { UpstreamError, toUpstreamError };
const signal = new AbortController().signal;
const token = (name: string, expiresIn = 3600) => [200, { token_type: "Bearer", expires_in: expiresIn, access_token: name }] as [number, unknown];

describe("entraCredentials", () => {
  it("a client secret first, else the federated token file; the authority host overridable", () => {
    expect(entraCredentials(ENV)).toEqual({
      authorityHost: DEFAULT_AUTHORITY_HOST,
      tenantId: "t",
      clientId: "c",
      secret: { kind: "client-secret", value: "s3cret-value" },
    });
    expect(
      entraCredentials({
        AZURE_TENANT_ID: "t",
        AZURE_CLIENT_ID: "c",
        AZURE_FEDERATED_TOKEN_FILE: "/var/run/token",
        AZURE_AUTHORITY_HOST: "https://login.example/",
      }),
    ).toMatchObject({ authorityHost: "https://login.example", secret: { kind: "federated-token-file", path: "/var/run/token" } });
  });

  it("without credentials, the managed identity: App Service's endpoint, else IMDS (moved by AZURE_POD_IDENTITY_AUTHORITY_HOST)", () => {
    expect(entraCredentials({ AZURE_CLIENT_ID: " " })).toEqual({
      via: "imds",
      url: new URL(IMDS_TOKEN_URL),
      where: "the instance metadata service (169.254.169.254)",
    });
    // AZURE_CLIENT_ID alone chooses a user-assigned identity; a tenant without the rest is credentials set in part.
    expect(entraCredentials({ AZURE_CLIENT_ID: "uami", AZURE_TENANT_ID: "t", AZURE_POD_IDENTITY_AUTHORITY_HOST: "http://10.0.0.1:2579/" })).toEqual({
      via: "imds",
      url: new URL("http://10.0.0.1:2579/metadata/identity/oauth2/token"),
      where: "the managed identity endpoint (AZURE_POD_IDENTITY_AUTHORITY_HOST, http://10.0.0.1:2579)",
      clientId: "uami",
      partial: "AZURE_CLIENT_SECRET (or AZURE_FEDERATED_TOKEN_FILE) not set",
    });
    expect(entraCredentials({ IDENTITY_ENDPOINT: "http://localhost:8081/msi/token", IDENTITY_HEADER: "h3ader" })).toEqual({
      via: "app-service",
      url: new URL("http://localhost:8081/msi/token"),
      where: "the managed identity endpoint (IDENTITY_ENDPOINT)",
      header: "h3ader",
    });
    // IDENTITY_ENDPOINT without its header is not App Service's: IMDS, as the SDKs do.
    expect(entraCredentials({ IDENTITY_ENDPOINT: "http://localhost:8081/msi/token" })).toMatchObject({ via: "imds" });
    expect(entraCredentials({ IDENTITY_ENDPOINT: "file:///etc/passwd", IDENTITY_HEADER: "h" })).toEqual({ problem: "IDENTITY_ENDPOINT is not an http(s) URL" });
    expect(entraCredentials({ ...ENV, AZURE_AUTHORITY_HOST: "login.example" })).toEqual({ problem: "AZURE_AUTHORITY_HOST is not an http(s) URL" });
    expect(entraCredentials({ AZURE_POD_IDENTITY_AUTHORITY_HOST: "not a url" })).toEqual({
      problem: "AZURE_POD_IDENTITY_AUTHORITY_HOST is not an http(s) URL",
    });
  });
});

describe("entraScope", () => {
  it("the resource's cloud's Cognitive Services audience", () => {
    expect(entraScope("https://acme.openai.azure.com")).toBe(COGNITIVE_SERVICES_SCOPE);
    expect(entraScope("https://acme.openai.azure.us/openai/v1")).toBe("https://cognitiveservices.azure.us/.default");
    expect(entraScope("https://acme.openai.azure.cn")).toBe("https://cognitiveservices.azure.cn/.default");
    expect(entraScope("http://127.0.0.1:9")).toBe(COGNITIVE_SERVICES_SCOPE);
    expect(entraScope(undefined)).toBe(COGNITIVE_SERVICES_SCOPE);
  });
});

describe("tokenTimes", () => {
  it("refreshes five minutes before expiry, or at half a short lifetime", () => {
    expect(tokenTimes(0, 3600)).toEqual({ expiresAt: 3_600_000, refreshAt: 3_300_000 });
    expect(tokenTimes(1000, 60)).toEqual({ expiresAt: 61_000, refreshAt: 31_000 });
  });
});

describe("entraTokenSource", () => {
  it("fetches once for concurrent calls, caches, and refreshes after the refresh time", async () => {
    let now = 0;
    const { transport, seen } = tokenTransport([token("one"), token("two")]);
    const source = entraTokenSource(CORE, "az", ENV, transport, { now: () => now });
    expect(await Promise.all([source.get(signal), source.get(signal), source.get(signal)])).toEqual(["one", "one", "one"]);
    expect(seen).toHaveLength(1);
    expect(seen[0]?.url.href).toBe("https://login.microsoftonline.com/t/oauth2/v2.0/token");
    expect(seen[0]?.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    now = 3_299_999;
    expect(await source.get(signal)).toBe("one");
    now = 3_300_000;
    expect(await source.get(signal)).toBe("two");
    expect(seen).toHaveLength(2);
  });

  it("a failed refresh serves the old token until it expires, then fails", async () => {
    let now = 0;
    const { transport } = tokenTransport([token("one"), [503, {}], [503, {}]]);
    const source = entraTokenSource(CORE, "az", ENV, transport, { now: () => now });
    expect(await source.get(signal)).toBe("one");
    now = 3_400_000;
    expect(await source.get(signal)).toBe("one");
    now = 3_600_000;
    const error = (await source.get(signal).catch((e: unknown) => e)) as UpstreamError;
    expect(error).toBeInstanceOf(UpstreamError);
    expect(error.errorClass).toBe("5xx");
  });

  it("invalidate() makes the next call fetch a new token", async () => {
    const { transport, seen } = tokenTransport([token("one"), token("two")]);
    const source = entraTokenSource(CORE, "az", ENV, transport, { now: () => 0 });
    expect(await source.get(signal)).toBe("one");
    source.invalidate();
    expect(await source.get(signal)).toBe("two");
    expect(seen).toHaveLength(2);
  });

  it("a refusal is a provider_4xx error quoting Entra's code, never the secret", async () => {
    const { transport } = tokenTransport([
      [400, { error: "invalid_client", error_description: "AADSTS7000215: Invalid client secret provided. s3cret-value\r\nTrace ID: x" }],
    ]);
    const error = (await entraTokenSource(CORE, "az", ENV, transport)
      .get(signal)
      .catch((e: unknown) => e)) as UpstreamError;
    expect(error.errorClass).toBe("provider_4xx");
    expect(error.message).toMatch(/^provider `az`: Microsoft Entra ID refused a token \(400, invalid_client: AADSTS7000215: Invalid client secret provided\./);
    expect(error.message).not.toContain("Trace ID");
    expect(error.message).not.toContain("s3cret-value");
    const { transport: broken } = tokenTransport([[200, { token_type: "Bearer" }]]);
    expect(
      (
        (await entraTokenSource(CORE, "az", ENV, broken)
          .get(signal)
          .catch((e: unknown) => e)) as UpstreamError
      ).errorClass,
    ).toBe("invalid_response");
  });

  it("a caller whose signal aborts leaves at once; the fetch goes on for the others", async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const transport: Transport = {
      post: async () => {
        await gate;
        const text = JSON.stringify({ access_token: "late", expires_in: 3600 });
        return { status: 200, headers: {}, body: (async function* () {})(), text: async () => text, dump: () => undefined };
      },
      close: async () => undefined,
    };
    const source = entraTokenSource(CORE, "az", ENV, transport, { now: () => 0 });
    const abort = new AbortController();
    const leaving = source.get(abort.signal);
    const staying = source.get(signal);
    abort.abort();
    expect(((await leaving.catch((e: unknown) => e)) as UpstreamError).errorClass).toBe("timeout");
    release();
    expect(await staying).toBe("late");
  });
});

describe("entraTokenSource with the managed identity (a real endpoint on 127.0.0.1)", () => {
  /** A managed identity endpoint answering `answer` and recording each request's URL and headers. */
  async function identityEndpoint(answer: (url: URL) => [number, unknown]) {
    const seen: Array<{ url: URL; headers: Record<string, string | string[] | undefined> }> = [];
    const server = createServer((req, res) => {
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      seen.push({ url, headers: req.headers });
      const [status, body] = answer(url);
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return { origin, seen, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
  }

  it("IMDS: GET with Metadata: true, api-version 2018-02-01, the scope's resource and a user-assigned client id; expires_in as text", async () => {
    const imds = await identityEndpoint(() => [200, { access_token: "mi-token", expires_in: "86399", expires_on: "1", token_type: "Bearer" }]);
    try {
      const env = { AZURE_POD_IDENTITY_AUTHORITY_HOST: imds.origin, AZURE_CLIENT_ID: "uami-client" };
      const source = entraTokenSource(CORE, "az", env, tokenTransport([]).transport, { now: () => 0, scope: "https://cognitiveservices.azure.us/.default" });
      expect(await source.get(signal)).toBe("mi-token");
      expect(await source.get(signal)).toBe("mi-token");
      expect(imds.seen).toHaveLength(1);
      const [first] = imds.seen;
      expect(first?.url.pathname).toBe("/metadata/identity/oauth2/token");
      expect(Object.fromEntries(first?.url.searchParams ?? [])).toEqual({
        "api-version": "2018-02-01",
        resource: "https://cognitiveservices.azure.us",
        client_id: "uami-client",
      });
      expect(first?.headers["metadata"]).toBe("true");
    } finally {
      await imds.close();
    }
  });

  it("App Service: X-IDENTITY-HEADER, api-version 2019-08-01, expires_on in epoch seconds; a refusal never shows the header", async () => {
    let refuse = false;
    const app = await identityEndpoint(() =>
      refuse
        ? [400, { error: "invalid_request", error_description: "bad header h3ader-value" }]
        : [200, { access_token: "app-token", expires_on: 7200, resource: "x" }],
    );
    try {
      const env = { IDENTITY_ENDPOINT: `${app.origin}/msi/token`, IDENTITY_HEADER: "h3ader-value" };
      let now = 3_600_000;
      const source = entraTokenSource(CORE, "az", env, tokenTransport([]).transport, { now: () => now });
      expect(await source.get(signal)).toBe("app-token");
      expect(app.seen[0]?.url.pathname).toBe("/msi/token");
      expect(Object.fromEntries(app.seen[0]?.url.searchParams ?? [])).toEqual({ "api-version": "2019-08-01", resource: "https://cognitiveservices.azure.com" });
      expect(app.seen[0]?.headers["x-identity-header"]).toBe("h3ader-value");
      // expires_on 7200 s, obtained at 3600 s: an hour to live, refreshed five minutes before its end.
      now = 6_899_999;
      expect(await source.get(signal)).toBe("app-token");
      expect(app.seen).toHaveLength(1);
      refuse = true;
      now = 7_200_000;
      const error = (await source.get(signal).catch((e: unknown) => e)) as UpstreamError;
      expect(error.errorClass).toBe("provider_4xx");
      expect(error.message).toBe(
        "provider `az`: the managed identity endpoint (IDENTITY_ENDPOINT) refused a token (400, invalid_request: bad header [redacted]); no Microsoft Entra ID credentials are set (AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET or AZURE_FEDERATED_TOKEN_FILE), so the managed identity was asked",
      );
    } finally {
      await app.close();
    }
  });

  it("an endpoint that is not there: provider_4xx naming it and the credentials set in part", async () => {
    const gone = await identityEndpoint(() => [200, {}]);
    await gone.close();
    const env = { AZURE_POD_IDENTITY_AUTHORITY_HOST: gone.origin, AZURE_TENANT_ID: "t" };
    const error = (await entraTokenSource(CORE, "az", env, tokenTransport([]).transport)
      .get(signal)
      .catch((e: unknown) => e)) as UpstreamError;
    expect(error).toBeInstanceOf(UpstreamError);
    expect(error.errorClass).toBe("provider_4xx");
    expect(error.message).toMatch(
      new RegExp(
        `^provider \`az\`: cannot reach the managed identity endpoint \\(AZURE_POD_IDENTITY_AUTHORITY_HOST, ${gone.origin.replaceAll(".", "\\.")}\\): .+; no Microsoft Entra ID credentials are set \\(AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET or AZURE_FEDERATED_TOKEN_FILE: AZURE_CLIENT_ID, AZURE_CLIENT_SECRET \\(or AZURE_FEDERATED_TOKEN_FILE\\) not set\\), so the managed identity was asked$`,
      ),
    );
    const bad = (await entraTokenSource(CORE, "az", { IDENTITY_ENDPOINT: "ftp://x", IDENTITY_HEADER: "h" }, tokenTransport([]).transport)
      .get(signal)
      .catch((e: unknown) => e)) as UpstreamError;
    expect(bad.message).toBe('provider `az` authenticates with Microsoft Entra ID (auth: "entra"), but IDENTITY_ENDPOINT is not an http(s) URL');
  });
});

import { describe, expect, it } from "vitest";
import type { Transport, TransportRequest } from "../types.ts";
import { UpstreamError, toUpstreamError } from "../types.ts";
import { DEFAULT_AUTHORITY_HOST, entraCredentials, entraTokenSource, tokenTimes } from "./entra.ts";

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

  it("names what is missing", () => {
    expect(entraCredentials({ AZURE_CLIENT_ID: " " })).toEqual({
      missing: "AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET (or AZURE_FEDERATED_TOKEN_FILE)",
    });
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
    const source = entraTokenSource(CORE, "az", ENV, transport, () => now);
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
    const source = entraTokenSource(CORE, "az", ENV, transport, () => now);
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
    const source = entraTokenSource(CORE, "az", ENV, transport, () => 0);
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
    const source = entraTokenSource(CORE, "az", ENV, transport, () => 0);
    const abort = new AbortController();
    const leaving = source.get(abort.signal);
    const staying = source.get(signal);
    abort.abort();
    expect(((await leaving.catch((e: unknown) => e)) as UpstreamError).errorClass).toBe("timeout");
    release();
    expect(await staying).toBe("late");
  });
});

/**
 * @module Local stand-ins for where a pod gets a Google access token, for tests: Google's OAuth2 token endpoint for a
 * service account key (a form POST of the jwt-bearer grant whose RS256 assertion it verifies with the key's public half,
 * claims and all; errors as `{ error, error_description }`) and the GCE / GKE metadata server (a GET that must carry
 * `Metadata-Flavor: Google`). Each issues numbered short-lived tokens and hands them to `onIssue` (a test points the
 * fake Vertex AI at the newest), and records what it was sent.
 */
import { type KeyObject, createPublicKey, generateKeyPairSync, verify } from "node:crypto";
import { listen } from "./http-server.ts";

export const CLOUD_PLATFORM_SCOPE = "https://www.googleapis.com/auth/cloud-platform";
export const FAKE_SERVICE_ACCOUNT = "switchyard@acme-prod.iam.gserviceaccount.com";

export interface IssuedToken {
  accessToken: string;
  expiresInS: number;
}

interface FakeIssuer {
  url: string;
  /** How long issued tokens are valid, seconds. */
  lifetimeS: number;
  /** Every token issued, oldest first. */
  issued: IssuedToken[];
  onIssue: (token: IssuedToken) => void;
  close(): Promise<void>;
}

export interface FakeGoogleTokenEndpoint extends FakeIssuer {
  /** The verified claims of each assertion received. */
  assertions: Array<Record<string, unknown>>;
  /** The next requests answer this OAuth2 error instead (e.g. 400 invalid_grant). */
  failWith: { status: number; error: string; description: string } | undefined;
  /** A service account key file's JSON whose `token_uri` is this endpoint (its private key is the one it verifies with). */
  keyFile(overrides?: Record<string, unknown>): string;
  /** The private key's PEM, to check that it shows up nowhere. */
  privateKeyPem: string;
}

export interface FakeMetadataServer extends FakeIssuer {
  /** The `host:port` GCE_METADATA_HOST takes. */
  host: string;
  /** The path and Metadata-Flavor header of each GET received. */
  requests: Array<{ path: string; flavor: string | undefined }>;
  /** The next requests answer this status and text instead (a node without Workload Identity answers 404). */
  failWith: { status: number; text: string } | undefined;
}

function issue(fake: FakeIssuer, kind: string): IssuedToken {
  const token = { accessToken: `ya29.fake-${kind}-${String(fake.issued.length + 1).padStart(4, "0")}`, expiresInS: fake.lifetimeS };
  fake.issued.push(token);
  fake.onIssue(token);
  return token;
}

const decode = (part: string | undefined): Record<string, unknown> =>
  JSON.parse(Buffer.from(part ?? "", "base64url").toString("utf8")) as Record<string, unknown>;

/** Why an RS256 assertion is not one `publicKey` signed for `audience`, in Google's words, or undefined. */
function assertionProblem(assertion: string, publicKey: KeyObject, audience: string): string | undefined {
  const [header, claims, signature] = assertion.split(".");
  if (header === undefined || claims === undefined || signature === undefined)
    return "Invalid JWT: Token must be a short-lived token and in a reasonable timeframe";
  const head = decode(header);
  if (head["alg"] !== "RS256") return "Invalid JWT Signature.";
  if (!verify("sha256", Buffer.from(`${header}.${claims}`), publicKey, Buffer.from(signature, "base64url"))) return "Invalid JWT Signature.";
  const c = decode(claims);
  const now = Math.floor(Date.now() / 1000);
  if (c["aud"] !== audience) return `Invalid JWT: audience ${String(c["aud"])} is not ${audience}`;
  if (c["iss"] !== FAKE_SERVICE_ACCOUNT) return "Invalid JWT: unknown issuer";
  if (typeof c["iat"] !== "number" || typeof c["exp"] !== "number" || c["exp"] - c["iat"] > 3600 || Math.abs(c["iat"] - now) > 300 || c["exp"] < now)
    return "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.";
  if (c["scope"] !== CLOUD_PLATFORM_SCOPE) return "Invalid OAuth scope or ID token audience provided.";
  return undefined;
}

/** Google's token endpoint on 127.0.0.1, for a service account key it made; tokens valid `lifetimeS` seconds. */
export async function startFakeGoogleTokenEndpoint(lifetimeS: number): Promise<FakeGoogleTokenEndpoint> {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const privateKeyPem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  const fake: FakeGoogleTokenEndpoint = {
    url: "",
    lifetimeS,
    issued: [],
    onIssue: () => undefined,
    assertions: [],
    failWith: undefined,
    privateKeyPem,
    keyFile: (overrides = {}) =>
      JSON.stringify({
        type: "service_account",
        project_id: "acme-prod",
        private_key_id: "0123456789abcdef",
        private_key: privateKeyPem,
        client_email: FAKE_SERVICE_ACCOUNT,
        client_id: "100000000000000000001",
        auth_uri: "https://accounts.google.com/o/oauth2/auth",
        token_uri: fake.url,
        ...overrides,
      }),
    close: async () => undefined,
  };
  const verifyWith = createPublicKey(publicKey.export({ type: "spki", format: "pem" }));
  const server = await listen(async (req, res) => {
    const parts: Buffer[] = [];
    for await (const p of req) parts.push(p as Buffer);
    const form = Object.fromEntries(new URLSearchParams(Buffer.concat(parts).toString("utf8")));
    const json = (status: number, body: unknown): void => {
      res.writeHead(status, { "content-type": "application/json; charset=utf-8" }).end(JSON.stringify(body));
    };
    if (req.method !== "POST" || req.url !== "/token") return json(404, { error: "not_found", error_description: `no ${req.method} ${req.url}` });
    if (form["grant_type"] !== "urn:ietf:params:oauth:grant-type:jwt-bearer")
      return json(400, { error: "unsupported_grant_type", error_description: "Invalid grant_type: " + String(form["grant_type"]) });
    const assertion = form["assertion"] ?? "";
    const problem = assertionProblem(assertion, verifyWith, fake.url);
    if (problem !== undefined) return json(400, { error: "invalid_grant", error_description: problem });
    fake.assertions.push(decode(assertion.split(".")[1]));
    if (fake.failWith !== undefined) return json(fake.failWith.status, { error: fake.failWith.error, error_description: fake.failWith.description });
    const token = issue(fake, "key");
    return json(200, { access_token: token.accessToken, expires_in: token.expiresInS, token_type: "Bearer" });
  });
  fake.url = `${server.url}/token`;
  fake.close = () => server.close();
  return fake;
}

/** The metadata server on 127.0.0.1 (`GCE_METADATA_HOST`), serving the default service account's token; valid `lifetimeS` seconds. */
export async function startFakeMetadataServer(lifetimeS: number): Promise<FakeMetadataServer> {
  const fake: FakeMetadataServer = {
    url: "",
    host: "",
    lifetimeS,
    issued: [],
    onIssue: () => undefined,
    requests: [],
    failWith: undefined,
    close: async () => undefined,
  };
  const server = await listen(async (req, res) => {
    const flavor = req.headers["metadata-flavor"] as string | undefined;
    fake.requests.push({ path: req.url ?? "", flavor });
    const text = (status: number, body: string, type = "text/plain"): void => {
      res.writeHead(status, { "content-type": type, "metadata-flavor": "Google" }).end(body);
    };
    if (req.method !== "GET") return text(405, "Method not allowed");
    if (flavor !== "Google") return text(403, "Missing required header: Metadata-Flavor");
    if (req.url !== "/computeMetadata/v1/instance/service-accounts/default/token") return text(404, "Not Found");
    if (fake.failWith !== undefined) return text(fake.failWith.status, fake.failWith.text);
    const token = issue(fake, "metadata");
    return text(200, JSON.stringify({ access_token: token.accessToken, expires_in: token.expiresInS, token_type: "Bearer" }), "application/json");
  });
  fake.url = server.url;
  fake.host = new URL(server.url).host;
  fake.close = () => server.close();
  return fake;
}

/**
 * @module Local stand-ins for where pods on EKS get temporary AWS credentials, for tests: STS's
 * AssumeRoleWithWebIdentity (IRSA: a form POST answered in STS's XML, errors as `<ErrorResponse>`) and the container
 * credentials endpoint (EKS Pod Identity, ECS: a GET with an `Authorization` header answered in JSON). Each issues
 * numbered short-lived credentials and hands them to `onIssue` (a test points the fake Bedrock at the newest), and
 * records what it was sent.
 */
import type { ServerResponse } from "node:http";
import { listen } from "./http-server.ts";

export interface IssuedCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiresAt: number;
}

interface FakeIssuer {
  url: string;
  /** How long issued credentials are valid, ms. */
  lifetimeMs: number;
  /** Every credential issued, oldest first. */
  issued: IssuedCredentials[];
  /** Called with each credential issued. */
  onIssue: (credentials: IssuedCredentials) => void;
  close(): Promise<void>;
}

export interface FakeSts extends FakeIssuer {
  /** The form fields of each AssumeRoleWithWebIdentity received. */
  requests: Array<Record<string, string>>;
  /** The next requests answer this STS error instead (e.g. 400 InvalidIdentityToken). */
  failWith: { status: number; code: string; message: string } | undefined;
}

export interface FakeContainerCredentials extends FakeIssuer {
  /** The path and Authorization header of each GET received. */
  requests: Array<{ path: string; authorization: string | undefined }>;
  /** The Authorization value accepted (any when undefined); others get 401. */
  authorization: (() => Promise<string>) | undefined;
}

function issue(fake: FakeIssuer, kind: string): IssuedCredentials {
  const n = String(fake.issued.length + 1).padStart(4, "0");
  const credentials = {
    accessKeyId: `ASIAFAKE${kind}${n}`.padEnd(20, "0"),
    secretAccessKey: `fake-${kind.toLowerCase()}-secret-${n}`,
    sessionToken: `fake-${kind.toLowerCase()}-session-token-${n}`,
    expiresAt: Date.now() + fake.lifetimeMs,
  };
  fake.issued.push(credentials);
  fake.onIssue(credentials);
  return credentials;
}

function stsError(res: ServerResponse, status: number, code: string, message: string): void {
  res.writeHead(status, { "content-type": "text/xml" });
  res.end(`<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error>
  <RequestId>fake-request</RequestId>
</ErrorResponse>`);
}

/** STS on 127.0.0.1 (`AWS_ENDPOINT_URL_STS`), answering AssumeRoleWithWebIdentity; credentials valid `lifetimeMs`. */
export async function startFakeSts(lifetimeMs: number): Promise<FakeSts> {
  const fake: FakeSts = {
    url: "",
    lifetimeMs,
    issued: [],
    onIssue: () => undefined,
    requests: [],
    failWith: undefined,
    close: async () => undefined,
  };
  const server = await listen(async (req, res) => {
    const parts: Buffer[] = [];
    for await (const p of req) parts.push(p as Buffer);
    const form = Object.fromEntries(new URLSearchParams(Buffer.concat(parts).toString("utf8")));
    if (req.method !== "POST" || req.url !== "/") return stsError(res, 404, "UnknownOperation", `no operation at ${req.method} ${req.url}`);
    fake.requests.push(form);
    if (form["Action"] !== "AssumeRoleWithWebIdentity" || form["Version"] !== "2011-06-15") return stsError(res, 400, "InvalidAction", "unsupported action");
    for (const field of ["RoleArn", "RoleSessionName", "WebIdentityToken"])
      if (!form[field]) return stsError(res, 400, "MissingParameter", `The request must contain the parameter ${field}`);
    if (fake.failWith !== undefined) return stsError(res, fake.failWith.status, fake.failWith.code, fake.failWith.message);
    const c = issue(fake, "STS");
    res.writeHead(200, { "content-type": "text/xml" });
    res.end(`<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleWithWebIdentityResult>
    <SubjectFromWebIdentityToken>system:serviceaccount:llm:switchyard</SubjectFromWebIdentityToken>
    <AssumedRoleUser><Arn>${form["RoleArn"]}/${form["RoleSessionName"]}</Arn><AssumedRoleId>AROAFAKE:${form["RoleSessionName"]}</AssumedRoleId></AssumedRoleUser>
    <Credentials>
      <AccessKeyId>${c.accessKeyId}</AccessKeyId>
      <SecretAccessKey>${c.secretAccessKey}</SecretAccessKey>
      <SessionToken>${c.sessionToken}</SessionToken>
      <Expiration>${new Date(c.expiresAt).toISOString()}</Expiration>
    </Credentials>
    <Audience>sts.amazonaws.com</Audience>
  </AssumeRoleWithWebIdentityResult>
  <ResponseMetadata><RequestId>fake-request</RequestId></ResponseMetadata>
</AssumeRoleWithWebIdentityResponse>`);
  });
  fake.url = server.url;
  fake.close = () => server.close();
  return fake;
}

/** The container credentials endpoint on 127.0.0.1 (`AWS_CONTAINER_CREDENTIALS_FULL_URI`); credentials valid `lifetimeMs`. */
export async function startFakeContainerCredentials(lifetimeMs: number): Promise<FakeContainerCredentials> {
  const fake: FakeContainerCredentials = {
    url: "",
    lifetimeMs,
    issued: [],
    onIssue: () => undefined,
    requests: [],
    authorization: undefined,
    close: async () => undefined,
  };
  const server = await listen(async (req, res) => {
    const authorization = req.headers.authorization;
    fake.requests.push({ path: req.url ?? "", authorization });
    const json = (status: number, body: unknown): void => {
      res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
    };
    if (req.method !== "GET") return json(405, { Code: "MethodNotAllowed", Message: "GET only" });
    if (fake.authorization !== undefined && authorization !== (await fake.authorization()))
      return json(401, { Code: "AccessDeniedException", Message: "the authorization token is not valid" });
    const c = issue(fake, "POD");
    return json(200, {
      AccessKeyId: c.accessKeyId,
      SecretAccessKey: c.secretAccessKey,
      Token: c.sessionToken,
      AccountId: "123456789012",
      Expiration: new Date(c.expiresAt).toISOString(),
    });
  });
  fake.url = `${server.url}/v1/credentials`;
  fake.close = () => server.close();
  return fake;
}

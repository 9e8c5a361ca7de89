/**
 * router.mjs with a bedrock provider: the adapter is bundled only when a release uses bedrock, its calls (SigV4 via
 * aws4fetch, the event-stream decoder, translation) as an asset beside router.mjs, which stays within 150 KB; it runs
 * from an empty folder with plain node against the faithful fake (signatures checked), plain and streamed, through the
 * official openai client; without the asset, a bedrock call answers 503 `asset_missing` naming the file.
 */
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundleRouter } from "../../packages/compiler/src/emit/router-bundle.ts";
import { type FakeContainerCredentials, startFakeContainerCredentials } from "../helpers/fake-aws-credentials.ts";
import { FAKE_AWS, type FakeBedrock, startFakeBedrock } from "../helpers/fake-bedrock.ts";
import { type RouterProcess, spawnRouter } from "../helpers/process.ts";
import { releaseOf } from "../helpers/release.ts";

let dir: string;
let bedrock: FakeBedrock;
let router: RouterProcess | undefined;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "switchyard-bundle-bedrock-"));
  bedrock = await startFakeBedrock();
});

afterAll(async () => {
  router?.child.kill("SIGKILL");
  await bedrock.close();
  await rm(dir, { recursive: true, force: true });
});

const withBedrock = () =>
  releaseOf({
    providers: { aws: { kind: "bedrock", region: FAKE_AWS.region, baseUrl: bedrock.baseUrl } },
    models: { nova: { provider: "aws", name: "amazon.nova-lite-v1:0", context: 300_000, price: { input: 0.06, output: 0.24 } } },
    routes: { chat: { model: "nova" } },
    teams: { t: { keys: [{ secret: "TEAM_KEY" }], routes: ["chat"] } },
  });

const withoutBedrock = releaseOf({
  providers: { up: { kind: "openai", baseUrl: "http://127.0.0.1:9/v1" }, sim: { kind: "mock" } },
  models: {
    m: { provider: "up", name: "up-model", context: 8_000, price: { input: 1, output: 1 } },
    s: { provider: "sim", name: "mock", context: 8_000, price: { input: 1, output: 1 } },
  },
  routes: { chat: { model: "m", fallback: [{ model: "s" }] } },
});

/** Strings only the bedrock adapter's calls bring: aws4fetch's algorithm name and ConverseStream's content type. */
const callMarkers = (code: string) => ({ sigv4: code.includes("AWS4-HMAC-SHA256"), eventstream: code.includes("vnd.amazon.eventstream") });
/** The adapter's part in router.mjs itself: its refusals, checked before any attempt. */
const refusalMarker = "AWS Bedrock's Converse API";
const bedrockAsset = /^switchyard-bedrock\.[0-9a-f]{8}\.mjs$/;

/** `run` with a fake container credentials endpoint whose credentials the fake Bedrock accepts; both reset after. */
async function withPod(run: (pod: FakeContainerCredentials) => Promise<void>): Promise<void> {
  const pod = await startFakeContainerCredentials(60 * 60_000);
  pod.onIssue = (c) => {
    bedrock.credentials = { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey, sessionToken: c.sessionToken };
  };
  try {
    await run(pod);
  } finally {
    bedrock.reset();
    await pod.close();
  }
}

/** SIGTERM the router process: it exits 0. */
async function stopRouter(running: RouterProcess): Promise<void> {
  running.child.kill("SIGTERM");
  expect(await running.exited).toBe(0);
  router = undefined;
}

describe("router.mjs with bedrock", () => {
  it("carries the bedrock adapter only for a release that uses bedrock, its calls as an asset beside it, within 150 KB", async () => {
    const file = path.join(dir, "with", "router.mjs");
    const { bytes, assets } = await bundleRouter({ release: withBedrock(), outFile: file });
    expect(bytes).toBeLessThanOrEqual(150 * 1024);
    const code = await readFile(file, "utf8");
    expect(code.includes(refusalMarker)).toBe(true);
    expect(callMarkers(code)).toEqual({ sigv4: false, eventstream: false });
    const asset = assets.find((a) => bedrockAsset.test(a.file));
    expect(asset?.file).toMatch(bedrockAsset);
    expect(callMarkers(await readFile(path.join(dir, "with", asset?.file ?? "none"), "utf8"))).toEqual({ sigv4: true, eventstream: true });

    const other = path.join(dir, "without", "router.mjs");
    const without = await bundleRouter({ release: withoutBedrock, outFile: other });
    const otherCode = await readFile(other, "utf8");
    expect({ refusals: otherCode.includes(refusalMarker), ...callMarkers(otherCode) }).toEqual({ refusals: false, sigv4: false, eventstream: false });
    expect(without.assets.map((a) => a.file).filter((name) => name.includes("bedrock"))).toEqual([]);
    console.log(
      `router.mjs with bedrock: ${(bytes / 1024).toFixed(1)} KB + ${asset?.file} ${((asset?.code.length ?? 0) / 1024).toFixed(1)} KB (without: ${(without.bytes / 1024).toFixed(1)} KB)`,
    );
  });

  it("runs from an empty folder with plain node: signed Converse and ConverseStream calls through the openai client", async () => {
    const file = path.join(dir, "run", "router.mjs");
    await bundleRouter({ release: withBedrock(), outFile: file });
    router = await spawnRouter([file, "--port", "0"], {
      cwd: path.dirname(file),
      env: { TEAM_KEY: "sk-team", AWS_ACCESS_KEY_ID: FAKE_AWS.accessKeyId, AWS_SECRET_ACCESS_KEY: FAKE_AWS.secretAccessKey },
    });
    const client = new OpenAI({ baseURL: `${router.url}/v1`, apiKey: "sk-team", maxRetries: 0 });
    const completion = await client.chat.completions.create({ model: "chat", messages: [{ role: "user", content: "hi" }] });
    expect(completion.choices[0]?.message.content).toBe("Hello from Bedrock");
    const stream = await client.chat.completions.create({ model: "chat", messages: [{ role: "user", content: "stream" }], stream: true });
    let text = "";
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
    expect(text).toBe("Hello from Bedrock");
    expect(bedrock.requests.map((r) => [r.operation, r.modelId])).toEqual([
      ["converse", "amazon.nova-lite-v1:0"],
      ["converse-stream", "amazon.nova-lite-v1:0"],
    ]);
    router.child.kill("SIGTERM");
    expect(await router.exited).toBe(0);
    router = undefined;
  });

  it("signs with temporary credentials from the container endpoint (EKS Pod Identity), fetched by the asset", async () => {
    const tokenFile = path.join(dir, "pod-identity-token");
    await writeFile(tokenFile, "pod-identity-token\n");
    await withPod(async (pod) => {
      pod.authorization = async () => "pod-identity-token";
      const file = path.join(dir, "pod", "router.mjs");
      await bundleRouter({ release: withBedrock(), outFile: file });
      router = await spawnRouter([file, "--port", "0"], {
        cwd: path.dirname(file),
        env: { TEAM_KEY: "sk-team", AWS_CONTAINER_CREDENTIALS_FULL_URI: pod.url, AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: tokenFile },
      });
      const client = new OpenAI({ baseURL: `${router.url}/v1`, apiKey: "sk-team", maxRetries: 0 });
      const completion = await client.chat.completions.create({ model: "chat", messages: [{ role: "user", content: "hi" }] });
      expect(completion.choices[0]?.message.content).toBe("Hello from Bedrock");
      expect(pod.requests).toEqual([{ path: "/v1/credentials", authorization: "pod-identity-token" }]);
      expect(bedrock.requests.at(-1)?.headers["x-amz-security-token"]).toBe(pod.issued[0]?.sessionToken);
      await stopRouter(router);
    });
  });

  it("takes its endpoint from AWS_ENDPOINT_URL and skips partly set keys for the container endpoint, saying so once", async () => {
    await withPod(async (pod) => {
      // No baseUrl: the endpoint is the environment's, as the AWS SDKs read it.
      const release = releaseOf({
        providers: { aws: { kind: "bedrock", region: FAKE_AWS.region } },
        models: { nova: { provider: "aws", name: "amazon.nova-lite-v1:0", context: 300_000, price: { input: 0.06, output: 0.24 } } },
        routes: { chat: { model: "nova" } },
        teams: { t: { keys: [{ secret: "TEAM_KEY" }], routes: ["chat"] } },
      });
      const file = path.join(dir, "env-endpoint", "router.mjs");
      await bundleRouter({ release, outFile: file });
      router = await spawnRouter([file, "--port", "0"], {
        cwd: path.dirname(file),
        env: { TEAM_KEY: "sk-team", AWS_ENDPOINT_URL: bedrock.baseUrl, AWS_ACCESS_KEY_ID: "AKIAPARTIALKEY000001", AWS_CONTAINER_CREDENTIALS_FULL_URI: pod.url },
      });
      const client = new OpenAI({ baseURL: `${router.url}/v1`, apiKey: "sk-team", maxRetries: 0 });
      for (let i = 0; i < 2; i++) {
        const completion = await client.chat.completions.create({ model: "chat", messages: [{ role: "user", content: "hi" }] });
        expect(completion.choices[0]?.message.content).toBe("Hello from Bedrock");
      }
      expect(bedrock.requests.map((r) => r.headers["x-amz-security-token"])).toEqual([pod.issued[0]?.sessionToken, pod.issued[0]?.sessionToken]);
      const stderr = router.stderr();
      expect(stderr.split("\n").filter((line) => line.includes("skipped partly set"))).toEqual([
        "switchyard router: provider `aws` (bedrock) skipped partly set AWS credentials (AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not) and uses the container endpoint (AWS_CONTAINER_CREDENTIALS_FULL_URI)",
      ]);
      expect(stderr).not.toContain("AKIAPARTIALKEY000001");
      await stopRouter(router);
    });
  });

  it("without its asset beside router.mjs, a bedrock call answers 503 asset_missing naming the file, and nothing reaches AWS", async () => {
    const built = path.join(dir, "alone-build");
    const run = path.join(dir, "alone");
    const { assets } = await bundleRouter({ release: withBedrock(), outFile: path.join(built, "router.mjs") });
    await mkdir(run, { recursive: true });
    await copyFile(path.join(built, "router.mjs"), path.join(run, "router.mjs"));
    const asset = assets.find((a) => bedrockAsset.test(a.file))?.file ?? "none";
    const before = bedrock.requests.length;
    router = await spawnRouter(["router.mjs", "--port", "0"], {
      cwd: run,
      env: { TEAM_KEY: "sk-team", AWS_ACCESS_KEY_ID: FAKE_AWS.accessKeyId, AWS_SECRET_ACCESS_KEY: FAKE_AWS.secretAccessKey },
    });
    const headers = { authorization: "Bearer sk-team", "content-type": "application/json" };
    for (let i = 0; i < 2; i++) {
      const answer = await fetch(`${router.url}/v1/chat/completions`, {
        method: "POST",
        headers,
        body: JSON.stringify({ model: "chat", messages: [{ role: "user", content: "hi" }] }),
      });
      expect(answer.status).toBe(503);
      const { error } = (await answer.json()) as { error: { code: string; message: string } };
      expect(error.code).toBe("asset_missing");
      expect(error.message).toContain(asset);
    }
    expect(bedrock.requests.length).toBe(before);
    router.child.kill("SIGTERM");
    expect(await router.exited).toBe(0);
    router = undefined;
  });
});

/**
 * router.mjs renders prompts from its asset beside it: the rendering code is not in router.mjs but in
 * `switchyard-prompts.<hash>.mjs`, imported by the first request that names a prompt; a refusal thrown inside it is the
 * core's RouterError (a 400 naming the variable, not a 500); without the asset, a prompt request answers 503
 * `asset_missing` while requests without a prompt are served.
 */
import { copyFile, mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import OpenAI, { type APIError } from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compile } from "@switchyard/compiler";
import { promptRequest } from "@switchyard/sdk";
import config from "../../examples/prompts/routes.ts";
import { bundleRouter } from "../../packages/compiler/src/emit/router-bundle.ts";
import { repoRoot } from "../compiler/helpers.ts";
import { spawnRouter } from "../helpers/process.ts";

/** A text only the rendering code holds (render.ts's refusal of an unknown prompt). */
const RENDER_TEXT = "is not declared in this release";

let run: string;

beforeAll(async () => {
  run = await mkdtemp(path.join(tmpdir(), "switchyard-prompts-"));
});

afterAll(async () => {
  await rm(run, { recursive: true, force: true });
});

describe("router.mjs and the prompts asset", () => {
  it("renders a prompt from the asset, refuses a missing variable with a 400 naming it, and without the asset answers 503 asset_missing", async () => {
    const result = await compile({ file: path.join(repoRoot, "examples", "prompts", "routes.ts") });
    if (result.release === undefined) throw new Error("examples/prompts did not compile");
    const folder = path.join(run, "full");
    const { assets } = await bundleRouter({ release: result.release, outFile: path.join(folder, "router.mjs") });
    const asset = assets.find((a) => /^switchyard-prompts\.[0-9a-f]{8}\.mjs$/.test(a.file));
    expect((await readFile(path.join(folder, "router.mjs"), "utf8")).includes(RENDER_TEXT), "rendering not in router.mjs").toBe(false);
    expect(await readFile(path.join(folder, asset?.file ?? "missing"), "utf8")).toContain(RENDER_TEXT);

    const variables = { product: "Acme Router", question: "How do I rotate my key?" };
    const router = await spawnRouter(["router.mjs", "--port", "0"], { cwd: folder, env: { SWITCHYARD_DEMO_KEY: "demo" } });
    try {
      const openai = new OpenAI({ baseURL: `${router.url}/v1`, apiKey: "demo", maxRetries: 0 });
      const answer = await openai.chat.completions.create({ ...promptRequest(config, "support-answer", variables), messages: [] });
      expect(answer.choices[0]?.message.content).toBe('answered "How do I rotate my key?"');
      const refused = await openai.chat.completions
        .create({ model: "support", messages: [], prompt: { id: "support-answer", variables: { product: "Acme Router" } } } as never)
        .catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(OpenAI.BadRequestError);
      expect((refused as APIError).error).toMatchObject({ code: "invalid_request", param: "prompt.variables.question" });
      expect((refused as APIError).message).toContain('needs variable "question"');
    } finally {
      router.child.kill("SIGTERM");
      await router.exited;
    }

    // router.mjs copied alone: chat without a prompt is served; a prompt request names the missing asset.
    const alone = path.join(run, "alone");
    await mkdir(alone);
    await copyFile(path.join(folder, "router.mjs"), path.join(alone, "router.mjs"));
    const lone = await spawnRouter(["router.mjs", "--port", "0"], { cwd: alone, env: { SWITCHYARD_DEMO_KEY: "demo" } });
    try {
      const openai = new OpenAI({ baseURL: `${lone.url}/v1`, apiKey: "demo", maxRetries: 0 });
      const plain = await openai.chat.completions.create({ model: "support", messages: [{ role: "user", content: "hi" }] });
      expect(plain.choices[0]?.message.content).toBe('answered "hi"');
      const missing = await openai.chat.completions.create({ ...promptRequest(config, "support-answer", variables), messages: [] }).catch((e: unknown) => e);
      expect((missing as APIError).status).toBe(503);
      expect((missing as APIError).error).toMatchObject({ code: "asset_missing" });
      expect((missing as APIError).message).toContain(asset?.file ?? "missing");
    } finally {
      lone.child.kill("SIGTERM");
      await lone.exited;
    }
  });
});

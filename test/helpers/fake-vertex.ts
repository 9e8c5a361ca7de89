/**
 * @module A local Vertex AI for tests: the fake Gemini API (fake-gemini.ts, the same bodies, faults and records) at
 * Vertex's paths (`/v1/projects/{project}/locations/{location}/publishers/google/models/{m}:generateContent`,
 * `:streamGenerateContent?alt=sse`), taking only `Authorization: Bearer` with the newest token a fake Google token
 * endpoint or metadata server issued (fake-google-credentials.ts); startFakeVertexClaude, Anthropic's publisher there
 * (fake-anthropic.ts with `vertex`).
 */
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { type FakeAnthropic, startFakeAnthropic } from "./fake-anthropic.ts";
import { type FakeGoogleTokenEndpoint, startFakeGoogleTokenEndpoint } from "./fake-google-credentials.ts";
import { type FakeGemini, startFakeGemini } from "./fake-gemini.ts";

export const FAKE_VERTEX = { project: "acme-prod", location: "europe-west4" } as const;

/** Start the fake Vertex AI for FAKE_VERTEX's project and location; its `baseUrl` is the origin a provider's `baseUrl` takes. */
export function startFakeVertex(): Promise<FakeGemini> {
  return startFakeGemini({ vertex: FAKE_VERTEX });
}

/** Start a fake of Claude on Vertex AI (Anthropic's publisher) for FAKE_VERTEX's project and location. */
export function startFakeVertexClaude(): Promise<FakeAnthropic> {
  return startFakeAnthropic({ vertex: FAKE_VERTEX });
}

/**
 * A fake Google token endpoint (tokens of an hour) whose newest token `vertex` takes, and its service account's key file
 * written in `dir`: what GOOGLE_APPLICATION_CREDENTIALS names.
 */
export async function startVertexServiceAccount(
  dir: string,
  vertex: { accessToken: string | undefined },
): Promise<{ google: FakeGoogleTokenEndpoint; keyFile: string }> {
  const google = await startFakeGoogleTokenEndpoint(3600);
  google.onIssue = (token) => {
    vertex.accessToken = token.accessToken;
  };
  const keyFile = path.join(dir, "service-account.json");
  await writeFile(keyFile, google.keyFile());
  return { google, keyFile };
}

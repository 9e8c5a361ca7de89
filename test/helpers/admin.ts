/** @module Admin API test helpers: distinct mock releases, their switchyard.json text, and raw admin calls. */
import { type Release, serialiseRelease } from "@switchyard/ir";
import { releaseOf } from "./release.ts";

export const ADMIN_TOKEN = "admin-test-token-7f3a9c";

/** Release number `n`: one mock provider, route `chat`, a reply naming `n` (so every n hashes differently). */
export function numberedRelease(n: number, options: { ttftMs?: number; interChunkMs?: number; environment?: string } = {}): Release {
  return releaseOf({
    ...(options.environment !== undefined ? { environment: options.environment } : {}),
    providers: {
      sim: {
        kind: "mock",
        mock: {
          reply: `release ${n}`,
          ...(options.ttftMs !== undefined ? { ttftMs: options.ttftMs } : {}),
          ...(options.interChunkMs !== undefined ? { interChunkMs: options.interChunkMs } : {}),
        },
      },
    },
    models: { m: { provider: "sim", name: "mock-1", context: 8_000, price: { input: 0, output: 0 } } },
    routes: { chat: { model: "m" } },
  });
}

/** The exact switchyard.json text of a release. */
export function releaseText(release: Release): string {
  return serialiseRelease(release);
}

/** Call an admin endpoint with fetch; `token: null` sends no Authorization header. */
export async function adminFetch(
  url: string,
  method: string,
  path: string,
  options: { token?: string | null; body?: string } = {},
): Promise<{ status: number; text: string; json: unknown; headers: Headers }> {
  const token = options.token === undefined ? ADMIN_TOKEN : options.token;
  const res = await fetch(`${url}${path}`, {
    method,
    headers: token === null ? {} : { authorization: `Bearer ${token}` },
    ...(options.body !== undefined ? { body: options.body } : {}),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, text, json, headers: res.headers };
}

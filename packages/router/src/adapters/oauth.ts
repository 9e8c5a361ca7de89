/**
 * @module What every OAuth2 token endpoint the adapters ask shares (Microsoft Entra ID and managed identity for azure,
 * Google's token endpoint and metadata server for vertex): a token's lifetime as refresh times, the failure class of a
 * refusal, and its `{ error, error_description }` in words. No state and no classes, so each asset carries a copy.
 */
import type { FailureClass } from "../errors.ts";
import { type Expiring, refreshTimes } from "./refresh.ts";

/**
 * When a token obtained at `now`, valid `expiresInS` seconds, expires and is refreshed (refresh.ts's margin).
 *
 * @example tokenTimes(0, 3600) // → { expiresAt: 3_600_000, refreshAt: 3_300_000 }
 */
export function tokenTimes(now: number, expiresInS: number): Expiring {
  return refreshTimes(now, now + Math.max(0, expiresInS) * 1000);
}

/** The failure class of a token endpoint's status: its 4xx are the deployment's credentials, never the client's request. */
export function tokenErrorClass(status: number): FailureClass {
  if (status === 429) return "429";
  if (status >= 500) return "5xx";
  return "provider_4xx";
}

/**
 * A token endpoint's own words: `error` and the first line of `error_description`, at most 200 characters of it.
 *
 * @example oauthErrorText('{"error":"invalid_grant","error_description":"Invalid JWT Signature."}') // → "invalid_grant: Invalid JWT Signature."
 */
export function oauthErrorText(body: string): string {
  try {
    const parsed = JSON.parse(body) as { error?: unknown; error_description?: unknown };
    const code = typeof parsed.error === "string" ? parsed.error : undefined;
    const description = typeof parsed.error_description === "string" ? (parsed.error_description.split(/\r?\n/)[0] ?? "").trim().slice(0, 200) : undefined;
    return [code, description].filter((v) => v !== undefined && v !== "").join(": ");
  } catch {
    return "";
  }
}

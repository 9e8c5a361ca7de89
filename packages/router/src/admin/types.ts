/** @module The admin API's wire shapes: what the router answers and the AdminClient returns (one definition for both). */
import type { StateSnapshot } from "../state/store.ts";

/** One problem with an uploaded release. `path` points into switchyard.json (`config.routes.chat.tier`). */
export interface AdminDiagnostic {
  code: string;
  message: string;
  path?: string;
}

/** A release as the admin API lists it. Times are ISO 8601 (UTC). */
export interface AdminReleaseInfo {
  hash: string;
  environment: string;
  uploadedAt: string;
  /** Latest activation; null when never activated. */
  activatedAt: string | null;
  active: boolean;
}

/** `PUT /admin/releases/{hash}`: 201 when new, 200 when the router already had it. */
export interface AdminUploadResult extends AdminReleaseInfo {
  created: boolean;
  /** What activating it on this router would warn about (unset key variables, by name only). */
  warnings: string[];
}

/** `POST /admin/releases/{hash}/activate` and `POST /admin/rollback`. */
export interface AdminActivationResult {
  hash: string;
  environment: string;
  activatedAt: string;
  /** The release that was active before. */
  previous: string;
  /** False when the release was already active (nothing happened). */
  changed: boolean;
  warnings: string[];
}

/** `GET /admin/releases`: most recently uploaded or activated first. */
export interface AdminReleaseList {
  active: string;
  releases: AdminReleaseInfo[];
}

/** `GET /admin/state`: the state store's snapshot plus the active release. */
export type AdminState = StateSnapshot & {
  release: { hash: string; environment: string; activatedAt: string | null };
  /** Where budgets, rate limits, canary steps and releases live, and whether that backend answers now. */
  state: AdminSharedState;
};

/** The state backend as `GET /admin/state` shows it. */
export interface AdminSharedState {
  kind: "memory" | "redis";
  /** False while Redis is unreachable (the router serves per `state.onUnavailable`); always true in memory. */
  up: boolean;
  /** The environment's active release in shared state (may differ from `release.hash` while this replica cannot run it). */
  activeRelease?: string;
  /** The latest shared activation this replica could not run: it kept serving `release.hash`. */
  unfollowed?: { hash: string; message: string; at: string };
}

/** An admin error body: OpenAI's error shape, plus diagnostics for a rejected release. */
export interface AdminErrorBody {
  error: { message: string; type: string; code: string; param?: string | null };
  diagnostics?: AdminDiagnostic[];
}

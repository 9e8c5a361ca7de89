/**
 * @module What an uploaded release may name on this router, fixed at start from the environment and the release the
 * router started with: the secrets (environment variables) it may read, the hosts it may send requests to, the folder
 * its trace file must stay in; and the upload and history caps. The admin token changes releases, not these.
 */
import { realpathSync } from "node:fs";
import { basename, dirname, join, resolve, sep } from "node:path";
import { type Config, secretUses, upstreamUrls } from "@switchyard/ir";
import type { AdminDiagnostic } from "./types.ts";

export const ALLOWED_SECRETS_ENV = "SWITCHYARD_ALLOWED_SECRETS";
export const ALLOWED_UPSTREAMS_ENV = "SWITCHYARD_ALLOWED_UPSTREAMS";
export const TRACE_DIR_ENV = "SWITCHYARD_TRACE_DIR";

/** The limits of one router, computed once at start. */
export interface ReleaseAdmission {
  /** Secret names of the boot release. */
  secrets: Set<string>;
  /** SWITCHYARD_ALLOWED_SECRETS as one anchored pattern (`*` is any run of name characters). */
  secretPattern: RegExp | undefined;
  /** `host[:port]` that match `URL.host` exactly (the boot release's, and listed entries with a port). */
  hosts: Set<string>;
  /** Listed host names without a port (any port), and `*.suffix` entries as `.suffix`; `*` allows every host. */
  names: Set<string>;
  /** The trace folder (absolute, symlinks resolved) an uploaded `telemetry.jsonl.path` must stay in. */
  traceDir: string;
  /** The boot release's own trace file path, always allowed as written. */
  bootTracePath: string | undefined;
  /** Largest release body accepted by PUT, bytes. */
  maxReleaseBytes: number;
  /** Releases remembered and their total bytes (the active and the rollback target are never forgotten). */
  history: { retain: number; maxBytes: number };
}

const MIB = 1024 * 1024;

/** `path` with every existing leading part resolved through symlinks (the rest appended as written). */
export function realPath(path: string): string {
  const rest: string[] = [];
  for (let head = resolve(path); ; ) {
    try {
      return join(realpathSync(head), ...rest);
    } catch {
      const up = dirname(head);
      if (up === head) return join(head, ...rest);
      rest.unshift(basename(head));
      head = up;
    }
  }
}

/** A positive integer setting, or its default; a bad value is a start error naming it. */
function count(env: Readonly<Record<string, string | undefined>>, name: string, fallback: number): number {
  const text = env[name]?.trim();
  if (text === undefined || text === "") return fallback;
  if (!/^\d+$/.test(text) || Number(text) < 1) throw new Error(`${name}: \`${text}\` is not a positive integer`);
  return Number(text);
}

/**
 * Read the limits from `env` and the boot release. Throws with a message naming the setting when one is malformed.
 *
 * @example const admission = releaseAdmission(process.env, release.config);
 */
export function releaseAdmission(env: Readonly<Record<string, string | undefined>>, boot: Config): ReleaseAdmission {
  const list = (name: string): string[] => (env[name] ?? "").split(",").map((s) => s.trim()).filter((s) => s !== "");
  const globs = list(ALLOWED_SECRETS_ENV).map((entry) => {
    if (!/^[A-Z0-9_*]+$/.test(entry)) throw new Error(`${ALLOWED_SECRETS_ENV}: \`${entry}\` is not a NAME or NAME_* glob`);
    return entry.replaceAll("*", "[A-Z0-9_]*");
  });
  const hosts = new Set<string>();
  const names = new Set<string>();
  for (const { url } of upstreamUrls(boot)) hosts.add(new URL(url).host);
  for (const raw of list(ALLOWED_UPSTREAMS_ENV)) {
    const entry = raw.toLowerCase();
    // A URL or a path is the likely mistake; it would never match.
    if (/[/\s@]/.test(entry)) throw new Error(`${ALLOWED_UPSTREAMS_ENV}: \`${raw}\` is not a host, host:port or *.suffix`);
    if (entry.startsWith("*")) names.add(entry.slice(1));
    else if (/:\d+$/.test(entry)) hosts.add(entry);
    else names.add(entry);
  }
  const maxReleaseBytes = count(env, "SWITCHYARD_MAX_RELEASE_BYTES", 2 * MIB);
  const bootPath = boot.telemetry?.jsonl?.path;
  const bootTracePath = bootPath === undefined || bootPath === "stdout" ? undefined : bootPath;
  return {
    secrets: new Set(secretUses(boot).map((use) => use.name)),
    secretPattern: globs.length === 0 ? undefined : new RegExp(`^(?:${globs.join("|")})$`),
    hosts,
    names,
    traceDir: realPath(env[TRACE_DIR_ENV] || (bootTracePath === undefined ? "traces" : dirname(bootTracePath))),
    bootTracePath,
    maxReleaseBytes,
    // At least one upload's worth, so the release just uploaded is never the one forgotten.
    history: { retain: Math.max(2, count(env, "SWITCHYARD_MAX_RELEASES", 20)), maxBytes: Math.max(maxReleaseBytes, count(env, "SWITCHYARD_MAX_RELEASE_HISTORY_BYTES", 32 * MIB)) },
  };
}

/** Whether `url` may be sent requests under these limits. */
function hostAllowed(admission: ReleaseAdmission, url: URL): boolean {
  const { hosts, names } = admission;
  if (hosts.has(url.host) || names.has(url.hostname) || names.has("")) return true;
  for (const name of names) if (name.startsWith(".") && url.hostname.endsWith(name)) return true;
  return false;
}

/**
 * What an uploaded config names that this router does not allow: secrets outside the boot release and
 * SWITCHYARD_ALLOWED_SECRETS, hosts outside the boot release and SWITCHYARD_ALLOWED_UPSTREAMS, a trace file
 * outside the trace folder (after resolving symlinks) or not named `*.jsonl`. Reads the file system (realpath).
 */
export function admissionProblems(admission: ReleaseAdmission, config: Config): AdminDiagnostic[] {
  const out: AdminDiagnostic[] = [];
  const at = (path: (string | number)[]): string => `config.${path.join(".")}`;
  for (const use of secretUses(config)) {
    if (admission.secrets.has(use.name) || admission.secretPattern?.test(use.name) === true) continue;
    out.push({ code: "secret_not_allowed", path: at(use.path), message: `${use.name} is not allowed here (${ALLOWED_SECRETS_ENV})` });
  }
  for (const { url, path } of upstreamUrls(config)) {
    const parsed = new URL(url);
    if (!hostAllowed(admission, parsed)) out.push({ code: "upstream_not_allowed", path: at(path), message: `${parsed.host} is not allowed here (${ALLOWED_UPSTREAMS_ENV})` });
  }
  const trace = config.telemetry?.jsonl?.path;
  if (trace !== undefined && trace !== "stdout" && trace !== admission.bootTracePath) {
    const real = realPath(trace);
    if (!real.endsWith(".jsonl") || !real.startsWith(admission.traceDir + sep)) {
      out.push({ code: "trace_path_not_allowed", path: "config.telemetry.jsonl.path", message: `must be a *.jsonl file in ${admission.traceDir} (${TRACE_DIR_ENV})` });
    }
  }
  return out;
}

/** releaseAdmission, or the message of the setting that stops the start. */
export function admissionOrError(env: Readonly<Record<string, string | undefined>>, boot: Config): ReleaseAdmission | string {
  try {
    return releaseAdmission(env, boot);
  } catch (error) {
    return (error as Error).message;
  }
}

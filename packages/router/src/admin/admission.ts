/**
 * @module What an uploaded release may name on this router, fixed at start from the environment and the release the
 * router started with: the state store (`state`, never changed by an upload) and the environment it serves; the
 * secrets (environment variables) it may read, the hosts it may send requests to, the folder its trace file must stay
 * in; and the upload and history caps. The admin token changes releases, not these.
 */
import { realpathSync } from "node:fs";
import { basename, dirname, join, resolve, sep } from "node:path";
import { type Config, canonicalJson, secretUses, upstreamUrls } from "@switchyard/ir";
import { positiveIntSetting } from "../settings.ts";
import type { AdminDiagnostic } from "./types.ts";

export const ALLOWED_SECRETS_ENV = "SWITCHYARD_ALLOWED_SECRETS";
export const ALLOWED_UPSTREAMS_ENV = "SWITCHYARD_ALLOWED_UPSTREAMS";
export const TRACE_DIR_ENV = "SWITCHYARD_TRACE_DIR";

/** The limits of one router, computed once at start. */
export interface ReleaseAdmission {
  /** Whether an uploaded release may name this secret. */
  secret(name: string): boolean;
  /** Whether an uploaded release may send requests to this URL's host. */
  host(url: URL): boolean;
  /** The trace folder (absolute, symlinks resolved) an uploaded `telemetry.jsonl.path` must stay in. */
  traceDir: string;
  /** The boot release's own trace file path, always allowed as written. */
  bootTracePath: string | undefined;
  /**
   * The boot release's `state`, canonical JSON ("" for in memory). Fixed for the router's life: the store was
   * chosen and connected at start, so an upload that declares another state is refused.
   */
  bootState: string;
  /**
   * The boot release's `environment`, fixed for the router's life: a router.mjs is built for one environment (its
   * secrets, upstreams and limits are that environment's), so an upload for another is refused. With shared state
   * (Redis) the releases, the active pointer, the history and every budget and rate-limit key are also the
   * environment's, shared by its replicas.
   */
  bootEnvironment: string;
  /** Largest release body accepted by PUT, bytes. */
  maxReleaseBytes: number;
  /** Releases remembered and their total bytes (the active and the rollback target are never forgotten). */
  history: { retain: number; maxBytes: number };
}

const MIB = 1024 * 1024;

/** A config's state as admission compares it: "" for in memory (`state` absent or `{ kind: "memory" }`). */
export function stateKey(config: Config): string {
  return config.state === undefined || config.state.kind === "memory" ? "" : canonicalJson(config.state);
}

/** `path` with every existing leading part resolved through symlinks (the rest appended as written). */
export function realPath(path: string): string {
  const rest: string[] = [];
  for (let head = resolve(path); ;) {
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

/**
 * Read the limits from `env` and the boot release. Throws with a message naming the setting when one is malformed.
 *
 * @example const admission = releaseAdmission(process.env, release.config);
 */
export function releaseAdmission(env: Readonly<Record<string, string | undefined>>, boot: Config): ReleaseAdmission {
  const list = (name: string, valid: RegExp): string[] =>
    (env[name] ?? "")
      .split(",")
      .map((s) => s.trim())
      .filter((s) => {
        if (s !== "" && !valid.test(s)) throw new Error(`${name}: \`${s}\` is not valid`);
        return s !== "";
      });
  const count = (name: string, fallback: number): number => {
    const value = positiveIntSetting(env, name, fallback);
    if (typeof value !== "number") throw new Error(value.error);
    return value;
  };
  const allowed = list(ALLOWED_SECRETS_ENV, /^[A-Z0-9_*]+$/);
  const named = new Set([...secretUses(boot).map((use) => use.name), ...allowed]);
  // A glob never opens the router's own SWITCHYARD_* settings: only the boot release or an exact name can.
  const globs = new RegExp(`^(?!SWITCHYARD_)(?:${allowed.join("|").replaceAll("*", "[A-Z0-9_]*") || "(?!)"})$`);
  const hosts = new Set(upstreamUrls(boot).map(({ url }) => new URL(url).host));
  // A URL, a path or credentials is the likely mistake; they would never match a host.
  const listed = list(ALLOWED_UPSTREAMS_ENV, /^[^/\s@]+$/).map((s) => s.toLowerCase());
  const maxReleaseBytes = count("SWITCHYARD_MAX_RELEASE_BYTES", 2 * MIB);
  const bootPath = boot.telemetry?.jsonl?.path;
  const bootTracePath = bootPath === "stdout" ? undefined : bootPath;
  return {
    secret: (name) => named.has(name) || globs.test(name),
    // `host:port` entries match URL.host; `host` any port; `*.suffix` its subdomains; `*` anything.
    host: ({ host, hostname }) =>
      hosts.has(host) || listed.some((e) => e === host || e === hostname || e === "*" || (e.startsWith("*.") && hostname.endsWith(e.slice(1)))),
    traceDir: realPath(env[TRACE_DIR_ENV] || (bootTracePath === undefined ? "traces" : dirname(bootTracePath))),
    bootTracePath,
    bootState: stateKey(boot),
    bootEnvironment: boot.environment,
    maxReleaseBytes,
    // At least one upload's worth, so the release just uploaded is never the one forgotten.
    history: {
      retain: Math.max(2, count("SWITCHYARD_MAX_RELEASES", 20)),
      maxBytes: Math.max(maxReleaseBytes, count("SWITCHYARD_MAX_RELEASE_HISTORY_BYTES", 32 * MIB)),
    },
  };
}

/**
 * What an uploaded config names that this router does not allow: secrets outside the boot release and
 * SWITCHYARD_ALLOWED_SECRETS, hosts outside the boot release and SWITCHYARD_ALLOWED_UPSTREAMS, a trace file
 * outside the trace folder (after resolving symlinks) or not named `*.jsonl`, a `state` or an `environment` other than
 * the boot release's. Reads the file system (realpath).
 */
export function admissionProblems(admission: ReleaseAdmission, config: Config): AdminDiagnostic[] {
  const out: AdminDiagnostic[] = [];
  const at = (path: (string | number)[]): string => `config.${path.join(".")}`;
  if (config.environment !== admission.bootEnvironment)
    out.push({
      code: "environment_not_allowed",
      path: "config.environment",
      message:
        admission.bootState === ""
          ? `is \`${config.environment}\`, but this router serves environment \`${admission.bootEnvironment}\`: a release goes to its own environment's routers (build it with --env ${admission.bootEnvironment})`
          : `is \`${config.environment}\`, but this router's replicas share the state of environment \`${admission.bootEnvironment}\` on Redis: a release goes to its own environment's routers`,
    });
  for (const use of secretUses(config)) {
    if (!admission.secret(use.name))
      out.push({ code: "secret_not_allowed", path: at(use.path), message: `${use.name} is not allowed here (${ALLOWED_SECRETS_ENV})` });
  }
  for (const { url, path } of upstreamUrls(config)) {
    const parsed = new URL(url);
    if (!admission.host(parsed))
      out.push({ code: "upstream_not_allowed", path: at(path), message: `${parsed.host} is not allowed here (${ALLOWED_UPSTREAMS_ENV})` });
  }
  const trace = config.telemetry?.jsonl?.path;
  if (trace !== undefined && trace !== "stdout" && trace !== admission.bootTracePath) {
    const real = realPath(trace);
    if (!real.endsWith(".jsonl") || !real.startsWith(admission.traceDir + sep)) {
      out.push({
        code: "trace_path_not_allowed",
        path: "config.telemetry.jsonl.path",
        message: `must be a *.jsonl file in ${admission.traceDir} (${TRACE_DIR_ENV})`,
      });
    }
  }
  if (stateKey(config) !== admission.bootState)
    out.push({
      code: "state_not_allowed",
      path: "config.state",
      message: "differs from the state this router started with: the state store is chosen at start, so changing `state` takes a new deployment (router.mjs)",
    });
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

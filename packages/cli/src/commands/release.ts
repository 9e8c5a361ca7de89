/** @module commands/release — `switchyard release push|activate|rollback|status`: manage a running router's releases over its admin API. */
import { resolve } from "node:path";
import type { Command, Io } from "../command.ts";
import { ExitCode, UsageError } from "../command.ts";

const actions = ["push", "activate", "rollback", "status"] as const;
type Action = (typeof actions)[number];
const formats = ["pretty", "json"] as const;
type Format = (typeof formats)[number];

const DEFAULT_TOKEN_ENV = "SWITCHYARD_ADMIN_TOKEN";
const ROUTER_ENV = "SWITCHYARD_ROUTER_URL";

/** The router URL from --router or SWITCHYARD_ROUTER_URL, checked to be http(s). */
export function routerUrl(value: string | boolean | undefined, env: NodeJS.ProcessEnv): string {
  const raw = typeof value === "string" && value !== "" ? value : env[ROUTER_ENV];
  if (raw === undefined || raw === "")
    throw new UsageError(`give the router's URL with --router URL (or set ${ROUTER_ENV}), e.g. --router http://127.0.0.1:8787`);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`--router must be a URL such as http://127.0.0.1:8787, got "${raw}"`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new UsageError(`--router must be an http:// or https:// URL, got "${raw}"`);
  if (url.username !== "" || url.password !== "")
    throw new UsageError("--router must not carry credentials; the admin token comes from an environment variable");
  return raw.replace(/\/+$/, "");
}

/**
 * The admin token from the environment variable --token-env names (default SWITCHYARD_ADMIN_TOKEN).
 * Never taken from a flag value, so it stays out of shell history and process listings; a
 * --token-env value that is not a variable name is refused without being echoed (it may be the token).
 */
export function adminToken(value: string | boolean | undefined, env: NodeJS.ProcessEnv): { token: string; name: string } {
  const name = typeof value === "string" ? value : DEFAULT_TOKEN_ENV;
  if (!/^[A-Z_][A-Z0-9_]*$/.test(name))
    throw new UsageError("--token-env names an environment variable in UPPER_SNAKE_CASE that holds the admin token, not the token itself");
  const token = env[name];
  if (token === undefined || token === "")
    throw new UsageError(
      `${name} is not set: export the router's admin token in ${name}${name === DEFAULT_TOKEN_ENV ? " (or name another variable with --token-env)" : ""}`,
    );
  return { token, name };
}

function short(hash: string): string {
  return hash.slice(0, 12);
}

function when(iso: string | null): string {
  return iso === null ? "-" : iso.replace("T", " ").replace(/\.\d{3}Z$/, "Z");
}

export const command: Command = {
  name: "release",
  summary: "Push, activate, roll back and list releases on a running router (admin API)",
  usage: "switchyard release push|activate|rollback|status --router URL [--token-env NAME] [...]",
  help: `Talks to a running router's admin API. The admin token is read from the environment variable
SWITCHYARD_ADMIN_TOKEN (or the one --token-env names), never from a flag, so it stays out of shell
history. The router URL comes from --router or SWITCHYARD_ROUTER_URL.

  push [dist/<env> | switchyard.json | routes.ts] [--activate] [--env NAME]
        Upload a build (with only --env: ./dist/<env>). A routes.ts is compiled first, for --env
        or else for the environment the router serves (a router accepts only its own).
        Prints the release hash on stdout; --activate also makes it active.
  activate HASH        Make an uploaded release active (a unique prefix of 7+ hex digits is enough).
                       Requests in flight finish on the release they started with.
  rollback             Return to the release that was active before the current one.
  status [--limit N]   The active release, the router's release history, and each canary's share,
                       step and the reason of its last promotion or rollback.

Examples:
  export SWITCHYARD_ADMIN_TOKEN=…   SWITCHYARD_ROUTER_URL=http://127.0.0.1:8787
  switchyard release push dist/prod --activate
  HASH=$(switchyard release push dist/prod) && switchyard release activate "$HASH"
  switchyard release rollback
  switchyard release status --format json

Exit codes: 0 done; 1 the router refused (bad token, invalid release — its diagnostics are
printed —, unknown release, nothing to roll back) or could not be reached; 2 usage error.`,
  options: {
    router: { type: "string", short: "r", description: `Router base URL (default: $${ROUTER_ENV})` },
    "token-env": { type: "string", description: `Environment variable holding the admin token (default ${DEFAULT_TOKEN_ENV})` },
    activate: { type: "boolean", description: "push: activate the release once uploaded" },
    env: { type: "string", short: "e", description: "push: the environment to push (dist/<env>; checked against the build)" },
    limit: { type: "string", description: "status: how many releases to list (default 20)" },
    format: { type: "string", short: "f", description: "Output format: pretty (default), json" },
  },
  async run({ positionals, values, io }) {
    const [action, ...rest] = positionals;
    if (action === undefined) throw new UsageError(`give an action: ${actions.join(", ")}`);
    if (!(actions as readonly string[]).includes(action)) throw new UsageError(`unknown action "${action}"; use one of ${actions.join(", ")}`);
    const format = typeof values.format === "string" ? values.format : "pretty";
    if (!(formats as readonly string[]).includes(format)) throw new UsageError(`unknown --format "${format}"; use one of ${formats.join(", ")}`);
    if (values.activate === true && action !== "push") throw new UsageError("--activate goes with push");
    if (values.limit !== undefined && action !== "status") throw new UsageError("--limit goes with status");
    const expected: Record<Action, number> = { push: 1, activate: 1, rollback: 0, status: 0 };
    if (rest.length > expected[action as Action])
      throw new UsageError(`${action} takes ${expected[action as Action] === 0 ? "no arguments" : "one argument"}, got ${rest.length}`);
    if (action === "activate" && rest.length === 0) throw new UsageError("activate needs the release hash (as printed by push or status)");
    let limit: number | undefined;
    if (typeof values.limit === "string") {
      limit = Number(values.limit);
      if (!/^\d+$/.test(values.limit) || limit < 1 || limit > 100) throw new UsageError(`--limit must be an integer 1..100, got "${values.limit}"`);
    }
    const url = routerUrl(values.router, io.env);
    const { token, name: tokenEnv } = adminToken(values["token-env"], io.env);

    const { AdminClient, AdminClientError } = await import("@switchyard/router/admin-client");
    const client = new AdminClient({ url, token });
    const out = (value: unknown, pretty: string): void => io.stdout(format === "json" ? `${JSON.stringify(value, null, 2)}\n` : pretty);

    try {
      switch (action as Action) {
        case "push": {
          const loaded = await loadForPush(
            rest[0],
            typeof values.env === "string" ? values.env : undefined,
            io,
            async () => (await client.state()).release.environment,
          );
          if ("exitCode" in loaded) return loaded.exitCode;
          const uploaded = await client.pushRelease(loaded.text);
          const activated = values.activate === true ? await client.activate(uploaded.hash) : undefined;
          if (format === "json") out({ router: url, uploaded, ...(activated !== undefined ? { activated } : {}) }, "");
          else {
            io.stdout(`${uploaded.hash}\n`);
            io.stderr(
              `${uploaded.created ? "uploaded" : "already on the router:"} release ${short(uploaded.hash)} (environment ${uploaded.environment}) from ${loaded.source} to ${url}\n`,
            );
            for (const warning of uploaded.warnings) io.stderr(`warning: ${warning}\n`);
            if (activated !== undefined)
              io.stderr(
                activated.changed ? `activated ${short(activated.hash)} (was ${short(activated.previous)})\n` : `${short(activated.hash)} was already active\n`,
              );
            else if (!uploaded.active) io.stderr(`activate it with: switchyard release activate ${uploaded.hash} --router ${url}\n`);
          }
          return ExitCode.ok;
        }
        case "activate": {
          const hash = await resolveHash(rest[0] ?? "", client);
          const result = await client.activate(hash);
          out(
            result,
            result.changed ? `activated ${result.hash} (environment ${result.environment}); was ${result.previous}\n` : `${result.hash} was already active\n`,
          );
          for (const warning of result.warnings) io.stderr(`warning: ${warning}\n`);
          return ExitCode.ok;
        }
        case "rollback": {
          const result = await client.rollback();
          out(result, `rolled back to ${result.hash} (environment ${result.environment}); was ${result.previous}\n`);
          return ExitCode.ok;
        }
        case "status": {
          const [list, state] = await Promise.all([client.listReleases(limit === undefined ? {} : { limit }), client.state()]);
          // Each canary's share, step and the reason of its last promotion or rollback (from /admin/state).
          const canaries = Object.entries(state.canaries).map(
            ([route, c]) =>
              `canary ${route} → ${c.model}: ${c.percent} % (${c.step < 0 ? "rolled back" : `step ${c.step + 1}`}) — ${c.reason ?? "no change yet"}`,
          );
          const rows = list.releases.map((r) => [r.active ? "*" : " ", short(r.hash), r.environment, when(r.uploadedAt), when(r.activatedAt)]);
          const header = [" ", "RELEASE", "ENV", "UPLOADED", "ACTIVATED"];
          const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? "").length)));
          const line = (cells: string[]): string =>
            cells
              .map((c, i) => c.padEnd(widths[i] ?? 0))
              .join("  ")
              .trimEnd();
          out(
            { router: url, ...list, canaries: state.canaries },
            [`router ${url}: active release ${list.active}`, "", line(header), ...rows.map(line), ...(canaries.length > 0 ? ["", ...canaries] : []), ""].join(
              "\n",
            ),
          );
          return ExitCode.ok;
        }
      }
    } catch (error) {
      if (!(error instanceof AdminClientError)) throw error;
      const hint =
        error.code === "invalid_admin_token"
          ? ` (the token in ${tokenEnv} is not this router's SWITCHYARD_ADMIN_TOKEN)`
          : error.code === "unreachable" || error.code === "timeout"
            ? ` (is the router running? check --router)`
            : "";
      io.stderr(`switchyard release ${action}: ${error.message}${hint}${error.status > 0 ? ` [${error.status} ${error.code}]` : ` [${error.code}]`}\n`);
      for (const d of error.diagnostics) io.stderr(`  ${d.path !== undefined ? `${d.path}: ` : ""}${d.message} [${d.code}]\n`);
      return ExitCode.failed;
    }
    return ExitCode.usage;
  },
};

/**
 * A build to push: the exact switchyard.json text (re-serialised when compiled from routes.ts). A routes.ts without
 * --env is compiled for the environment the router serves (`routerEnv`), the only one it accepts.
 */
async function loadForPush(
  target: string | undefined,
  env: string | undefined,
  io: Io,
  routerEnv: () => Promise<string>,
): Promise<{ text: string; source: string } | { exitCode: number }> {
  if (target === undefined && env === undefined)
    throw new UsageError("give the build to push: a build directory (dist/<env>), a switchyard.json or a routes.ts (or --env NAME for dist/NAME)");
  const path = resolve(io.cwd, target ?? `dist/${env}`);
  const { loadRelease } = await import("./serve.ts");
  const loaded = await loadRelease(path, { env, io, color: false, sourceEnv: routerEnv });
  if ("exitCode" in loaded) return loaded;
  const { serialiseRelease } = await import("@switchyard/ir");
  return { text: serialiseRelease(loaded.release), source: loaded.source };
}

/** A full hash, or a unique prefix (7+ hex digits) of one the router knows. */
async function resolveHash(given: string, client: import("@switchyard/router/admin-client").AdminClient): Promise<string> {
  const hash = given.toLowerCase();
  if (/^[0-9a-f]{64}$/.test(hash)) return hash;
  if (!/^[0-9a-f]{7,63}$/.test(hash)) throw new UsageError(`"${given}" is not a release hash (64 hex digits, or a unique prefix of 7 or more)`);
  const list = await client.listReleases({ limit: 100 });
  const matches = list.releases.filter((r) => r.hash.startsWith(hash));
  if (matches.length === 1 && matches[0] !== undefined) return matches[0].hash;
  throw new UsageError(
    matches.length === 0 ? `no release on the router starts with ${given}` : `${given} matches ${matches.length} releases; give more digits`,
  );
}

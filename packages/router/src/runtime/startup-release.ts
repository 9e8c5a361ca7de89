/**
 * @module runtime/startup-release — which release a starting router serves. In memory: the one it was started with
 * (router.mjs's own). On shared state (a release store): the environment's active release from Redis when there is
 * one, so a replica that starts or restarts after an admin push serves what every other replica serves, not what its
 * bundle carries; except when the bundle's release is new to the store, i.e. a new router.mjs is being deployed,
 * which then becomes the active release (a rollout of a new bundle is a release, as on a single router).
 */
import { type Release, serialiseRelease } from "@switchyard/ir";
import { type ReleaseAdmission, admissionProblems } from "../admin/admission.ts";
import { verifyReleaseText } from "../admin/verify-release.ts";
import type { ReleaseStore } from "../state/stores.ts";
import type { RuntimeRelease } from "./release.ts";

export interface StartupReleaseInput {
  /** The release the router was started with (router.mjs's). */
  boot: Release;
  /** The shared release store; undefined in memory. */
  releases: ReleaseStore | undefined;
  /** What a release may name on this router (fixed from the boot release and the environment). */
  admission: ReleaseAdmission;
  now: number;
  /** Prepare a release for serving; throws (ActivationError) when this build cannot serve it. */
  activate: (release: Release) => RuntimeRelease;
  /** One line per decision worth an operator's attention (never a secret). */
  log: (line: string) => void;
}

const short = (hash: string): string => hash.slice(0, 12);

/**
 * The release to serve, activated. The boot release's own activation errors propagate (the router cannot start);
 * anything wrong with the stored one (unreadable, refused by this router's admission, not servable by this build)
 * is logged in one line and the boot release is served instead.
 *
 * @example const runtime = await startupRelease({ boot: release, releases: stores.releases, admission, now: Date.now(), activate, log });
 */
export async function startupRelease(input: StartupReleaseInput): Promise<RuntimeRelease> {
  const { boot, releases, now, log } = input;
  if (releases === undefined) return input.activate(boot);
  const environment = boot.config.environment;
  let activeHash: string | undefined;
  try {
    const text = serialiseRelease(boot);
    const { created } = await releases.put({
      hash: boot.hash,
      environment,
      uploadedAt: now,
      activatedAt: undefined,
      release: boot,
      bytes: Buffer.byteLength(text),
    });
    activeHash = await releases.active(environment);
    if (created || activeHash === undefined || activeHash === boot.hash) {
      const runtime = input.activate(boot);
      if (activeHash !== boot.hash) {
        await releases.activate(environment, boot.hash, { now });
        log(
          `switchyard router: release ${short(boot.hash)} (this router.mjs's) is new to the shared state and now active in environment ${environment}` +
            (activeHash === undefined ? "" : `; was ${short(activeHash)}`),
        );
      }
      return runtime;
    }
  } catch (error) {
    log(`switchyard router: the shared release store could not be read (${firstLine(error)}); serving this router.mjs's release ${short(boot.hash)}`);
    return input.activate(boot);
  }
  return activateStored(input, activeHash);
}

/** The environment's active release from the store, or the boot release when it cannot be served here. */
async function activateStored(input: StartupReleaseInput, hash: string): Promise<RuntimeRelease> {
  const { boot, log } = input;
  const fallback = (why: string): RuntimeRelease => {
    log(`switchyard router: the environment's active release ${short(hash)} ${why}; serving this router.mjs's release ${short(boot.hash)}`);
    return input.activate(boot);
  };
  let stored;
  try {
    stored = await input.releases?.get(hash);
  } catch (error) {
    return fallback(`could not be read from the shared state (${firstLine(error)})`);
  }
  if (stored === undefined) return fallback("is not in the shared state");
  // What Redis hands back is checked as an upload is: the IR's schema and rules, its hash, this router's admission.
  const verified = verifyReleaseText(serialiseRelease(stored.release), hash);
  if (!verified.ok) return fallback(`is not a valid release (${verified.diagnostics[0]?.code ?? "invalid"})`);
  const refused = admissionProblems(input.admission, verified.release.config);
  if (refused[0] !== undefined) return fallback(`is not allowed on this router (${refused[0].code} at ${refused[0].path ?? "config"})`);
  let runtime: RuntimeRelease;
  try {
    runtime = input.activate(verified.release);
  } catch (error) {
    return fallback(`cannot be served by this router.mjs (${firstLine(error)})`);
  }
  log(`switchyard router: serving the environment's active release ${short(hash)} from the shared state (this router.mjs carries ${short(boot.hash)})`);
  return runtime;
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split("\n")[0]?.slice(0, 200) ?? "";
}

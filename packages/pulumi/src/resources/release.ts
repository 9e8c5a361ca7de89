/**
 * @module resources/release — the typed resource class over `switchyard:index:Release` (served by
 * the `pulumi-resource-switchyard` plugin): a compiled release pushed to a router's admin API.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import type { Config } from "@switchyard/ir";
import { CONFIG_SECTIONS, RELEASE_TYPE } from "../tokens.ts";

export interface ReleaseArgs {
  /** The router's base URL, e.g. `http://router.internal:8787`. */
  routerUrl: pulumi.Input<string>;
  /** The router's SWITCHYARD_ADMIN_TOKEN. Always stored as a secret. */
  adminToken: pulumi.Input<string>;
  /** The text of switchyard.json (`compileRoutes(...).releaseJson`). Give this or `buildDir`. */
  release?: pulumi.Input<string>;
  /** A build folder (`dist/prod`) whose switchyard.json is the release. Give this or `release`. */
  buildDir?: string;
  /** The expected content hash; the provider rejects a release whose hash differs. */
  hash?: pulumi.Input<string>;
}

/** What `Release.get` needs besides the id (the router URL). */
export interface ReleaseState {
  /** The router's SWITCHYARD_ADMIN_TOKEN (the id does not carry it). Stored as a secret. */
  adminToken?: pulumi.Input<string>;
}

/** The switchyard.json text of a build folder. */
export function releaseJsonOf(buildDir: string): string {
  return readFileSync(join(buildDir, "switchyard.json"), "utf8");
}

/**
 * A release of routes.ts on one router: `pulumi up` uploads and activates it, `preview` shows
 * route-level changes, `refresh` reports a release activated out of band (`drift`), and
 * `destroy` rolls the router back to the release active before.
 *
 * @example
 * const build = await compileRoutes({ file: "routes.ts" });
 * const release = new Release("routes", { routerUrl: "http://router.internal:8787", adminToken: config.requireSecret("adminToken"), release: build.releaseJson });
 * export const active = release.activeHash;
 */
export class Release extends pulumi.CustomResource {
  /** The router this release is managed on. */
  declare readonly routerUrl: pulumi.Output<string>;
  /** Secret. */
  declare readonly adminToken: pulumi.Output<string>;
  /** The text of switchyard.json. */
  declare readonly release: pulumi.Output<string>;
  /** The release's content hash. */
  declare readonly hash: pulumi.Output<string>;
  declare readonly environment: pulumi.Output<string>;
  /** The compiled config's sections (IR), as the router runs them; preview diffs point into these. */
  declare readonly routes: pulumi.Output<Config["routes"]>;
  declare readonly tiers: pulumi.Output<Config["tiers"]>;
  declare readonly models: pulumi.Output<Config["models"]>;
  declare readonly providers: pulumi.Output<Config["providers"]>;
  declare readonly teams: pulumi.Output<Config["teams"]>;
  declare readonly policies: pulumi.Output<Config["policies"]>;
  declare readonly router: pulumi.Output<Config["router"]>;
  /** Absent when the release configures no telemetry. */
  declare readonly telemetry: pulumi.Output<Config["telemetry"]>;
  /** When the router activated it (ISO 8601). */
  declare readonly activatedAt: pulumi.Output<string>;
  /** The release active before this one; `destroy` activates it again. */
  declare readonly previousHash: pulumi.Output<string | undefined>;
  /** The release the router had active when last read; differs from `hash` after out-of-band activation. */
  declare readonly activeHash: pulumi.Output<string>;
  /** A sentence describing drift found by the last refresh, or undefined. */
  declare readonly drift: pulumi.Output<string | undefined>;

  /**
   * The release active on a router, read by id: the router URL. The id cannot carry the admin token,
   * so `state.adminToken` is required (the provider says so when it is missing). Only what the
   * router's admin API tells is known: `hash`/`activeHash`, `activatedAt`, `environment`; `release`
   * and the config sections stay unset (the admin API does not return a release's text).
   *
   * @example
   * const live = Release.get("live", "http://router.internal:8787", { adminToken: config.requireSecret("adminToken") });
   * export const liveHash = live.activeHash;
   */
  static get(name: string, id: pulumi.Input<pulumi.ID>, state?: ReleaseState, opts?: pulumi.CustomResourceOptions): Release {
    return new Release(name, state, { ...opts, id });
  }

  constructor(name: string, args: ReleaseArgs | ReleaseState | undefined, opts: pulumi.CustomResourceOptions = {}) {
    const inputs: pulumi.Inputs = {};
    if (!opts.id) {
      if (!args || !("routerUrl" in args)) throw new pulumi.RunError(`Release ${name}: args are required`);
      if ((args.release === undefined) === (args.buildDir === undefined))
        throw new pulumi.RunError(`Release ${name}: give exactly one of \`release\` (switchyard.json text) or \`buildDir\``);
      inputs["routerUrl"] = args.routerUrl;
      inputs["adminToken"] = pulumi.secret(args.adminToken);
      inputs["release"] = args.release ?? releaseJsonOf(args.buildDir ?? "");
      inputs["hash"] = args.hash;
    }
    for (const out of [...CONFIG_SECTIONS, "activatedAt", "previousHash", "activeHash", "drift"]) inputs[out] = undefined;
    if (opts.id) {
      for (const key of ["routerUrl", "release", "hash"]) inputs[key] = undefined;
      inputs["adminToken"] = args?.adminToken === undefined ? undefined : pulumi.secret(args.adminToken);
    }
    super(RELEASE_TYPE, name, inputs, { ...opts, additionalSecretOutputs: [...(opts.additionalSecretOutputs ?? []), "adminToken"] });
  }
}

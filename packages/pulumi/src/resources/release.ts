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
  /** When the router activated it (ISO 8601). */
  declare readonly activatedAt: pulumi.Output<string>;
  /** The release active before this one; `destroy` activates it again. */
  declare readonly previousHash: pulumi.Output<string | undefined>;
  /** The release the router had active when last read; differs from `hash` after out-of-band activation. */
  declare readonly activeHash: pulumi.Output<string>;
  /** A sentence describing drift found by the last refresh, or undefined. */
  declare readonly drift: pulumi.Output<string | undefined>;

  /** Look up an existing release by id (the router URL). */
  static get(name: string, id: pulumi.Input<pulumi.ID>, opts?: pulumi.CustomResourceOptions): Release {
    return new Release(name, undefined, { ...opts, id });
  }

  constructor(name: string, args: ReleaseArgs | undefined, opts: pulumi.CustomResourceOptions = {}) {
    const inputs: pulumi.Inputs = {};
    if (!opts.id) {
      if (!args) throw new pulumi.RunError(`Release ${name}: args are required`);
      if ((args.release === undefined) === (args.buildDir === undefined)) throw new pulumi.RunError(`Release ${name}: give exactly one of \`release\` (switchyard.json text) or \`buildDir\``);
      inputs["routerUrl"] = args.routerUrl;
      inputs["adminToken"] = pulumi.secret(args.adminToken);
      inputs["release"] = args.release ?? releaseJsonOf(args.buildDir ?? "");
      inputs["hash"] = args.hash;
    }
    for (const out of [...CONFIG_SECTIONS, "activatedAt", "previousHash", "activeHash", "drift"]) inputs[out] = undefined;
    if (opts.id) for (const key of ["routerUrl", "adminToken", "release", "hash"]) inputs[key] = undefined;
    super(RELEASE_TYPE, name, inputs, { ...opts, additionalSecretOutputs: [...(opts.additionalSecretOutputs ?? []), "adminToken"] });
  }
}

/**
 * Pulumi program (written by `switchyard init --pulumi`): one stack per environment
 * (`pulumi up --stack dev|prod`). It compiles ../routes.ts for the stack's environment, so policy
 * errors fail the preview, and pushes the release to the stack's router through its admin API.
 */
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { compileRoutes, Release } from "@switchyard/pulumi";

export default async function routing(): Promise<Record<string, unknown>> {
  const config = new pulumi.Config();
  // The environment is the stack name (or the stack's `switchyard:environment` setting).
  const build = await compileRoutes({ file: join(import.meta.dirname, "..", "routes.ts"), cwd: import.meta.dirname });
  const outputs: Record<string, unknown> = { environment: build.environment, releaseHash: build.hash, keysNeeded: build.secrets };
  const routerUrl = config.get("routerUrl");
  if (routerUrl !== undefined) {
    const release = new Release("routes", { routerUrl, adminToken: config.requireSecret("adminToken"), release: build.releaseJson });
    outputs["activeHash"] = release.activeHash;
    outputs["drift"] = release.drift;
  }
  return outputs;
}

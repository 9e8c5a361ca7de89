/**
 * @module Child-process entry of the fuzz harness (bundled by targets.ts with esbuild): start the router on
 * 127.0.0.1:0 with one release file (`node serve-target.mjs release.json fast|node`).
 * A child, not in-process: a request that crashes the router must crash this process, not the harness.
 */
import { readFileSync } from "node:fs";
import type { Release } from "@switchyard/ir";
import { builtinAdapters, builtinValidators, startRouter } from "@switchyard/router";
import { redisState } from "@switchyard/router/redis";

const [file, path] = process.argv.slice(2);
if (file === undefined || (path !== "fast" && path !== "node")) {
  process.stderr.write("usage: serve-target.ts release.json fast|node\n");
  process.exit(2);
}
const release = JSON.parse(readFileSync(file, "utf8")) as Release;
const router = await startRouter({
  release,
  port: 0,
  host: "127.0.0.1",
  env: process.env,
  adapters: builtinAdapters,
  validators: builtinValidators,
  fastPath: path === "fast",
  // Used only when the release keeps its state on Redis (the `redis` target).
  redis: redisState,
});
process.stdout.write(`switchyard router listening on ${router.url}\n`);
process.on("SIGTERM", () => void router.close().then(() => process.exit(0)));

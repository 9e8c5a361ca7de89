/** @module The bench's small servers (`src/servers/*.ts`) bundled into self-contained .cjs files: no TypeScript loader runs in a measured process. */
import { fileURLToPath } from "node:url";
import { build as esbuild } from "esbuild";

/** The servers in `src/servers/` the bench tools start. */
export type BenchServer = "mock-upstream" | "bare-proxy" | "stream-upstream" | "eld-probe" | "gc-probe";

/** Bundle `servers` into `outDir` as `<name>.cjs`. */
export async function bundleBenchServers(outDir: string, servers: readonly BenchServer[]): Promise<void> {
  await esbuild({
    entryPoints: Object.fromEntries(servers.map((name) => [name, fileURLToPath(new URL(`./servers/${name}.ts`, import.meta.url))])),
    outdir: outDir,
    outExtension: { ".js": ".cjs" },
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    minify: true,
    logLevel: "error",
  });
}

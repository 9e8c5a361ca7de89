/**
 * @module emit/build — writes `<outDir>/<env>/switchyard.json`, `router.mjs`, router.mjs's assets (`switchyard-*.<hash>.mjs`,
 * the parts it imports from its own folder on first use) and `manifest.json`, which lists them all.
 * Each file is written to a temporary name and renamed into place; nothing is written on errors.
 * The output is deterministic (no timestamps): two builds of the same input are byte-identical.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { readFile, rename, rm, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { IR_VERSION, serialiseRelease, type Release } from "@switchyard/ir";
import { compile, type CompileOptions, type CompileResult } from "../compile.ts";
import { catalogue } from "../diagnostics/catalogue.ts";
import type { Diagnostic } from "../diagnostics/types.ts";
import { makeDir } from "@switchyard/router/make-dir";

export interface BuildOptions extends CompileOptions {
  /** Parent of the environment folder, e.g. `dist`. */
  outDir: string;
}

export interface BuildResult extends CompileResult {
  /** The environment folder written, e.g. `dist/prod`. */
  outDir?: string;
  /** Absolute paths of the files written. */
  files?: string[];
}

/** The compiler's version, recorded in manifests. */
export function compilerVersion(): string {
  try {
    const parsed = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version?: unknown };
    return typeof parsed.version === "string" ? parsed.version : "0.0.0";
  } catch {
    return "0.0.0";
  }
}

export interface ManifestFile {
  bytes: number;
  sha256: string;
}

export interface Manifest {
  irVersion: number;
  hash: string;
  environment: string;
  compiler: { name: "@switchyard/compiler"; version: string };
  files: Record<string, ManifestFile>;
}

function describe(content: string | Buffer): ManifestFile {
  const bytes = typeof content === "string" ? Buffer.byteLength(content) : content.length;
  return { bytes, sha256: createHash("sha256").update(content).digest("hex") };
}

/** The manifest for the files of a build (pure). */
export function createManifest(release: Release, files: Record<string, string | Buffer>): Manifest {
  const described: Record<string, ManifestFile> = {};
  for (const name of Object.keys(files).sort()) described[name] = describe(files[name] ?? "");
  return {
    irVersion: IR_VERSION,
    hash: release.hash,
    environment: release.config.environment,
    compiler: { name: "@switchyard/compiler", version: compilerVersion() },
    files: described,
  };
}

type Bundler = (options: { release: Release; outFile: string }) => Promise<{ bytes: number; assets: { file: string; code: string }[] }>;

/** `bundleRouter` from `./router-bundle.ts` when it is present (written by the router helper). */
async function loadBundler(): Promise<Bundler | undefined> {
  try {
    const module = (await import("./router-bundle.ts")) as { bundleRouter?: Bundler };
    return typeof module.bundleRouter === "function" ? module.bundleRouter : undefined;
  } catch {
    return undefined;
  }
}

async function writeAtomically(path: string, content: string | Buffer): Promise<void> {
  const temporary = `${path}.tmp-${process.pid}`;
  await writeFile(temporary, content);
  await rename(temporary, path);
}

function buildError(file: string, message: string): Diagnostic {
  return { code: "SY0010", severity: "error", message, file, line: 1, column: 1, endLine: 1, endColumn: 1, hint: catalogue.SY0010.fix };
}

/**
 * Compiles and writes the build for one environment. On any error nothing is written.
 *
 * @example await build({ file: "routes.ts", env: "prod", outDir: "dist" }) // → dist/prod/{switchyard.json,manifest.json,router.mjs}
 */
export async function build(options: BuildOptions): Promise<BuildResult> {
  const result = await compile(options);
  if (!result.ok || !result.release) return result;
  const release = result.release;
  const directory = resolve(options.outDir, release.config.environment);
  const staging = join(directory, `.staging-${process.pid}`);
  try {
    await makeDir(staging);
    const contents: Record<string, string | Buffer> = { "switchyard.json": serialiseRelease(release) };
    const bundleRouter = await loadBundler();
    const assetNames: string[] = [];
    if (bundleRouter) {
      const routerFile = join(staging, "router.mjs");
      const { assets } = await bundleRouter({ release, outFile: routerFile });
      contents["router.mjs"] = await readFile(routerFile);
      for (const asset of assets) {
        contents[asset.file] = asset.code;
        assetNames.push(asset.file);
      }
    }
    const manifest = createManifest(release, contents);
    contents["manifest.json"] = `${JSON.stringify(manifest, null, 2)}\n`;
    const files: string[] = [];
    // router.mjs's assets before it (a router never starts without them in place), manifest.json last: its presence
    // means the rest of the build is in place.
    for (const name of [...assetNames, "router.mjs", "switchyard.json", "manifest.json"]) {
      const content = contents[name];
      if (content === undefined) continue;
      const target = join(directory, name);
      await writeAtomically(target, content);
      files.push(target);
    }
    return { ...result, outDir: directory, files };
  } catch (error) {
    const message = error instanceof Error ? (error.message.split("\n")[0] ?? "") : String(error);
    return { ...result, ok: false, diagnostics: [...result.diagnostics, buildError(resolve(options.file), `writing the build failed: ${message}`)] };
  } finally {
    // When the output folder could not be made (a file in the way), there is nothing to remove.
    await rm(staging, { recursive: true, force: true }).catch(() => undefined);
  }
}

/**
 * @module compile/compile-routes — compile routes.ts for the stack's environment inside a Pulumi
 * program. Errors (type errors, policy violations) fail the program with the compiler's
 * diagnostics, printed exactly as `switchyard check` prints them.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join, relative, resolve } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { build, type Diagnostic, formatDiagnostics } from "@switchyard/compiler";

export interface CompileRoutesOptions {
  /** Path to routes.ts (relative to `cwd`). */
  file: string;
  /** The environment to compile for. Default: stack config `switchyard:environment`, else the stack name. */
  env?: string;
  /** Where the build is written (`<outDir>/<env>/`). Default: a temporary folder, removed once the build is read. */
  outDir?: string;
  /** Base for relative paths in messages and for `file`. Default: the program's working directory. */
  cwd?: string;
}

/** A compiled build, ready for a `Release` resource or a `RouterDeployment`. */
export interface CompiledRoutes {
  environment: string;
  /** The release's content hash. */
  hash: string;
  /** The text of switchyard.json: the `release` input of a `Release` resource. */
  releaseJson: string;
  /** The text of router.mjs (the release embedded): what a `RouterDeployment` runs. */
  routerBundle: string;
  /**
   * router.mjs's assets by file name (`switchyard-dashboard.3f9a1c2b.mjs` → its code): the parts it imports from its own
   * folder on first use (the dashboard, the Responses and Messages dialects). A `RouterDeployment`'s `assets`: they ship
   * with router.mjs, else those endpoints answer 503 `asset_missing`.
   */
  routerAssets: Record<string, string>;
  /** The build folder, e.g. `dist/prod`; undefined when no `outDir` was given (the temporary build folder is gone). */
  outDir: string | undefined;
  /** Route names, sorted. */
  routes: string[];
  /**
   * The environment variables the release reads keys from (`OPENAI_API_KEY`…), sorted: what the router's environment
   * must provide (a `RouterDeployment`'s `keys`). The Redis URL's variable is not among them: see `redisUrlSecret`.
   */
  secrets: string[];
  /** The variable the release reads its Redis URL from (`state.url`), undefined when it keeps its state in memory: a `RouterDeployment`'s `redis.url` provides it. */
  redisUrlSecret: string | undefined;
  /** Warnings (errors fail the compile). */
  warnings: Diagnostic[];
}

/** The files of a build that are not router.mjs's assets. */
const BUILD_FILES: ReadonlySet<string> = new Set(["router.mjs", "switchyard.json", "manifest.json"]);

/** A compile that failed: the message is the diagnostics in the CLI's pretty format. */
export class RoutesCompileError extends pulumi.RunError {
  constructor(
    message: string,
    readonly diagnostics: Diagnostic[],
  ) {
    super(message);
  }
}

/**
 * The environment a stack deploys: `switchyard:environment` from the stack's config when set,
 * otherwise the stack name (stack = environment). Pure.
 *
 * @example environmentFor({ stack: "prod" }) // "prod"
 */
export function environmentFor(options: { stack: string; configured?: string | undefined }): string {
  return options.configured !== undefined && options.configured !== "" ? options.configured : options.stack;
}

/** The current stack's environment (see `environmentFor`). */
export function stackEnvironment(): string {
  return environmentFor({ stack: pulumi.getStack(), configured: new pulumi.Config("switchyard").get("environment") });
}

/** Every secret reference (`{ secret: "NAME" }`) in a config, by name, sorted and unique. Pure. */
export function secretNamesOf(config: unknown): string[] {
  const names = new Set<string>();
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(walk);
    else if (typeof value === "object" && value !== null) {
      const entries = Object.entries(value);
      if (entries.length === 1 && entries[0]?.[0] === "secret" && typeof entries[0][1] === "string") names.add(entries[0][1]);
      else for (const [, v] of entries) walk(v);
    }
  };
  walk(config);
  return [...names].sort();
}

/**
 * Compile and build routes.ts for the stack's environment.
 *
 * @example
 * const build = await compileRoutes({ file: "../acme/routes.ts" });
 * new Release("routes", { routerUrl, adminToken, release: build.releaseJson });
 */
export async function compileRoutes(options: CompileRoutesOptions): Promise<CompiledRoutes> {
  const cwd = options.cwd ?? process.cwd();
  const file = resolve(cwd, options.file);
  const env = options.env ?? stackEnvironment();
  const scratch = options.outDir === undefined ? await mkdtemp(join(tmpdir(), "switchyard-build-")) : undefined;
  try {
    const result = await build({ file, env, outDir: scratch ?? resolve(cwd, options.outDir as string) });
    const errors = result.diagnostics.filter((d) => d.severity === "error");
    if (!result.ok || !result.release || result.outDir === undefined) {
      const text = formatDiagnostics(result.diagnostics, "pretty", { cwd });
      const summary = `switchyard: ${relative(cwd, file) || file} does not compile for environment "${env}" (${errors.length} error${errors.length === 1 ? "" : "s"})`;
      throw new RoutesCompileError(`${summary}\n${text}`, result.diagnostics);
    }
    const warnings = result.diagnostics.filter((d) => d.severity !== "error");
    if (warnings.length > 0) void pulumi.log.warn(formatDiagnostics(warnings, "pretty", { cwd }));
    const state = result.release.config.state;
    const redisUrlSecret = state?.kind === "redis" ? state.url.secret : undefined;
    const [releaseJson, routerBundle] = await Promise.all([
      readFile(join(result.outDir, "switchyard.json"), "utf8"),
      readFile(join(result.outDir, "router.mjs"), "utf8"),
    ]);
    // Every other file the build wrote is one of router.mjs's assets.
    const assetFiles = (result.files ?? []).map((path) => basename(path)).filter((file) => !BUILD_FILES.has(file));
    const routerAssets: Record<string, string> = {};
    for (const file of assetFiles.sort()) routerAssets[file] = await readFile(join(result.outDir, file), "utf8");
    return {
      environment: result.release.config.environment,
      hash: result.release.hash,
      releaseJson,
      routerBundle,
      routerAssets,
      outDir: scratch === undefined ? result.outDir : undefined,
      routes: Object.keys(result.release.config.routes).sort(),
      secrets: secretNamesOf(result.release.config).filter((name) => name !== redisUrlSecret),
      redisUrlSecret,
      warnings,
    };
  } finally {
    // Everything the program needs is read into memory: a temporary build would only pile up in /tmp.
    if (scratch !== undefined) await rm(scratch, { recursive: true, force: true });
  }
}

/** @module commands/init — `switchyard init`: scaffold routes.ts, tsconfig.json, package.json scripts, the CI workflow (and a Pulumi program). */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join, relative, resolve } from "node:path";
import type { Command, Io } from "../command.ts";
import { UsageError } from "../command.ts";
import { cliVersion } from "../main.ts";

/** The CLI package's templates/ folder: two levels up from src/commands/ and from dist/commands/ alike. */
const TEMPLATES = new URL("../../templates/", import.meta.url);

/** A file the scaffold writes: where from (templates/) and where to (relative to the target folder). */
interface TemplateFile {
  template: string;
  target: string;
}

const BASE_FILES: readonly TemplateFile[] = [
  { template: "routes.ts", target: "routes.ts" },
  { template: "tsconfig.json", target: "tsconfig.json" },
  // One source of truth: examples/ci/switchyard.yml in the repository is this file (a test keeps them equal).
  { template: "ci/switchyard.yml", target: ".github/workflows/switchyard.yml" },
];

const PULUMI_FILES: readonly TemplateFile[] = [
  { template: "pulumi/Pulumi.yaml", target: "pulumi/Pulumi.yaml" },
  { template: "pulumi/Pulumi.dev.yaml", target: "pulumi/Pulumi.dev.yaml" },
  { template: "pulumi/Pulumi.prod.yaml", target: "pulumi/Pulumi.prod.yaml" },
  { template: "pulumi/index.ts", target: "pulumi/index.ts" },
];

/** The npm scripts the scaffold adds; existing scripts of the same name are kept. */
const SCRIPTS: Readonly<Record<string, string>> = {
  check: "switchyard check --env prod",
  build: "switchyard build --env prod",
};

/** What happened to each path, for the summary. */
export interface InitOutcome {
  created: string[];
  replaced: string[];
  updated: string[];
  skipped: { path: string; why: string }[];
}

function readTemplate(name: string): string {
  return readFileSync(new URL(name, TEMPLATES), "utf8");
}

/** Adds the scripts (and, when missing, the devDependencies) to a package.json's text; never changes what is there. */
export function mergePackageJson(
  existing: string | undefined,
  name: string,
  version: string,
  pulumi: boolean,
): { text: string; added: string[]; kept: string[] } {
  const parsed: unknown = existing === undefined ? { name, private: true, type: "module" } : JSON.parse(existing);
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) throw new UsageError("package.json is not a JSON object");
  const manifest = parsed as Record<string, unknown>;
  const added: string[] = [];
  const kept: string[] = [];
  const section = (key: string): Record<string, unknown> => {
    const value = manifest[key];
    if (value === undefined) return (manifest[key] = {}) as Record<string, unknown>;
    if (value === null || typeof value !== "object" || Array.isArray(value)) throw new UsageError(`package.json's "${key}" is not an object`);
    return value as Record<string, unknown>;
  };
  const scripts = section("scripts");
  for (const [script, command] of Object.entries(SCRIPTS)) {
    if (scripts[script] === undefined) {
      scripts[script] = command;
      added.push(`scripts.${script}`);
    } else if (scripts[script] !== command) kept.push(`scripts.${script}`);
  }
  const wanted = ["@switchyard/cli", "@switchyard/sdk", ...(pulumi ? ["@switchyard/pulumi", "@pulumi/pulumi", "tsx"] : [])];
  // @pulumi/pulumi: the peer range of @switchyard/pulumi (test/install/manifests.test.ts pins the two together). A caret
  // range, not a pin: npm picks the newest 3.x whose engines accept the running Node (3.248.0 on Node 20, where 3.249+
  // needs Node 22; the newest 3.x on 22 and 24).
  const ranges: Record<string, string> = { "@pulumi/pulumi": "^3.142.0", tsx: "^4.19.0" };
  const declared = (dep: string): boolean =>
    ["dependencies", "devDependencies", "optionalDependencies"].some((key) => {
      const value = manifest[key];
      return value !== null && typeof value === "object" && dep in value;
    });
  const missing = wanted.filter((dep) => !declared(dep));
  if (missing.length > 0) {
    const dev = section("devDependencies");
    for (const dep of missing) {
      dev[dep] = ranges[dep] ?? `^${version}`;
      added.push(`devDependencies.${dep}`);
    }
  }
  return { text: `${JSON.stringify(manifest, null, 2)}\n`, added, kept };
}

/**
 * Writes the scaffold into `dir` (created when missing). Never replaces a file unless `force`;
 * returns what it created, replaced, updated and skipped.
 */
export function scaffold(dir: string, options: { pulumi: boolean; force: boolean }): InitOutcome {
  if (existsSync(dir) && !statSync(dir).isDirectory()) throw new UsageError(`${dir} is a file, not a folder: give the folder to scaffold into`);
  const outcome: InitOutcome = { created: [], replaced: [], updated: [], skipped: [] };
  for (const file of [...BASE_FILES, ...(options.pulumi ? PULUMI_FILES : [])]) {
    const target = join(dir, file.target);
    const exists = existsSync(target);
    if (exists && !options.force) {
      outcome.skipped.push({ path: file.target, why: "already exists (--force replaces it)" });
      continue;
    }
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, readTemplate(file.template));
    (exists ? outcome.replaced : outcome.created).push(file.target);
  }
  // package.json is merged, never replaced (not even with --force): it holds the project's own settings.
  const manifestPath = join(dir, "package.json");
  const existing = existsSync(manifestPath) ? readFileSync(manifestPath, "utf8") : undefined;
  const name =
    basename(resolve(dir))
      .toLowerCase()
      .replace(/[^a-z0-9._-]+/g, "-")
      .replace(/^[._-]+/, "") || "routing";
  let merged: ReturnType<typeof mergePackageJson>;
  try {
    merged = mergePackageJson(existing, name, cliVersion(), options.pulumi);
  } catch (error) {
    if (error instanceof SyntaxError) throw new UsageError(`package.json is not valid JSON (${error.message}); fix it, then run init again`);
    throw error;
  }
  for (const key of merged.kept) outcome.skipped.push({ path: `package.json ${key}`, why: "already set to something else (kept)" });
  if (existing === undefined) {
    writeFileSync(manifestPath, merged.text);
    outcome.created.push("package.json");
  } else if (merged.added.length > 0) {
    writeFileSync(manifestPath, merged.text);
    outcome.updated.push(`package.json (${merged.added.join(", ")})`);
  }
  return outcome;
}

function report(io: Io, dir: string, outcome: InitOutcome, pulumi: boolean): void {
  const where = relative(io.cwd, dir) || ".";
  io.stdout(`Scaffolded Switchyard in ${where}\n`);
  for (const path of outcome.created) io.stdout(`  created  ${path}\n`);
  for (const path of outcome.replaced) io.stdout(`  replaced ${path}\n`);
  for (const path of outcome.updated) io.stdout(`  updated  ${path}\n`);
  for (const { path, why } of outcome.skipped) io.stdout(`  skipped  ${path}: ${why}\n`);
  const cd = where === "." ? "" : `cd ${where} && `;
  io.stdout(`
Next:
  ${cd}npm install                                 # the devDependencies package.json names
  npx --no-install switchyard check --env prod    # or: npm run check
  npx --no-install switchyard build --env dev && SWITCHYARD_TEAM_KEY=dev-key node dist/dev/router.mjs
`);
  if (pulumi) io.stdout("  cd pulumi && npx --no-install pulumi up --stack dev   # see pulumi/Pulumi.dev.yaml first\n");
}

export const command: Command = {
  name: "init",
  summary: "Scaffold routes.ts, tsconfig.json, package.json scripts and a CI workflow",
  usage: "switchyard init [dir] [--pulumi] [--force]",
  help: `Writes a starter configuration into DIR (default: the current folder; created when missing):
  routes.ts                          two providers, a tier, a route with a fallback, a team with a
                                     budget, dev (mock providers) and prod environments with policy packs
  tsconfig.json                      so tsc and your editor check routes.ts against @switchyard/sdk
  package.json                       "check" and "build" scripts and the @switchyard devDependencies
                                     (created when missing; merged otherwise, existing entries kept)
  .github/workflows/switchyard.yml   the CI workflow (check, annotations, code scanning, PR diff)
  pulumi/                            with --pulumi: a Pulumi program and Pulumi.dev/prod.yaml stacks

Never overwrites an existing file: it lists what it skipped and why. --force replaces the template
files (package.json is still only merged). The scaffold passes \`switchyard check --env prod\` as written.

Examples:
  switchyard init
  switchyard init infra/routing --pulumi`,
  options: {
    pulumi: { type: "boolean", description: "Also write a Pulumi program with per-stack files (pulumi/)" },
    force: { type: "boolean", description: "Replace existing template files" },
  },
  async run({ positionals, values, io }) {
    if (positionals.length > 1) throw new UsageError(`expected at most one folder, got ${positionals.length}`);
    const dir = resolve(io.cwd, positionals[0] ?? ".");
    const pulumi = values.pulumi === true;
    const outcome = scaffold(dir, { pulumi, force: values.force === true });
    report(io, dir, outcome, pulumi);
    return 0;
  },
};

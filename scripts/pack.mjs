// `pnpm pack:all [--out DIR]`: the emit step of the published packages, then one tarball per package.
// 1. tsc (tsconfig.pack.json, one program for all packages) emits ESM JavaScript, .d.ts and source maps;
// 2. each package's share moves to <package>/dist (mirroring src/), its maps re-pointed at src/ (shipped too)
//    and the .d.ts import specifiers rewritten from .ts to .js (tsc rewrites them only in the JavaScript);
// 3. `pnpm pack` applies publishConfig (exports → dist, bin → the compiled entry points) and turns
//    `workspace:*` into the version; the root LICENSE is copied in for the pack and removed again.
// The repo itself never needs this: its manifests export src/ and run through tsx/vitest.
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
/** Every published package, in dependency order. */
export const packageDirs = ["packages/sdk", "packages/ir", "policies", "packages/router", "packages/compiler", "packages/cli", "packages/pulumi"];

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

function run(command, args, cwd) {
  const result = spawnSync(command, args, { cwd, stdio: ["ignore", "pipe", "pipe"], encoding: "utf8" });
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} (in ${cwd}) exited ${result.status}:\n${result.stdout}${result.stderr}`);
  return result.stdout;
}

/** pnpm: the one running this script when there is one, else pnpm 10 located once through npx (one npx start, not seven). */
function pnpm() {
  const execPath = process.env.npm_execpath;
  if (execPath !== undefined && /pnpm/.test(execPath)) return [process.execPath, execPath];
  const found = run("npx", ["-y", "-p", "pnpm@10", "sh", "-c", "command -v pnpm"], root).trim();
  return [process.execPath, realpathSync(found)];
}

export function emit() {
  const out = join(root, ".tmp/pack-emit");
  rmSync(out, { recursive: true, force: true });
  const tsc = join(root, "node_modules/typescript/bin/tsc");
  run(process.execPath, [tsc, "-p", "tsconfig.pack.json"], root);
  for (const dir of packageDirs) {
    const from = join(out, dir, "src");
    const dist = join(root, dir, "dist");
    rmSync(dist, { recursive: true, force: true });
    renameSync(from, dist);
    for (const file of walk(dist)) {
      if (file.endsWith(".map")) {
        const map = JSON.parse(readFileSync(file, "utf8"));
        // tsc wrote the sources relative to the emit folder: re-point them from dist/ at the package's src/.
        const emitted = dirname(join(from, relative(dist, file)));
        map.sources = map.sources.map((source) => relative(dirname(file), resolve(emitted, source)));
        writeFileSync(file, JSON.stringify(map));
      } else if (file.endsWith(".d.ts")) {
        const text = readFileSync(file, "utf8").replace(/((?:from|import)\s*\(?\s*["'])(\.{1,2}\/[^"']+)\.ts(["'])/g, "$1$2.js$3");
        writeFileSync(file, text);
      }
    }
  }
  rmSync(out, { recursive: true, force: true });
}

/** Packs every package into `outDir`; returns the tarballs' paths in dependency order. */
export function packAll(outDir) {
  mkdirSync(outDir, { recursive: true });
  const [command, ...prefix] = pnpm();
  return packageDirs.map((dir) => {
    const license = join(root, dir, "LICENSE");
    const copied = !existsSync(license);
    if (copied) copyFileSync(join(root, "LICENSE"), license);
    try {
      const before = new Set(readdirSync(outDir));
      run(command, [...prefix, "pack", "--pack-destination", outDir], join(root, dir));
      const made = readdirSync(outDir).find((name) => name.endsWith(".tgz") && !before.has(name));
      if (made === undefined) throw new Error(`pnpm pack made no tarball for ${dir}`);
      return join(outDir, made);
    } finally {
      if (copied) rmSync(license);
    }
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const at = process.argv.indexOf("--out");
  const outDir = resolve(at === -1 ? join(root, ".tmp/packs") : process.argv[at + 1]);
  rmSync(outDir, { recursive: true, force: true });
  emit();
  for (const tarball of packAll(outDir)) console.log(tarball);
}

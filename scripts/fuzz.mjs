// The fuzz command (`pnpm fuzz [--cases N] [--seed N] [--target fast|node|bundle|all] [--minutes M]`):
// runs test/fuzz/cli.ts with tsx (the harness imports the router's TypeScript sources) and exits with its status.
import { spawnSync } from "node:child_process";

const run = spawnSync(process.execPath, ["--import", "tsx", "test/fuzz/cli.ts", ...process.argv.slice(2)], { stdio: "inherit" });
process.exit(run.status ?? 1);

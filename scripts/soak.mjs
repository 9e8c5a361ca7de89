// The soak command (`pnpm soak [--minutes 10] [--rate 20]`): runs test/soak/cli.ts with tsx against a
// freshly built router.mjs on 127.0.0.1 and exits with its status (SOAK.md holds the report).
import { spawnSync } from "node:child_process";

const run = spawnSync(process.execPath, ["--import", "tsx", "test/soak/cli.ts", ...process.argv.slice(2)], { stdio: "inherit" });
process.exit(run.status ?? 1);

/** @module commands — the table of verbs; each verb adds one import and one array entry. */
import type { Command } from "../command.ts";
import { command as init } from "./init.ts";
import { command as check } from "./check.ts";
import { command as build } from "./build.ts";
import { command as explain } from "./explain.ts";
import { command as diff } from "./diff.ts";
import { command as serve } from "./serve.ts";
import { command as demo } from "./demo.ts";
import { command as report } from "./report.ts";
import { command as simulate } from "./simulate.ts";
import { command as traces } from "./traces.ts";
import { command as release } from "./release.ts";

/** Every verb of `switchyard`, in the order `--help` lists them. */
export const commands: readonly Command[] = [init, check, build, explain, diff, simulate, serve, demo, report, traces, release];

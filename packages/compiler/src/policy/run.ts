/**
 * @module policy/run — resolves the environment's policy packs (built-in ids or user packs by path,
 * relative to routes.ts), runs them through `@switchyard/policies`, and returns findings with the
 * DSL path of the node each one is about.
 */
import { Console } from "node:console";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { Writable } from "node:stream";
import { pathToFileURL } from "node:url";
import { Script } from "node:vm";
import type { Config, PolicySelection } from "@switchyard/ir";
import { build } from "esbuild";
import { sdkEntry } from "../load/sdk-path.ts";
import type { Finding } from "../checks/report.ts";
import { irPathToDsl } from "../validate/lower.ts";
import { suggestName } from "../checks/suggest.ts";
import type { ConsoleLine } from "../evaluate/evaluate.ts";
import { runWithTimeLimit, TimeLimitError } from "./time-limit.ts";
import { rememberPolicies } from "./info.ts";

/** A policy finding as `@switchyard/policies` returns it (see the shared contract). */
export interface PolicyFindingLike {
  policyId: string;
  severity: "error" | "warning";
  node: { kind: "provider" | "model" | "tier" | "route" | "team" | "prompt" | "environment" | "selection"; id: string; path?: (string | number)[] };
  message: string;
  messageId: string;
}

interface PolicyPackLike {
  id: string;
  description?: string;
  policies: unknown[];
}

interface PoliciesModule {
  runPolicies(input: {
    config: Config;
    environment: string;
    selections: PolicySelection[];
    packs: Record<string, PolicyPackLike>;
    now: Date;
  }): PolicyFindingLike[];
  builtinPacks: Record<string, PolicyPackLike>;
}

/** A policy finding, or a problem loading a pack (a catalogue finding). */
export type PolicyOutcome =
  | { kind: "policy"; code: string; severity: "error" | "warning"; message: string; path: (string | number)[]; raw: boolean }
  | { kind: "load"; finding: Finding }
  /** The ids of every policy of the packs that were selected and loaded (whatever their severity), once per run. */
  | { kind: "selected"; policyIds: string[] };

const SECTION: Record<Exclude<PolicyFindingLike["node"]["kind"], "selection" | "environment">, string> = {
  provider: "providers",
  model: "models",
  tier: "tiers",
  route: "routes",
  team: "teams",
  prompt: "prompts",
};

let policiesModule: PoliciesModule | null | undefined;

async function loadPoliciesModule(): Promise<PoliciesModule | undefined> {
  if (policiesModule === undefined) {
    try {
      // A non-literal specifier: the policies package is typed against the shared contract here.
      const specifier = "@switchyard/policies";
      const loaded = (await import(specifier)) as Partial<PoliciesModule>;
      policiesModule = typeof loaded.runPolicies === "function" ? { runPolicies: loaded.runPolicies, builtinPacks: loaded.builtinPacks ?? {} } : null;
      if (policiesModule) rememberPolicies(Object.values(policiesModule.builtinPacks));
    } catch {
      policiesModule = null;
    }
  }
  return policiesModule ?? undefined;
}

function policiesEntry(): string | undefined {
  try {
    return join(dirname(createRequire(import.meta.url).resolve("@switchyard/policies/package.json")), "src", "index.ts");
  } catch {
    return undefined;
  }
}

function isPack(value: unknown): value is PolicyPackLike {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { id?: unknown }).id === "string" &&
    Array.isArray((value as { policies?: unknown }).policies)
  );
}

/** A `console` whose output goes to `onConsole` line by line (dropped without one). */
function forwardingConsole(source: string, onConsole: ((line: ConsoleLine) => void) | undefined): Console {
  const stream = (name: ConsoleLine["stream"]): Writable => {
    let pending = "";
    return new Writable({
      write(chunk: Buffer | string, _encoding, callback) {
        pending += chunk.toString();
        const lines = pending.split(/\r?\n/);
        pending = lines.pop() ?? "";
        for (const text of lines) onConsole?.({ stream: name, text, source });
        callback();
      },
    });
  };
  return new Console({ stdout: stream("stdout"), stderr: stream("stderr") });
}

/**
 * Bundles a user's pack (CommonJS, so its top level can run under a time limit: packs hold
 * functions and cannot cross to a worker) and runs it in this process. Its `console` is forwarded.
 */
async function loadUserPack(
  file: string,
  options: { timeLimitMs: number; onConsole?: (line: ConsoleLine) => void },
): Promise<{ pack?: PolicyPackLike; error?: string }> {
  try {
    const entry = policiesEntry();
    const result = await build({
      entryPoints: [file],
      bundle: true,
      write: false,
      format: "cjs",
      platform: "node",
      target: "node20",
      logLevel: "silent",
      alias: { "@switchyard/sdk": sdkEntry(), ...(entry ? { "@switchyard/policies": entry } : {}) },
      define: { "import.meta.url": JSON.stringify(pathToFileURL(file).href) },
    });
    const output = result.outputFiles[0];
    if (!output) return { error: "esbuild produced no output" };
    const wrapper = new Script(`(function (exports, require, module, __filename, __dirname, console) {${output.text}\n})`, { filename: file });
    const run = wrapper.runInThisContext() as (
      exports: unknown,
      require: NodeJS.Require,
      module: { exports: unknown },
      filename: string,
      dirname: string,
      console: Console,
    ) => void;
    const module: { exports: unknown } = { exports: {} };
    try {
      runWithTimeLimit(
        () => run.call(module.exports, module.exports, createRequire(file), module, file, dirname(file), forwardingConsole(file, options.onConsole)),
        options.timeLimitMs,
      );
    } catch (error) {
      if (error instanceof TimeLimitError) return { error: `its top level ${error.message}` };
      return { error: `it threw ${error instanceof Error ? `${error.name}: ${error.message.split("\n")[0] ?? ""}` : String(error)}` };
    }
    const exported = (module.exports as { default?: unknown } | null)?.default;
    if (!isPack(exported)) return { error: "the file does not default-export a policy pack ({ id, description, policies })" };
    return { pack: exported };
  } catch (error) {
    const errors = (error as { errors?: { text: string }[] }).errors;
    return { error: errors && errors[0] ? errors[0].text : error instanceof Error ? error.message.split("\n")[0] : String(error) };
  }
}

/**
 * The pack with each policy's check under the time limit; a policy that runs past it crashes
 * with a `TimeLimitError`, which the engine reports as a diagnostic naming the policy.
 */
function withTimeLimit(pack: PolicyPackLike, timeLimitMs: number): PolicyPackLike {
  const policies = pack.policies.map((policy) => {
    if (typeof policy !== "object" || policy === null) return policy;
    const check = (policy as { check?: unknown }).check;
    if (typeof check !== "function") return policy;
    const limited = (context: unknown): unknown => runWithTimeLimit(() => check.call(policy, context), timeLimitMs);
    // The policy itself stays the prototype: every other field reads through unchanged.
    return Object.create(policy, { check: { value: limited, enumerable: true } }) as unknown;
  });
  return Object.create(pack, { policies: { value: policies, enumerable: true } }) as PolicyPackLike;
}

export interface RunPolicyPacksOptions {
  config: Config;
  environment: string;
  /** routes.ts, for resolving user packs by relative path. */
  file: string;
  now: Date;
  /** Where each selection was written, as a DSL path (for load errors). */
  selectionPath(index: number): (string | number)[];
  /** Time limit of each policy's check and of a user pack's top level, milliseconds (default 2000). */
  timeLimitMs?: number;
  /** Receives what user packs print, line by line. */
  onConsole?: (line: ConsoleLine) => void;
}

/**
 * True when every selection is a built-in pack (no user code to load). Only such packs run while
 * TypeScript checks on its thread: a user pack's time limits are wall-clock and should not share
 * the CPU with the checker.
 */
export async function onlyBuiltinPacks(selections: readonly PolicySelection[]): Promise<boolean> {
  const builtins = (await loadPoliciesModule())?.builtinPacks ?? {};
  return selections.every((selection) => Object.hasOwn(builtins, selection.pack));
}

/** Default time limit of one policy (and of loading one user pack). */
export const DEFAULT_POLICY_TIME_LIMIT_MS = 2_000;

/** Runs the selected packs; never throws. */
export async function runPolicyPacks(options: RunPolicyPacksOptions): Promise<PolicyOutcome[]> {
  const { config } = options;
  if (config.policies.length === 0) return [];
  const outcomes: PolicyOutcome[] = [];
  const timeLimitMs = options.timeLimitMs ?? DEFAULT_POLICY_TIME_LIMIT_MS;
  const policies = await loadPoliciesModule();
  const packs: Record<string, PolicyPackLike> = { ...(policies?.builtinPacks ?? {}) };
  const selections: PolicySelection[] = [];
  /** Index in `selections` → index in `config.policies` (selections that failed to load are left out). */
  const originalIndex: number[] = [];
  for (const [index, selection] of config.policies.entries()) {
    if (selection.pack in packs) {
      selections.push(selection);
      originalIndex.push(index);
      continue;
    }
    const looksLikePath = selection.pack.startsWith(".") || selection.pack.startsWith("/") || /\.(m?[jt]s)$/.test(selection.pack);
    const path = isAbsolute(selection.pack) ? selection.pack : resolve(dirname(options.file), selection.pack);
    if (!looksLikePath || !existsSync(path)) {
      const known = Object.keys(packs).join(", ") || "none available";
      const guess = looksLikePath ? undefined : suggestName(selection.pack, Object.keys(packs));
      outcomes.push({
        kind: "load",
        finding: {
          code: "SY0801",
          path: options.selectionPath(index),
          message: `policy pack "${selection.pack}" is neither a built-in pack (${known}) nor a file next to routes.ts`,
          ...(guess ? { hint: `Did you mean "${guess}"?` } : {}),
        },
      });
      continue;
    }
    const loaded = await loadUserPack(path, { timeLimitMs, ...(options.onConsole ? { onConsole: options.onConsole } : {}) });
    if (!loaded.pack) {
      outcomes.push({
        kind: "load",
        finding: {
          code: "SY0802",
          path: options.selectionPath(index),
          message: `policy pack "${selection.pack}" could not be loaded: ${loaded.error ?? "unknown error"}`,
        },
      });
      continue;
    }
    packs[selection.pack] = loaded.pack;
    rememberPolicies([loaded.pack]);
    selections.push(selection);
    originalIndex.push(index);
  }
  if (!policies || selections.length === 0) return outcomes;
  const policyIds = selections.flatMap((selection) =>
    (packs[selection.pack]?.policies ?? []).flatMap((policy) => {
      const id = typeof policy === "object" && policy !== null ? (policy as { id?: unknown }).id : undefined;
      return typeof id === "string" ? [id] : [];
    }),
  );
  outcomes.push({ kind: "selected", policyIds: [...new Set(policyIds)] });
  let findings: PolicyFindingLike[];
  try {
    const limited = Object.fromEntries(Object.entries(packs).map(([name, pack]) => [name, withTimeLimit(pack, timeLimitMs)]));
    findings = policies.runPolicies({ config, environment: options.environment, selections, packs: limited, now: options.now });
  } catch (error) {
    outcomes.push({
      kind: "load",
      finding: {
        code: "SY0802",
        path: options.selectionPath(0),
        message: `running the policy packs failed: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`,
      },
    });
    return outcomes;
  }
  for (const finding of findings) {
    const below = irPathToDsl(finding.node.path ?? []);
    const path =
      finding.node.kind === "selection"
        ? [...options.selectionPath(originalIndex[Number(finding.node.id)] ?? 0), ...below]
        : finding.node.kind === "environment"
          ? ["environments", finding.node.id, ...below]
          : [SECTION[finding.node.kind], finding.node.id, ...below];
    outcomes.push({
      kind: "policy",
      code: finding.policyId,
      severity: finding.severity,
      message: finding.message,
      path,
      raw: finding.node.kind === "selection" || finding.node.kind === "environment",
    });
  }
  return outcomes;
}

/**
 * The note for a check whose policies did not run because earlier stages reported errors (policies
 * assume an IR whose references resolve: running them over an invalid config would report noise
 * or crash). Counts the policies of built-in packs that would have run; user packs are named, not
 * loaded. Undefined when no policies were selected.
 *
 * @example "14 policies (baseline, prod-safety) were not run because of earlier errors; fix those and check again."
 */
export async function skippedPoliciesNote(selections: unknown[]): Promise<string | undefined> {
  if (selections.length === 0) return undefined;
  const builtins = (await loadPoliciesModule())?.builtinPacks ?? {};
  let count = 0;
  const builtinNames: string[] = [];
  const others: string[] = [];
  for (const selection of selections) {
    const name =
      typeof selection === "string"
        ? selection
        : typeof (selection as { pack?: unknown } | null)?.pack === "string"
          ? (selection as { pack: string }).pack
          : undefined;
    if (name === undefined) continue;
    const pack = Object.hasOwn(builtins, name) ? builtins[name] : undefined;
    if (!pack) {
      others.push(name);
      continue;
    }
    const severities = (selection as { severities?: unknown }).severities;
    const chosen = typeof severities === "object" && severities !== null ? (severities as Record<string, unknown>) : {};
    builtinNames.push(name);
    for (const policy of pack.policies as { id?: unknown; defaultSeverity?: unknown }[]) {
      const id = typeof policy.id === "string" ? policy.id : "";
      const severity = chosen[id] ?? chosen[id.slice(id.lastIndexOf("/") + 1)] ?? policy.defaultSeverity;
      if (severity !== "off") count += 1;
    }
  }
  const parts: string[] = [];
  if (builtinNames.length > 0) parts.push(`${count} ${count === 1 ? "policy" : "policies"} (${builtinNames.join(", ")})`);
  if (others.length > 0) parts.push(`the policies of ${others.join(", ")}`);
  if (parts.length === 0) return undefined;
  const subject = parts.join(" and ");
  return `${subject.charAt(0).toUpperCase()}${subject.slice(1)} ${count === 1 && others.length === 0 ? "was" : "were"} not run because of earlier errors; fix those and check again.`;
}

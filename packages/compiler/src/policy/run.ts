/**
 * @module policy/run — resolves the environment's policy packs (built-in ids or user packs by path,
 * relative to routes.ts), runs them through `@switchyard/policies`, and returns findings with the
 * DSL path of the node each one is about.
 */
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { Config, PolicySelection } from "@switchyard/ir";
import { build } from "esbuild";
import { sdkEntry } from "../load/sdk-path.ts";
import type { Finding } from "../checks/report.ts";
import { irPathToDsl } from "../validate/lower.ts";
import { suggestName } from "../checks/suggest.ts";

/** A policy finding as `@switchyard/policies` returns it (see the shared contract). */
export interface PolicyFindingLike {
  policyId: string;
  severity: "error" | "warning";
  node: { kind: "provider" | "model" | "tier" | "route" | "team" | "selection"; id: string; path?: (string | number)[] };
  message: string;
  messageId: string;
}

interface PolicyPackLike {
  id: string;
  description?: string;
  policies: unknown[];
}

interface PoliciesModule {
  runPolicies(input: { config: Config; environment: string; selections: PolicySelection[]; packs: Record<string, PolicyPackLike>; now: Date }): PolicyFindingLike[];
  builtinPacks: Record<string, PolicyPackLike>;
}

/** A policy finding, or a problem loading a pack (a catalogue finding). */
export type PolicyOutcome =
  | { kind: "policy"; code: string; severity: "error" | "warning"; message: string; path: (string | number)[]; raw: boolean }
  | { kind: "load"; finding: Finding };

const SECTION: Record<Exclude<PolicyFindingLike["node"]["kind"], "selection">, string> = {
  provider: "providers", model: "models", tier: "tiers", route: "routes", team: "teams",
};

let policiesModule: PoliciesModule | null | undefined;

async function loadPoliciesModule(): Promise<PoliciesModule | undefined> {
  if (policiesModule === undefined) {
    try {
      // A non-literal specifier: the policies package is typed against the shared contract here.
      const specifier = "@switchyard/policies";
      const loaded = (await import(specifier)) as Partial<PoliciesModule>;
      policiesModule = typeof loaded.runPolicies === "function" ? { runPolicies: loaded.runPolicies, builtinPacks: loaded.builtinPacks ?? {} } : null;
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
  return typeof value === "object" && value !== null && typeof (value as { id?: unknown }).id === "string" && Array.isArray((value as { policies?: unknown }).policies);
}

/** Bundles and imports a user's pack in-process (packs hold functions, so they cannot cross a worker). */
async function loadUserPack(file: string): Promise<{ pack?: PolicyPackLike; error?: string }> {
  const directory = await mkdtemp(join(tmpdir(), "switchyard-pack-"));
  try {
    const entry = policiesEntry();
    const result = await build({
      entryPoints: [file], bundle: true, write: false, format: "esm", platform: "node", target: "node20", logLevel: "silent",
      alias: { "@switchyard/sdk": sdkEntry(), ...(entry ? { "@switchyard/policies": entry } : {}) },
    });
    const output = result.outputFiles[0];
    if (!output) return { error: "esbuild produced no output" };
    const bundle = join(directory, "pack.mjs");
    await writeFile(bundle, output.text);
    const module = (await import(pathToFileURL(bundle).href)) as { default?: unknown };
    if (!isPack(module.default)) return { error: "the file does not default-export a policy pack ({ id, description, policies })" };
    return { pack: module.default };
  } catch (error) {
    const errors = (error as { errors?: { text: string }[] }).errors;
    return { error: errors && errors[0] ? errors[0].text : error instanceof Error ? error.message.split("\n")[0] : String(error) };
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}

export interface RunPolicyPacksOptions {
  config: Config;
  environment: string;
  /** routes.ts, for resolving user packs by relative path. */
  file: string;
  now: Date;
  /** Where each selection was written, as a DSL path (for load errors). */
  selectionPath(index: number): (string | number)[];
}

/** Runs the selected packs; never throws. */
export async function runPolicyPacks(options: RunPolicyPacksOptions): Promise<PolicyOutcome[]> {
  const { config } = options;
  if (config.policies.length === 0) return [];
  const outcomes: PolicyOutcome[] = [];
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
      outcomes.push({ kind: "load", finding: { code: "SY0801", path: options.selectionPath(index), message: `policy pack "${selection.pack}" is neither a built-in pack (${known}) nor a file next to routes.ts`, ...(guess ? { hint: `Did you mean "${guess}"?` } : {}) } });
      continue;
    }
    const loaded = await loadUserPack(path);
    if (!loaded.pack) {
      outcomes.push({ kind: "load", finding: { code: "SY0802", path: options.selectionPath(index), message: `policy pack "${selection.pack}" could not be loaded: ${loaded.error ?? "unknown error"}` } });
      continue;
    }
    packs[selection.pack] = loaded.pack;
    selections.push(selection);
    originalIndex.push(index);
  }
  if (!policies || selections.length === 0) return outcomes;
  let findings: PolicyFindingLike[];
  try {
    findings = policies.runPolicies({ config, environment: options.environment, selections, packs, now: options.now });
  } catch (error) {
    outcomes.push({ kind: "load", finding: { code: "SY0802", path: options.selectionPath(0), message: `running the policy packs failed: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}` } });
    return outcomes;
  }
  for (const finding of findings) {
    const below = irPathToDsl(finding.node.path ?? []);
    const path = finding.node.kind === "selection"
      ? [...options.selectionPath(originalIndex[Number(finding.node.id)] ?? 0), ...below]
      : [SECTION[finding.node.kind], finding.node.id, ...below];
    outcomes.push({ kind: "policy", code: finding.policyId, severity: finding.severity, message: finding.message, path, raw: finding.node.kind === "selection" });
  }
  return outcomes;
}

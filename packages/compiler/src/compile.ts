/**
 * @module compile — the pipeline: read → type-check → evaluate → validate (DSL schema) → merge the
 * environment → semantic checks → lower → IR schema → policies. Collects every diagnostic; never throws.
 */
import { access, constants, stat } from "node:fs/promises";
import { basename, resolve } from "node:path";
import { createRelease, type Config, type Release } from "@switchyard/ir";
import { catalogue, isCode, type Code } from "./diagnostics/catalogue.ts";
import { maskDiagnostic } from "./diagnostics/mask.ts";
import type { Diagnostic, LocatedDiagnostic, RelatedNote, SourceRange, WaivedFinding } from "./diagnostics/types.ts";
import { evaluateConfig, type ConsoleLine, type EvaluationFailure, type EvaluationResult } from "./evaluate/evaluate.ts";
import { locationMap, type LocationMap } from "./load/location-map.ts";
import { typeCheckInThread } from "./load/typecheck-thread.ts";
import { showPath, type Finding } from "./checks/report.ts";
import { suggestName } from "./checks/suggest.ts";
import { validateConfigValue } from "./validate/validate.ts";
import { WAIVABLE_SECTIONS, type DeclaredWaiver } from "./validate/lower.ts";
import { dict, isDict } from "./validate/view.ts";
import { onlyBuiltinPacks, runPolicyPacks, skippedPoliciesNote, type PolicyOutcome } from "./policy/run.ts";

export interface CompileOptions {
  file: string;
  /** Environment whose overrides and policies apply; "default" (no overrides) when absent. */
  env?: string;
  /** Today, for policies (injected for determinism). */
  now?: Date;
  /** Evaluation time limit, milliseconds (default 5000). */
  timeoutMs?: number;
  /**
   * Receives what routes.ts prints (`console.log`, `console.error`) while it is evaluated, line by
   * line; dropped when absent. The CLI writes it to stderr, never into a json or sarif report.
   */
  onConsole?: (line: ConsoleLine) => void;
  /** Time limit of each policy's check (and of loading a user pack), milliseconds (default 2000). */
  policyTimeLimitMs?: number;
}

export interface CompileResult {
  ok: boolean;
  diagnostics: Diagnostic[];
  release?: Release;
  /** Environments declared in routes.ts. */
  environments: string[];
  /** With `release`: the environment's config as written in routes.ts (overrides merged, before lowering and defaults). */
  authored?: Record<string, unknown>;
  /** Remarks about the check as a whole (e.g. policies not run because of earlier errors); formatters print them after the diagnostics. */
  notes?: string[];
  /** Warnings about the check as a whole, not about a place in routes.ts (e.g. no policy pack selected, so none ran). */
  warnings?: string[];
  /** Policy findings suppressed by a `waive` entry in routes.ts that has not expired: listed, never counted. */
  waived?: WaivedFinding[];
}

const DEFAULT_ENV = "default";
/** What TypeScript and esbuild load as a module. */
const CONFIG_EXTENSION = /\.(?:[mc]?ts|[mc]?js)$/;

function at(file: string, code: Code | string, message: string, extra: Partial<Diagnostic> = {}): LocatedDiagnostic {
  const severity = isCode(code) ? catalogue[code].severity : "error";
  return { code, severity, message, file, line: 1, column: 1, endLine: 1, endColumn: 1, start: 0, end: 0, ...extra };
}

function fromRange(range: SourceRange): Pick<LocatedDiagnostic, "file" | "line" | "column" | "endLine" | "endColumn" | "start" | "end"> {
  return { file: range.file, line: range.line, column: range.column, endLine: range.endLine, endColumn: range.endColumn, start: range.start, end: range.end };
}

function strip(diagnostic: LocatedDiagnostic): Diagnostic {
  const { start: _start, end: _end, ...rest } = diagnostic;
  // Every diagnostic leaves here: a key quoted by TypeScript or a thrown message never reaches a caller unmasked.
  return maskDiagnostic(rest);
}

function describeFailure(failure: EvaluationFailure, file: string, locations: LocationMap | undefined): LocatedDiagnostic[] {
  const root = locations ? fromRange(locations.root) : { file, line: 1, column: 1, endLine: 1, endColumn: 1, start: 0, end: 0 };
  switch (failure.kind) {
    case "bundle":
      return failure.messages.map((message) => {
        const range =
          locations && message.file === locations.file && message.line !== undefined
            ? fromRange(locations.rangeAt(message.line, message.column ?? 1, message.length ?? 1))
            : message.file !== undefined && message.line !== undefined
              ? {
                  file: message.file,
                  line: message.line,
                  column: message.column ?? 1,
                  endLine: message.line,
                  endColumn: (message.column ?? 1) + (message.length ?? 1),
                  start: -1,
                  end: -1,
                }
              : root;
        return at(file, "SY0008", message.text, range);
      });
    case "threw": {
      const range = locations && failure.line !== undefined ? fromRange(locations.rangeAt(failure.line, failure.column ?? 1, 1)) : root;
      return [at(file, "SY0004", `evaluating the config threw ${failure.name}: ${failure.message}`, { ...range, hint: catalogue.SY0004.fix })];
    }
    case "timeout":
      return [
        at(file, "SY0005", `evaluating the config did not finish within ${failure.timeoutMs} ms (an endless loop?)`, { ...root, hint: catalogue.SY0005.fix }),
      ];
    case "never-settled":
      return [
        at(
          file,
          "SY0006",
          "the config never produced a value: a top-level await or the default-exported promise never settles (or routes.ts called process.exit)",
          { ...root, hint: catalogue.SY0006.fix },
        ),
      ];
    case "no-default-export":
      return [at(file, "SY0002", "routes.ts has no default export", { ...root, hint: catalogue.SY0002.fix })];
    case "unsupported-value":
      return failure.problems.map((problem) => {
        const range = locations ? fromRange(locations.locate(problem.path).range) : root;
        return at(file, "SY0007", `${showPath(problem.path) || "the default export"} is a ${problem.type}, which cannot be compiled`, {
          ...range,
          path: problem.path,
          hint: catalogue.SY0007.fix,
        });
      });
  }
}

/**
 * Shape codes that only restate a TypeScript error (unknown property, wrong type, missing property): under
 * TypeScript's error on the same span they add nothing, so they are dropped.
 */
const RESTATES_TYPESCRIPT: ReadonlySet<string> = new Set(["SY0101", "SY0102", "SY0104"]);

/**
 * One entry per mistake: a compiler diagnostic that sits where TypeScript already reported a problem is
 * dropped when it only restates it, and otherwise folded into TypeScript's entry as a note (its code,
 * message and hint: SY0103's duration format, SY0701's "rotate it"). Returns the compiler diagnostics
 * that stay separate, and the TypeScript diagnostics with their notes.
 */
function foldIntoTypeScript(
  compilerDiagnostics: LocatedDiagnostic[],
  tsDiagnostics: LocatedDiagnostic[],
  locations: LocationMap | undefined,
): { separate: LocatedDiagnostic[]; typescript: LocatedDiagnostic[] } {
  const covered: { ts: number; file: string; start: number; end: number }[] = [];
  tsDiagnostics.forEach((ts, index) => {
    covered.push({ ts: index, file: ts.file, start: ts.start, end: Math.max(ts.end, ts.start + 1) });
    if (locations && ts.file === locations.file) {
      const entry = locations.entryAt(ts.start);
      // TypeScript points at `tier` in `tier: "fastt"`: the whole (scalar) entry is reported.
      if (entry && entry.leaf) covered.push({ ts: index, file: ts.file, start: entry.range.start, end: entry.range.end });
    }
  });
  if (covered.length === 0) return { separate: compilerDiagnostics, typescript: tsDiagnostics };
  const notes = new Map<number, RelatedNote[]>();
  const separate: LocatedDiagnostic[] = [];
  for (const diagnostic of compilerDiagnostics) {
    const under =
      diagnostic.start < 0
        ? undefined
        : covered.find((range) => range.file === diagnostic.file && diagnostic.start >= range.start && diagnostic.start < range.end);
    if (under === undefined) separate.push(diagnostic);
    else if (!RESTATES_TYPESCRIPT.has(diagnostic.code)) {
      const hint = diagnostic.hint ?? (isCode(diagnostic.code) ? catalogue[diagnostic.code].fix : undefined);
      const list = notes.get(under.ts) ?? [];
      if (!list.some((note) => note.code === diagnostic.code && note.message === diagnostic.message)) {
        list.push({ code: diagnostic.code, message: diagnostic.message, ...(hint ? { hint } : {}) });
      }
      notes.set(under.ts, list);
    }
  }
  const typescript = tsDiagnostics.map((ts, index) => {
    const related = notes.get(index);
    return related === undefined ? ts : { ...ts, related: [...(ts.related ?? []), ...related] };
  });
  return { separate, typescript };
}

/**
 * Compiles routes.ts for an environment: every diagnostic of every stage, and the release when
 * the config is valid. Never throws.
 *
 * @example
 * const result = await compile({ file: "routes.ts", env: "prod" });
 * if (!result.ok) console.log(formatDiagnostics(result.diagnostics, "pretty"));
 */
export async function compile(options: CompileOptions): Promise<CompileResult> {
  const file = resolve(options.file);
  try {
    return await compileUnsafe({ ...options, file });
  } catch (error) {
    const message = error instanceof Error ? (error.message.split("\n")[0] ?? "") : String(error);
    // The stack is for us, not for users: only with SWITCHYARD_DEBUG=1.
    const stack = process.env.SWITCHYARD_DEBUG === "1" && error instanceof Error && error.stack ? `\n${error.stack}` : "";
    return {
      ok: false,
      environments: [],
      diagnostics: [strip(at(file, "SY0009", `internal compiler error: ${message}${stack}`, { hint: catalogue.SY0009.fix }))],
    };
  }
}

async function compileUnsafe(options: CompileOptions & { file: string }): Promise<CompileResult> {
  const { file } = options;

  // 1. The file exists and is readable.
  try {
    const info = await stat(file);
    if (!info.isFile()) throw new Error("not a file");
    await access(file, constants.R_OK);
  } catch {
    return { ok: false, environments: [], diagnostics: [strip(at(file, "SY0001", `cannot read ${file}: no such file`, { hint: catalogue.SY0001.fix }))] };
  }

  if (!CONFIG_EXTENSION.test(file)) {
    return {
      ok: false,
      environments: [],
      diagnostics: [strip(at(file, "SY0011", `${basename(file)} is not a TypeScript module: a config is a routes.ts`, { hint: catalogue.SY0011.fix }))],
    };
  }

  // 2. Type-check on the type-check thread and evaluate (bundle and run routes.ts) in a worker at
  //    once; this thread validates and runs the policies meanwhile. Locations come from the same AST
  //    as TypeScript's diagnostics, so everything that needs one waits for the type-check.
  const abort = new AbortController();
  const typeChecking = typeCheckInThread(file);
  // A file with syntax errors is not evaluated: it would fail the same way.
  typeChecking.then(
    (result) => result.checked.syntaxErrors && abort.abort(),
    () => abort.abort(),
  );
  const evaluation = evaluateConfig({
    file,
    timeoutMs: options.timeoutMs ?? 5_000,
    signal: abort.signal,
    ...(options.onConsole ? { onConsole: options.onConsole } : {}),
  });
  const analysis = await analyse(options, await evaluation);
  const typeChecked = await typeChecking;
  const locations = locationMap(typeChecked.locations);
  const checked = typeChecked.checked;
  const tsDiagnostics = checked.diagnostics;
  const compilerDiagnostics: LocatedDiagnostic[] = [];
  const notes: string[] = [];
  const warnings: string[] = [];
  const waived: WaivedFinding[] = [];
  const finish = (environments: string[], release?: Release, authored?: Record<string, unknown>): CompileResult => {
    // A value shared through a const (`retry: sharedRetry`) is one mistake, reported once.
    const seen = new Set<string>();
    const folded = foldIntoTypeScript(compilerDiagnostics, tsDiagnostics, locations);
    const unique = folded.separate.filter((d) => {
      const key = `${d.file}\0${d.start}\0${d.end}\0${d.code}\0${d.start < 0 ? d.message : ""}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
    const all = [...folded.typescript, ...unique];
    all.sort((a, b) => (a.file === b.file ? a.line - b.line || a.column - b.column || a.code.localeCompare(b.code) : a.file.localeCompare(b.file)));
    const ok = !all.some((diagnostic) => diagnostic.severity === "error");
    return {
      ok,
      diagnostics: all.map(strip),
      environments,
      ...(release ? { release } : {}),
      ...(release && authored ? { authored } : {}),
      ...(notes.length > 0 ? { notes } : {}),
      ...(warnings.length > 0 ? { warnings } : {}),
      ...(waived.length > 0 ? { waived: waived.map((entry) => ({ ...entry, finding: strip(entry.finding as LocatedDiagnostic) })) } : {}),
    };
  };
  if (checked.syntaxErrors) return finish([]);

  // 3. Evaluation result.
  if (analysis.kind === "failed") {
    compilerDiagnostics.push(...describeFailure(analysis.failure, file, locations));
    return finish([]);
  }
  if (analysis.kind === "not-a-config") {
    compilerDiagnostics.push(
      at(file, "SY0002", `the default export is ${analysis.shape}, not a config object`, { ...fromRange(locations.root), hint: catalogue.SY0002.fix }),
    );
    return finish([]);
  }
  const { environments } = analysis;
  // `--env default` names the view without overrides when no environment is called "default".
  const environment = analysis.kind === "validated" ? analysis.env : options.env;

  const report = (finding: Finding): void => {
    const env = finding.raw || environment === undefined ? undefined : environment;
    const located = locations.locate(finding.path, { ...(env === undefined ? {} : { env }), prefer: finding.prefer ?? "value" });
    const severity = finding.severity ?? catalogue[finding.code].severity;
    compilerDiagnostics.push({
      code: finding.code,
      severity,
      message: finding.message,
      ...fromRange(located.range),
      path: finding.path,
      ...(finding.hint ? { hint: finding.hint } : {}),
    });
  };

  // 4. The environment exists.
  if (analysis.kind === "unknown-env") {
    const declared = environments.length > 0 ? `declared: ${environments.join(", ")}` : "routes.ts declares no environments";
    const guess = suggestName(analysis.env, environments);
    const range = locations.get(["environments"])?.key ?? locations.root;
    compilerDiagnostics.push(
      at(file, "SY0003", `unknown environment "${analysis.env}" (${declared})`, {
        ...fromRange(range),
        hint: guess ? `Did you mean --env ${guess}?` : catalogue.SY0003.fix,
      }),
    );
    return finish(environments);
  }

  // 5–7. DSL shape, semantic checks on the environment's view, lowering and the IR schema.
  for (const finding of analysis.findings) report(finding);
  // 8. Policies run only on a config whose references all resolve: over an invalid one they would
  //    report noise or crash. The summary says how many did not run.
  const policies = analysis.policies;
  const today = (options.now ?? new Date()).toISOString().slice(0, 10);
  const activeWaivers = analysis.waivers.filter((waiver) => waiver.until >= today);
  for (const waiver of analysis.waivers) {
    if (waiver.until >= today) continue;
    report({
      code: "SY0803",
      path: waiverPath(waiver, "until"),
      message: `the waiver of ${waiver.policy} on ${waiver.kind} ${waiver.id} expired on ${waiver.until} ("${waiver.reason}"), so the policy applies again`,
      hint: catalogue.SY0803.fix,
    });
  }
  if (policies.kind === "ready" && tsDiagnostics.some((d) => d.severity === "error")) {
    const note = await policies.skipped();
    if (note) notes.push(note);
  } else if (policies.kind === "ready") {
    const { outcomes, console } = await policies.results();
    for (const line of console) options.onConsole?.(line);
    if (analysis.release?.config.policies.length === 0) {
      warnings.push(
        `no policy packs are selected for environment ${environment ?? DEFAULT_ENV}, so no policies ran; select them with \`policies: ["baseline"]\` (top level) or under environments.<name>.policies (docs/policies.md)`,
      );
    }
    for (const outcome of outcomes) {
      if (outcome.kind === "load") report({ ...outcome.finding, raw: true });
      else if (outcome.kind === "selected") {
        for (const waiver of analysis.waivers) {
          const problem = unknownWaivedPolicy(waiver.policy, outcome.policyIds);
          if (problem !== undefined)
            report({ code: "SY0804", path: waiverPath(waiver, "policy"), message: problem.message, ...(problem.hint ? { hint: problem.hint } : {}) });
        }
      } else {
        const located = locations.locate(outcome.path, { ...(environment === undefined || outcome.raw ? {} : { env: environment }) });
        const diagnostic: LocatedDiagnostic = {
          code: outcome.code,
          severity: outcome.severity,
          message: outcome.message,
          ...fromRange(located.range),
          path: outcome.path,
        };
        const waiver = outcome.raw
          ? undefined
          : activeWaivers.find(
              (w) => w.policy === outcome.code && WAIVABLE_SECTIONS[outcome.path[0] as keyof typeof WAIVABLE_SECTIONS] === w.kind && outcome.path[1] === w.id,
            );
        if (waiver === undefined) compilerDiagnostics.push(diagnostic);
        else waived.push({ finding: diagnostic, reason: waiver.reason, until: waiver.until });
      }
    }
  } else if (policies.note) notes.push(policies.note);
  return finish(environments, analysis.release, analysis.authored);
}

/** The DSL path of a waiver's property (located in the environment's override when it declares the waiver). */
function waiverPath(waiver: DeclaredWaiver, property: "until" | "policy"): (string | number)[] {
  const section = Object.entries(WAIVABLE_SECTIONS).find(([, kind]) => kind === waiver.kind)?.[0] ?? "routes";
  return [section, waiver.id, "waive", waiver.index, property];
}

/**
 * Why a waiver's policy id waives nothing here: its pack is selected but has no such policy. A waiver of
 * a pack this environment does not select is fine (it may be for another environment).
 */
function unknownWaivedPolicy(policy: string, selected: readonly string[]): { message: string; hint?: string } | undefined {
  if (selected.includes(policy)) return undefined;
  const pack = policy.slice(0, policy.lastIndexOf("/"));
  const ofPack = selected.filter((id) => id.slice(0, id.lastIndexOf("/")) === pack);
  if (ofPack.length === 0) return undefined;
  const guess = suggestName(policy, ofPack);
  return {
    message: `the waiver names policy "${policy}", which pack ${pack} does not have; its policies: ${ofPack.join(", ")}`,
    ...(guess ? { hint: `Did you mean "${guess}"?` } : {}),
  };
}

/** What the evaluated value says before any of it is located in the source (see `analyse`). */
type Analysis =
  | { kind: "failed"; failure: EvaluationFailure }
  | { kind: "not-a-config"; shape: string }
  | { kind: "unknown-env"; env: string; environments: string[] }
  | {
      kind: "validated";
      environments: string[];
      /** The environment compiled for: undefined for the view without overrides (`--env default` included). */
      env: string | undefined;
      findings: Finding[];
      /** Waivers declared on the environment's entries. */
      waivers: DeclaredWaiver[];
      release?: Release;
      authored?: Record<string, unknown>;
      policies:
        | { kind: "ready"; results: () => Promise<{ outcomes: PolicyOutcome[]; console: ConsoleLine[] }>; skipped: () => Promise<string | undefined> }
        | { kind: "not-run"; note: string | undefined };
    };

/**
 * Validates the evaluated config, lowers it and runs its policies: everything that needs no source
 * location, so it runs while TypeScript checks. What policies print is held back until their
 * findings are known to count.
 */
async function analyse(options: CompileOptions & { file: string }, evaluated: EvaluationResult): Promise<Analysis> {
  if (!evaluated.ok) return { kind: "failed", failure: evaluated.failure };
  const value = evaluated.value;
  if (!isDict(value)) return { kind: "not-a-config", shape: Array.isArray(value) ? "an array" : value === null ? "null" : `a ${typeof value}` };
  const environments = Object.keys(dict(value.environments));
  // The output calls the view without overrides "default": `--env default` names it (unless routes.ts declares a "default").
  const env = options.env === DEFAULT_ENV && !environments.includes(DEFAULT_ENV) ? undefined : options.env;
  const environment = env ?? DEFAULT_ENV;
  if (env !== undefined && !environments.includes(env)) return { kind: "unknown-env", env, environments };

  const validated = validateConfigValue({ value, ...(env === undefined ? {} : { env }) });
  const findings = validated.findings;
  const waivers = validated.waivers ?? [];
  const selectionsSource =
    isDict(dict(value.environments)[environment]) && "policies" in dict(dict(value.environments)[environment])
      ? ["environments", environment, "policies"]
      : ["policies"];
  const skipped = async (): Promise<string | undefined> => {
    const selections = selectionsSource.length === 1 ? value.policies : dict(dict(value.environments)[environment]).policies;
    return skippedPoliciesNote(Array.isArray(selections) ? selections : []);
  };
  if (!validated.config) return { kind: "validated", environments, env, findings, waivers, policies: { kind: "not-run", note: await skipped() } };
  const config: Config = validated.config;
  const release = createRelease(config);
  const authored = validated.authored;
  if (findings.some((finding) => (finding.severity ?? catalogue[finding.code].severity) === "error")) {
    return { kind: "validated", environments, env, findings, waivers, release, authored, policies: { kind: "not-run", note: await skipped() } };
  }
  const run = (onConsole: ((line: ConsoleLine) => void) | undefined): Promise<PolicyOutcome[]> =>
    runPolicyPacks({
      config,
      environment,
      file: options.file,
      now: options.now ?? new Date(),
      selectionPath: (index) => [...selectionsSource, index],
      ...(options.policyTimeLimitMs === undefined ? {} : { timeLimitMs: options.policyTimeLimitMs }),
      ...(onConsole ? { onConsole } : {}),
    });
  if (!(await onlyBuiltinPacks(config.policies))) {
    // User packs run after the type-check (and only without its errors), as they print.
    return {
      kind: "validated",
      environments,
      env,
      findings,
      waivers,
      release,
      authored,
      policies: { kind: "ready", results: async () => ({ outcomes: await run(options.onConsole), console: [] }), skipped },
    };
  }
  // Built-in packs run now, meanwhile; what they print waits until their findings are known to count.
  const printed: ConsoleLine[] = [];
  const outcomes = await run(options.onConsole ? (line) => void printed.push(line) : undefined);
  return {
    kind: "validated",
    environments,
    env,
    findings,
    waivers,
    release,
    authored,
    policies: { kind: "ready", results: () => Promise.resolve({ outcomes, console: printed }), skipped },
  };
}

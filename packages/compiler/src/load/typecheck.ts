/** @module load/typecheck — type-check routes.ts with ts-morph, keeping TypeScript's own codes. */
import { dirname, join, resolve } from "node:path";
import type { ts as TS } from "ts-morph";
import { Project, ts, type SourceFile } from "./ts-morph.ts";
import type { LocatedDiagnostic } from "../diagnostics/types.ts";
import { sdkEntry } from "./sdk-path.ts";

let sharedProject: Project | undefined;

/** One Project reused across compiles (cold start pays for lib files once). */
export function getProject(): Project {
  if (sharedProject === undefined) {
    const sdk = sdkEntry();
    sharedProject = new Project({
      skipAddingFilesFromTsConfig: true,
      skipFileDependencyResolution: false,
      compilerOptions: {
        target: ts.ScriptTarget.ES2023,
        lib: ["lib.es2023.d.ts"],
        module: ts.ModuleKind.Preserve,
        moduleResolution: ts.ModuleResolutionKind.Bundler,
        allowImportingTsExtensions: true,
        noEmit: true,
        strict: true,
        noUncheckedIndexedAccess: true,
        noImplicitOverride: true,
        noFallthroughCasesInSwitch: true,
        skipLibCheck: true,
        resolveJsonModule: true,
        isolatedModules: true,
        types: [],
        baseUrl: dirname(sdk),
        paths: { "@switchyard/sdk": [sdk] },
      },
    });
    // routes.ts runs on Node, where `console` exists; the lib files (no DOM, no @types/node) do not declare it.
    sharedProject.createSourceFile(join(dirname(sdk), "__switchyard-globals.d.ts"), GLOBALS, { overwrite: true });
  }
  return sharedProject;
}

/**
 * Parses and binds what every check needs (the lib files, the SDK) before a routes.ts arrives, so a
 * thread started early (load/typecheck-thread.ts) does it while the CLI is still loading.
 */
export function warmUp(): void {
  const project = getProject();
  project.addSourceFileAtPath(sdkEntry());
  project.getProgram().compilerObject.getTypeChecker();
}

/** Globals a routes.ts may use while it is evaluated (what it prints goes to stderr). */
const GLOBALS = `declare var console: {
  log(...data: unknown[]): void;
  info(...data: unknown[]): void;
  warn(...data: unknown[]): void;
  error(...data: unknown[]): void;
  debug(...data: unknown[]): void;
  table(data: unknown): void;
  dir(item: unknown): void;
};
`;

/**
 * Loads the user's file into the shared project, dropping the user files of earlier compiles (the
 * SDK and lib files stay parsed) so only this config and what it imports are checked.
 */
export function loadSourceFile(file: string): SourceFile {
  const project = getProject();
  for (const other of project.getSourceFiles()) {
    if (isUserFile(other.getFilePath())) project.removeSourceFile(other);
  }
  const sourceFile = project.addSourceFileAtPath(file);
  project.resolveSourceFileDependencies();
  return sourceFile;
}

/** A user's file: not the SDK, not a lib or a node_modules declaration. */
export function isUserFile(path: string): boolean {
  const sdkDir = dirname(sdkEntry());
  return !path.startsWith(sdkDir) && !path.includes("/node_modules/") && !/\/lib\.[^/]*\.d\.ts$/.test(path);
}

function flatten(message: string | TS.DiagnosticMessageChain): string {
  return ts.flattenDiagnosticMessageText(message, "\n");
}

export interface TypeCheckResult {
  diagnostics: LocatedDiagnostic[];
  /** True when a file has syntax errors (evaluation is then skipped: it would fail the same way). */
  syntaxErrors: boolean;
}

/** Type-checks the user's files reachable from `sourceFile`. */
export function typeCheck(sourceFile: SourceFile): TypeCheckResult {
  const project = getProject();
  const program = project.getProgram().compilerObject;
  const diagnostics: LocatedDiagnostic[] = [];
  let syntaxErrors = false;
  for (const file of program.getSourceFiles()) {
    if (!isUserFile(file.fileName)) continue;
    const syntactic = program.getSyntacticDiagnostics(file);
    if (syntactic.length > 0) syntaxErrors = true;
    const all = syntactic.length > 0 ? syntactic : [...program.getSemanticDiagnostics(file)];
    for (const diagnostic of all) diagnostics.push(toDiagnostic(diagnostic, file));
  }
  void sourceFile;
  return { diagnostics, syntaxErrors };
}

function toDiagnostic(diagnostic: TS.Diagnostic, fallbackFile: TS.SourceFile): LocatedDiagnostic {
  const file = diagnostic.file ?? fallbackFile;
  const start = diagnostic.start ?? 0;
  const end = start + (diagnostic.length ?? 0);
  const from = file.getLineAndCharacterOfPosition(start);
  const to = file.getLineAndCharacterOfPosition(end);
  const severity = diagnostic.category === ts.DiagnosticCategory.Error ? "error" : "warning";
  return {
    code: `TS${diagnostic.code}`,
    severity,
    message: flatten(diagnostic.messageText),
    file: resolve(file.fileName),
    line: from.line + 1,
    column: from.character + 1,
    endLine: to.line + 1,
    endColumn: to.character + 1,
    start,
    end,
  };
}

/**
 * @module load/locations — maps DSL paths (`["routes", "faq", "fallback", 1]`) to source ranges by
 * walking the object literal passed to `defineConfig(...)` in the default export.
 */
import { resolve } from "node:path";
import type { ts as TS } from "ts-morph";
import { ts } from "./ts-morph.ts";
import type { DslPath, SourceRange } from "../diagnostics/types.ts";

/** Where a DSL node was written: the key (for properties), the value, and the whole entry. */
export interface NodeLocation {
  key?: SourceRange;
  value: SourceRange;
  /** The property assignment or array element that holds the node. */
  entry: SourceRange;
  /** The value is a scalar (not an object or array literal). */
  leaf: boolean;
}

export interface LocationMap {
  file: string;
  /** The range of the `defineConfig(...)` call (or the default export), the last resort. */
  root: SourceRange;
  /** Exact lookup. */
  get(path: DslPath): NodeLocation | undefined;
  /**
   * The location of `path`, falling back to the nearest located ancestor. With `env`, the
   * override `["environments", env, ...path]` is preferred.
   */
  locate(path: DslPath, options?: { env?: string; prefer?: "key" | "value" }): { range: SourceRange; path: DslPath; exact: boolean };
  /** The innermost entry (property assignment / array element) that contains an offset. */
  entryAt(offset: number): { range: SourceRange; leaf: boolean } | undefined;
  /** Converts a 1-based line/column of the config file to a range of `length` characters. */
  rangeAt(line: number, column: number, length: number): SourceRange;
}

function keyOf(path: DslPath): string {
  return JSON.stringify(path);
}

function rangeOf(sourceFile: TS.SourceFile, file: string, node: TS.Node): SourceRange {
  const start = node.getStart(sourceFile);
  const end = node.getEnd();
  const from = sourceFile.getLineAndCharacterOfPosition(start);
  const to = sourceFile.getLineAndCharacterOfPosition(end);
  return { file, start, end, line: from.line + 1, column: from.character + 1, endLine: to.line + 1, endColumn: to.character + 1 };
}

function unwrap(node: TS.Expression): TS.Expression {
  let current = node;
  for (;;) {
    if (ts.isParenthesizedExpression(current) || ts.isAsExpression(current) || ts.isSatisfiesExpression(current) || ts.isNonNullExpression(current) || ts.isTypeAssertionExpression(current)) {
      current = current.expression;
    } else return current;
  }
}

function propertyName(name: TS.PropertyName): string | undefined {
  if (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name) || ts.isNoSubstitutionTemplateLiteral(name)) return name.text;
  if (ts.isComputedPropertyName(name)) {
    const expression = unwrap(name.expression);
    if (ts.isStringLiteral(expression) || ts.isNoSubstitutionTemplateLiteral(expression) || ts.isNumericLiteral(expression)) return expression.text;
  }
  return undefined;
}

/** `const name = <initializer>` declarations of a file, by name (the first declaration wins). */
function declarationsOf(sourceFile: TS.SourceFile): Map<string, TS.Expression> {
  const found = new Map<string, TS.Expression>();
  const visit = (node: TS.Node): void => {
    if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.initializer && !found.has(node.name.text)) {
      found.set(node.name.text, node.initializer);
    }
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  return found;
}

function isDefineConfigCall(node: TS.Expression): node is TS.CallExpression {
  if (!ts.isCallExpression(node)) return false;
  const callee = node.expression;
  if (ts.isIdentifier(callee)) return callee.text === "defineConfig";
  if (ts.isPropertyAccessExpression(callee)) return callee.name.text === "defineConfig";
  return false;
}

function findDefineConfigCall(node: TS.Node): TS.CallExpression | undefined {
  let found: TS.CallExpression | undefined;
  const visit = (child: TS.Node): void => {
    if (found) return;
    if (ts.isCallExpression(child) && isDefineConfigCall(child)) {
      found = child;
      return;
    }
    ts.forEachChild(child, visit);
  };
  visit(node);
  return found;
}

/** Builds the location map of a parsed routes.ts. */
export function buildLocationMap(sourceFile: TS.SourceFile): LocationMap {
  const file = resolve(sourceFile.fileName);
  let declarations: Map<string, TS.Expression> | undefined;
  /** Follows an identifier to the initializer of a declaration in the same file (e.g. `routes: sharedRoutes`). */
  const resolveIdentifier = (_sourceFile: TS.SourceFile, identifier: TS.Identifier, depth: number): TS.Expression | undefined => {
    if (depth > 12) return undefined;
    declarations ??= declarationsOf(sourceFile);
    return declarations.get(identifier.text);
  };
  const entries = new Map<string, NodeLocation>();
  const entryRanges: { range: SourceRange; leaf: boolean }[] = [];
  const isLeaf = (node: TS.Expression): boolean => {
    const value = unwrap(node);
    return !ts.isObjectLiteralExpression(value) && !ts.isArrayLiteralExpression(value) && !ts.isIdentifier(value);
  };
  let root: SourceRange = rangeOf(sourceFile, file, sourceFile.statements[0] ?? sourceFile);
  let configObject: TS.Expression | undefined;

  for (const statement of sourceFile.statements) {
    let expression: TS.Expression | undefined;
    if (ts.isExportAssignment(statement) && !statement.isExportEquals) expression = statement.expression;
    if (!expression) continue;
    root = rangeOf(sourceFile, file, statement);
    let current = unwrap(expression);
    if (ts.isIdentifier(current)) current = unwrap(resolveIdentifier(sourceFile, current, 0) ?? current);
    if (!isDefineConfigCall(current) && !ts.isObjectLiteralExpression(current)) {
      // e.g. `export default Promise.resolve(defineConfig({...}))`: use the call inside.
      const inner = findDefineConfigCall(current);
      if (inner) current = inner;
    }
    if (isDefineConfigCall(current)) {
      root = rangeOf(sourceFile, file, current);
      const argument = current.arguments[0];
      if (argument) configObject = argument;
    } else {
      configObject = current;
    }
  }
  // No default export: try any defineConfig call so diagnostics still land near the config.
  if (!configObject) {
    const call = findDefineConfigCall(sourceFile);
    if (call) {
      root = rangeOf(sourceFile, file, call);
      configObject = call.arguments[0];
    }
  }

  const walk = (node: TS.Expression, path: DslPath, depth: number): void => {
    let value = unwrap(node);
    if (ts.isIdentifier(value)) {
      const target = resolveIdentifier(sourceFile, value, depth);
      if (target) value = unwrap(target);
    }
    if (ts.isObjectLiteralExpression(value)) {
      for (const property of value.properties) {
        if (ts.isPropertyAssignment(property)) {
          const name = propertyName(property.name);
          if (name === undefined) continue;
          const childPath = [...path, name];
          const entry = rangeOf(sourceFile, file, property);
          const leaf = isLeaf(property.initializer);
          entries.set(keyOf(childPath), { key: rangeOf(sourceFile, file, property.name), value: rangeOf(sourceFile, file, property.initializer), entry, leaf });
          entryRanges.push({ range: entry, leaf });
          walk(property.initializer, childPath, depth + 1);
        } else if (ts.isShorthandPropertyAssignment(property)) {
          const childPath = [...path, property.name.text];
          const entry = rangeOf(sourceFile, file, property);
          entries.set(keyOf(childPath), { key: entry, value: entry, entry, leaf: false });
          entryRanges.push({ range: entry, leaf: false });
          walk(property.name, childPath, depth + 1);
        } else if (ts.isMethodDeclaration(property) || ts.isGetAccessorDeclaration(property)) {
          const name = propertyName(property.name);
          if (name === undefined) continue;
          const entry = rangeOf(sourceFile, file, property);
          entries.set(keyOf([...path, name]), { key: rangeOf(sourceFile, file, property.name), value: entry, entry, leaf: true });
          entryRanges.push({ range: entry, leaf: true });
        }
      }
    } else if (ts.isArrayLiteralExpression(value)) {
      value.elements.forEach((element, index) => {
        if (ts.isSpreadElement(element) || ts.isOmittedExpression(element)) return;
        const childPath = [...path, index];
        const entry = rangeOf(sourceFile, file, element);
        const leaf = isLeaf(element);
        entries.set(keyOf(childPath), { value: entry, entry, leaf });
        entryRanges.push({ range: entry, leaf });
        walk(element, childPath, depth + 1);
      });
    }
  };
  if (configObject) {
    const rootRange = rangeOf(sourceFile, file, configObject);
    entries.set(keyOf([]), { value: rootRange, entry: rootRange, leaf: false });
    walk(configObject, [], 0);
  }

  const get = (path: DslPath): NodeLocation | undefined => entries.get(keyOf(path));
  // A whole entry (an object or array literal) is shown by its name, like tsc does; scalars by value.
  const pick = (location: NodeLocation, prefer: "key" | "value"): SourceRange =>
    prefer === "key" || !location.leaf ? location.key ?? location.value : location.value;

  return {
    file,
    root,
    get,
    locate(path, options = {}) {
      const prefer = options.prefer ?? "value";
      const candidates: DslPath[] = options.env !== undefined ? [["environments", options.env, ...path], path] : [path];
      // Exact match first (override before base), then the nearest ancestor of either.
      for (const candidate of candidates) {
        const exact = get(candidate);
        if (exact) return { range: pick(exact, prefer), path: candidate, exact: true };
      }
      let best: { range: SourceRange; path: DslPath; length: number } | undefined;
      for (const candidate of candidates) {
        const base = candidate.length - path.length; // length of the environments prefix
        for (let length = candidate.length - 1; length >= base; length--) {
          const ancestor = candidate.slice(0, length);
          const found = get(ancestor);
          if (found) {
            const depth = length - base;
            if (!best || depth > best.length) best = { range: pick(found, "key"), path: ancestor, length: depth };
            break;
          }
        }
      }
      if (best && best.length > 0) return { range: best.range, path: best.path, exact: false };
      return { range: root, path: [], exact: false };
    },
    entryAt(offset) {
      let innermost: { range: SourceRange; leaf: boolean } | undefined;
      for (const candidate of entryRanges) {
        const { range } = candidate;
        if (range.start <= offset && offset < range.end && (!innermost || range.end - range.start < innermost.range.end - innermost.range.start)) innermost = candidate;
      }
      return innermost;
    },
    rangeAt(line, column, length) {
      const lineCount = sourceFile.getLineStarts().length;
      const safeLine = Math.min(Math.max(line, 1), lineCount) - 1;
      const lineStart = sourceFile.getLineStarts()[safeLine] ?? 0;
      const lineEnd = safeLine + 1 < lineCount ? (sourceFile.getLineStarts()[safeLine + 1] ?? sourceFile.text.length) - 1 : sourceFile.text.length;
      const start = Math.min(lineStart + Math.max(column - 1, 0), lineEnd);
      const end = Math.min(start + Math.max(length, 1), Math.max(lineEnd, start + 1));
      const from = sourceFile.getLineAndCharacterOfPosition(start);
      const to = sourceFile.getLineAndCharacterOfPosition(end);
      return { file, start, end, line: from.line + 1, column: from.character + 1, endLine: to.line + 1, endColumn: to.character + 1 };
    },
  };
}

/**
 * @module load/locations — maps DSL paths (`["routes", "faq", "fallback", 1]`) to source ranges by
 * walking the object literal passed to `defineConfig(...)` in the default export. Collects offsets
 * only (load/location-map.ts turns them into lines and columns when a diagnostic needs them).
 */
import { resolve } from "node:path";
import type { ts as TS } from "ts-morph";
import { ts } from "./ts-morph.ts";
import type { DslPath } from "../diagnostics/types.ts";
import { locationMap, pathKey, type LocationData, type LocationMap } from "./location-map.ts";

export type { LocationMap, NodeLocation } from "./location-map.ts";

type Span = [number, number];

function rangeOf(sourceFile: TS.SourceFile, node: TS.Node): Span {
  return [node.getStart(sourceFile), node.getEnd()];
}

function unwrap(node: TS.Expression): TS.Expression {
  let current = node;
  for (;;) {
    if (
      ts.isParenthesizedExpression(current) ||
      ts.isAsExpression(current) ||
      ts.isSatisfiesExpression(current) ||
      ts.isNonNullExpression(current) ||
      ts.isTypeAssertionExpression(current)
    ) {
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
  return locationMap(collectLocations(sourceFile));
}

/** The location data of a parsed routes.ts (plain data: it crosses from the type-check thread). */
export function collectLocations(sourceFile: TS.SourceFile): LocationData {
  const file = resolve(sourceFile.fileName);
  let declarations: Map<string, TS.Expression> | undefined;
  /** Follows an identifier to the initializer of a declaration in the same file (e.g. `routes: sharedRoutes`). */
  const resolveIdentifier = (_sourceFile: TS.SourceFile, identifier: TS.Identifier, depth: number): TS.Expression | undefined => {
    if (depth > 12) return undefined;
    declarations ??= declarationsOf(sourceFile);
    return declarations.get(identifier.text);
  };
  const keys: string[] = [];
  const spans: number[] = [];
  const add = (path: DslPath, key: Span | undefined, value: Span, entry: Span, leaf: boolean, listed: boolean): void => {
    keys.push(pathKey(path));
    spans.push(key?.[0] ?? -1, key?.[1] ?? -1, value[0], value[1], entry[0], entry[1], leaf ? 1 : 0, listed ? 1 : 0);
  };
  const isLeaf = (node: TS.Expression): boolean => {
    const value = unwrap(node);
    return !ts.isObjectLiteralExpression(value) && !ts.isArrayLiteralExpression(value) && !ts.isIdentifier(value);
  };
  let root: Span = rangeOf(sourceFile, sourceFile.statements[0] ?? sourceFile);
  let configObject: TS.Expression | undefined;

  for (const statement of sourceFile.statements) {
    let expression: TS.Expression | undefined;
    if (ts.isExportAssignment(statement) && !statement.isExportEquals) expression = statement.expression;
    if (!expression) continue;
    root = rangeOf(sourceFile, statement);
    let current = unwrap(expression);
    if (ts.isIdentifier(current)) current = unwrap(resolveIdentifier(sourceFile, current, 0) ?? current);
    if (!isDefineConfigCall(current) && !ts.isObjectLiteralExpression(current)) {
      // e.g. `export default Promise.resolve(defineConfig({...}))`: use the call inside.
      const inner = findDefineConfigCall(current);
      if (inner) current = inner;
    }
    if (isDefineConfigCall(current)) {
      root = rangeOf(sourceFile, current);
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
      root = rangeOf(sourceFile, call);
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
          const entry = rangeOf(sourceFile, property);
          const leaf = isLeaf(property.initializer);
          add(childPath, rangeOf(sourceFile, property.name), rangeOf(sourceFile, property.initializer), entry, leaf, true);
          walk(property.initializer, childPath, depth + 1);
        } else if (ts.isShorthandPropertyAssignment(property)) {
          const childPath = [...path, property.name.text];
          const entry = rangeOf(sourceFile, property);
          add(childPath, entry, entry, entry, false, true);
          walk(property.name, childPath, depth + 1);
        } else if (ts.isMethodDeclaration(property) || ts.isGetAccessorDeclaration(property)) {
          const name = propertyName(property.name);
          if (name === undefined) continue;
          const entry = rangeOf(sourceFile, property);
          add([...path, name], rangeOf(sourceFile, property.name), entry, entry, true, true);
        }
      }
    } else if (ts.isArrayLiteralExpression(value)) {
      value.elements.forEach((element, index) => {
        if (ts.isSpreadElement(element) || ts.isOmittedExpression(element)) return;
        const childPath = [...path, index];
        const entry = rangeOf(sourceFile, element);
        const leaf = isLeaf(element);
        add(childPath, undefined, entry, entry, leaf, true);
        walk(element, childPath, depth + 1);
      });
    }
  };
  if (configObject) {
    const rootRange = rangeOf(sourceFile, configObject);
    add([], undefined, rootRange, rootRange, false, false);
    walk(configObject, [], 0);
  }
  const lineStarts = [...sourceFile.getLineStarts()];
  return { file, root, lineStarts, textLength: sourceFile.text.length, keys, spans: Int32Array.from(spans) };
}

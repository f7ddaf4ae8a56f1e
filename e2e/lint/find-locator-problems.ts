/**
 * A lint for the e2e journeys, run by `pnpm --filter @evidence-locker/e2e test` before Playwright
 * (lint/find-locator-problems.test.ts). It parses each spec and support file with the TypeScript
 * compiler and reports the patterns that made journeys pass or fail by timing instead of by what
 * the page shows:
 * - a lookup by text (`getByRole(…, { name })`, `getByText`, `getByLabel`, `getByPlaceholder`,
 *   `getByAltText`, `getByTitle`) given a string without `exact: true`: Playwright then matches any
 *   element whose name merely contains the string, ignoring case, so the heading "Dashboard" is
 *   also found in the start page's "Explore a populated dashboard". A regular expression is
 *   accepted: it says itself how much it matches.
 * - a `timeout` option on a single call: how long seeding, a backup or a restore takes depends on
 *   the machine, so every wait uses the limits in playwright.config.ts.
 * - `waitForTimeout`: a fixed pause is either too short on a busy machine or wasted on an idle one;
 *   wait for what the user would see instead.
 */
import ts from 'typescript';

/** One finding, with its 1-based line and column. */
export interface LocatorProblem {
  file: string;
  line: number;
  column: number;
  message: string;
}

/** Lookups whose first argument is the text they match. */
const TEXT_LOOKUPS = new Set(['getByText', 'getByLabel', 'getByPlaceholder', 'getByAltText', 'getByTitle']);

function propertyOf(object: ts.ObjectLiteralExpression, name: string): ts.PropertyAssignment | ts.ShorthandPropertyAssignment | undefined {
  for (const property of object.properties) {
    if ((ts.isPropertyAssignment(property) || ts.isShorthandPropertyAssignment(property)) && property.name.getText() === name)
      return property;
  }
  return undefined;
}

function isExact(options: ts.Expression | undefined): boolean {
  if (!options || !ts.isObjectLiteralExpression(options)) return false;
  const exact = propertyOf(options, 'exact');
  return exact !== undefined && ts.isPropertyAssignment(exact) && exact.initializer.kind === ts.SyntaxKind.TrueKeyword;
}

function isRegExp(text: ts.Expression): boolean {
  return ts.isRegularExpressionLiteral(text) || (ts.isNewExpression(text) && text.expression.getText() === 'RegExp');
}

/**
 * The problems in one file's source (`file` names it in the results). An empty list means the
 * file follows the rules above.
 */
export function findLocatorProblems(source: string, file: string): LocatorProblem[] {
  const sourceFile = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const problems: LocatorProblem[] = [];
  const report = (node: ts.Node, message: string) => {
    const { line, character } = sourceFile.getLineAndCharacterOfPosition(node.getStart(sourceFile));
    problems.push({ file, line: line + 1, column: character + 1, message });
  };

  const visit = (node: ts.Node): void => {
    if (ts.isIdentifier(node) && node.text === 'waitForTimeout') {
      report(node, 'waitForTimeout: wait for what the page shows instead of a fixed pause');
    }
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
      const method = node.expression.name.text;
      const [first, second] = node.arguments;
      if (method === 'getByRole' && second) {
        const name = ts.isObjectLiteralExpression(second) ? propertyOf(second, 'name') : undefined;
        // `{ name }` shorthand names a variable: it is checked like any other non-pattern name.
        const value = name && (ts.isPropertyAssignment(name) ? name.initializer : name.name);
        if (!ts.isObjectLiteralExpression(second)) {
          report(node.expression.name, 'getByRole options must be an object literal, so the lint can see `exact: true`');
        } else if (value && !isRegExp(value) && !isExact(second)) {
          report(
            node.expression.name,
            `getByRole(…, { name: ${value.getText()} }) without exact: true also matches longer names that contain it`,
          );
        }
      }
      if (TEXT_LOOKUPS.has(method) && first && !isRegExp(first) && !isExact(second)) {
        report(node.expression.name, `${method}(${first.getText()}) without exact: true also matches longer texts that contain it`);
      }
      for (const argument of node.arguments) {
        if (!ts.isObjectLiteralExpression(argument)) continue;
        const timeout = propertyOf(argument, 'timeout');
        if (timeout) report(timeout, 'a per-call timeout: rely on the timeouts in playwright.config.ts, sized for a busy machine');
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  return problems.sort((a, b) => a.line - b.line || a.column - b.column);
}

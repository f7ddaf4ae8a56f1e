import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { findLocatorProblems } from './find-locator-problems.ts';

const E2E = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The messages found in a snippet. */
function problemsIn(source: string): string[] {
  return findLocatorProblems(source, 'snippet.ts').map((problem) => problem.message);
}

describe('findLocatorProblems', () => {
  it('flags a role name that would also match a longer one, as the Dashboard heading matched the start page', () => {
    const problems = findLocatorProblems(
      "test('x', async ({ page }) => {\n  await expect(page.getByRole('heading', { name: 'Dashboard' })).toBeVisible();\n});\n",
      'specs/02.spec.ts',
    );
    expect(problems).toEqual([
      expect.objectContaining({ file: 'specs/02.spec.ts', line: 2, column: 21, message: expect.stringContaining("name: 'Dashboard'") }),
    ]);
  });

  it('accepts a role name with exact: true, a regular expression, or no name at all', () => {
    expect(problemsIn("page.getByRole('heading', { name: 'Dashboard', exact: true });")).toEqual([]);
    expect(problemsIn("rows.getByRole('row', { name: /snapshots 5$/ });")).toEqual([]);
    expect(problemsIn("page.getByRole('row', { name: new RegExp(`^${table} `) });")).toEqual([]);
    expect(problemsIn("crumbs.getByRole('button');")).toEqual([]);
  });

  it('flags exact: false, a computed exact, template and variable names, and options it cannot read', () => {
    expect(problemsIn("page.getByRole('button', { name: 'Next', exact: false });")).toHaveLength(1);
    expect(problemsIn("page.getByRole('button', { name: 'Next', exact: strict });")).toHaveLength(1);
    expect(problemsIn("row.getByRole('button', { name: `Verify ${fileName}` });")).toHaveLength(1);
    expect(problemsIn("const name = 'Log in'; page.getByRole('heading', { name });")).toHaveLength(1);
    expect(problemsIn("page.getByRole('heading', options);")).toEqual([expect.stringContaining('object literal')]);
  });

  it('flags text, label, placeholder, alt text and title lookups by a string without exact: true', () => {
    for (const method of ['getByText', 'getByLabel', 'getByPlaceholder', 'getByAltText', 'getByTitle']) {
      expect(problemsIn(`page.${method}('Settings saved');`), method).toEqual([expect.stringContaining(`${method}('Settings saved')`)]);
      expect(problemsIn(`page.${method}('Settings saved', { exact: true });`), method).toEqual([]);
      expect(problemsIn(`page.${method}(/^Settings saved$/);`), method).toEqual([]);
    }
  });

  it('flags waitForTimeout however it is reached', () => {
    expect(problemsIn('await page.waitForTimeout(150);')).toEqual([expect.stringContaining('waitForTimeout')]);
    expect(problemsIn('const { waitForTimeout } = page; await waitForTimeout(150);')).toHaveLength(2);
  });

  it('flags a timeout given to a single assertion or action', () => {
    expect(problemsIn("await expect(page.getByTestId('demo-banner')).toBeVisible({ timeout: 60_000 });")).toEqual([
      expect.stringContaining('per-call timeout'),
    ]);
    expect(problemsIn("await page.getByTestId('backup-now').click({ timeout: 5000 });")).toHaveLength(1);
  });

  it('finds every problem in a multi-line call and reports each at its own line', () => {
    const source = [
      'await expect(',
      '  page',
      "    .getByRole('heading', {",
      "      name: 'Settings',",
      '    }),',
      ').toBeVisible({ timeout: 15_000 });',
      "await page.getByText('Saved').click();",
    ].join('\n');
    expect(findLocatorProblems(source, 'x.ts').map((problem) => problem.line)).toEqual([3, 6, 7]);
  });
});

describe('the e2e journeys and their support code', () => {
  const files = ['specs', 'support'].flatMap((folder) =>
    fs
      .readdirSync(path.join(E2E, folder))
      .filter((name) => name.endsWith('.ts'))
      .map((name) => path.join(folder, name)),
  );

  it('include the journeys this lint is meant for', () => {
    expect(files).toContain(path.join('specs', '02-restore-demo-backup.spec.ts'));
    expect(files).toContain(path.join('support', 'setup-flow.ts'));
  });

  it.each(files)('%s: every lookup by text is exact, no per-call timeouts, no fixed pauses', (file) => {
    const problems = findLocatorProblems(fs.readFileSync(path.join(E2E, file), 'utf8'), file);
    expect(problems.map((problem) => `${problem.file}:${problem.line}:${problem.column} ${problem.message}`)).toEqual([]);
  });
});

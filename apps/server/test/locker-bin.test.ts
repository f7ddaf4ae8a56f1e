/**
 * bin/locker, the command `pnpm locker` runs: the built bundle, built on the first run and rebuilt
 * when a source changes. Exercised on a copy of the server package (its sources, scripts and
 * launcher; node_modules and core linked), so the real sources and dist/ are not touched.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const server = fileURLToPath(new URL('..', import.meta.url));
const repo = path.resolve(server, '../..');
let copy: string;
let launcher: string;

beforeAll(() => {
  copy = fs.mkdtempSync(path.join(os.tmpdir(), 'el-locker-bin-'));
  const copiedServer = path.join(copy, 'apps/server');
  for (const entry of ['bin', 'scripts', 'src', 'package.json', 'tsconfig.json']) {
    fs.cpSync(path.join(server, entry), path.join(copiedServer, entry), { recursive: true });
  }
  fs.symlinkSync(path.join(server, 'node_modules'), path.join(copiedServer, 'node_modules'));
  fs.mkdirSync(path.join(copy, 'packages'));
  fs.symlinkSync(path.join(repo, 'packages/core'), path.join(copy, 'packages/core'));
  for (const entry of ['tsconfig.base.json', 'pnpm-lock.yaml']) fs.copyFileSync(path.join(repo, entry), path.join(copy, entry));
  launcher = path.join(copiedServer, 'bin/locker');
});
afterAll(() => fs.rmSync(copy, { recursive: true, force: true }));

function run(...args: string[]) {
  const result = spawnSync(launcher, args, { encoding: 'utf8', cwd: copy });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const built = (stderr: string) => stderr.includes('locker: building');

describe('pnpm locker (bin/locker)', () => {
  it('builds the bundle on the first run, then runs it without building again', () => {
    const first = run('help');
    expect(first.code, first.stderr).toBe(0);
    expect(built(first.stderr)).toBe(true);
    expect(first.stdout).toContain('Usage: pnpm locker <command>');
    expect(fs.existsSync(path.join(copy, 'apps/server/dist/locker.js'))).toBe(true);

    const second = run('inspect', '--data-dir', path.join(copy, 'no-such-dir'), '--json');
    expect(second.code, second.stderr).toBe(0);
    expect(built(second.stderr)).toBe(false);
    // stdout stays one JSON document.
    expect(JSON.parse(second.stdout)).toMatchObject({ ok: true, exists: false });
  }, 180_000);

  it('rebuilds a stale bundle when a source changes, and not for a test file', () => {
    const commands = path.join(copy, 'apps/server/src/cli/commands/index.ts');
    fs.writeFileSync(
      commands,
      fs.readFileSync(commands, 'utf8').replace('Usage: pnpm locker <command>', 'Usage: pnpm locker-copy <command>'),
    );
    const changed = run('help');
    expect(changed.code, changed.stderr).toBe(0);
    expect(built(changed.stderr)).toBe(true);
    expect(changed.stdout).toContain('Usage: pnpm locker-copy <command>');

    fs.appendFileSync(path.join(copy, 'apps/server/src/cli/cli.test.ts'), '\n');
    const afterTest = run('help');
    expect(built(afterTest.stderr)).toBe(false);
    expect(afterTest.stdout).toContain('Usage: pnpm locker-copy <command>');
  }, 180_000);

  it('stops with the build error, not a stale bundle, when a source does not compile', () => {
    const main = path.join(copy, 'apps/server/src/cli/main.ts');
    const source = fs.readFileSync(main, 'utf8');
    fs.writeFileSync(main, `${source}\nexport const broken = ;\n`);
    const failed = run('help');
    expect(failed.code).not.toBe(0);
    expect(failed.stderr).toContain('main.ts');
    expect(failed.stdout).toBe('');
    fs.writeFileSync(main, source);
    expect(run('help').code).toBe(0);
  }, 180_000);
});

import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sweepWorkFiles } from './sweep-work-files.ts';

let base: string;
let dir: string;
beforeEach(() => {
  base = mkdtempSync(join(tmpdir(), 'el-sweep-'));
  dir = join(base, 'data');
  mkdirSync(dir);
});
afterEach(() => {
  rmSync(base, { recursive: true, force: true });
});

const USER_FILES = [
  'docsis_history.db',
  'docsis_history.db-wal',
  'docsis_history.db-shm',
  'connection_monitor.db',
  'config.json',
  '.config_key',
  '.session_key',
  '.auth_state',
  'docsight_backup_2026-11-26_070713.tar.gz',
  '.docsight-restore-notes.txt',
  '.docsight_backup_notes.tmp',
  'evidence-locker-notes.txt',
  '.pre_utc_migration',
];

function touch(name: string): void {
  writeFileSync(join(dir, name), 'x');
}

describe('sweepWorkFiles', () => {
  it('removes only work files and leaves every user file', async () => {
    for (const name of USER_FILES) touch(name);
    mkdirSync(join(dir, 'modules'));
    mkdirSync(join(dir, 'bnetz'));
    const leftovers = [
      '.evidence-locker-backup-1a2b.tar.gz.tmp',
      '.docsight-restore-docsis_history.db.x1y2.tmp',
      '.docsight-restore-docsis_history.db.x1y2.tmp-wal',
      '.docsight-restore-docsis_history.db.x1y2.tmp-shm',
      '.docsight-restore-config.json.k3j4.tmp',
      '.docsight_backup_2026-11-26_070200.tar.gz.02x7awai.tmp',
    ];
    for (const name of leftovers) touch(name);
    for (const name of ['.evidence-locker-work-abc', '.docsight-backup-work-q1', '.docsight-backup-download-z9']) {
      mkdirSync(join(dir, name, 'nested'), { recursive: true });
      writeFileSync(join(dir, name, 'nested', 'docsis_history.db'), 'vacuum copy');
    }
    const result = await sweepWorkFiles(dir);
    expect(result.failed).toEqual([]);
    expect(result.removed).toEqual(
      [...leftovers, '.evidence-locker-work-abc', '.docsight-backup-work-q1', '.docsight-backup-download-z9'].sort(),
    );
    expect(readdirSync(dir).sort()).toEqual([...USER_FILES, 'bnetz', 'modules'].sort());
  });

  it('keeps the restore intent and its staged files while the intent exists', async () => {
    touch('.evidence-locker-restore-intent.json');
    touch('.evidence-locker-restore-docsis_history.db.ab12');
    mkdirSync(join(dir, '.evidence-locker-restore-previous'));
    touch('.evidence-locker-backup-1.tmp');
    const result = await sweepWorkFiles(dir);
    expect(result.removed).toEqual(['.evidence-locker-backup-1.tmp']);
    expect(readdirSync(dir).sort()).toEqual([
      '.evidence-locker-restore-docsis_history.db.ab12',
      '.evidence-locker-restore-intent.json',
      '.evidence-locker-restore-previous',
    ]);
  });

  it('removes stale restore staging files when no intent exists', async () => {
    touch('.evidence-locker-restore-docsis_history.db.ab12');
    expect((await sweepWorkFiles(dir)).removed).toEqual(['.evidence-locker-restore-docsis_history.db.ab12']);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('never removes or follows a symlink, even one named like a work file', async () => {
    const precious = join(base, 'precious');
    mkdirSync(precious);
    writeFileSync(join(precious, 'docsis_history.db'), 'live data');
    symlinkSync(precious, join(dir, '.evidence-locker-work-link'));
    symlinkSync(precious, join(dir, '.docsight-backup-work-link'));
    symlinkSync(join(precious, 'docsis_history.db'), join(dir, '.docsight-restore-docsis_history.db.x.tmp'));
    expect((await sweepWorkFiles(dir)).removed).toEqual([]);
    expect(lstatSync(join(dir, '.evidence-locker-work-link')).isSymbolicLink()).toBe(true);
    expect(existsSync(join(precious, 'docsis_history.db'))).toBe(true);
  });

  it('removes a work directory without following a symlink inside it', async () => {
    const precious = join(base, 'precious');
    mkdirSync(precious);
    writeFileSync(join(precious, 'config.json'), '{}');
    mkdirSync(join(dir, '.evidence-locker-work-1'));
    symlinkSync(precious, join(dir, '.evidence-locker-work-1', 'link'));
    expect((await sweepWorkFiles(dir)).removed).toEqual(['.evidence-locker-work-1']);
    expect(existsSync(join(precious, 'config.json'))).toBe(true);
  });

  it('leaves a DOCSight work name of the wrong kind alone (a file named like a work dir, a dir named like a temp file)', async () => {
    touch('.docsight-backup-work-file');
    mkdirSync(join(dir, '.docsight-restore-config.json.a.tmp'));
    expect((await sweepWorkFiles(dir)).removed).toEqual([]);
    expect(readdirSync(dir).sort()).toEqual(['.docsight-backup-work-file', '.docsight-restore-config.json.a.tmp']);
  });

  it('sweeps nothing in a directory that does not exist', async () => {
    expect(await sweepWorkFiles(join(base, 'missing'))).toEqual({ removed: [], failed: [] });
  });

  it('throws DATA_DIR_UNUSABLE when the path is not a directory', async () => {
    touch('config.json');
    await expect(sweepWorkFiles(join(dir, 'config.json'))).rejects.toMatchObject({ code: 'DATA_DIR_UNUSABLE' });
  });
});

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { decryptSecret, fernetEncrypt, generateFernetKey, parseFernetKey, toPythonJson } from '@evidence-locker/core';
import { openInstance, type Instance } from './instance.ts';

let root: string | undefined;
let instance: Instance | undefined;
afterEach(async () => {
  await instance?.close();
  if (root) fs.rmSync(root, { recursive: true, force: true });
  root = undefined;
  instance = undefined;
});

function tempRoot(): string {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'el-instance-'));
  return root;
}

describe('openInstance', () => {
  it('creates the data directory, both databases and the key files DOCSight expects', async () => {
    const dataDir = path.join(tempRoot(), 'data');
    instance = await openInstance({ dataDir, backupDir: path.join(root!, 'backups'), browseRoots: [root!] });
    expect(fs.existsSync(path.join(dataDir, 'docsis_history.db'))).toBe(true);
    expect(fs.existsSync(path.join(dataDir, 'connection_monitor.db'))).toBe(true);
    expect(fs.readFileSync(path.join(dataDir, '.session_key'))).toHaveLength(32);
    expect(fs.readFileSync(path.join(dataDir, '.auth_state'), 'latin1')).toMatch(/^[0-9a-f]{64}$/);
    expect(instance.snapshot).toMatchObject({ configured: false, demoMode: false, adminPasswordRepr: '' });
    expect(instance.historyDb.prepare('SELECT count(*) AS n FROM snapshots').get()).toEqual({ n: 0 });
  });

  it('removes work files a crash left in the data and backup directories, and nothing else', async () => {
    const dataDir = path.join(tempRoot(), 'data');
    const backupDir = path.join(root!, 'backups');
    fs.mkdirSync(dataDir);
    fs.mkdirSync(backupDir);
    fs.writeFileSync(path.join(dataDir, '.evidence-locker-docsis_history.db.0123.tmp'), 'x');
    fs.mkdirSync(path.join(dataDir, '.docsight-backup-work-abc'));
    fs.writeFileSync(path.join(backupDir, '.evidence-locker-archive.tmp'), 'x');
    fs.writeFileSync(path.join(backupDir, 'docsight_backup_20260101_060000.tar.gz'), 'x');
    instance = await openInstance({ dataDir, backupDir, browseRoots: [root!] });
    expect(fs.readdirSync(dataDir).filter((name) => name.startsWith('.evidence-locker') || name.startsWith('.docsight'))).toEqual([]);
    expect(fs.readdirSync(backupDir)).toEqual(['docsight_backup_20260101_060000.tar.gz']);
  });

  it("leaves another live process's work files and restore intent alone, and cleans up once its lease is gone", async () => {
    const dataDir = path.join(tempRoot(), 'data');
    const backupDir = path.join(root!, 'backups');
    fs.mkdirSync(dataDir);
    fs.mkdirSync(backupDir);
    fs.writeFileSync(path.join(dataDir, 'config.json'), toPythonJson({ modem_type: 'live' }));
    // A CLI restore on another host of a shared volume, between its intent and its first rename.
    const staged = '.evidence-locker-restore-1234-config.json';
    fs.writeFileSync(path.join(dataDir, staged), toPythonJson({ modem_type: 'restored' }));
    const intent = { version: 1, renames: [{ from: staged, to: 'config.json' }], removals: [] };
    fs.writeFileSync(path.join(dataDir, '.evidence-locker-restore-intent.json'), JSON.stringify(intent));
    fs.writeFileSync(path.join(backupDir, '.evidence-locker-archive.tmp'), 'x');
    const lease = '.evidence-locker.lease.other-host.4321.1';
    for (const dir of [dataDir, backupDir]) fs.writeFileSync(path.join(dir, lease), '');

    instance = await openInstance({ dataDir, backupDir, browseRoots: [root!] });
    expect(instance.snapshot.config['modem_type']).toBe('live');
    expect(fs.readdirSync(dataDir)).toEqual(expect.arrayContaining([staged, '.evidence-locker-restore-intent.json', lease]));
    expect(fs.readdirSync(backupDir).sort()).toEqual([lease, '.evidence-locker-archive.tmp'].sort());
    await instance.close();

    // That process ended without a trace but its lease: the next start finishes and cleans up.
    for (const dir of [dataDir, backupDir]) fs.rmSync(path.join(dir, lease));
    instance = await openInstance({ dataDir, backupDir, browseRoots: [root!] });
    expect(instance.snapshot.config['modem_type']).toBe('restored');
    expect(fs.readdirSync(dataDir).filter((name) => name.startsWith('.evidence-locker'))).toEqual([]);
    expect(fs.readdirSync(backupDir)).toEqual([]);
  });

  it('lets DEMO_MODE override config.json both ways', async () => {
    const dataDir = path.join(tempRoot(), 'data');
    fs.mkdirSync(dataDir);
    fs.writeFileSync(path.join(dataDir, 'config.json'), toPythonJson({ demo_mode: true }));
    instance = await openInstance({ dataDir, backupDir: root!, browseRoots: [root!], demoModeOverride: false });
    expect(instance.snapshot).toMatchObject({ demoMode: false, configured: false });
    await instance.close();
    instance = await openInstance({ dataDir: path.join(root!, 'other'), backupDir: root!, browseRoots: [root!], demoModeOverride: true });
    expect(instance.snapshot).toMatchObject({ demoMode: true, configured: true });
  });

  it('decrypts secrets with a restored .config_key right after reload (DOCSight needs a restart)', async () => {
    const dataDir = path.join(tempRoot(), 'data');
    instance = await openInstance({ dataDir, backupDir: root!, browseRoots: [root!] });
    await instance.updateConfig({ modem_type: 'fritzbox', modem_password: 'old instance secret' });
    // What a restore does: both files replaced by another instance's.
    const restoredKey = generateFernetKey();
    fs.writeFileSync(path.join(dataDir, '.config_key'), restoredKey);
    fs.writeFileSync(
      path.join(dataDir, 'config.json'),
      toPythonJson({ modem_type: 'tc4400', modem_password: fernetEncrypt(parseFernetKey(restoredKey), 'restored secret') }),
    );
    const snapshot = await instance.reload();
    expect(snapshot.config['modem_type']).toBe('tc4400');
    expect(decryptSecret(snapshot.configKey, snapshot.config['modem_password'])).toBe('restored secret');
  });

  it('reads the databases for the dashboard in a worker it keeps between calls', async () => {
    const dataDir = path.join(tempRoot(), 'data');
    instance = await openInstance({ dataDir, backupDir: root!, browseRoots: [root!] });
    const first = await instance.readDashboardCounts();
    expect(first.history.tables).toMatchObject({ snapshots: 0 });
    const started = performance.now();
    await instance.readDashboardCounts();
    // Far below the ~1 s a fresh tsx worker needs to start.
    expect(performance.now() - started).toBeLessThan(300);
  });

  it('counts again only when a database changed', async () => {
    const dataDir = path.join(tempRoot(), 'data');
    instance = await openInstance({ dataDir, backupDir: root!, browseRoots: [root!] });
    const first = await instance.readDashboardCounts();
    // Unchanged files: the finished count is given again, to every caller.
    const again = await Promise.all([1, 2, 3].map(() => instance!.readDashboardCounts()));
    expect(again.every((counts) => counts === first)).toBe(true);

    instance.historyDb
      .prepare(
        "INSERT INTO snapshots (timestamp, summary_json, ds_channels_json, us_channels_json) VALUES ('2026-11-26T10:00:00Z', '{}', '[]', '[]')",
      )
      .run();
    const afterWrite = await instance.readDashboardCounts();
    expect(afterWrite).not.toBe(first);
    expect(afterWrite.history.tables).toMatchObject({ snapshots: 1 });
    expect(afterWrite.history.lastSnapshot).toBe('2026-11-26T10:00:00Z');
  });
});

describe('the backup path of config.json', () => {
  /** Opens an instance whose config.json holds the backup path `backupPath(root)`. */
  async function openWith(backupPath: (root: string) => string) {
    const dir = tempRoot();
    const dataDir = path.join(dir, 'data');
    const backupDir = path.join(dir, 'backups');
    const value = backupPath(dir);
    fs.mkdirSync(dataDir);
    fs.writeFileSync(path.join(dataDir, 'config.json'), toPythonJson({ modem_type: 'fritzbox', backup_path: value }));
    const warnings: Array<Record<string, unknown>> = [];
    const log = { info: () => undefined, warn: (fields: object) => warnings.push(fields as Record<string, unknown>) };
    instance = await openInstance({ dataDir, backupDir, browseRoots: [dir], log });
    return { value, backupDir, warnings };
  }

  it.each([
    ['outside BROWSE_ROOTS', () => '/etc', 'PATH_NOT_ALLOWED'],
    ['the data directory', (dir: string) => path.join(dir, 'data'), 'BACKUP_PATH_IN_DATA_DIR'],
    ['inside the data directory', (dir: string) => path.join(dir, 'data', 'backups'), 'BACKUP_PATH_IN_DATA_DIR'],
    ['relative', () => 'backups', 'INVALID_ARGUMENT'],
    ['holding a NUL byte', (dir: string) => `${dir}/a\0b`, 'INVALID_ARGUMENT'],
  ])('is not used when it is %s: BACKUP_DIR instead, with a warning in the snapshot and the log', async (_, backupPath, code) => {
    const { value, backupDir, warnings } = await openWith(backupPath);
    expect(instance!.backupPath).toBe(backupDir);
    expect(instance!.snapshot.backupPathRefused).toMatchObject({ path: value, code });
    expect(warnings).toEqual([expect.objectContaining({ path: value, code, fallback: backupDir })]);
    // Read again (a reload, a login that upgrades the password hash): no second warning.
    await instance!.reload();
    await instance!.updateConfig({ backup_retention: 3 });
    expect(warnings).toHaveLength(1);
  });

  it('is used when it lies inside the roots, even while the directory is missing (a volume not mounted yet)', async () => {
    const { value, warnings } = await openWith((dir) => path.join(dir, 'nas'));
    expect(instance!.backupPath).toBe(value);
    expect(instance!.snapshot.backupPathRefused).toBeNull();
    expect(warnings).toEqual([]);
  });
});

import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fernetDecrypt, parseFernetKey } from '@evidence-locker/core';
import { writeTestArchive } from '@evidence-locker/core/testing/write-test-archive';
import { afterAll, describe, expect, it } from 'vitest';

/** The command `pnpm locker` runs (the built bundle, rebuilt first when a source changed). */
const LOCKER = fileURLToPath(new URL('../../bin/locker', import.meta.url));
const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'el-cli-'));
afterAll(() => fs.rmSync(temp, { recursive: true, force: true }));

function locker(...args: string[]) {
  const result = spawnSync(LOCKER, args, { encoding: 'utf8', cwd: temp });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('locker CLI', () => {
  it('seeds a configured data directory and inspects it as one JSON document', () => {
    const dataDir = path.join(temp, 'seeded');
    const seeded = locker('seed', '--data-dir', dataDir, '--months', '1', '--configured', '--modem-password', 'pw-123', '--json');
    expect(seeded.code, seeded.stderr).toBe(0);
    expect(JSON.parse(seeded.stdout)).toMatchObject({ ok: true, mode: 'user', configured: true });

    const inspected = locker('inspect', '--data-dir', dataDir, '--json');
    expect(inspected.code, inspected.stderr).toBe(0);
    const report = JSON.parse(inspected.stdout);
    expect(report.configured).toBe(true);
    expect(report.files.map((file: { name: string }) => file.name)).toEqual([
      'docsis_history.db',
      'connection_monitor.db',
      'config.json',
      '.config_key',
      '.session_key',
      '.auth_state',
    ]);
    const history = report.databases.find((db: { name: string }) => db.name === 'docsis_history.db');
    expect(history.tables.snapshots.rows).toBeGreaterThan(2800);
    expect(history.tables.snapshots.isDemo).toBe(0);

    const config = JSON.parse(fs.readFileSync(path.join(dataDir, 'config.json'), 'utf8'));
    const key = parseFernetKey(fs.readFileSync(path.join(dataDir, '.config_key'), 'latin1'));
    expect(config.modem_password).toMatch(/^gAAAAA/);
    expect(fernetDecrypt(key, config.modem_password).toString('utf8')).toBe('pw-123');
  });

  it('prints human-readable output by default', () => {
    const dataDir = path.join(temp, 'seeded');
    const inspected = locker('inspect', '--data-dir', dataDir);
    expect(inspected.code).toBe(0);
    expect(inspected.stdout).toContain('Configured         yes (modem: fritzbox)');
    expect(inspected.stdout).toMatch(/snapshots\s+\d+\s+\(is_demo=1: 0\)/);
  });

  it('refuses to seed over existing data with a clear message and exit code 1', () => {
    const dataDir = path.join(temp, 'seeded');
    const again = locker('seed', '--data-dir', dataDir, '--months', '1');
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^error: .*already/m);
  });

  it('reports usage errors with exit code 2, also as JSON', () => {
    const missing = locker('inspect');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('missing required option --data-dir');
    const unknown = locker('inspect', '--data-dir', temp, '--bogus', '--json');
    expect(unknown.code).toBe(2);
    expect(JSON.parse(unknown.stdout)).toMatchObject({ ok: false, error: { code: 'USAGE' } });
  });
});

describe('locker backup commands', () => {
  const dataDir = path.join(temp, 'backup-source');
  const backupDir = path.join(temp, 'backups');
  const restoredDir = path.join(temp, 'restored');

  it('creates, lists, verifies, restores, prunes and deletes backups end to end', () => {
    expect(locker('seed', '--data-dir', dataDir, '--months', '1', '--configured', '--json').code).toBe(0);

    const created = locker('backup', 'create', '--data-dir', dataDir, '--backup-dir', backupDir, '--json');
    expect(created.code, created.stderr).toBe(0);
    const { fileName } = JSON.parse(created.stdout);
    expect(fileName).toMatch(/^docsight_backup_\d{4}-\d{2}-\d{2}_\d{6}\.tar\.gz$/);

    const listed = JSON.parse(locker('backup', 'list', '--backup-dir', backupDir, '--json').stdout);
    expect(listed.backups).toHaveLength(1);
    expect(listed.backups[0]).toMatchObject({ fileName, trigger: 'manual' });

    const verified = locker('backup', 'verify', '--backup-dir', backupDir, fileName, '--json');
    expect(verified.code, verified.stderr).toBe(0);
    expect(JSON.parse(verified.stdout)).toMatchObject({ checksumsVerified: true });

    const validated = locker('backup', 'validate', path.join(backupDir, fileName), '--json');
    expect(JSON.parse(validated.stdout)).toMatchObject({ ok: true, has_database: true, has_config: true });

    const restored = locker(
      'backup',
      'restore',
      path.join(backupDir, fileName),
      '--data-dir',
      restoredDir,
      '--backup-dir',
      backupDir,
      '--json',
    );
    expect(restored.code, restored.stderr).toBe(0);
    expect(JSON.parse(restored.stdout)).toMatchObject({ configured: true, preRestoreBackup: null });
    const report = JSON.parse(locker('inspect', '--data-dir', restoredDir, '--json').stdout);
    const source = JSON.parse(locker('inspect', '--data-dir', dataDir, '--json').stdout);
    expect(report.databases[0].tables).toEqual(source.databases[0].tables);

    // Restoring over data that exists writes a pre-restore backup, which prune never removes.
    const again = JSON.parse(
      locker('backup', 'restore', path.join(backupDir, fileName), '--data-dir', restoredDir, '--backup-dir', backupDir, '--json').stdout,
    );
    expect(again.preRestoreBackup.fileName).toMatch(/^docsight_backup_/);
    const pruned = JSON.parse(locker('backup', 'prune', '--backup-dir', backupDir, '--keep', '1', '--json').stdout);
    expect(pruned.deleted).toEqual([]);

    const deleted = locker('backup', 'delete', '--backup-dir', backupDir, fileName, '--json');
    expect(deleted.code, deleted.stderr).toBe(0);
    expect(fs.existsSync(path.join(backupDir, fileName))).toBe(false);
  });

  it('prunes by age with --keep-daily: the newest backup of each of the last days, and refuses a count out of range', () => {
    const dir = path.join(temp, 'prune-by-age');
    fs.mkdirSync(dir, { recursive: true });
    const names: string[] = [];
    // Five days, two backups a day (12 hours apart), newest first; files that are not archives count as scheduled.
    for (let index = 0; index < 10; index += 1) {
      const made = new Date(Date.UTC(2026, 2, 10, 18) - index * 12 * 3600_000);
      const name = `docsight_backup_2026-03-${String(made.getUTCDate()).padStart(2, '0')}_${String(made.getUTCHours()).padStart(2, '0')}0000.tar.gz`;
      fs.writeFileSync(path.join(dir, name), 'x');
      fs.utimesSync(path.join(dir, name), made, made);
      names.push(name);
    }
    const run = spawnSync(LOCKER, ['backup', 'prune', '--backup-dir', dir, '--keep', '1', '--keep-daily', '3', '--json'], {
      encoding: 'utf8',
      cwd: temp,
      env: { ...process.env, TZ: 'UTC' },
    });
    expect(run.status, run.stderr).toBe(0);
    const pruned = JSON.parse(run.stdout) as { deleted: string[]; kept: string[] };
    // Each day's 18:00 backup is its newest: those of the 10th, 9th and 8th stay.
    expect(pruned.kept).toEqual([names[0], names[2], names[4]]);
    expect(fs.readdirSync(dir).sort()).toEqual([names[0], names[2], names[4]].sort());
    expect(locker('backup', 'prune', '--backup-dir', dir, '--keep', '1', '--keep-weekly', '521').stderr).toMatch(
      /--keep-weekly must be between 1 and 520/,
    );
  });

  it('backup create --scheduled makes a backup the rule counts; prune includes pre-restore backups only with --include-pre-restore', async () => {
    const dir = path.join(temp, 'cron-backups');
    const help = locker('help');
    expect(help.stdout).toContain('--scheduled');
    const made = (...extra: string[]) => {
      const run = locker('backup', 'create', '--data-dir', dataDir, '--backup-dir', dir, '--no-push', '--json', ...extra);
      expect(run.code, run.stderr).toBe(0);
      return JSON.parse(run.stdout) as { fileName: string; meta: { trigger: string } };
    };
    fs.mkdirSync(dir, { recursive: true });
    const preRestore = 'docsight_backup_2026-01-01_030000.tar.gz';
    await writeTestArchive(path.join(dir, preRestore), { meta: { magic: 'docsight-backup', format_version: 1, trigger: 'pre-restore' } });
    const olderScheduled = made('--scheduled');
    const manual = made();
    const newestScheduled = made('--scheduled');
    expect([olderScheduled.meta.trigger, manual.meta.trigger, newestScheduled.meta.trigger]).toEqual(['scheduled', 'manual', 'scheduled']);
    const listed = JSON.parse(locker('backup', 'list', '--backup-dir', dir, '--json').stdout) as { backups: { trigger: string }[] };
    expect(listed.backups.map((backup) => backup.trigger)).toEqual(['scheduled', 'manual', 'scheduled', 'pre-restore']);

    // Under the full rule the scheduled ones count and the older goes; the manual and the pre-restore one stay outside it.
    const text = locker('backup', 'prune', '--backup-dir', dir, '--keep', '1', '--keep-days', '30');
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain(
      'Rule: keeps the newest 1, every backup of the last 30 days (never the newest; manual backups kept outside the rule, pre-restore backups kept outside the rule).',
    );
    // Made just now, all younger than 30 days: nothing goes yet.
    expect(fs.readdirSync(dir)).toHaveLength(4);
    const pruned = JSON.parse(locker('backup', 'prune', '--backup-dir', dir, '--keep', '1', '--include-pre-restore', '--json').stdout);
    expect(pruned.deleted).toEqual([olderScheduled.fileName, preRestore]);
    expect(fs.readdirSync(dir).sort()).toEqual([manual.fileName, newestScheduled.fileName].sort());
  });

  it('refuses to delete anything that is not a backup', () => {
    fs.mkdirSync(backupDir, { recursive: true });
    const refused = locker('backup', 'delete', '--backup-dir', backupDir, '../seeded/config.json');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^error: /);
    expect(fs.existsSync(path.join(temp, 'seeded', 'config.json'))).toBe(true);
  });

  it('refuses a hostile archive with its specific message and leaves the data directory alone', () => {
    const hostile = path.join(temp, 'hostile.tar.gz');
    fs.writeFileSync(hostile, 'this is not gzip');
    const refused = locker('backup', 'restore', hostile, '--data-dir', dataDir, '--backup-dir', backupDir);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('Invalid archive: not a gzip file');
  });

  // The uid and the chown advice belong to a permission problem only (WRITE_PERMISSION_DENIED, core's
  // backup-dir-write-error tests); a file in the way is said as what it is.
  it('says what is wrong with an unusable backup directory: the path and the real cause', () => {
    const notADirectory = path.join(temp, 'backups-is-a-file');
    fs.writeFileSync(notADirectory, 'not a directory');
    const refused = locker('backup', 'create', '--data-dir', dataDir, '--backup-dir', notADirectory);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`error: ${notADirectory} is a file, not a directory.`);
    expect(refused.stderr).not.toContain('chown');
    expect(fs.readdirSync(dataDir).filter((name) => name.startsWith('.evidence-locker-'))).toEqual([]);
  });
});

describe('locker commands after a crash', () => {
  it('inspect and backup list remove what a killed run left and leave no lease behind', () => {
    const dataDir = path.join(temp, 'crashed-data');
    const backupDir = path.join(temp, 'crashed-backups');
    fs.mkdirSync(path.join(dataDir, '.evidence-locker-work-k1ll3d'), { recursive: true });
    fs.writeFileSync(path.join(dataDir, 'config.json'), '{}');
    fs.mkdirSync(backupDir, { recursive: true });
    fs.writeFileSync(path.join(backupDir, '.evidence-locker-partial-00112233aabbccdd.tar.gz'), 'half an archive');

    const inspected = locker('inspect', '--data-dir', dataDir, '--json');
    expect(inspected.code, inspected.stderr).toBe(0);
    expect(inspected.stderr).toContain('.evidence-locker-work-k1ll3d');
    expect(fs.readdirSync(dataDir)).toEqual(['config.json']);

    const listed = locker('backup', 'list', '--backup-dir', backupDir, '--json');
    expect(listed.code, listed.stderr).toBe(0);
    expect(JSON.parse(listed.stdout).backups).toEqual([]);
    expect(fs.readdirSync(backupDir)).toEqual([]);
  });

  it('after a backup killed with Ctrl-C, the next inspect and list leave no work files, even before the killed command is reaped', async () => {
    const dataDir = path.join(temp, 'ctrl-c-data');
    const backupDir = path.join(temp, 'ctrl-c-backups');
    expect(locker('seed', '--data-dir', dataDir, '--months', '1', '--json').code).toBe(0);
    fs.mkdirSync(backupDir);
    // The command runs in its own process group (as a terminal's foreground job), under a parent
    // that never reaps it: a killed command stays a zombie as long as its parent or PID 1 has not
    // reaped it, which takes up to a second with some inits and forever with others.
    const parent = spawn(
      '/bin/sh',
      ['-c', 'setsid "$@" & echo $!; exec sleep 600', 'sh', LOCKER, 'backup', 'create', '--data-dir', dataDir, '--backup-dir', backupDir],
      {
        stdio: ['ignore', 'pipe', 'ignore'],
      },
    );
    try {
      const pid = await new Promise<number>((resolve) =>
        parent.stdout.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim()))),
      );
      const working = () => fs.readdirSync(dataDir).some((name) => name.startsWith('.evidence-locker-work-'));
      for (const deadline = Date.now() + 60_000; !working(); await sleep(2)) {
        if (Date.now() > deadline) throw new Error('the backup never started working');
      }
      process.kill(-pid, 'SIGKILL');
      const zombie = () => fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.startsWith('Z');
      for (const deadline = Date.now() + 10_000; !zombie(); await sleep(2)) {
        if (Date.now() > deadline) throw new Error('the killed backup did not end');
      }

      expect(locker('inspect', '--data-dir', dataDir, '--json').code).toBe(0);
      expect(locker('backup', 'list', '--backup-dir', backupDir, '--json').code).toBe(0);
      const left = (dir: string) => fs.readdirSync(dir).filter((name) => name.startsWith('.evidence-locker'));
      expect(left(dataDir)).toEqual([]);
      expect(left(backupDir)).toEqual([]);
    } finally {
      parent.kill('SIGKILL');
    }
  });
});

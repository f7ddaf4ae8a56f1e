/**
 * `locker backup create` through the real CLI (`bin/locker`, the built bundle) takes over the
 * compressed chunks of the newest backup in its backup directory (issue 21): `--json` reports what
 * it took over and from which file, the text output says it, `--no-reuse` compresses everything,
 * and the backup that took over chunks verifies like any other.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const LOCKER = fileURLToPath(new URL('../../bin/locker', import.meta.url));
const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'el-cli-reuse-'));
afterAll(() => fs.rmSync(temp, { recursive: true, force: true }));

function locker(...args: string[]) {
  const result = spawnSync(LOCKER, args, { encoding: 'utf8', cwd: temp });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

interface Reuse {
  previous: string | null;
  fullReason: string | null;
  detail: string | null;
  membersReused: number;
  membersCompressed: number;
  bytesReused: number;
  membersInflated: number;
}

/** `locker … --json`, expecting success; returns the parsed document. */
function lockerJson(...args: string[]): { fileName: string; reuse: Reuse } & Record<string, unknown> {
  const result = locker(...args, '--json');
  expect(result.code, `${args.join(' ')}: ${result.stdout}${result.stderr}`).toBe(0);
  return JSON.parse(result.stdout) as { fileName: string; reuse: Reuse };
}

describe('locker backup create', () => {
  it('takes over the chunks of the previous backup in the same directory, and compresses everything with --no-reuse', () => {
    const dataDir = path.join(temp, 'data');
    const backupDir = path.join(temp, 'backups');
    expect(locker('seed', '--data-dir', dataDir, '--months', '1', '--configured', '--json').code).toBe(0);
    const create = (...extra: string[]) => lockerJson('backup', 'create', '--data-dir', dataDir, '--backup-dir', backupDir, ...extra);

    const first = create();
    expect(first.reuse).toMatchObject({ previous: null, fullReason: 'no-previous', membersReused: 0 });

    const second = create();
    expect(second.reuse).toMatchObject({ previous: first.fileName, fullReason: null, detail: null });
    expect(second.reuse.membersReused).toBeGreaterThan(0);
    // Nothing changed: only the databases' tar headers (they carry the backup's time) are new.
    expect(second.reuse.membersCompressed).toBeLessThanOrEqual(2);
    const verified = lockerJson('backup', 'verify', '--backup-dir', backupDir, second.fileName);
    expect(verified).toMatchObject({ checksumsVerified: true });

    const text = locker('backup', 'create', '--data-dir', dataDir, '--backup-dir', backupDir);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/Compressed\s+\d+ of \d+ chunks; \d+ \([^)]+\) taken over unchanged from docsight_backup_\S+\.tar\.gz/);

    const full = create('--no-reuse');
    expect(full.reuse).toMatchObject({ previous: null, fullReason: 'off', membersReused: 0, bytesReused: 0 });
    expect(full.reuse.membersCompressed).toBe(second.reuse.membersReused + second.reuse.membersCompressed);
  });
});

/**
 * settings.retentionPreview through the router (createCaller): the backup directory, and a real
 * SFTP target (sshd started on a free loopback port for these tests, stopped afterwards).
 */
import fs from 'node:fs';
import path from 'node:path';
import { formatLocalIso, recordPushSuccess } from '@evidence-locker/core';
import { writeTestArchive } from '@evidence-locker/core/testing/write-test-archive';
import { createTestContext, createTestServices, type TestServices } from '@evidence-locker/server/testing/test-services';
import { startSshd, type StartedSshd } from '@evidence-locker/test-servers/sshd';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCallerFactory } from '../trpc/init.ts';
import { appRouter } from '../trpc/routers/_app.ts';

const createCaller = createCallerFactory(appRouter);
const HOUR = 60 * 60 * 1000;

let sshd: StartedSshd;
beforeAll(async () => {
  sshd = await startSshd({ passwordUser: false });
}, 120_000);
afterAll(async () => {
  await sshd?.stop();
});

async function instance(config: Record<string, unknown> = {}): Promise<{ setup: TestServices; api: ReturnType<typeof createCaller> }> {
  const setup = await createTestServices({ config: { modem_type: 'fritzbox', ...config } });
  return { setup, api: createCaller(createTestContext(setup.services).ctx) };
}

/** A backup archive made `hoursAgo` by `trigger`, named after that time. */
async function backupOnDisk(backupDir: string, hoursAgo: number, trigger: 'scheduled' | 'manual' | 'pre-restore'): Promise<string> {
  const made = new Date(Date.now() - hoursAgo * HOUR);
  const stamp = formatLocalIso(made).slice(0, 19).replace('T', '_').replaceAll(':', '');
  const name = `docsight_backup_${stamp}.tar.gz`;
  fs.mkdirSync(backupDir, { recursive: true });
  await writeTestArchive(path.join(backupDir, name), {
    meta: { magic: 'docsight-backup', format_version: 1, trigger },
    members: [],
    mtime: made,
  });
  return name;
}

describe('settings.retentionPreview: the backup directory', () => {
  it('names the backups a rule would delete, newest first with when each was made, and deletes nothing', async () => {
    const { setup, api } = await instance();
    const names: string[] = [];
    for (const [hoursAgo, trigger] of [
      [1, 'scheduled'],
      [25, 'scheduled'],
      [49, 'manual'],
      [73, 'scheduled'],
      [97, 'pre-restore'],
      [121, 'scheduled'],
    ] as const) {
      names.push(await backupOnDisk(setup.backupDir, hoursAgo, trigger));
    }
    const before = fs.readdirSync(setup.backupDir).sort();

    const preview = await api.settings.retentionPreview({ location: { kind: 'local' }, rule: { keepLast: 2 } });
    // The manual and the pre-restore backup stay outside the rule.
    expect(preview.deleted.map((copy) => copy.name)).toEqual([names[3], names[5]]);
    expect(Date.parse(preview.deleted[0]!.madeAt)).toBeCloseTo(Date.now() - 73 * HOUR, -5);
    expect(preview.kept).toBe(4);

    const withManual = await api.settings.retentionPreview({ location: { kind: 'local' }, rule: { keepLast: 2, includeManual: true } });
    expect(withManual.deleted.map((copy) => copy.name)).toEqual([names[2], names[3], names[5]]);
    const withPreRestore = await api.settings.retentionPreview({
      location: { kind: 'local' },
      rule: { keepLast: 2, includeManual: true, includePreRestore: true },
    });
    expect(withPreRestore.deleted.map((copy) => copy.name)).toEqual([names[2], names[3], names[4], names[5]]);
    expect(fs.readdirSync(setup.backupDir).sort()).toEqual(before);
  });

  it('previews generations: daily 2 keeps the newest of the last two days that have a backup', async () => {
    const { setup, api } = await instance();
    const newest = await backupOnDisk(setup.backupDir, 1, 'scheduled');
    const older = await backupOnDisk(setup.backupDir, 24 * 40, 'scheduled');
    const oldest = await backupOnDisk(setup.backupDir, 24 * 41, 'scheduled');
    const preview = await api.settings.retentionPreview({ location: { kind: 'local' }, rule: { keepLast: 1, daily: 2 } });
    expect(preview).toMatchObject({ deleted: [{ name: oldest }], kept: 2 });
    expect(fs.readdirSync(setup.backupDir)).toEqual(expect.arrayContaining([newest, older, oldest]));
  });

  it('answers an empty preview for a backup directory that does not exist yet', async () => {
    const { api } = await instance();
    expect(await api.settings.retentionPreview({ location: { kind: 'local' }, rule: { keepLast: 1 } })).toEqual({ deleted: [], kept: 0 });
  });

  it('refuses a rule out of range with the reason', async () => {
    const { api } = await instance();
    await expect(api.settings.retentionPreview({ location: { kind: 'local' }, rule: { weekly: 0 } })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: expect.stringMatching(/weekly must be at least 1/),
    });
  });
});

describe('settings.retentionPreview: an SFTP target', () => {
  async function sftpTarget(api: ReturnType<typeof createCaller>, directory: string): Promise<string> {
    const added = await api.targets.add({
      name: `NAS ${path.basename(directory)}`,
      enabled: true,
      sealed: false,
      retention: {},
      address: { kind: 'sftp', host: '127.0.0.1', port: sshd.port, username: 'root', directory },
      secrets: { privateKey: sshd.privateKey },
      hostKeyFingerprint: sshd.hostKeyFingerprint,
    });
    return added.id;
  }

  it("counts only the copies this instance sent, never deletes another instance's copy, and deletes nothing", async () => {
    const { setup, api } = await instance();
    const directory = fs.mkdtempSync(path.join(sshd.rootDir, 'preview-'));
    const id = await sftpTarget(api, directory);
    const own = [
      'docsight_backup_2026-03-04_030000.tar.gz',
      'docsight_backup_2026-03-03_030000.tar.gz',
      'docsight_backup_2026-03-02_030000.tar.gz',
    ];
    const foreign = 'docsight_backup_2026-03-01_030000.tar.gz';
    for (const name of [...own, foreign]) fs.writeFileSync(path.join(directory, name), 'copy');
    for (const name of own) await recordPushSuccess(setup.dataDir, id, name);

    const preview = await api.settings.retentionPreview({ location: { kind: 'target', id }, rule: { keepLast: 1 } });
    expect(preview.deleted.map((copy) => copy.name)).toEqual(own.slice(1));
    expect(preview.deleted[0]!.madeAt.slice(0, 19)).toBe('2026-03-03T03:00:00');
    expect(preview.kept).toBe(1);
    expect(fs.readdirSync(directory).sort()).toEqual([...own, foreign].sort());
  });

  it('keeps a pre-restore copy out of the rule unless the rule includes it', async () => {
    const { setup, api } = await instance();
    const directory = fs.mkdtempSync(path.join(sshd.rootDir, 'pre-restore-'));
    const id = await sftpTarget(api, directory);
    const own = [
      'docsight_backup_2026-03-04_030000.tar.gz',
      'docsight_backup_2026-03-03_030000.tar.gz',
      'docsight_backup_2026-03-02_030000.tar.gz',
    ];
    for (const name of own) fs.writeFileSync(path.join(directory, name), 'copy');
    for (const [index, name] of own.entries())
      await recordPushSuccess(setup.dataDir, id, name, new Date(), index === 1 ? 'pre-restore' : 'scheduled');

    const without = await api.settings.retentionPreview({ location: { kind: 'target', id }, rule: { keepLast: 1 } });
    expect(without.deleted.map((copy) => copy.name)).toEqual([own[2]]);
    const included = await api.settings.retentionPreview({
      location: { kind: 'target', id },
      rule: { keepLast: 1, includePreRestore: true },
    });
    expect(included.deleted.map((copy) => copy.name)).toEqual([own[1], own[2]]);
  });

  it('says why when the target cannot be listed', async () => {
    const { api } = await instance();
    const directory = fs.mkdtempSync(path.join(sshd.rootDir, 'gone-'));
    const id = await sftpTarget(api, directory);
    fs.rmSync(directory, { recursive: true });
    await expect(api.settings.retentionPreview({ location: { kind: 'target', id }, rule: { keepLast: 1 } })).rejects.toMatchObject({
      cause: { code: expect.stringMatching(/^TARGET_/) },
      message: expect.stringContaining(directory),
    });
  });

  it('refuses a target id this instance does not have', async () => {
    const { api } = await instance();
    await expect(
      api.settings.retentionPreview({ location: { kind: 'target', id: '00000000-0000-4000-8000-000000000000' }, rule: { keepLast: 1 } }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND', cause: { code: 'TARGET_NOT_FOUND' } });
  });
});

/**
 * A restore never leaves an instance that cannot start: what the instance needs (the key, the
 * config's shape, its secrets) is checked before anything changes, and a restored instance that
 * still fails to come up is rolled back to what the data directory held before.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fernetEncrypt, generateFernetKey } from '../src/config/fernet.ts';
import { restoreDataDir } from '../src/archive/restore/restore-data-dir.ts';
import { listBackups } from '../src/backup-dir/list-backups.ts';
import {
  buildTarGz,
  cleanupTempDirs,
  makeLiveDataDir,
  makeTempDir,
  memberDigests,
  metaText,
  readSnapshotRows,
  restoreWorkFiles,
  snapshotDbBytes,
  snapshotDir,
  type TarMember,
} from './support/restore-support.ts';

afterEach(cleanupTempDirs);

const ARCHIVE_KEY = generateFernetKey();

function archiveOf(config: Record<string, unknown>, key: string | null = ARCHIVE_KEY): Promise<Buffer> {
  const members: TarMember[] = [
    { name: 'docsis_history.db', content: snapshotDbBytes(['restored']) },
    { name: 'config.json', content: JSON.stringify(config) },
    ...(key === null ? [] : [{ name: '.config_key', content: key }]),
  ];
  return buildTarGz([{ name: 'backup_meta.json', content: metaText({ members: memberDigests(members) }) }, ...members]);
}

async function expectRefusedUntouched(archive: Buffer, code: string, message: RegExp): Promise<void> {
  const dataDir = makeLiveDataDir();
  const backupDir = makeTempDir('backups');
  const before = snapshotDir(dataDir);
  const error = await restoreDataDir({ source: archive, dataDir, backupDir }).catch((e: unknown) => e);
  expect(error).toMatchObject({ code });
  expect((error as Error).message).toMatch(message);
  expect(snapshotDir(dataDir)).toEqual(before);
  expect(fs.readdirSync(backupDir)).toEqual([]);
  expect(restoreWorkFiles(dataDir)).toEqual([]);
}

describe('a restore whose instance could not start', () => {
  it('refuses a backup whose .config_key is not a key, before anything changes', async () => {
    await expectRefusedUntouched(
      await archiveOf({ modem_type: 'fritzbox' }, 'not-a-key'),
      'CONFIG_KEY_INVALID',
      /\.config_key is not a Fernet key/,
    );
  });

  it('refuses a backup whose modem password its own key cannot decrypt', async () => {
    const token = fernetEncrypt(generateFernetKey(), Buffer.from('secret'));
    await expectRefusedUntouched(
      await archiveOf({ modem_type: 'fritzbox', modem_password: token }),
      'SECRET_UNDECRYPTABLE',
      /modem_password in config\.json cannot be decrypted/,
    );
  });

  it('refuses a backup with encrypted secrets and no key to open them', async () => {
    const token = fernetEncrypt(ARCHIVE_KEY, Buffer.from('secret'));
    await expectRefusedUntouched(
      await archiveOf({ modem_type: 'fritzbox', modem_password: token }, null),
      'SECRET_UNDECRYPTABLE',
      /encrypted, but the backup has no \.config_key/,
    );
  });

  it("refuses a config.json that is not shaped like DOCSight's", async () => {
    await expectRefusedUntouched(await archiveOf({ modem_type: 5 }), 'CONFIG_INVALID', /config\.json: modem_type/);
  });

  it('accepts plaintext secrets from before DOCSight encrypted them, and its own tokens', async () => {
    const dataDir = makeLiveDataDir();
    const token = fernetEncrypt(ARCHIVE_KEY, Buffer.from('secret'));
    const result = await restoreDataDir({
      source: await archiveOf({ modem_type: 'fritzbox', modem_password: token, mqtt_password: 'plain' }),
      dataDir,
      backupDir: makeTempDir('backups'),
    });
    expect(result.restoredFiles).toContain('.config_key');
  });

  it('rolls back to the pre-restore backup when the restored instance fails to come up', async () => {
    const dataDir = makeLiveDataDir();
    const backupDir = makeTempDir('backups');
    const liveConfig = fs.readFileSync(path.join(dataDir, 'config.json'), 'utf8');
    const liveKey = fs.readFileSync(path.join(dataDir, '.config_key'), 'utf8');

    const error = await restoreDataDir({
      source: await archiveOf({ modem_type: 'fritzbox' }),
      dataDir,
      backupDir,
      migrate: async () => {
        throw new Error('the migration of docsis_history.db failed');
      },
    }).catch((e: unknown) => e);

    expect(error).toMatchObject({ code: 'RESTORE_ROLLED_BACK' });
    const [preRestore] = await listBackups(backupDir);
    expect((error as Error).message).toBe(
      `The restored instance could not start (the migration of docsis_history.db failed), so the restore was undone: the data directory is restored from ${preRestore!.fileName}.`,
    );
    expect(readSnapshotRows(path.join(dataDir, 'docsis_history.db'))).toEqual(['live']);
    expect(readSnapshotRows(path.join(dataDir, 'connection_monitor.db'))).toEqual(['live-cm']);
    expect(JSON.parse(fs.readFileSync(path.join(dataDir, 'config.json'), 'utf8'))).toEqual(JSON.parse(liveConfig));
    expect(fs.readFileSync(path.join(dataDir, '.config_key'), 'utf8')).toBe(liveKey);
    expect(restoreWorkFiles(dataDir)).toEqual([]);
  });

  it('leaves an empty data directory empty again when the restored instance fails to come up', async () => {
    const dataDir = path.join(makeTempDir('fresh'), 'data');
    const error = await restoreDataDir({
      source: await archiveOf({ modem_type: 'fritzbox' }),
      dataDir,
      backupDir: makeTempDir('backups'),
      migrate: async () => {
        throw new Error('no');
      },
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'RESTORE_ROLLED_BACK' });
    expect(fs.readdirSync(dataDir)).toEqual([]);
  });
});

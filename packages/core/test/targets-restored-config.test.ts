/**
 * A restored configuration brings its targets back (issue 18): the backup_targets array, with its
 * Fernet-encrypted secrets, passes the restore's instance checks and decrypts with the restored
 * .config_key, on a fresh instance (disaster recovery) and over a live one with another key.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createBackup,
  generateFernetKey,
  PREPARED_PREFIX,
  prepareRestore,
  readConfig,
  readConfigKey,
  readTargets,
  restoreBackup,
  restoreDataDir,
  targetsPatch,
  updateConfig,
  type TargetConfig,
} from '../src/index.ts';
import { cleanupTempDirs, makeLiveDataDir, makeTempDir } from './support/restore-support.ts';

afterEach(cleanupTempDirs);

const targets: TargetConfig[] = [
  {
    id: '3f1c0f0e-5a8e-4b4e-9d55-6f1d2a0c1b01',
    name: 'Offsite bucket',
    kind: 's3',
    enabled: true,
    sealed: true,
    retention: { keepLast: 14, keepDays: 90 },
    bucket: 'docsight',
    prefix: '',
    region: 'eu-central-1',
    pathStyle: false,
    accessKeyId: 'AKIAEXAMPLE',
    secrets: { secretAccessKey: 'the-secret-access-key' },
    createdAt: '2026-03-01T10:00:00.000Z',
  },
  {
    id: '8a7b6c5d-4e3f-4a1b-8c9d-0e1f2a3b4c5d',
    name: 'Storage box',
    kind: 'sftp',
    enabled: true,
    sealed: false,
    retention: {},
    host: 'u1.your-storagebox.de',
    port: 23,
    username: 'u1',
    directory: 'docsight',
    hostKeyFingerprint: 'SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s',
    secrets: { password: 'the-sftp-password' },
    createdAt: '2026-03-02T10:00:00.000Z',
  },
];

/** A backup of a live instance whose config.json holds `targets`. */
async function backupWithTargets(): Promise<string> {
  const source = makeLiveDataDir();
  const key = await readConfigKey(source);
  await updateConfig(source, targetsPatch(targets, key!));
  const stored = fs.readFileSync(path.join(source, 'config.json'), 'utf8');
  expect(stored).toContain('"backup_targets"');
  expect(stored).not.toContain('the-secret-access-key');
  const backupDir = makeTempDir('backups');
  const backup = await createBackup({ dataDir: source, destination: { kind: 'directory', backupDir }, trigger: 'manual' });
  return backup.path!;
}

async function restoredTargets(dataDir: string): Promise<ReturnType<typeof readTargets>> {
  const { config, problem } = await readConfig(dataDir);
  expect(problem).toBeNull();
  return readTargets(config, await readConfigKey(dataDir));
}

describe('restored targets', () => {
  it('come back on a fresh instance with their secrets readable', async () => {
    const archive = await backupWithTargets();
    const dataDir = path.join(makeTempDir('fresh'), 'data');
    const result = await restoreDataDir({ source: fs.createReadStream(archive), dataDir, backupDir: makeTempDir('backups') });
    expect(result.restoredFiles).toContain('config.json');
    expect(await restoredTargets(dataDir)).toEqual({ targets, problems: [], unreadable: [] });
  });

  it('come back over a live instance with another .config_key, through a prepared restore', async () => {
    const archive = await backupWithTargets();
    const dataDir = makeLiveDataDir();
    fs.writeFileSync(path.join(dataDir, '.config_key'), generateFernetKey());
    const prepared = await prepareRestore({ source: fs.createReadStream(archive), dataDir, stagingPrefix: `${PREPARED_PREFIX}t-` });
    expect(prepared.configured).toBe(true);
    await restoreBackup({ prepared, dataDir });
    expect(await restoredTargets(dataDir)).toEqual({ targets, problems: [], unreadable: [] });
  });
});

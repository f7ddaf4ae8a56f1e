/**
 * Our own archives for the fuzzer: createBackup of a small data dir made by the core seed (1 day
 * of history, a few minutes of Connection Monitor samples, config.json and .config_key). Every
 * input is fixed (seed, clock, file times), so the same archive comes out on every run.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { createBackup, seedDataDir } from '../../src/index.ts';

export const SEED_NOW = new Date('2026-11-21T06:00:00Z');
const FILE_TIME = new Date('2026-11-20T12:00:00Z');

/** Seeds `dataDir` (which must not hold databases yet) with config.json and .config_key. */
export function seedSmallDataDir(dataDir: string, seed: number): void {
  seedDataDir({ dataDir, mode: 'user', historyDays: 1, connectionMonitorDays: 0.05, now: SEED_NOW, seed });
  // The migrations stamp the wall clock; fixed stamps make the databases the same on every run.
  for (const name of ['docsis_history.db', 'connection_monitor.db']) {
    const db = new Database(path.join(dataDir, name));
    db.prepare("UPDATE _docsight_migrations SET applied_at = '2026-11-20T12:00:00+00:00'").run();
    const meta = db.prepare("SELECT 1 FROM sqlite_master WHERE name = '_docsight_meta'").get();
    if (meta !== undefined) db.prepare("UPDATE _docsight_meta SET value = '2026-11-20T12:00:00+00:00' WHERE key = 'tz_migrated'").run();
    db.exec('VACUUM'); // the old stamps would stay behind in free space
    db.close();
  }
  const config = { modem_type: 'fritzbox', modem_url: 'http://192.168.178.1', poll_interval: 900, language: 'de' };
  fs.writeFileSync(path.join(dataDir, 'config.json'), JSON.stringify(config, null, 2));
  // A fixed Fernet key (urlsafe base64 of 32 bytes): test data, not a secret.
  fs.writeFileSync(path.join(dataDir, '.config_key'), Buffer.alloc(32, seed).toString('base64url') + '=');
  for (const name of ['config.json', '.config_key']) fs.utimesSync(path.join(dataDir, name), FILE_TIME, FILE_TIME);
}

/**
 * The archive createBackup makes of `dataDir`, gzipped in `chunkSize` body members (default: the
 * writer's 4 MiB). Written to a scratch backup dir under `scratch`, which is removed again.
 */
export async function ownArchive(dataDir: string, scratch: string, chunkSize?: number): Promise<Buffer> {
  const backupDir = fs.mkdtempSync(path.join(scratch, 'backups-'));
  try {
    const created = await createBackup({
      dataDir,
      destination: { kind: 'directory', backupDir },
      trigger: 'manual',
      now: SEED_NOW,
      ...(chunkSize === undefined ? {} : { gzip: { chunkSize } }),
    });
    return fs.readFileSync(created.path!);
  } finally {
    fs.rmSync(backupDir, { recursive: true, force: true });
  }
}

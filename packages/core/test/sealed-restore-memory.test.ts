/**
 * Opening a sealed backup adds no memory to a restore: a ~256 MB backup (a history database holding
 * 256 MiB of incompressible evidence blobs) is restored plain and sealed, each in a process of its
 * own (memory/restore-child.ts), and the sealed restore's peak RSS stays within a small margin of
 * the plain one's. Both restore the same files; neither holds the archive (or the database) in memory.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { afterAll, expect, it } from 'vitest';
import { createBackup, generateSealIdentity, seedDataDir, stopSqliteWorker } from '../src/index.ts';
import { cleanupTempDirs, makeTempDir } from './support/restore-support.ts';

const execFileAsync = promisify(execFile);
const MiB = 1024 * 1024;
const BLOB_ROWS = 256;
const CHILD = fileURLToPath(new URL('./memory/restore-child.ts', import.meta.url));
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
/** What sealing may add to the peak: a few 64 KiB chunks in flight, and allocator noise. */
const MARGIN_MIB = 16;

afterAll(async () => {
  cleanupTempDirs();
  await stopSqliteWorker();
});

async function restoreInChild(archive: string, identity?: string): Promise<{ restoredFiles: string[]; maxRssKiB: number }> {
  const dataDir = path.join(makeTempDir('memory-restore'), 'data');
  const args = ['--import', TSX, CHILD, archive, dataDir, ...(identity === undefined ? [] : [identity])];
  const { stdout } = await execFileAsync(process.execPath, args, { maxBuffer: 1024 * 1024, timeout: 240_000 });
  const report = JSON.parse(stdout.trim().split('\n').at(-1)!) as { restoredFiles: string[]; maxRssKiB: number };
  fs.rmSync(dataDir, { recursive: true, force: true });
  return report;
}

it('restores a sealed ~256 MB backup with the peak RSS of the plain one', async () => {
  const dataDir = path.join(makeTempDir('memory-source'), 'data');
  seedDataDir({ dataDir, mode: 'user', historyDays: 1, connectionMonitorDays: 0.05, now: new Date('2026-11-21T07:00:00Z'), seed: 3 });
  fs.writeFileSync(path.join(dataDir, 'config.json'), JSON.stringify({ modem_type: 'fritzbox' }));
  const db = new Database(path.join(dataDir, 'docsis_history.db'));
  db.exec('CREATE TABLE evidence_blobs (id INTEGER PRIMARY KEY, data BLOB NOT NULL)');
  const insert = db.prepare('INSERT INTO evidence_blobs (data) VALUES (?)');
  db.transaction(() => {
    for (let row = 0; row < BLOB_ROWS; row++) insert.run(randomBytes(MiB));
  })();
  db.close();

  const identity = await generateSealIdentity();
  const backup = (seal?: { recipients: string[] }) =>
    createBackup({
      dataDir,
      destination: { kind: 'directory', backupDir: makeTempDir('memory-backups') },
      trigger: 'manual',
      ...(seal === undefined ? {} : { seal }),
    });
  const plain = await backup();
  const sealed = await backup({ recipients: [identity.recipient] });
  fs.rmSync(dataDir, { recursive: true, force: true });
  expect(plain.size).toBeGreaterThan(250 * MiB);
  expect(sealed.size).toBeGreaterThan(plain.size);

  const plainRun = await restoreInChild(plain.path!);
  const sealedRun = await restoreInChild(sealed.path!, identity.identity);
  console.log(
    `restore of a ${(plain.size / MiB).toFixed(0)} MiB backup: peak RSS plain ${(plainRun.maxRssKiB / 1024).toFixed(1)} MiB, ` +
      `sealed ${(sealedRun.maxRssKiB / 1024).toFixed(1)} MiB`,
  );
  expect(sealedRun.restoredFiles).toEqual(plainRun.restoredFiles);
  expect(plainRun.restoredFiles).toContain('docsis_history.db');
  // Holding the archive or its database would be 256 MiB or more.
  expect(plainRun.maxRssKiB / 1024).toBeLessThan(256);
  expect((sealedRun.maxRssKiB - plainRun.maxRssKiB) / 1024).toBeLessThan(MARGIN_MIB);
}, 300_000);

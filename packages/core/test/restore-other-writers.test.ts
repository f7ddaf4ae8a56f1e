/**
 * A restore next to other processes that write into the live databases: either it is refused and
 * the live data stays as it was, or every write a writer was told succeeded survives it (in the
 * restored databases, or, for writes before the restore, in the pre-restore backup).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { restoreDataDir } from '../src/archive/restore/restore-data-dir.ts';
import { restoreBackup } from '../src/archive/restore/restore-backup.ts';
import { isLockerError } from '../src/errors.ts';
import { FIXTURE_A, cleanupTempDirs, makeTempDir, restoreWorkFiles } from './support/restore-support.ts';

const WRITER = path.join(import.meta.dirname, 'support', 'sqlite-writer.mjs');
const children: ChildProcess[] = [];

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  cleanupTempDirs();
});

/** A writer process and what it printed so far. */
class Writer {
  readonly acked: number[] = [];
  readonly lines: string[] = [];
  readonly #child: ChildProcess;
  #waiters: (() => void)[] = [];

  constructor(args: string[]) {
    this.#child = spawn(process.execPath, [WRITER, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(this.#child);
    this.#child.once('exit', () => {
      for (const wake of this.#waiters.splice(0)) wake();
    });
    let buffered = '';
    this.#child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) {
        this.lines.push(line);
        const ack = /^ack (\d+)$/.exec(line);
        if (ack) this.acked.push(Number(ack[1]));
      }
      for (const wake of this.#waiters.splice(0)) wake();
    });
  }

  /** Resolves once `predicate` holds for what the writer printed. */
  async until(predicate: () => boolean): Promise<void> {
    while (!predicate()) {
      if (this.#child.exitCode !== null) throw new Error(`the writer exited: ${this.lines.join(' | ')}`);
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
  }

  async stop(): Promise<void> {
    if (this.#child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.#child.once('exit', resolve));
    this.#child.kill('SIGTERM');
    await exited;
  }
}

/** A live data directory in WAL mode, as DOCSight keeps it, with the writer's table. */
function makeWalDataDir(): string {
  const dataDir = makeTempDir('live');
  for (const name of ['docsis_history.db', 'connection_monitor.db']) {
    const db = new Database(path.join(dataDir, name));
    db.pragma('journal_mode = WAL');
    db.exec('CREATE TABLE writer_probe (n INTEGER PRIMARY KEY)');
    db.close();
  }
  fs.writeFileSync(path.join(dataDir, 'config.json'), JSON.stringify({ modem_type: 'live' }));
  return dataDir;
}

function probeRows(file: string): number[] {
  const db = new Database(file, { fileMustExist: true });
  try {
    const exists = db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'writer_probe'").get();
    return exists ? (db.prepare('SELECT n FROM writer_probe ORDER BY n').pluck().all() as number[]) : [];
  } finally {
    db.close();
  }
}

/** The writer's rows in the history database of a backup archive (extracted with GNU tar). */
function probeRowsInArchive(archive: string): number[] {
  const dir = makeTempDir('extract');
  const tar = spawnSync('tar', ['-xzf', archive, '-C', dir, 'docsis_history.db']);
  expect(tar.status, tar.stderr.toString()).toBe(0);
  return probeRows(path.join(dir, 'docsis_history.db'));
}

describe('a restore beside another process that writes', () => {
  it('is refused while an app keeps a database open, and that app loses no write', async () => {
    const dataDir = makeWalDataDir();
    const backupDir = makeTempDir('backups');
    const history = path.join(dataDir, 'docsis_history.db');
    const writer = new Writer([history, 'long-lived', '20']);
    await writer.until(() => writer.acked.length >= 5);

    const error = await restoreDataDir({ source: fs.createReadStream(FIXTURE_A), dataDir, backupDir }).catch((e: unknown) => e);

    expect(isLockerError(error, 'DATABASE_IN_USE')).toBe(true);
    expect((error as Error).message).toContain('docsis_history.db is open in another process');
    expect((error as Error).message).toContain('Stop the app that uses it, then restore.');
    const ackedAtRefusal = writer.acked.length;
    await writer.until(() => writer.acked.length >= ackedAtRefusal + 5);
    await writer.stop();
    expect(writer.lines.filter((line) => line.startsWith('error'))).toEqual([]);
    expect(probeRows(history)).toEqual(writer.acked);
    expect(fs.readdirSync(backupDir)).toEqual([]);
    expect(restoreWorkFiles(dataDir)).toEqual([]);
    expect(JSON.parse(fs.readFileSync(path.join(dataDir, 'config.json'), 'utf8'))).toEqual({ modem_type: 'live' });
  });

  it('keeps every write of an app that connects per call: before it in the pre-restore backup, after it in the restored data', async () => {
    const dataDir = makeWalDataDir();
    const backupDir = makeTempDir('backups');
    const history = path.join(dataDir, 'docsis_history.db');
    const writer = new Writer([history, 'per-call', '10']);
    await writer.until(() => writer.acked.length >= 5);

    // A call may hold its connection at the very moment the restore looks: that is a refusal with
    // nothing changed, and the user retries.
    let result: Awaited<ReturnType<typeof restoreDataDir>> | undefined;
    for (let attempt = 0; attempt < 20 && result === undefined; attempt += 1) {
      try {
        result = await restoreDataDir({ source: fs.createReadStream(FIXTURE_A), dataDir, backupDir });
      } catch (error) {
        if (!isLockerError(error, 'DATABASE_IN_USE')) throw error;
      }
    }
    expect(result?.preRestoreBackup).not.toBeNull();
    const ackedAtRestore = writer.acked.length;
    await writer.until(() => writer.acked.length >= ackedAtRestore + 10);
    await writer.stop();

    const kept = new Set([...probeRowsInArchive(result!.preRestoreBackup!.path!), ...probeRows(history)]);
    expect(writer.acked.filter((n) => !kept.has(n))).toEqual([]);
    // Writes after the restore landed in the restored database, not in the file it replaced.
    expect(probeRows(history)).toEqual(expect.arrayContaining(writer.acked.slice(ackedAtRestore)));
    expect(JSON.parse(fs.readFileSync(path.join(dataDir, 'config.json'), 'utf8')).modem_type).toBe('fritzbox');
  });

  it('lets a process that opened a database just before the swap write into the restored one', async () => {
    const dataDir = makeWalDataDir();
    const history = path.join(dataDir, 'docsis_history.db');
    let late: Writer | undefined;

    await restoreBackup({
      source: fs.createReadStream(FIXTURE_A),
      dataDir,
      beforePublishStep: async (step) => {
        if (late !== undefined || step.kind !== 'rename' || step.to !== 'docsis_history.db') return;
        // It opens the old file now and waits for its lock, which the restore holds.
        late = new Writer([history, 'once', '4242']);
        await late.until(() => late!.lines.includes('opened'));
      },
    });

    expect(late).toBeDefined();
    await late!.until(() => late!.lines.some((line) => line.includes(' 4242')));
    expect(late!.lines).toEqual(['opened', 'ack 4242']);
    expect(probeRows(history)).toEqual([4242]);
    // The restored content around it: the archive's own tables are there.
    const db = new Database(history, { readonly: true });
    expect(db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'snapshots'").pluck().get()).toBe(1);
    db.close();
  });
});

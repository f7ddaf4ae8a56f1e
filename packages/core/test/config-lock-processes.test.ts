/**
 * config.json's read-modify-write across processes (config/config-lock.ts): real `node` processes
 * (config/config-lock-child.ts) save the same data directory's config.json at once, one dies holding
 * the lock, one holds it and stays alive.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { configLockPath, modifyConfig, readConfig, updateConfig } from '../src/config/config-file.ts';
import { TARGETS_STATE_LOCK_DIR } from '../src/data-dir-layout.ts';
import { LockerError } from '../src/errors.ts';
import { readTargetState } from '../src/targets/target-state.ts';
import { restoreBackup } from '../src/archive/restore/restore-backup.ts';
import {
  FIXTURE_A,
  cleanupTempDirs,
  makeLiveDataDir,
  makeTempDir,
  readSnapshotRows,
  restoreWorkFiles,
  snapshotDir,
} from './support/restore-support.ts';

const CHILD = fileURLToPath(new URL('./config/config-lock-child.ts', import.meta.url));
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const APPENDS = 150;

const children: ChildProcess[] = [];

afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
  }
});
afterAll(() => cleanupTempDirs());

interface Child {
  process: ChildProcess;
  /** Resolves with the first stdout line equal to `line`; rejects when the child exits first. */
  said(line: string): Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr(): string;
}

function startChild(args: string[]): Child {
  const child = spawn(process.execPath, ['--import', TSX, CHILD, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  children.push(child);
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const lines: string[] = [];
  const waiters: { line: string; resolve: () => void }[] = [];
  createInterface({ input: child.stdout }).on('line', (line) => {
    lines.push(line);
    for (const waiter of waiters.filter((candidate) => candidate.line === line)) waiter.resolve();
  });
  const exited = once(child, 'exit').then(([code, signal]) => ({ code: code as number | null, signal: signal as NodeJS.Signals | null }));
  return {
    process: child,
    said: (line) =>
      lines.includes(line)
        ? Promise.resolve()
        : Promise.race([
            new Promise<void>((resolve) => waiters.push({ line, resolve })),
            exited.then(() => {
              if (!lines.includes(line)) throw new Error(`the child exited before saying "${line}": ${stderr}`);
            }),
          ]),
    exited,
    stderr: () => stderr,
  };
}

function newDataDir(): string {
  const dataDir = path.join(makeTempDir('config-lock'), 'data');
  fs.mkdirSync(dataDir);
  fs.writeFileSync(path.join(dataDir, 'config.json'), JSON.stringify({ modem_type: 'fritzbox' }));
  return dataDir;
}

describe('config.json saved by several processes', () => {
  it(`keeps every item when two processes each append ${APPENDS} items to one list at once`, async () => {
    const dataDir = newDataDir();
    const writers = [startChild(['append', dataDir, 'a', String(APPENDS)]), startChild(['append', dataDir, 'b', String(APPENDS)])];
    await Promise.all(writers.map((writer) => writer.said('ready')));
    for (const writer of writers) writer.process.stdin!.end('go\n');
    await Promise.all(writers.map((writer) => writer.said('done')));
    for (const writer of writers) expect(await writer.exited, writer.stderr()).toEqual({ code: 0, signal: null });

    const { config, problem } = await readConfig(dataDir);
    expect(problem).toBeNull();
    const items = config['lock_test_items'] as string[];
    expect(items).toHaveLength(2 * APPENDS);
    const expected = ['a', 'b'].flatMap((tag) => Array.from({ length: APPENDS }, (_, index) => `${tag}-${index}`));
    expect([...items].sort()).toEqual([...expected].sort());
    // Each process's own items stay in its order.
    expect(items.filter((item) => item.startsWith('a-'))).toEqual(expected.slice(0, APPENDS));
    expect(config['modem_type']).toBe('fritzbox');
    expect(fs.existsSync(configLockPath(dataDir))).toBe(false);
  });

  it(`keeps every copy two processes record in the offsite targets' records at once (${APPENDS} each)`, async () => {
    const dataDir = newDataDir();
    const writers = [startChild(['record', dataDir, 'a', String(APPENDS)]), startChild(['record', dataDir, 'b', String(APPENDS)])];
    await Promise.all(writers.map((writer) => writer.said('ready')));
    for (const writer of writers) writer.process.stdin!.end('go\n');
    await Promise.all(writers.map((writer) => writer.said('done')));
    for (const writer of writers) expect(await writer.exited, writer.stderr()).toEqual({ code: 0, signal: null });

    const uploaded = (await readTargetState(dataDir))['nas']?.uploaded ?? [];
    const expected = ['a', 'b'].flatMap((tag) => Array.from({ length: APPENDS }, (_, index) => `${tag}-${index}.tar.gz`));
    expect([...uploaded].sort()).toEqual([...expected].sort());
    expect(fs.existsSync(path.join(dataDir, TARGETS_STATE_LOCK_DIR))).toBe(false);
  });

  it('takes over the lock of a process that was killed (SIGKILL) holding it, once the lock is stale', async () => {
    const dataDir = newDataDir();
    const holder = startChild(['hold', dataDir]);
    await holder.said('locked');
    holder.process.kill('SIGKILL');
    expect(await holder.exited).toEqual({ code: null, signal: 'SIGKILL' });
    // SIGKILL runs no exit handler: the lock directory stays, and no one refreshes it any more.
    const lock = configLockPath(dataDir);
    expect(fs.statSync(lock).isDirectory()).toBe(true);
    // Its last refresh a minute ago: the time a dead holder's lock takes to go stale, without waiting for it.
    const minuteAgo = new Date(Date.now() - 60_000);
    fs.utimesSync(lock, minuteAgo, minuteAgo);

    const saved = await updateConfig(dataDir, { backup_enabled: true }, { lockWaitMs: 5_000 });
    expect(saved).toEqual({ modem_type: 'fritzbox', backup_enabled: true });
    expect((await readConfig(dataDir)).config).toEqual(saved);
    expect(fs.existsSync(lock)).toBe(false);
  });

  it('fails with CONFIG_LOCKED naming the data directory when a live process holds the lock past the bound, saving nothing', async () => {
    const dataDir = newDataDir();
    const before = fs.readFileSync(path.join(dataDir, 'config.json'));
    const holder = startChild(['hold', dataDir]);
    await holder.said('locked');

    const change = modifyConfig(dataDir, () => ({ backup_enabled: true }), { lockWaitMs: 300 });
    const error = await change.then(
      () => null,
      (reason: unknown) => reason,
    );
    expect(error).toBeInstanceOf(LockerError);
    expect((error as LockerError).code).toBe('CONFIG_LOCKED');
    expect((error as LockerError).message).toContain(dataDir);
    expect((error as LockerError).details).toMatchObject({ path: dataDir, lock: configLockPath(dataDir) });
    expect(fs.readFileSync(path.join(dataDir, 'config.json'))).toEqual(before);
    // The live holder's lock is left alone.
    expect(fs.statSync(configLockPath(dataDir)).isDirectory()).toBe(true);
    expect(holder.process.exitCode).toBeNull();
  });
});

describe('a restore and config.json saves', () => {
  it('publishes only while no other process saves config.json: with a live holder past the bound it is CONFIG_LOCKED and the data directory unchanged', async () => {
    const dataDir = makeLiveDataDir();
    const holder = startChild(['hold', dataDir]);
    await holder.said('locked');
    const before = snapshotDir(dataDir);

    const error = await restoreBackup({
      source: fs.createReadStream(FIXTURE_A),
      dataDir,
      configLock: { lockWaitMs: 300 },
      migrate: async () => undefined,
    }).then(
      () => null,
      (reason: unknown) => reason,
    );
    expect(error).toBeInstanceOf(LockerError);
    expect((error as LockerError).code).toBe('CONFIG_LOCKED');
    // Nothing was published: a save that read the old config.json can never write it back over a
    // restored one. (Holding the live databases applied the history database's stale -wal, as any
    // opener does.)
    const after = snapshotDir(dataDir);
    for (const name of ['config.json', '.config_key', '.session_key', '.auth_state', 'connection_monitor.db', 'modules/theme.css']) {
      expect(after[name], name).toBe(before[name]);
    }
    expect(readSnapshotRows(path.join(dataDir, 'docsis_history.db'))).toEqual(['live']);
    expect(restoreWorkFiles(dataDir)).toEqual([]);

    // Once the other process is done, the same restore goes through.
    holder.process.kill('SIGTERM');
    await holder.exited;
    fs.rmSync(configLockPath(dataDir), { recursive: true, force: true });
    const restored = await restoreBackup({ source: fs.createReadStream(FIXTURE_A), dataDir, configLock: { lockWaitMs: 5_000 } });
    expect(restored.restoredFiles).toContain('config.json');
    expect((await readConfig(dataDir)).config['modem_type']).not.toBe('live');
  });
});

describe('modifyConfig', () => {
  it('refuses a save from inside a save of the same config.json at once, instead of waiting for itself forever', async () => {
    const dataDir = newDataDir();
    const file = path.join(dataDir, 'config.json');
    const before = fs.readFileSync(file);
    const nested = modifyConfig(dataDir, async () => {
      await updateConfig(dataDir, { backup_enabled: true });
      return { poll_interval: 60 };
    });
    await expect(nested).rejects.toThrow('is saved from inside a save of it');
    expect(fs.readFileSync(file)).toEqual(before);
    // Neither the queue nor the lock is left held.
    expect(fs.existsSync(configLockPath(dataDir))).toBe(false);
    expect(await updateConfig(dataDir, { backup_enabled: true })).toMatchObject({ backup_enabled: true });
  });

  it('computes the change from the config as saved by the change before it, and saves nothing for null', async () => {
    const dataDir = newDataDir();
    const append = (item: string) =>
      modifyConfig(dataDir, (current) => ({ lock_test_items: [...((current['lock_test_items'] as string[] | undefined) ?? []), item] }));
    await Promise.all(['one', 'two', 'three'].map(append));
    expect((await readConfig(dataDir)).config['lock_test_items']).toEqual(['one', 'two', 'three']);

    const before = fs.statSync(path.join(dataDir, 'config.json')).mtimeMs;
    const unchanged = await modifyConfig(dataDir, () => null);
    expect(unchanged['lock_test_items']).toEqual(['one', 'two', 'three']);
    expect(fs.statSync(path.join(dataDir, 'config.json')).mtimeMs).toBe(before);
  });
});

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { WORK_PREFIX } from '../data-dir-layout.ts';
import { LockerError } from '../errors.ts';
import {
  TARGETS_STATE_FILE,
  copyTrigger,
  forgetCopy,
  forgetTarget,
  readTargetState,
  recordPushFailure,
  recordPushSuccess,
} from './target-state.ts';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'target-state-'));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

function dataDir(): string {
  return fs.mkdtempSync(path.join(work, 'data-'));
}

const A = '11111111-1111-4111-8111-111111111111';
const B = '22222222-2222-4222-8222-222222222222';

describe('target state', () => {
  it('is empty for a data dir that has no record yet', async () => {
    expect(await readTargetState(dataDir())).toEqual({});
  });

  it('records a failure with its code, message and next try, then a success that clears it', async () => {
    const dir = dataDir();
    const at = new Date('2026-03-01T10:00:00.000Z');
    const next = new Date('2026-03-01T10:01:00.000Z');
    const error = new LockerError('TARGET_UNREACHABLE', 'sftp://u@h/d: nothing answers.');
    await recordPushFailure(dir, A, error, at, next);
    await recordPushFailure(dir, A, new Error('socket hang up'), at, null);
    let state = (await readTargetState(dir))[A];
    expect(state).toEqual({
      lastSuccessAt: null,
      lastSuccessName: null,
      lastFailure: { at: at.toISOString(), code: 'TARGET_FAILED', message: 'socket hang up' },
      failures: 2,
      nextTryAt: null,
      uploaded: [],
      triggers: {},
    });
    await recordPushFailure(dir, A, { code: 'TARGET_SEAL_NO_KEY', message: 'No key to seal with.' }, at, null);
    expect((await readTargetState(dir))[A]?.lastFailure).toMatchObject({ code: 'TARGET_SEAL_NO_KEY', message: 'No key to seal with.' });
    await recordPushFailure(dir, A, error, at, next);
    expect((await readTargetState(dir))[A]?.lastFailure?.code).toBe('TARGET_UNREACHABLE');
    expect((await readTargetState(dir))[A]?.nextTryAt).toBe(next.toISOString());

    const done = new Date('2026-03-01T10:05:00.000Z');
    await recordPushSuccess(dir, A, 'docsight_backup_2026-03-01_100000.tar.gz.age', done);
    state = (await readTargetState(dir))[A];
    expect(state).toEqual({
      lastSuccessAt: done.toISOString(),
      lastSuccessName: 'docsight_backup_2026-03-01_100000.tar.gz.age',
      lastFailure: null,
      failures: 0,
      nextTryAt: null,
      uploaded: ['docsight_backup_2026-03-01_100000.tar.gz.age'],
      triggers: {},
    });
  });

  it('records what made each copy, forgets it with the copy, and reads a record without triggers', async () => {
    const dir = dataDir();
    await recordPushSuccess(dir, A, 'manual.tar.gz', new Date(), 'manual');
    await recordPushSuccess(dir, A, 'restore.tar.gz', new Date(), 'pre-restore');
    await recordPushSuccess(dir, A, 'unknown.tar.gz');
    // Sent again without knowing: what was recorded stays.
    await recordPushSuccess(dir, A, 'manual.tar.gz');
    let state = (await readTargetState(dir))[A];
    expect(state?.triggers).toEqual({ 'manual.tar.gz': 'manual', 'restore.tar.gz': 'pre-restore' });
    expect(copyTrigger(state, 'manual.tar.gz')).toBe('manual');
    expect(copyTrigger(state, 'unknown.tar.gz')).toBeNull();
    expect(copyTrigger(undefined, 'manual.tar.gz')).toBeNull();
    await forgetCopy(dir, A, 'manual.tar.gz');
    state = (await readTargetState(dir))[A];
    expect(state?.triggers).toEqual({ 'restore.tar.gz': 'pre-restore' });

    // A record written before triggers existed, and one with a value this version does not know.
    const old = { lastSuccessAt: null, lastSuccessName: null, lastFailure: null, failures: 0, nextTryAt: null, uploaded: ['a.tar.gz'] };
    fs.writeFileSync(
      path.join(dir, TARGETS_STATE_FILE),
      JSON.stringify({ [A]: old, [B]: { ...old, triggers: { 'a.tar.gz': 'someday', 'b.tar.gz': 'manual' } } }),
    );
    const all = await readTargetState(dir);
    expect(all[A]).toEqual({ ...old, triggers: {} });
    expect(copyTrigger(all[B], 'a.tar.gz')).toBeNull();
    expect(copyTrigger(all[B], 'b.tar.gz')).toBe('manual');
  });

  it('forgets one copy and a whole target, leaving the others', async () => {
    const dir = dataDir();
    await recordPushSuccess(dir, A, 'one.tar.gz');
    await recordPushSuccess(dir, A, 'two.tar.gz');
    await recordPushSuccess(dir, A, 'one.tar.gz');
    await recordPushSuccess(dir, B, 'b.tar.gz');
    expect((await readTargetState(dir))[A]?.uploaded).toEqual(['two.tar.gz', 'one.tar.gz']);
    await forgetCopy(dir, A, 'two.tar.gz');
    await forgetCopy(dir, A, 'never-sent.tar.gz');
    expect((await readTargetState(dir))[A]?.uploaded).toEqual(['one.tar.gz']);
    await forgetTarget(dir, A);
    await forgetTarget(dir, 'unknown');
    const all = await readTargetState(dir);
    expect(Object.keys(all)).toEqual([B]);
    expect(all[B]?.uploaded).toEqual(['b.tar.gz']);
  });

  it('serializes concurrent updates in one process: none is lost', async () => {
    const dir = dataDir();
    const names = Array.from({ length: 40 }, (_, index) => `copy-${String(index).padStart(2, '0')}.tar.gz`);
    await Promise.all([
      ...names.map((name) => recordPushSuccess(dir, A, name)),
      ...names.map((name) => recordPushFailure(dir, B, new Error(name))),
    ]);
    const all = await readTargetState(dir);
    expect(all[A]?.uploaded).toEqual(names);
    expect(all[B]?.failures).toBe(names.length);
  });

  it('writes atomically: the file is whole JSON with mode 0600 and no temp file is left', async () => {
    const dir = dataDir();
    await Promise.all(Array.from({ length: 10 }, (_, index) => recordPushSuccess(dir, A, `n${index}`)));
    const file = path.join(dir, TARGETS_STATE_FILE);
    expect(() => JSON.parse(fs.readFileSync(file, 'utf8')) as unknown).not.toThrow();
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.readdirSync(dir).filter((name) => name.startsWith(WORK_PREFIX))).toEqual([]);
    // Outside WORK_PREFIX: a sweep of work files never takes the record.
    expect(TARGETS_STATE_FILE.startsWith(WORK_PREFIX)).toBe(false);
  });

  it('reads a damaged record as empty and keeps the entries that are whole', async () => {
    const dir = dataDir();
    const file = path.join(dir, TARGETS_STATE_FILE);
    fs.writeFileSync(file, '{ not json');
    expect(await readTargetState(dir)).toEqual({});
    await recordPushSuccess(dir, A, 'x.tar.gz');
    const stored = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
    fs.writeFileSync(file, JSON.stringify({ ...stored, [B]: { failures: 'many' } }));
    expect(Object.keys(await readTargetState(dir))).toEqual([A]);
  });

  it('a write that fails rejects that call and the next ones still run', async () => {
    const dir = dataDir();
    fs.mkdirSync(path.join(dir, TARGETS_STATE_FILE));
    await expect(recordPushSuccess(dir, A, 'x')).rejects.toThrow();
    fs.rmdirSync(path.join(dir, TARGETS_STATE_FILE));
    await recordPushSuccess(dir, A, 'y');
    expect((await readTargetState(dir))[A]?.uploaded).toEqual(['y']);
  });
});

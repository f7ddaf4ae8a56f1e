/**
 * receiveUpload when the disk cannot take the uploaded archive: the staging file's writes fail (a
 * file system that fills up, a user quota that runs out) and the upload ends in DISK_FULL with
 * nothing left behind. The failing writes are injected: `node:fs`'s createWriteStream is replaced
 * in this file only.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { PREPARED_PREFIX, reserveSpace } from '@evidence-locker/core';
import { receiveUpload } from './receive-upload.ts';
import { FIXTURE_A } from '@evidence-locker/server/testing/restore-support';

const failure = vi.hoisted(() => ({ code: undefined as string | undefined }));

vi.mock('node:fs', async (importOriginal) => {
  const actual = await importOriginal<typeof fs>();
  const createWriteStream = ((...args: Parameters<typeof actual.createWriteStream>) => {
    const code = failure.code;
    if (code === undefined) return actual.createWriteStream(...args);
    // The file is created, as a real write stream's would be, and its first write fails.
    actual.writeFileSync(args[0], '', { flag: 'wx', mode: 0o600 });
    return new Writable({
      write(_chunk, _encoding, callback) {
        callback(Object.assign(new Error(`${code}: no room left, write`), { code, errno: -28, syscall: 'write' }));
      },
    });
  }) as typeof actual.createWriteStream;
  return { ...actual, default: { ...actual, createWriteStream }, createWriteStream };
});

const dirs: string[] = [];
afterEach(() => {
  failure.code = undefined;
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

describe('receiveUpload on a disk without room', () => {
  for (const code of ['ENOSPC', 'EDQUOT']) {
    it(`ends in DISK_FULL on ${code} and removes the staging file and every staged member`, async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'el-receive-'));
      dirs.push(dir);
      failure.code = code;
      const error = await receiveUpload(Readable.from([fs.readFileSync(FIXTURE_A)]), {
        path: path.join(dir, 'upload.tar.gz'),
        maxBytes: 1024 * 1024 * 1024,
        stagingPrefix: `${PREPARED_PREFIX}disk-full-`,
        reservation: await reserveSpace('upload', dir, 0),
      }).catch((caught: unknown) => caught);
      expect(error).toMatchObject({
        code: 'DISK_FULL',
        message: `The disk filled up while the upload was written to ${dir}; nothing was changed. Free up space there and upload the file again.`,
      });
      expect(fs.readdirSync(dir)).toEqual([]);
    });
  }
});

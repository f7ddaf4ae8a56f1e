import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sweepWorkFiles } from '@evidence-locker/core';
import {
  FIXTURE_A,
  FIXTURE_A_SNAPSHOTS,
  directoryPicture,
  stagedUploads,
  traversalArchive,
} from '@evidence-locker/server/testing/restore-support';
import { UPLOAD_FILE_PREFIX, UploadStore } from './upload-store.ts';

let dir: string;
let store: UploadStore | undefined;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'el-uploads-'));
});
afterEach(async () => {
  await store?.close();
  store = undefined;
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A stream that hands out `bytes` in small chunks, like a network body. */
function chunked(bytes: Buffer, chunkSize = 64 * 1024): Readable {
  return Readable.from(
    (function* () {
      for (let offset = 0; offset < bytes.length; offset += chunkSize) yield bytes.subarray(offset, offset + chunkSize);
    })(),
  );
}

describe('UploadStore', () => {
  it('stages a valid archive as a 0600 .evidence-locker-upload file and validates it in the same pass', async () => {
    store = new UploadStore({ stagingDir: dir });
    const bytes = fs.readFileSync(FIXTURE_A);
    const id = store.newUploadId();
    const staged = await store.receive(id, chunked(bytes));
    expect(staged.size).toBe(bytes.length);
    expect(staged.validation).toMatchObject({ has_database: true, has_config: true });
    expect(staged.validation.meta.tables?.['snapshots']).toBe(FIXTURE_A_SNAPSHOTS);
    expect(path.basename(staged.path)).toBe(`${UPLOAD_FILE_PREFIX}${id}.tar.gz`);
    expect(fs.statSync(staged.path).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(staged.path).equals(bytes)).toBe(true);
    expect(store.get(id)).toBe(staged);
  });

  it('removes the staged file and throws the engine error for an invalid archive', async () => {
    store = new UploadStore({ stagingDir: dir });
    await expect(store.receive(store.newUploadId(), chunked(traversalArchive()))).rejects.toMatchObject({
      code: 'MEMBER_UNSAFE',
      message: expect.stringMatching(/^Unsafe path in archive: /),
    });
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('stops at the size cap while streaming and leaves nothing behind', async () => {
    store = new UploadStore({ stagingDir: dir, maxBytes: 100_000 });
    const before = directoryPicture(dir);
    await expect(store.receive(store.newUploadId(), chunked(fs.readFileSync(FIXTURE_A), 16 * 1024))).rejects.toMatchObject({
      code: 'ARCHIVE_TOO_LARGE',
      message: 'The upload is larger than the limit of 100000 bytes.',
    });
    expect(directoryPicture(dir)).toEqual(before);
  });

  it('hands an upload to one restore only, and deletes it on release', async () => {
    store = new UploadStore({ stagingDir: dir });
    const id = store.newUploadId();
    const staged = await store.receive(id, chunked(fs.readFileSync(FIXTURE_A)));
    expect(store.claim(id)).toBe(staged);
    expect(store.claim(id)).toBeUndefined();
    expect(store.get(id)).toBeUndefined();
    store.unclaim(id);
    expect(store.claim(id)).toBe(staged);
    await store.release(id);
    expect(stagedUploads(dir)).toEqual([]);
  });

  it('expires uploads nobody restored and sweeps their files, but never a claimed one', async () => {
    let now = 1_000_000;
    store = new UploadStore({ stagingDir: dir, ttlMs: 60_000, now: () => now });
    const waiting = store.newUploadId();
    const restoring = store.newUploadId();
    await store.receive(waiting, chunked(fs.readFileSync(FIXTURE_A)));
    await store.receive(restoring, chunked(fs.readFileSync(FIXTURE_A)));
    store.claim(restoring);
    now += 60_000;
    expect(store.get(waiting)).toBeUndefined();
    expect(await store.sweepExpired()).toEqual([waiting]);
    // Only the claimed upload is left: its archive file and its six prepared members.
    const left = stagedUploads(dir);
    expect(left).toHaveLength(7);
    expect(left.every((name) => name.includes(restoring))).toBe(true);
    expect(left).toContain(`${UPLOAD_FILE_PREFIX}${restoring}.tar.gz`);
  });

  it('refuses more uploads than may wait at once', async () => {
    store = new UploadStore({ stagingDir: dir, maxPending: 1 });
    await store.receive(store.newUploadId(), chunked(fs.readFileSync(FIXTURE_A)));
    await expect(store.receive(store.newUploadId(), chunked(fs.readFileSync(FIXTURE_A)))).rejects.toMatchObject({
      code: 'BUSY',
      message: expect.stringMatching(/already waiting to be restored/),
    });
  });

  it('discards a waiting upload at once: its archive file and its prepared members are gone', async () => {
    store = new UploadStore({ stagingDir: dir });
    const id = store.newUploadId();
    await store.receive(id, chunked(fs.readFileSync(FIXTURE_A)));
    expect(stagedUploads(dir)).toHaveLength(7);
    expect(await store.discard(id)).toBe(true);
    expect(stagedUploads(dir)).toEqual([]);
    expect(await store.discard(id)).toBe(false);
  });

  it("replaces a sender's oldest waiting upload past its bound, leaving other senders' uploads alone", async () => {
    store = new UploadStore({ stagingDir: dir });
    const sender = { id: '192.0.2.1', maxPending: 2 };
    const other = store.newUploadId();
    await store.receive(other, chunked(fs.readFileSync(FIXTURE_A)), { sender: { id: '192.0.2.2', maxPending: 2 } });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const id = store.newUploadId();
      await store.receive(id, chunked(fs.readFileSync(FIXTURE_A)), { sender });
      ids.push(id);
    }
    expect(store.pendingOf(sender.id)).toBe(2);
    expect(ids.map((id) => store?.get(id) !== undefined)).toEqual([false, false, false, true, true]);
    expect(store.get(other)).toBeDefined();
    // Three uploads, seven files each: nothing of the replaced ones is left.
    const left = stagedUploads(dir);
    expect(left).toHaveLength(21);
    for (const id of ids.slice(0, 3)) expect(left.filter((name) => name.includes(id))).toEqual([]);
  });

  it('refuses a sender whose uploads are all being restored, and takes nothing of theirs', async () => {
    store = new UploadStore({ stagingDir: dir });
    const sender = { id: '192.0.2.1', maxPending: 2 };
    const ids = [store.newUploadId(), store.newUploadId()];
    for (const id of ids) {
      await store.receive(id, chunked(fs.readFileSync(FIXTURE_A)), { sender });
      store.claim(id);
    }
    await expect(store.receive(store.newUploadId(), chunked(fs.readFileSync(FIXTURE_A)), { sender })).rejects.toMatchObject({
      code: 'BUSY',
      message: '2 uploads from your address are still arriving or being restored; wait until one is done.',
    });
    expect(stagedUploads(dir)).toHaveLength(14);
    await store.release(ids[0] ?? '');
    await expect(store.receive(store.newUploadId(), chunked(fs.readFileSync(FIXTURE_A)), { sender })).resolves.toBeDefined();
  });

  it('names staged uploads so that the start-up sweep of crash leftovers removes them', async () => {
    store = new UploadStore({ stagingDir: dir });
    await store.receive(store.newUploadId(), chunked(fs.readFileSync(FIXTURE_A)));
    const swept = await sweepWorkFiles(dir);
    // The archive file and its members, staged and verified as the upload arrived.
    expect(swept.removed.sort()).toEqual([
      expect.stringMatching(/^\.evidence-locker-prepared-[0-9a-f-]{36}-\.auth_state\.[0-9a-f]{12}\.tmp$/),
      expect.stringMatching(/^\.evidence-locker-prepared-[0-9a-f-]{36}-\.config_key\.[0-9a-f]{12}\.tmp$/),
      expect.stringMatching(/^\.evidence-locker-prepared-[0-9a-f-]{36}-\.session_key\.[0-9a-f]{12}\.tmp$/),
      expect.stringMatching(/^\.evidence-locker-prepared-[0-9a-f-]{36}-config\.json\.[0-9a-f]{12}\.tmp$/),
      expect.stringMatching(/^\.evidence-locker-prepared-[0-9a-f-]{36}-connection_monitor\.db\.[0-9a-f]{12}\.tmp$/),
      expect.stringMatching(/^\.evidence-locker-prepared-[0-9a-f-]{36}-docsis_history\.db\.[0-9a-f]{12}\.tmp$/),
      expect.stringMatching(/^\.evidence-locker-upload-[0-9a-f-]{36}\.tar\.gz$/),
    ]);
  });

  it('deletes waiting uploads when closed', async () => {
    store = new UploadStore({ stagingDir: dir });
    await store.receive(store.newUploadId(), chunked(fs.readFileSync(FIXTURE_A)));
    await store.close();
    expect(stagedUploads(dir)).toEqual([]);
  });
});

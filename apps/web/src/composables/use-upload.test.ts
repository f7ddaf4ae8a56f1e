import { afterEach, describe, expect, it } from 'vitest';
import { effectScope } from 'vue';
import type { UploadedArchive } from '../api/server-types.ts';
import { UploadError, type UploadArchiveOptions } from '../api/upload-archive.ts';
import { setLocale } from '../i18n/i18n.ts';
import { useUpload } from './use-upload.ts';

afterEach(() => setLocale('en'));

const answer = (uploadId: string): UploadedArchive => ({
  uploadId,
  size: 4,
  sealed: null,
  expiresAt: '2026-11-26T08:07:13.713Z',
  validation: {
    meta: { magic: 'docsight-backup', format_version: 1 },
    files: ['backup_meta.json'],
    has_database: false,
    has_config: false,
    warnings: [],
    members: [],
    evidence: null,
  },
  restoredConfig: null,
});
const ANSWER = answer('u-1');
const file = () => new File(['abcd'], 'backup.tar.gz');

/** A server stand-in: answers uploads with fresh ids (or refuses the names in `refuse`) and records what happens in order. */
function fakeServer(refuse: string[] = []) {
  const log: string[] = [];
  let next = 0;
  const upload = async (sent: Blob) => {
    const name = (sent as File).name;
    if (refuse.includes(name)) {
      log.push(`refused ${name}`);
      throw new UploadError('ARCHIVE_NOT_GZIP', 'Invalid archive: not a gzip file', 400);
    }
    next += 1;
    log.push(`uploaded u-${next}`);
    return answer(`u-${next}`);
  };
  const discard = async (uploadId: string) => {
    log.push(`discarded ${uploadId}`);
    return { discarded: true };
  };
  return { log, upload, discard };
}

describe('useUpload', () => {
  it('reports progress and ends with the server validation', async () => {
    const seen: number[] = [];
    const upload = useUpload(async (_file, options: UploadArchiveOptions) => {
      options.onProgress?.({ loaded: 2, total: 4 });
      seen.push(upload.percent.value);
      return ANSWER;
    });
    await expect(upload.start(file())).resolves.toBe(ANSWER);
    expect(seen).toEqual([50]);
    expect(upload.status.value).toBe('done');
    expect(upload.result.value).toBe(ANSWER);
  });

  it("says why the archive was refused in the user's language, keeping the server's code", async () => {
    const server = fakeServer(['broken.tar.gz']);
    const upload = useUpload(server.upload, server.discard);
    await expect(upload.start(new File(['x'], 'broken.tar.gz'))).resolves.toBeNull();
    expect(upload.status.value).toBe('failed');
    expect(upload.errorCode.value).toBe('ARCHIVE_NOT_GZIP');
    expect(upload.error.value).toBe('This is not a backup archive: the file is not gzip-compressed (.tar.gz).');
    setLocale('de');
    expect(upload.error.value).toBe('Das ist kein Sicherungsarchiv: Die Datei ist nicht gzip-komprimiert (.tar.gz).');
  });

  it('returns to idle without an error when the upload is cancelled', async () => {
    const upload = useUpload(
      (_file, options) =>
        new Promise((_resolve, reject) => {
          options.signal?.addEventListener('abort', () => reject(new DOMException('Upload cancelled', 'AbortError')));
        }),
    );
    const started = upload.start(file());
    expect(upload.status.value).toBe('uploading');
    void upload.reset();
    await expect(started).resolves.toBeNull();
    expect(upload.status.value).toBe('idle');
    expect(upload.error.value).toBeNull();
  });

  it('discards the upload a new pick replaces before sending the new file, and nothing for a refused one', async () => {
    const server = fakeServer(['broken.tar.gz']);
    const upload = useUpload(server.upload, server.discard);
    await upload.start(file());
    await upload.start(file());
    await upload.start(new File(['x'], 'broken.tar.gz'));
    await upload.start(file());
    expect(server.log).toEqual(['uploaded u-1', 'discarded u-1', 'uploaded u-2', 'discarded u-2', 'refused broken.tar.gz', 'uploaded u-3']);
    expect(upload.result.value?.uploadId).toBe('u-3');
  });

  it('discards the finished upload on "Choose another file" and "Back" (reset), once', async () => {
    const server = fakeServer();
    const upload = useUpload(server.upload, server.discard);
    await upload.start(file());
    await upload.reset();
    await upload.reset();
    expect(server.log).toEqual(['uploaded u-1', 'discarded u-1']);
    expect(upload.result.value).toBeNull();
  });

  it('discards the finished upload when its component goes away', async () => {
    const server = fakeServer();
    const scope = effectScope();
    const upload = scope.run(() => useUpload(server.upload, server.discard));
    await upload?.start(file());
    scope.stop();
    await Promise.resolve();
    expect(server.log).toEqual(['uploaded u-1', 'discarded u-1']);
  });

  it('leaves an upload a restore took over to that restore, which deletes it itself', async () => {
    const server = fakeServer();
    const scope = effectScope();
    const upload = scope.run(() => useUpload(server.upload, server.discard));
    await upload?.start(file());
    upload?.handOver();
    expect(upload?.result.value?.uploadId).toBe('u-1');
    scope.stop();
    await Promise.resolve();
    expect(server.log).toEqual(['uploaded u-1']);
  });

  it('never shows an error because a discard failed (the upload had expired)', async () => {
    const server = fakeServer();
    const upload = useUpload(server.upload, async () => {
      throw new Error('This upload has expired or was already used; upload the file again.');
    });
    await upload.start(file());
    await expect(upload.reset()).resolves.toBeUndefined();
    await expect(upload.start(file())).resolves.toMatchObject({ uploadId: 'u-2' });
    expect(upload.error.value).toBeNull();
  });
});

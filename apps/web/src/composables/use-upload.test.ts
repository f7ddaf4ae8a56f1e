import { describe, expect, it } from 'vitest';
import { UploadError, type UploadArchiveOptions, type UploadedArchive } from '../api/upload-archive.ts';
import { useUpload } from './use-upload.ts';

const ANSWER: UploadedArchive = {
  uploadId: 'u-1',
  size: 4,
  validation: { meta: { magic: 'docsight-backup', format_version: 1 }, files: ['backup_meta.json'], has_database: false, has_config: false, warnings: [] },
};
const file = () => new File(['abcd'], 'backup.tar.gz');

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

  it("keeps the server's own message and code when the archive is refused", async () => {
    const upload = useUpload(async () => {
      throw new UploadError('ARCHIVE_NOT_GZIP', 'Invalid archive: not a gzip file', 400);
    });
    await expect(upload.start(file())).resolves.toBeNull();
    expect(upload.status.value).toBe('failed');
    expect(upload.error.value).toBe('Invalid archive: not a gzip file');
    expect(upload.errorCode.value).toBe('ARCHIVE_NOT_GZIP');
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
    upload.reset();
    await expect(started).resolves.toBeNull();
    expect(upload.status.value).toBe('idle');
    expect(upload.error.value).toBeNull();
  });
});

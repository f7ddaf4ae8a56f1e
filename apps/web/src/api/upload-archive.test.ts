import { describe, expect, it } from 'vitest';
import { uploadArchive, UploadError } from './upload-archive.ts';

/** An XMLHttpRequest stand-in answering with `status` and `body` once sent. */
function fakeXhr(status: number, body: string, sent: { body?: unknown; headers: Record<string, string> }) {
  return class {
    status = 0;
    responseText = '';
    responseType = '';
    upload: { onprogress: ((event: { loaded: number; total: number; lengthComputable: boolean }) => void) | null } = { onprogress: null };
    onload: (() => void) | null = null;
    onerror: (() => void) | null = null;
    onabort: (() => void) | null = null;
    open() {}
    abort() {
      this.onabort?.();
    }
    setRequestHeader(name: string, value: string) {
      sent.headers[name] = value;
    }
    send(payload: unknown) {
      sent.body = payload;
      this.upload.onprogress?.({ loaded: 2, total: 4, lengthComputable: true });
      this.status = status;
      this.responseText = body;
      queueMicrotask(() => this.onload?.());
    }
  } as unknown as typeof XMLHttpRequest;
}

describe('uploadArchive', () => {
  it('sends the file as raw bytes once and reports progress', async () => {
    const sent = { headers: {} as Record<string, string>, body: undefined as unknown };
    const file = new File(['abcd'], 'my backup.tar.gz');
    const progress: number[] = [];
    const answer = { uploadId: 'u-1', size: 4, validation: { meta: {}, files: [], has_database: true, has_config: true, warnings: [] } };
    const result = await uploadArchive(file, {
      XHR: fakeXhr(200, JSON.stringify(answer), sent),
      onProgress: (p) => progress.push(p.loaded),
    });
    expect(result.uploadId).toBe('u-1');
    expect(sent.body).toBe(file);
    expect(sent.headers['Content-Type']).toBe('application/octet-stream');
    expect(progress).toEqual([2, 4]);
  });

  it("sends the extra headers it is given (a sealed file's name and key)", async () => {
    const sent = { headers: {} as Record<string, string>, body: undefined as unknown };
    const answer = { uploadId: 'u-2', size: 1, validation: { meta: {}, files: [], has_database: true, has_config: true, warnings: [] } };
    await uploadArchive(new File(['x'], 'b.tar.gz.age'), {
      XHR: fakeXhr(200, JSON.stringify(answer), sent),
      headers: { 'X-Archive-Name': 'b.tar.gz.age', 'X-Seal-Passphrase': 'cGFzcw==' },
    });
    expect(sent.headers).toMatchObject({ 'X-Archive-Name': 'b.tar.gz.age', 'X-Seal-Passphrase': 'cGFzcw==' });
  });

  it("rejects with the server's code and message for a refused archive", async () => {
    const body = JSON.stringify({ error: { code: 'MEMBER_UNSAFE', message: 'Unsafe path in archive: ../x' } });
    const error = await uploadArchive(new File(['x'], 'a.tar.gz'), { XHR: fakeXhr(400, body, { headers: {} }) }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(UploadError);
    expect(error).toMatchObject({ code: 'MEMBER_UNSAFE', message: 'Unsafe path in archive: ../x', status: 400 });
  });

  it('rejects with an empty message when the answer is not the JSON error shape', async () => {
    const error = await uploadArchive(new File(['x'], 'a.tar.gz'), {
      XHR: fakeXhr(502, '<html>Bad gateway</html>', { headers: {} }),
    }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'HTTP_502', message: '' });
  });
});

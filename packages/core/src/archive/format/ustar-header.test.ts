import { Readable } from 'node:stream';
import tar from 'tar-stream';
import { describe, expect, it } from 'vitest';
import { tarPadding, tarTrailer, TAR_RECORD_SIZE, ustarHeader } from './ustar-header.ts';

async function readHeaders(archive: Buffer): Promise<tar.Header[]> {
  const extract = tar.extract();
  const headers: tar.Header[] = [];
  extract.on('entry', (header, stream, next) => {
    headers.push(header);
    stream.on('end', next);
    stream.resume();
  });
  const done = new Promise((resolve, reject) => {
    extract.on('finish', () => resolve(undefined));
    extract.on('error', reject);
  });
  Readable.from([archive]).pipe(extract);
  await done;
  return headers;
}

describe('ustarHeader', () => {
  it('encodes a ustar header that another tar reader decodes field by field', async () => {
    const data = Buffer.from('{"magic": "docsight-backup"}');
    const header = ustarHeader({ name: 'backup_meta.json', size: data.length, mode: 0o644, mtime: 1795684972 });
    const body = Buffer.concat([header, data, tarPadding(data.length)]);
    const archive = Buffer.concat([body, tarTrailer(body.length)]);
    expect(archive.length % TAR_RECORD_SIZE).toBe(0);
    const [decoded] = await readHeaders(archive);
    expect(decoded).toMatchObject({ name: 'backup_meta.json', size: data.length, mode: 0o644, uid: 0, gid: 0, type: 'file' });
    expect(decoded!.mtime.getTime()).toBe(1795684972_000);
    expect(header.subarray(257, 265).toString('latin1')).toBe('ustar\u000000');
  });

  it('writes sizes of 8 GiB and more in base-256', () => {
    const header = ustarHeader({ name: 'docsis_history.db', size: 8 * 1024 ** 3, mode: 0o644, mtime: 0 });
    expect(header[124]).toBe(0x80);
    expect(header.readBigUInt64BE(128)).toBe(8n * 1024n ** 3n);
  });

  it('refuses names a DOCSight restore could not match', () => {
    expect(() => ustarHeader({ name: 'x'.repeat(101), size: 0, mode: 0o644, mtime: 0 })).toThrow(RangeError);
    expect(() => ustarHeader({ name: 'caf\u00e9', size: 0, mode: 0o644, mtime: 0 })).toThrow(RangeError);
  });
});

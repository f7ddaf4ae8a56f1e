/**
 * The `gzip_members` index of our archives: the reader inflates the listed members in parallel and
 * gets the same bytes as one streaming gunzip, refuses an index or a tail that does not match the
 * archive before anything is published, and reads archives without an index in one stream.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync, gunzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createBackup } from '../src/archive/create/create-backup.ts';
import { firstGzipMemberLength, makeDataDir, type FixtureDataDir } from './support/create-backup-fixtures.ts';
import { readArchive, type ReadArchiveResult } from '../src/archive/read/read-archive.ts';
import { restoreBackup } from '../src/archive/restore/restore-backup.ts';
import { validateArchive } from '../src/archive/read/validate-archive.ts';
import { tarPadding, ustarHeader } from '../src/archive/format/ustar-header.ts';
import { FIXTURE_A, cleanupTempDirs, makeLiveDataDir, makeTempDir, restoreWorkFiles, snapshotDir } from './support/restore-support.ts';
import { lockerErrorOf } from './support/locker-error-of.ts';

let source: FixtureDataDir;
/** Our archive of `source`, with 64 KiB body members so there are many to index. */
let archive: Buffer;

beforeAll(async () => {
  source = makeDataDir({ userRows: 400, payloadBytes: 3000 });
  const backupDir = path.join(path.dirname(source.dataDir), 'backups');
  const created = await createBackup({
    dataDir: source.dataDir,
    destination: { kind: 'directory', backupDir },
    trigger: 'manual',
    gzip: { chunkSize: 64 * 1024 },
  });
  archive = fs.readFileSync(created.path!);
});
afterAll(() => source.cleanup());
afterEach(cleanupTempDirs);

type Meta = Record<string, unknown> & { gzip_members?: unknown };

/** `archive` with its meta member replaced by one holding the meta as `edit` changes it. */
function withMeta(edit: (meta: Meta) => void): Buffer {
  const headLength = firstGzipMemberLength(archive);
  const entry = gunzipSync(archive.subarray(0, headLength));
  const size = Number.parseInt(entry.toString('latin1', 124, 136).trim(), 8);
  const meta = JSON.parse(entry.subarray(512, 512 + size).toString('utf8')) as Meta;
  edit(meta);
  const json = Buffer.from(JSON.stringify(meta, null, 2));
  const header = ustarHeader({ name: 'backup_meta.json', size: json.length, mode: 0o644, mtime: 1_795_676_833 });
  return Buffer.concat([gzipSync(Buffer.concat([header, json, tarPadding(json.length)])), archive.subarray(headLength)]);
}

function indexOf(bytes: Buffer): number[] {
  const entry = gunzipSync(bytes.subarray(0, firstGzipMemberLength(bytes)));
  const size = Number.parseInt(entry.toString('latin1', 124, 136).trim(), 8);
  return (JSON.parse(entry.subarray(512, 512 + size).toString('utf8')) as { gzip_members: number[] }).gzip_members;
}

/** `bytes` as a stream of `size`-byte chunks, as an upload arrives. */
function chunked(bytes: Buffer, size: number): Readable {
  const chunks: Buffer[] = [];
  for (let offset = 0; offset < bytes.length; offset += size) chunks.push(bytes.subarray(offset, offset + size));
  return Readable.from(chunks);
}

/** Parallel inflating is on by default only with more than 2 cores; these tests always ask for it. */
const PARALLEL = { parallelInflate: true } as const;

async function read(bytes: Buffer | Readable, parallelInflate = true): Promise<ReadArchiveResult> {
  return readArchive(
    bytes,
    async (_member, content) => {
      for await (const _chunk of content) {
        // drained
      }
    },
    { parallelInflate },
  );
}

describe('gzip member index', () => {
  it('lists every member after the meta, adding up to the rest of the archive', () => {
    const index = indexOf(archive);
    expect(index.length).toBeGreaterThan(10);
    expect(firstGzipMemberLength(archive) + index.reduce((sum, size) => sum + size, 0)).toBe(archive.length);
  });

  it('inflates our archive in parallel along the index, with the same result as one stream', async () => {
    const parallel = await read(archive);
    const sequential = await read(withMeta((meta) => delete meta.gzip_members));
    expect(parallel.inflation).toBe('parallel');
    expect(sequential.inflation).toBe('sequential');
    expect(parallel.members).toEqual(sequential.members);
    expect(parallel.files).toEqual(sequential.files);
    expect(parallel.members.map((member) => member.name)).toEqual([
      'docsis_history.db',
      'connection_monitor.db',
      'config.json',
      '.config_key',
    ]);
  });

  it('reads our archive in one stream when parallel inflating is off', async () => {
    const result = await read(archive, false);
    expect(result.inflation).toBe('sequential');
    expect(result.members).toEqual((await read(archive)).members);
  });

  it('cuts slices out of small upload chunks the same way', async () => {
    const result = await read(chunked(archive, 1000));
    expect(result.inflation).toBe('parallel');
    expect(result.members).toEqual((await read(archive)).members);
  });

  it('restores our archive through the parallel path byte for byte', async () => {
    const dataDir = path.join(makeTempDir('index-restore'), 'data');
    const result = await restoreBackup({ source: archive, dataDir, migrate: async () => undefined, ...PARALLEL });
    expect(result.restoredFiles).toEqual(['docsis_history.db', 'connection_monitor.db', 'config.json', '.config_key']);
    expect(fs.readFileSync(path.join(dataDir, 'config.json'))).toEqual(fs.readFileSync(path.join(source.dataDir, 'config.json')));
    const digests = result.meta.members!;
    const restored = snapshotDir(dataDir);
    // The history copy is flagged rollback-mode on restore (sqlite-header.ts); the rest is as archived.
    for (const name of ['connection_monitor.db', 'config.json', '.config_key']) expect(restored[name]).toBe(digests[name]!.sha256);
  });

  it('reads a single gzip member in one stream, as DOCSight writes it', async () => {
    const result = await read(fs.readFileSync(FIXTURE_A));
    expect(result.inflation).toBe('sequential');
  });

  it('still refuses an index of the wrong shape as an invalid meta', async () => {
    const error = await lockerErrorOf(read(withMeta((meta) => (meta.gzip_members = [100, -5]))));
    expect(error.code).toBe('META_INVALID');
  });

  const wrongIndexes: [string, (index: number[]) => number[]][] = [
    ['a boundary moved by one byte', (index) => [index[0]! + 1, index[1]! - 1, ...index.slice(2)]],
    ['two sizes swapped', (index) => [index[1]!, index[0]!, ...index.slice(2)]],
    ['a member split in two', (index) => [10, index[0]! - 10, ...index.slice(1)]],
  ];
  for (const [label, wrong] of wrongIndexes) {
    it(`refuses an index with ${label} and leaves the data dir untouched`, async () => {
      const tampered = withMeta((meta) => (meta.gzip_members = wrong(meta.gzip_members as number[])));
      const dataDir = makeLiveDataDir();
      const before = snapshotDir(dataDir);
      const error = await lockerErrorOf(restoreBackup({ source: tampered, dataDir, migrate: async () => undefined, ...PARALLEL }));
      expect(error.code).toBe('ARCHIVE_CORRUPT');
      expect(error.details).toMatchObject({ reason: 'gzip_members' });
      expect(snapshotDir(dataDir)).toEqual(before);
      expect(restoreWorkFiles(dataDir)).toEqual([]);
    });
  }

  it('accepts an index that groups whole members into one slice', async () => {
    const grouped = withMeta((meta) => {
      const index = meta.gzip_members as number[];
      meta.gzip_members = [index[0]! + index[1]!, ...index.slice(2)];
    });
    expect((await read(grouped)).members).toEqual((await read(archive)).members);
  });

  it('refuses members the index leaves out as trailing data', async () => {
    const short = withMeta((meta) => (meta.gzip_members = (meta.gzip_members as number[]).slice(0, -1)));
    const error = await lockerErrorOf(read(short));
    expect(error.code).toBe('ARCHIVE_CORRUPT');
    expect(error.details).toMatchObject({ reason: 'trailing_data' });
  });

  it('reports an archive that ends before the listed members as truncated', async () => {
    const long = withMeta((meta) => (meta.gzip_members = [...(meta.gzip_members as number[]), 40]));
    expect((await lockerErrorOf(read(long))).code).toBe('ARCHIVE_TRUNCATED');
    expect((await lockerErrorOf(read(archive.subarray(0, Math.floor(archive.length / 2))))).code).toBe('ARCHIVE_TRUNCATED');
  });

  it('refuses trailing garbage after the last gzip member', async () => {
    const error = await lockerErrorOf(validateArchive(Buffer.concat([archive, Buffer.from('garbage')]), PARALLEL));
    expect(error.code).toBe('ARCHIVE_CORRUPT');
    expect(error.details).toMatchObject({ reason: 'trailing_data' });
    const afterPadding = await lockerErrorOf(validateArchive(Buffer.concat([archive, Buffer.alloc(512), Buffer.from([1])]), PARALLEL));
    expect(afterPadding.code).toBe('ARCHIVE_CORRUPT');
  });

  it('accepts zero padding after the last gzip member, as gzip does', async () => {
    const result = await validateArchive(Buffer.concat([archive, Buffer.alloc(10_240)]), PARALLEL);
    expect(result.files).toContain('docsis_history.db');
  });

  it('refuses a corrupt member with ARCHIVE_CORRUPT', async () => {
    const corrupt = Buffer.from(archive);
    const index = indexOf(archive);
    // A byte inside the third body member's deflate data.
    const at = firstGzipMemberLength(archive) + index[0]! + index[1]! + Math.floor(index[2]! / 2);
    corrupt[at] = corrupt[at]! ^ 0xff;
    expect((await lockerErrorOf(read(corrupt))).code).toBe('ARCHIVE_CORRUPT');
  });
});

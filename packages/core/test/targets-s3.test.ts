/**
 * The S3 target against a real S3-compatible store: OpenStack Swift with s3api on loopback
 * (Debian's swift-* packages, started once for the file, its object device on a tmpfs of its own
 * so a test can fill it). What landed, or did not, is checked with a client of the store's owner
 * (objects and multipart uploads), not through the target itself.
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import {
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { freePort } from '@evidence-locker/test-servers/free-port';
import { startSwift, type RunningSwift } from '@evidence-locker/test-servers/swift';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BackupTarget } from '../src/targets/backup-target.ts';
import { probeTarget } from '../src/targets/probe-target.ts';
import { createS3Target, type S3TargetOptions } from '../src/targets/s3-target.ts';
import { lockerErrorOf } from './support/locker-error-of.ts';

const MiB = 1024 * 1024;
let swift: RunningSwift;
let owner: S3Client;
let workDir: string;
let fileStarted: number;
const targets: BackupTarget[] = [];

function target(overrides: Partial<S3TargetOptions> = {}): BackupTarget {
  const created = createS3Target({
    endpoint: swift.endpoint,
    region: swift.region,
    bucket: swift.bucket,
    pathStyle: true,
    accessKeyId: swift.accessKeyId,
    secretAccessKey: swift.secretAccessKey,
    ...overrides,
  });
  targets.push(created);
  return created;
}

function md5(bytes: Buffer): string {
  return createHash('md5').update(bytes).digest('hex');
}

async function collect(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(part as Buffer);
  return Buffer.concat(parts);
}

/** Keys in the bucket under `prefix`, as its owner sees them. */
async function keysUnder(prefix: string, bucket = swift.bucket): Promise<string[]> {
  const page = await owner.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
  return (page.Contents ?? []).map((object) => object.Key ?? '').sort();
}

/** Multipart uploads not completed nor aborted under `prefix`. */
async function openUploads(prefix: string, bucket = swift.bucket): Promise<string[]> {
  const page = await owner.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: prefix }));
  return (page.Uploads ?? []).map((upload) => `${upload.Key ?? ''} ${upload.UploadId ?? ''}`);
}

/**
 * `total` random bytes, given `chunk` bytes at a time, each after `delayMs` (a slow link); after
 * `holdAt` bytes it waits for `hold` (the test's moment to act mid-transfer).
 */
function throttled(total: number, delayMs: number, pause?: { holdAt: number; hold: Promise<void> }, chunk = 256 * 1024): Readable {
  const block = randomBytes(chunk);
  return Readable.from(
    (async function* () {
      for (let sent = 0; sent < total; sent += chunk) {
        if (pause !== undefined && sent === pause.holdAt) await pause.hold;
        await new Promise((resolve) => setTimeout(resolve, delayMs));
        yield block.subarray(0, Math.min(chunk, total - sent));
      }
    })(),
  );
}

/** Resolves once the store shows a multipart upload under `prefix` (its owner's listing). */
async function multipartStarted(prefix: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while ((await openUploads(prefix)).length === 0) {
    if (Date.now() > deadline) throw new Error(`No multipart upload appeared under ${prefix} within 30 s.`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

beforeAll(async () => {
  fileStarted = performance.now();
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'locker-s3-test-'));
  const started = performance.now();
  swift = await startSwift({ objectDeviceSize: '320m' });
  console.log(`[s3] Swift started in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  const config: S3ClientConfig = {
    endpoint: swift.endpoint,
    region: swift.region,
    forcePathStyle: true,
    credentials: { accessKeyId: swift.accessKeyId, secretAccessKey: swift.secretAccessKey },
    requestChecksumCalculation: 'WHEN_REQUIRED',
  };
  owner = new S3Client(config);
}, 180_000);

afterAll(async () => {
  await Promise.all(targets.map((created) => created.close()));
  owner?.destroy();
  await swift?.stop();
  fs.rmSync(workDir, { recursive: true, force: true });
  console.log(`[s3] test file took ${((performance.now() - fileStarted) / 1000).toFixed(1)} s`);
});

describe('S3 target against Swift s3api', () => {
  it('uploads a 20 MB file as a stream, lists, stats and downloads it byte for byte', async () => {
    const file = path.join(workDir, 'round-trip.tar.gz');
    const bytes = randomBytes(20 * MiB);
    fs.writeFileSync(file, bytes);
    const s3 = target({ prefix: 'round/trip' });
    expect(s3.location).toBe(`s3://${swift.bucket}/round/trip (${swift.endpoint})`);
    const progress: number[] = [];
    const entry = await s3.upload('round-trip.tar.gz', fs.createReadStream(file), {
      size: bytes.length,
      onBytes: (done) => progress.push(done),
    });
    expect(entry).toMatchObject({ name: 'round-trip.tar.gz', size: bytes.length });
    expect(progress.at(-1)).toBe(bytes.length);
    expect(await keysUnder('round/')).toEqual(['round/trip/round-trip.tar.gz']);

    const listed = await s3.list();
    expect(listed).toEqual([{ name: 'round-trip.tar.gz', size: bytes.length, modified: expect.any(String) as string }]);
    expect(await s3.stat('round-trip.tar.gz')).toEqual(listed[0]);
    expect(await s3.stat('absent.tar.gz')).toBeNull();

    const { stream, size } = await s3.download('round-trip.tar.gz');
    expect(size).toBe(bytes.length);
    expect(md5(await collect(stream))).toBe(md5(bytes));
  });

  it('sends a copy larger than a part as a multipart upload and reads it back whole', async () => {
    const bytes = randomBytes(12 * MiB + 12345);
    const s3 = target({ prefix: 'multipart', partSize: 5 * MiB });
    await s3.upload('multi.tar.gz', Readable.from([bytes.subarray(0, 7 * MiB), bytes.subarray(7 * MiB)]), { size: bytes.length });
    const head = await owner.send(new HeadObjectCommand({ Bucket: swift.bucket, Key: 'multipart/multi.tar.gz' }));
    // A multipart object's ETag names its part count.
    expect(head.ETag).toMatch(/-3"$/);
    expect(head.ContentLength).toBe(bytes.length);
    expect(await openUploads('multipart/')).toEqual([]);
    expect((await collect((await s3.download('multi.tar.gz')).stream)).equals(bytes)).toBe(true);
  });

  it('sends a copy within one part as a single PutObject whose ETag is its MD5', async () => {
    const bytes = randomBytes(MiB);
    const s3 = target({ prefix: 'single' });
    await s3.upload('single.tar.gz', Readable.from([bytes]), { size: bytes.length });
    const head = await owner.send(new HeadObjectCommand({ Bucket: swift.bucket, Key: 'single/single.tar.gz' }));
    expect(head.ETag).toBe(`"${md5(bytes)}"`);
  });

  it('lists only the copies directly under its prefix', async () => {
    for (const key of ['nested/a.tar.gz', 'nested/deeper/b.tar.gz', 'nested-not/c.tar.gz', 'd.tar.gz']) {
      await owner.send(new PutObjectCommand({ Bucket: swift.bucket, Key: key, Body: 'x' }));
    }
    expect((await target({ prefix: 'nested' }).list()).map((entry) => entry.name)).toEqual(['a.tar.gz']);
  });

  it('refuses a name already taken with TARGET_NAME_TAKEN and keeps the stored copy', async () => {
    const s3 = target({ prefix: 'taken' });
    const first = randomBytes(1000);
    await s3.upload('b.tar.gz', Readable.from([first]), { size: first.length });
    const error = await lockerErrorOf(s3.upload('b.tar.gz', Readable.from([randomBytes(500)]), { size: 500 }));
    expect(error.code).toBe('TARGET_NAME_TAKEN');
    expect((await collect((await s3.download('b.tar.gz')).stream)).equals(first)).toBe(true);
  });

  it('refuses a stream holding another length than announced with TARGET_UPLOAD_MISMATCH and stores nothing', async () => {
    const s3 = target({ prefix: 'mismatch', partSize: 5 * MiB });
    const short = await lockerErrorOf(s3.upload('short.tar.gz', Readable.from([randomBytes(100)]), { size: 200 }));
    expect(short.code).toBe('TARGET_UPLOAD_MISMATCH');
    const long = await lockerErrorOf(s3.upload('long.tar.gz', Readable.from([randomBytes(11 * MiB)]), { size: 6 * MiB }));
    expect(long.code).toBe('TARGET_UPLOAD_MISMATCH');
    expect(await keysUnder('mismatch/')).toEqual([]);
    expect(await openUploads('mismatch/')).toEqual([]);
  });

  it('deletes a copy, and deleting a name that is gone is no error', async () => {
    const s3 = target({ prefix: 'delete' });
    await s3.upload('gone.tar.gz', Readable.from([Buffer.from('bytes')]), { size: 5 });
    await s3.delete('gone.tar.gz');
    expect(await keysUnder('delete/')).toEqual([]);
    await s3.delete('gone.tar.gz');
    const missing = await lockerErrorOf(s3.download('gone.tar.gz'));
    expect(missing.code).toBe('TARGET_OBJECT_MISSING');
  });

  it('passes Test connection and leaves no probe file', async () => {
    const s3 = target({ prefix: 'probe' });
    const result = await probeTarget(s3);
    expect(result.entries).toBe(0);
    expect(await keysUnder('probe/')).toEqual([]);
  });

  it('refuses a wrong secret or an unknown access key with TARGET_LOGIN_REFUSED', async () => {
    const wrongSecret = target({ secretAccessKey: 'not-the-secret' });
    expect((await lockerErrorOf(wrongSecret.list())).code).toBe('TARGET_LOGIN_REFUSED');
    expect((await lockerErrorOf(probeTarget(wrongSecret))).code).toBe('TARGET_LOGIN_REFUSED');
    const unknownKey = target({ accessKeyId: 'test:nobody' });
    const error = await lockerErrorOf(unknownKey.list());
    expect(error.code).toBe('TARGET_LOGIN_REFUSED');
    expect(error.message).not.toContain(swift.secretAccessKey);
  });

  it('says a missing bucket is TARGET_LOCATION_MISSING, for the listing and for an upload', async () => {
    const s3 = target({ bucket: 'no-such-bucket' });
    expect((await lockerErrorOf(s3.list())).code).toBe('TARGET_LOCATION_MISSING');
    expect((await lockerErrorOf(s3.upload('a.tar.gz', Readable.from([Buffer.alloc(10)]), { size: 10 }))).code).toBe(
      'TARGET_LOCATION_MISSING',
    );
    expect((await lockerErrorOf(probeTarget(s3))).code).toBe('TARGET_LOCATION_MISSING');
  });

  it('says an account that may read but not write gets TARGET_WRITE_DENIED, and stores nothing', async () => {
    const reader = target({ prefix: 'read-only', ...swift.reader });
    expect(await reader.list()).toEqual([]);
    const error = await lockerErrorOf(probeTarget(reader));
    expect(error.code).toBe('TARGET_WRITE_DENIED');
    const multipart = await lockerErrorOf(reader.upload('big.tar.gz', Readable.from([randomBytes(6 * MiB)]), { size: 6 * MiB }));
    expect(multipart.code).toBe('TARGET_WRITE_DENIED');
    expect(await keysUnder('read-only/')).toEqual([]);
  });

  it('says a bucket over its quota is TARGET_FULL, and stores nothing', async () => {
    const bucket = 'quota-bucket';
    await swift.createBucket(bucket, { quotaBytes: 512 * 1024 });
    const s3 = target({ bucket });
    const error = await lockerErrorOf(s3.upload('over.tar.gz', Readable.from([randomBytes(MiB)]), { size: MiB }));
    expect(error.code).toBe('TARGET_FULL');
    // Swift's quota answers 413, which s3api gives as S3's EntityTooLarge (HTTP 400).
    expect(error.details).toMatchObject({ status: 400, s3Code: 'EntityTooLarge' });
    expect(await keysUnder('', bucket)).toEqual([]);
  });

  it('says a full disk is a 503 from the store that names a full disk, with nothing under the name and no multipart upload left', async () => {
    const s3 = target({ prefix: 'full', partSize: 5 * MiB });
    const release = swift.fillObjectDevice();
    try {
      // Swift's object server answers 507 to its proxy, which answers 503 ServiceUnavailable, as
      // for an overload: S3 has no code that says "full" (s3-failure.ts).
      const multipart = await lockerErrorOf(s3.upload('big.tar.gz', Readable.from([randomBytes(12 * MiB)]), { size: 12 * MiB }));
      expect(multipart.code).toBe('TARGET_FAILED');
      expect(multipart.details).toMatchObject({ status: 503, s3Code: 'ServiceUnavailable', step: 'put' });
      expect(multipart.message).toContain('disks are full');
      const single = await lockerErrorOf(s3.upload('small.tar.gz', Readable.from([randomBytes(MiB)]), { size: MiB }));
      expect(single.code).toBe('TARGET_FAILED');
      expect(single.message).toContain('disks are full');
    } finally {
      release();
    }
    expect(await keysUnder('full/')).toEqual([]);
    expect(await openUploads('full/')).toEqual([]);
    // Once there is room again, the same name goes through.
    const bytes = randomBytes(6 * MiB);
    await s3.upload('big.tar.gz', Readable.from([bytes]), { size: bytes.length });
    expect((await collect((await s3.download('big.tar.gz')).stream)).equals(bytes)).toBe(true);
  });

  it('says a refused connection is TARGET_UNREACHABLE', async () => {
    const s3 = target({ endpoint: `http://127.0.0.1:${await freePort()}` });
    expect((await lockerErrorOf(s3.list())).code).toBe('TARGET_UNREACHABLE');
    expect((await lockerErrorOf(s3.upload('a.tar.gz', Readable.from([Buffer.alloc(10)]), { size: 10 }))).code).toBe('TARGET_UNREACHABLE');
  });

  it('cancels a slow upload with CANCELLED, aborting the multipart upload and storing nothing', async () => {
    const s3 = target({ prefix: 'cancel', partSize: 5 * MiB });
    const controller = new AbortController();
    let release = (): void => {};
    const hold = new Promise<void>((resolve) => (release = resolve));
    const upload = lockerErrorOf(
      s3.upload('slow.tar.gz', throttled(40 * MiB, 5, { holdAt: 12 * MiB, hold }), { size: 40 * MiB, signal: controller.signal }),
    );
    // Cancelled once the multipart upload exists, so that leaving none behind means it was aborted.
    await multipartStarted('cancel/');
    const started = performance.now();
    controller.abort();
    release();
    const error = await upload;
    expect(error.code).toBe('CANCELLED');
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(await keysUnder('cancel/')).toEqual([]);
    expect(await openUploads('cancel/')).toEqual([]);
  });

  it('fails with TARGET_UNREACHABLE when the server is killed mid-upload; nothing is under the name once it is back, and the next attempt aborts the leftover upload and succeeds', async () => {
    const s3 = target({ prefix: 'killed', partSize: 5 * MiB });
    let release = (): void => {};
    const hold = new Promise<void>((resolve) => (release = resolve));
    const upload = lockerErrorOf(s3.upload('killed.tar.gz', throttled(40 * MiB, 5, { holdAt: 12 * MiB, hold }), { size: 40 * MiB }));
    await multipartStarted('killed/');
    await swift.killProxy();
    release();
    const error = await upload;
    expect(error.code).toBe('TARGET_UNREACHABLE');
    await swift.startProxy();
    expect(await keysUnder('killed/')).toEqual([]);
    // The store was down, so the upload could not be aborted then; the next attempt of the name does it.
    expect(await openUploads('killed/')).toHaveLength(1);
    const bytes = randomBytes(MiB);
    await s3.upload('killed.tar.gz', Readable.from([bytes]), { size: bytes.length });
    expect(await openUploads('killed/')).toEqual([]);
    expect((await collect((await s3.download('killed.tar.gz')).stream)).equals(bytes)).toBe(true);
  }, 120_000);

  it('streams 200 MB up and down with flat memory (figures in the log)', async () => {
    const s3 = target({ prefix: 'large' });
    const size = 200 * MiB;
    const block = randomBytes(MiB);
    const sent = createHash('sha256');
    const source = Readable.from(
      (function* () {
        for (let index = 0; index < 200; index += 1) {
          const chunk = Buffer.from(block);
          chunk.writeUInt32BE(index, 0);
          sent.update(chunk);
          yield chunk;
        }
      })(),
    );
    global.gc?.();
    const baseline = process.memoryUsage().rss;
    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
    try {
      let started = performance.now();
      await s3.upload('large.tar.gz', source, { size });
      const uploadSeconds = (performance.now() - started) / 1000;
      const uploadPeak = peak - baseline;

      global.gc?.();
      peak = process.memoryUsage().rss;
      const downloadBaseline = peak;
      started = performance.now();
      const { stream } = await s3.download('large.tar.gz');
      const received = createHash('sha256');
      for await (const part of stream) received.update(part as Buffer);
      const downloadSeconds = (performance.now() - started) / 1000;
      expect(received.digest('hex')).toBe(sent.digest('hex'));
      const downloadPeak = peak - downloadBaseline;
      console.log(
        `[s3 200 MB] upload ${(200 / uploadSeconds).toFixed(1)} MB/s (${uploadSeconds.toFixed(2)} s, RSS +${(uploadPeak / MiB).toFixed(1)} MiB); ` +
          `download ${(200 / downloadSeconds).toFixed(1)} MB/s (${downloadSeconds.toFixed(2)} s, RSS +${(downloadPeak / MiB).toFixed(1)} MiB)`,
      );
      expect(uploadPeak).toBeLessThan(96 * MiB);
      expect(downloadPeak).toBeLessThan(64 * MiB);
    } finally {
      clearInterval(sampler);
      await s3.delete('large.tar.gz');
    }
  }, 240_000);
});

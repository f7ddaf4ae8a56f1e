/**
 * A target in S3-compatible object storage (AWS, Backblaze B2, Cloudflare R2, Wasabi, MinIO, Garage,
 * Ceph, OpenStack Swift's s3api), through @aws-sdk/client-s3 and lib-storage's streamed `Upload`.
 * Copies are objects `PREFIX/NAME` in one bucket.
 *
 * An upload:
 * 1. HeadObject: a name already taken is TARGET_NAME_TAKEN (`If-None-Match: *` would close the
 *    race, but Swift and older stores do not implement it); multipart uploads of the same key left
 *    by an earlier attempt that could not abort them (the store was down) are aborted now.
 * 2. lib-storage cuts the stream into parts of `partSize` (`queueSize` of them in flight, so memory
 *    stays at about queueSize × partSize whatever the size): one part is a single PutObject, more a
 *    multipart upload, which the store shows under the name only once completed. Each part goes
 *    with a Content-MD5 the store checks (the SDK no longer sends one, and stores like Swift answer
 *    the SDK's newer streamed checksums with 501, hence `requestChecksumCalculation: WHEN_REQUIRED`).
 * 3. On any failure or cancel, the multipart upload is aborted (lib-storage, and once more here if
 *    that failed), so no part is left behind and nothing appears under the name.
 * 4. HeadObject checks the stored size, and for a single PutObject that the ETag is the MD5 of what
 *    was sent (a multipart ETag is no MD5 of the content); a mismatch removes the object
 *    (TARGET_UPLOAD_MISMATCH).
 *
 * Cancelling (the signal) aborts the part requests in flight, stops reading the source and aborts
 * the multipart upload before upload() rejects with CANCELLED.
 */
import { createHash, type Hash } from 'node:crypto';
import { Transform, type Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
  type HeadObjectCommandOutput,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { LockerError } from '../errors.ts';
import type { BackupTarget, TargetEntry, TransferOptions, UploadOptions } from './backup-target.ts';
import { s3Cancelled, s3ErrorCode, s3Failure, s3Status, type S3Step } from './s3-failure.ts';
import { CONTROL_CHARACTER, bucketProblem, httpUrlProblem, prefixProblem, regionProblem } from './target-address.ts';
import { targetError } from './target-error.ts';
import { meteredDownload, transferMeter } from './transfer-meter.ts';

export interface S3TargetOptions {
  /** The service's base URL (`https://s3.example.com`); absent for AWS, which the region then picks. */
  endpoint?: string | undefined;
  region: string;
  bucket: string;
  /** Key prefix the copies go under, without leading or trailing `/`; default '' (the bucket's top). */
  prefix?: string | undefined;
  /** Path-style requests (`endpoint/bucket/key`) instead of virtual-hosted (`bucket.endpoint/key`); default false. */
  pathStyle?: boolean | undefined;
  accessKeyId: string;
  secretAccessKey: string;
  /** Bytes per part of a multipart upload; at least 5 MiB (S3's minimum), default 8 MiB; raised when 10,000 parts would not hold the copy. */
  partSize?: number | undefined;
  /** Parts uploaded at the same time; default 2. Memory use is about partSize × queueSize. */
  queueSize?: number | undefined;
  /** Milliseconds to wait for a TCP (and TLS) connection; default 15 s. */
  connectTimeoutMs?: number | undefined;
  /** Milliseconds a connection may stay silent mid-request; default 120 s. */
  idleTimeoutMs?: number | undefined;
}

const MIB = 1024 * 1024;
const MIN_PART_SIZE = 5 * MIB;
const MAX_PARTS = 10_000;
const DEFAULT_PART_SIZE = 8 * MIB;
const DEFAULT_QUEUE_SIZE = 2;
/** Commands whose bodies carry the copy: they get a Content-MD5 and are cut short by a cancel. */
const BODY_COMMANDS = new Set(['PutObjectCommand', 'UploadPartCommand']);

function invalid(message: string): LockerError {
  return new LockerError('INVALID_ARGUMENT', message);
}

function checkName(name: string): void {
  if (name === '' || name === '.' || name === '..' || name.includes('/') || CONTROL_CHARACTER.test(name) || Buffer.byteLength(name) > 255) {
    throw invalid(`"${name}" is not a backup name for a target: 1 to 255 bytes, no "/", no control characters.`);
  }
}

/** The ETag without its quotes. */
function bareEtag(etag: string | undefined): string | undefined {
  return etag?.replace(/^"(.*)"$/, '$1');
}

/**
 * A client whose part uploads (PutObject, UploadPart) stop when `signal` aborts, for lib-storage,
 * which takes no signal of its own for them; the other requests (creating, completing and
 * aborting the multipart upload) still run, so an aborted upload can be cleaned up.
 */
function cancellableClient(client: S3Client, signal: AbortSignal | undefined): S3Client {
  if (signal === undefined) return client;
  const send = client.send.bind(client) as (command: unknown, options?: { abortSignal?: AbortSignal }) => Promise<unknown>;
  return Object.assign(Object.create(client) as S3Client, {
    send: (command: unknown, options?: { abortSignal?: AbortSignal }) =>
      send(
        command,
        command instanceof PutObjectCommand || command instanceof UploadPartCommand ? { ...options, abortSignal: signal } : options,
      ),
  });
}

/** An S3-compatible target; see the file comment. Throws INVALID_ARGUMENT for options that cannot work. */
export function createS3Target(options: S3TargetOptions): BackupTarget {
  const prefix = options.prefix ?? '';
  const problem =
    bucketProblem(options.bucket) ??
    prefixProblem(prefix) ??
    regionProblem(options.region) ??
    (options.endpoint === undefined ? null : httpUrlProblem(options.endpoint, 'The endpoint'));
  if (problem !== null) throw invalid(problem);
  if (options.accessKeyId === '' || options.secretAccessKey === '') throw invalid('An S3 target needs an access key id and a secret.');
  const partSize = options.partSize ?? DEFAULT_PART_SIZE;
  if (!Number.isSafeInteger(partSize) || partSize < MIN_PART_SIZE)
    throw invalid(`The part size ${partSize} is below S3's minimum of 5 MiB.`);
  const queueSize = options.queueSize ?? DEFAULT_QUEUE_SIZE;
  if (!Number.isInteger(queueSize) || queueSize < 1 || queueSize > 64) throw invalid(`The queue size ${queueSize} is not from 1 to 64.`);
  const endpoint = options.endpoint?.replace(/\/$/, '');

  const { bucket } = options;
  const keyPrefix = prefix === '' ? '' : `${prefix}/`;
  const location = `s3://${bucket}${prefix === '' ? '' : `/${prefix}`} (${endpoint ?? `AWS ${options.region}`})`;
  const client = new S3Client({
    region: options.region,
    ...(endpoint === undefined ? {} : { endpoint }),
    forcePathStyle: options.pathStyle ?? false,
    credentials: { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: { connectionTimeout: options.connectTimeoutMs ?? 15_000, socketTimeout: options.idleTimeoutMs ?? 120_000 },
  });
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const request = args.request as { headers?: Record<string, string>; body?: unknown } | undefined;
      if (BODY_COMMANDS.has(context.commandName ?? '') && request?.headers !== undefined && request.body instanceof Uint8Array) {
        const { md5, sha256 } = await bodyHashes(request.body);
        request.headers['content-md5'] = md5;
        // SigV4's payload hash: the signer takes it from this header instead of hashing the part itself.
        request.headers['x-amz-content-sha256'] = sha256;
      }
      return next(args);
    },
    { step: 'build', name: 'evidenceLockerContentMd5' },
  );

  const fail = (error: unknown, step: S3Step, signal?: AbortSignal, name?: string): LockerError =>
    s3Failure(error, { step, location, signal, name });

  const entryOf = (name: string, head: HeadObjectCommandOutput): TargetEntry => ({
    name,
    size: head.ContentLength ?? 0,
    modified: head.LastModified?.toISOString() ?? null,
  });

  async function head(name: string, step: S3Step, signal: AbortSignal | undefined): Promise<HeadObjectCommandOutput | null> {
    try {
      signal?.throwIfAborted();
      return await client.send(new HeadObjectCommand({ Bucket: bucket, Key: keyPrefix + name }), { abortSignal: signal });
    } catch (error) {
      // A HEAD answer has no body: a missing object is a bare 404 (a missing bucket too: the PUT or
      // the listing tells that one).
      if (!signal?.aborted && (s3Status(error) === 404 || s3ErrorCode(error) === 'NotFound')) return null;
      throw fail(error, step, signal, name);
    }
  }

  async function deleteKey(name: string, signal: AbortSignal | undefined): Promise<void> {
    try {
      signal?.throwIfAborted();
      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: keyPrefix + name }), { abortSignal: signal });
    } catch (error) {
      throw fail(error, 'delete', signal, name);
    }
  }

  /** Best effort: aborts multipart uploads of `key` (`uploadId` only, when given); errors are ignored. */
  async function abortUploads(key: string, uploadId?: string): Promise<void> {
    try {
      const ids =
        uploadId !== undefined
          ? [uploadId]
          : ((await client.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: key }))).Uploads ?? [])
              .filter((upload) => upload.Key === key && upload.UploadId !== undefined)
              .map((upload) => upload.UploadId as string);
      for (const id of ids) await client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: id }));
    } catch {
      // NoSuchUpload (lib-storage aborted it already), or the store is still down: the next attempt retries.
    }
  }

  return {
    kind: 's3',
    location,

    async upload(name: string, content: Readable, upload: UploadOptions): Promise<TargetEntry> {
      const { signal } = upload;
      try {
        checkName(name);
        if (!Number.isSafeInteger(upload.size) || upload.size < 0) throw invalid(`The upload size ${upload.size} is not a byte count.`);
        if (signal?.aborted) throw s3Cancelled(location, signal.reason);
        if ((await head(name, 'stat', signal)) !== null) {
          throw targetError('TARGET_NAME_TAKEN', location, { specifics: `"${name}" is already there.` });
        }
      } catch (error) {
        content.destroy();
        throw error;
      }
      const key = keyPrefix + name;
      await abortUploads(key);
      const effectivePartSize = Math.max(partSize, Math.ceil(upload.size / MAX_PARTS));
      // The whole content's MD5 is the ETag of a single PutObject: hashed only when there is one part.
      const single = upload.size <= effectivePartSize ? createHash('md5') : undefined;
      // The source's own failure (or a wrong length) is the one to report, not the request it broke.
      let localError: Error | undefined;
      const meter = transferMeter({
        size: upload.size,
        onBytes: upload.onBytes,
        mismatch: (done) =>
          (localError = targetError('TARGET_UPLOAD_MISMATCH', location, {
            specifics: `The backup being sent held ${done > upload.size ? 'more than ' : ''}${done} bytes, not the ${upload.size} announced.`,
          })),
      });
      content.on('error', (error) => {
        localError ??= error instanceof Error ? error : new Error(String(error));
        meter.destroy(localError);
      });
      meter.once('close', () => content.destroy());
      const onAbort = (): void => {
        meter.destroy(s3Cancelled(location, signal?.reason));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      if (single === undefined) content.pipe(meter);
      else content.pipe(md5Tap(single)).pipe(meter);
      const uploader = new Upload({
        client: cancellableClient(client, signal),
        params: { Bucket: bucket, Key: key, Body: meter, ContentType: 'application/octet-stream' },
        partSize: effectivePartSize,
        queueSize,
        leavePartsOnError: false,
      });
      try {
        await uploader.done();
      } catch (error) {
        meter.destroy();
        if (uploader.uploadId !== undefined) await abortUploads(key, uploader.uploadId);
        if (signal?.aborted) throw s3Cancelled(location, error);
        if (localError !== undefined) throw localError;
        throw fail(error, 'put', signal, name);
      } finally {
        signal?.removeEventListener('abort', onAbort);
      }

      let stored: HeadObjectCommandOutput | null;
      try {
        stored = await head(name, 'check', undefined);
      } catch (error) {
        await deleteKey(name, undefined).catch(() => {});
        throw error;
      }
      const etag = bareEtag(stored?.ETag);
      const expectedMd5 = single?.digest('hex');
      const problem =
        stored === null
          ? 'The store shows nothing under the name after the upload.'
          : stored.ContentLength !== upload.size
            ? `The store holds ${stored.ContentLength ?? 'an unknown number of'} bytes of the ${upload.size} sent.`
            : expectedMd5 !== undefined &&
                etag !== undefined &&
                /^[0-9a-f]{32}$/i.test(etag) &&
                !encryptedByKms(stored) &&
                etag !== expectedMd5
              ? `The store's MD5 (ETag ${etag}) differs from the ${expectedMd5} of what was sent.`
              : undefined;
      if (problem !== undefined || stored === null) {
        await deleteKey(name, undefined).catch(() => {});
        throw targetError('TARGET_UPLOAD_MISMATCH', location, { specifics: problem ?? '', details: { name } });
      }
      if (signal?.aborted) {
        await deleteKey(name, undefined).catch(() => {});
        throw s3Cancelled(location, signal.reason);
      }
      return entryOf(name, stored);
    },

    async download(name: string, transfer: TransferOptions = {}): Promise<{ stream: Readable; size: number }> {
      checkName(name);
      const { signal } = transfer;
      let body: Readable;
      let size: number;
      try {
        signal?.throwIfAborted();
        const answer = await client.send(new GetObjectCommand({ Bucket: bucket, Key: keyPrefix + name }), { abortSignal: signal });
        // On Node the SDK answers with the response itself: an http.IncomingMessage.
        body = answer.Body as Readable;
        size = answer.ContentLength ?? Number.NaN;
        if (!Number.isSafeInteger(size)) {
          body.destroy();
          throw targetError('TARGET_FAILED', location, { specifics: `The store gave no length for "${name}".` });
        }
      } catch (error) {
        throw fail(error, 'get', signal, name);
      }
      const meter = meteredDownload(body, {
        size,
        name,
        location,
        onBytes: transfer.onBytes,
        failure: (error) => fail(error, 'get', signal, name),
      });
      return { stream: meter, size };
    },

    async list(listOptions = {}): Promise<TargetEntry[]> {
      const { signal } = listOptions;
      const entries: TargetEntry[] = [];
      let token: string | undefined;
      try {
        do {
          signal?.throwIfAborted();
          const page = await client.send(
            new ListObjectsV2Command({ Bucket: bucket, Prefix: keyPrefix, Delimiter: '/', ContinuationToken: token }),
            { abortSignal: signal },
          );
          for (const object of page.Contents ?? []) {
            const name = object.Key?.slice(keyPrefix.length) ?? '';
            // A "folder" marker object named like the prefix itself is no copy.
            if (name === '' || name.includes('/')) continue;
            entries.push({ name, size: object.Size ?? 0, modified: object.LastModified?.toISOString() ?? null });
          }
          token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
        } while (token !== undefined);
      } catch (error) {
        throw fail(error, 'list', signal);
      }
      return entries;
    },

    async stat(name: string, statOptions = {}): Promise<TargetEntry | null> {
      checkName(name);
      const found = await head(name, 'stat', statOptions.signal);
      return found === null ? null : entryOf(name, found);
    },

    async delete(name: string, deleteOptions = {}): Promise<void> {
      checkName(name);
      await deleteKey(name, deleteOptions.signal);
    },

    close(): Promise<void> {
      client.destroy();
      return Promise.resolve();
    },
  };
}

/** A pass-through stream that feeds what passes into `hash`. */
function md5Tap(hash: Hash): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      callback(null, chunk);
    },
  });
}

/** Bytes hashed between two turns of the event loop. */
const HASH_SLICE = 512 * 1024;

/**
 * The MD5 (base64, Content-MD5) and SHA-256 (hex, SigV4's payload hash) of a part's body, hashed
 * a slice at a time with the event loop let through between slices: at once, an 8 MiB part held it
 * for some 25 ms, and the SDK's own SHA-256 of the body as long again (bench:offsite).
 */
async function bodyHashes(body: Uint8Array): Promise<{ md5: string; sha256: string }> {
  const md5 = createHash('md5');
  const sha256 = createHash('sha256');
  for (let offset = 0; offset < body.byteLength; offset += HASH_SLICE) {
    if (offset > 0) await new Promise((resolve) => setImmediate(resolve));
    const slice = body.subarray(offset, offset + HASH_SLICE);
    md5.update(slice);
    sha256.update(slice);
  }
  return { md5: md5.digest('base64'), sha256: sha256.digest('hex') };
}

/** True for objects encrypted with SSE-KMS or a customer key, whose ETag is no MD5 of the content. */
function encryptedByKms(head: HeadObjectCommandOutput): boolean {
  return head.SSECustomerAlgorithm !== undefined || (head.ServerSideEncryption ?? '').startsWith('aws:kms');
}

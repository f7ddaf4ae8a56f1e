/**
 * A backup copy at a target as the archive of a restore: streamed from the target straight into
 * the restore (never saved whole first), with the size the target reports for progress, and the
 * key that opens it when it is sealed. Without a key from the request, the instance's own keys are
 * used, for the kind of key the copy's age header names: its first bytes are looked at and put
 * back into the stream, as open-key.ts does with a stored file.
 */
import { Readable } from 'node:stream';
import {
  isBackupFileName,
  LockerError,
  sealedWithOf,
  sealExpectationOf,
  TARGET_TEMP_PREFIX,
  type BackupTarget,
  type OpenKey,
  type SealedInputOptions,
  type SealSettings,
} from '@evidence-locker/core';
import { instanceOpenKey } from '../seal/open-key.ts';

/** The copy as the restore reads it. */
export interface OpenedTargetCopy {
  stream: Readable;
  size: number;
  seal: SealedInputOptions;
}

/** Far more than an age header with a few stanzas; the same bound peekSealedWith reads from a file. */
const HEAD_BYTES = 4096;

/** BACKUP_NAME_INVALID unless `name` is a backup's file name (a target's temp files are not). */
export function checkCopyName(name: string): void {
  if (!isBackupFileName(name) || name.startsWith(TARGET_TEMP_PREFIX)) {
    throw new LockerError('BACKUP_NAME_INVALID', `Not a backup file name: ${JSON.stringify(name).slice(0, 300)}.`, {
      details: { fileName: name.slice(0, 255) },
    });
  }
}

/**
 * Downloads `name` from `target` as a stream: `key` opens it when sealed, else the instance's keys
 * (`instanceKeys`; null: none, a sealed copy then fails with SEAL_KEY_REQUIRED).
 */
export async function openTargetCopy(
  target: BackupTarget,
  name: string,
  options: { key: OpenKey | undefined; instanceKeys: SealSettings | null; signal?: AbortSignal | undefined },
): Promise<OpenedTargetCopy> {
  checkCopyName(name);
  const download = await target.download(name, { signal: options.signal });
  // The restore reads it only after its own checks: a connection that fails meanwhile must not be
  // an unhandled 'error' (the reader still sees it, the stream is left errored).
  download.stream.on('error', ignore);
  const expect = sealExpectationOf(name);
  if (options.key !== undefined || options.instanceKeys === null || expect === 'plain') {
    return { stream: download.stream, size: download.size, seal: { key: options.key, expect } };
  }
  try {
    const { head, stream } = await peekHead(download.stream, HEAD_BYTES);
    return { stream, size: download.size, seal: { key: instanceOpenKey(options.instanceKeys, sealedWithOf(head)), expect } };
  } catch (error) {
    download.stream.destroy();
    throw error;
  }
}

function ignore(): void {}

/**
 * The first `bytes` of `stream` (fewer when it ends first), and a stream that still yields every
 * byte: the same one with the head put back, or a new one holding all of it once it ended.
 */
export function peekHead(stream: Readable, bytes: number): Promise<{ head: Buffer; stream: Readable }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const cleanup = (): void => {
      stream.off('readable', onReadable);
      stream.off('end', onEnd);
      stream.off('error', onError);
    };
    const onReadable = (): void => {
      let chunk: Buffer | null;
      while (total < bytes && (chunk = stream.read() as Buffer | null) !== null) {
        chunks.push(chunk);
        total += chunk.length;
      }
      if (total < bytes) return;
      cleanup();
      const head = Buffer.concat(chunks);
      stream.unshift(head);
      resolve({ head, stream });
    };
    const onEnd = (): void => {
      cleanup();
      const head = Buffer.concat(chunks);
      // After 'end' nothing can be put back: the whole (small) content becomes a stream of its own.
      resolve({ head, stream: Readable.from([head]) });
    };
    const onError = (error: Error): void => {
      cleanup();
      reject(error);
    };
    stream.on('readable', onReadable);
    stream.once('end', onEnd);
    stream.once('error', onError);
  });
}

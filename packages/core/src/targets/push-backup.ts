/**
 * Sends one stored backup to a target: the file streamed from the backup directory, sealed on the
 * way when the target wants sealed copies and the local backup is plain. The target's own rules
 * apply (a temp name or multipart upload, never visible under its final name until complete and
 * checked; CANCELLED on abort).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { isBackupFileName, isSealedBackupFileName } from '../backup-dir/is-backup-file-name.ts';
import { errnoCode, LockerError } from '../errors.ts';
import type { SealKey } from '../seal/seal-key.ts';
import { sealSizedStream } from '../seal/seal-stream.ts';
import { sealedArchiveName } from '../seal/sealed-archive-name.ts';
import type { BackupTarget } from './backup-target.ts';

/** Which backup to send. */
export interface PushSource {
  backupDir: string;
  /** A backup file name in `backupDir` (`docsight_backup_….tar.gz`, or `.tar.gz.age` when sealed). */
  fileName: string;
}

export interface PushOptions {
  /** Seal a plain backup with this key on the way (the copy is named `….tar.gz.age`); absent: send as it is. */
  seal?: SealKey | undefined;
  signal?: AbortSignal | undefined;
  /** Bytes sent so far (of `size` in the result: the sealed size when sealed on the way). */
  onBytes?: ((bytesDone: number) => void) | undefined;
}

export interface PushResult {
  /** The name the copy has at the target. */
  remoteName: string;
  /** Bytes stored at the target. */
  size: number;
  /** True when the copy at the target is sealed (sealed here, or already sealed locally). */
  sealed: boolean;
}

/**
 * Uploads `source` to `target`. A plain backup with `options.seal` is sealed while it streams
 * (remote name + `.age`); a sealed backup, or any backup without `seal`, goes as it is. Throws
 * BACKUP_NAME_INVALID for a name that is not a backup's, BACKUP_NOT_FOUND when the file is gone,
 * SEAL_KEY_INVALID for a bad key, and the target's TARGET_ errors (TARGET_NAME_TAKEN when the
 * target already holds a copy of that name).
 */
export async function pushBackup(target: BackupTarget, source: PushSource, options: PushOptions = {}): Promise<PushResult> {
  const { backupDir, fileName } = source;
  if (!isBackupFileName(fileName)) {
    throw new LockerError('BACKUP_NAME_INVALID', `${String(fileName)} is not the name of a backup file.`, { details: { fileName } });
  }
  const filePath = path.join(backupDir, fileName);
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(filePath, 'r');
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') {
      throw new LockerError('BACKUP_NOT_FOUND', `The backup ${fileName} is not in ${backupDir}.`, {
        cause: error,
        details: { fileName, backupDir },
      });
    }
    throw error;
  }
  // One open file for the size and the bytes: a pruned or replaced file cannot split them.
  let plain: Readable | undefined;
  try {
    const { size: fileSize } = await handle.stat();
    plain = handle.createReadStream({ autoClose: true });
    const sealHere = options.seal !== undefined && !isSealedBackupFileName(fileName);
    let content: Readable = plain;
    let size = fileSize;
    let remoteName = fileName;
    if (sealHere && options.seal !== undefined) {
      const sealed = await sealSizedStream(plain, fileSize, options.seal);
      content = sealed.stream;
      size = sealed.size;
      remoteName = sealedArchiveName(fileName);
    }
    const entry = await target.upload(remoteName, content, { size, signal: options.signal, onBytes: options.onBytes });
    return { remoteName, size: entry.size, sealed: sealHere || isSealedBackupFileName(fileName) };
  } finally {
    if (plain === undefined) await handle.close();
    else if (!plain.destroyed) plain.destroy();
  }
}

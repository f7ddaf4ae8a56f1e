/**
 * Full verification of a stored backup, without touching any data directory: one streaming pass
 * checks gzip (CRC and length of every member), tar, the member rules and every checksum the meta
 * carries; the databases are unpacked into a private work directory beside the archive and each
 * passes SQLite's `PRAGMA integrity_check`. The work directory is always removed.
 */
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { clearWalFlag } from '../archive/sqlite-header.ts';
import { readArchive, type ArchiveProgress, type ReadArchiveResult } from '../archive/read-archive.ts';
import { stageMember } from '../archive/stage-member.ts';
import { verifyStagedDatabase } from '../archive/verify-staged-database.ts';
import { isDatabaseFileName, WORK_PREFIX } from '../data-dir-layout.ts';
import { LockerError, errnoCode, isLockerError } from '../errors.ts';
import { isBackupFileName } from './is-backup-file-name.ts';

export interface VerifyBackupResult extends ReadArchiveResult {
  fileName: string;
  size: number;
  /** Databases that passed the integrity check. */
  databasesChecked: string[];
  /** True when the meta carried checksums and every member matched them. */
  checksumsVerified: boolean;
}

export interface VerifyBackupOptions {
  onProgress?: (progress: ArchiveProgress) => void;
  signal?: AbortSignal;
}

/** Verifies `backupDir/fileName` in full. Only a backup file name is accepted. */
export async function verifyBackup(
  backupDir: string,
  fileName: string,
  options: VerifyBackupOptions = {},
): Promise<VerifyBackupResult> {
  if (!isBackupFileName(fileName)) {
    throw new LockerError('BACKUP_NAME_INVALID', `Not a backup file name: ${fileName}`, { details: { fileName } });
  }
  const archivePath = path.join(backupDir, fileName);
  const archiveStat = await stat(archivePath).catch((error: unknown) => {
    if (errnoCode(error) === 'ENOENT') {
      throw new LockerError('BACKUP_NOT_FOUND', `Backup not found: ${fileName}`, { details: { fileName } });
    }
    throw error;
  });
  if (!archiveStat.isFile()) {
    throw new LockerError('BACKUP_NOT_FOUND', `Backup not found: ${fileName}`, { details: { fileName } });
  }
  const workDir = await mkdtemp(path.join(backupDir, `${WORK_PREFIX}verify-`));
  try {
    const unpacked: { name: string; path: string }[] = [];
    const result = await readArchive(
      createReadStream(archivePath),
      async (member, content) => {
        if (!isDatabaseFileName(member.name)) {
          for await (const _chunk of content) {
            // drained: the reader has already checked this member's digest
          }
          return;
        }
        const target = await stageMember(workDir, member.name, content, () => undefined);
        unpacked.push({ name: member.name, path: target });
      },
      { bytesTotal: archiveStat.size, ...options },
    );
    for (const database of unpacked) {
      await clearWalFlag(database.path);
      await verifyStagedDatabase(database.name, database.path).catch((error: unknown) => {
        if (!isLockerError(error, 'DATABASE_CORRUPT')) throw error;
        throw new LockerError('DATABASE_CORRUPT', `Backup ${fileName}: ${database.name} failed SQLite's integrity check`, {
          cause: error,
          details: { fileName, name: database.name, ...error.details },
        });
      });
    }
    const digests = result.meta.members;
    return {
      ...result,
      fileName,
      size: archiveStat.size,
      databasesChecked: unpacked.map((database) => database.name),
      checksumsVerified: digests !== undefined && result.members.every((member) => digests[member.name] !== undefined),
    };
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

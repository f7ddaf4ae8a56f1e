/**
 * Full verification of a stored backup, without touching any data directory: one streaming pass
 * checks gzip (CRC and length of every member), tar, the member rules and every checksum the meta
 * carries; the databases are unpacked into a private work directory beside the archive, and each
 * is hashed by reading it back and passes SQLite's `PRAGMA integrity_check`, both started as soon
 * as that database is unpacked (staged-file-digest.ts). The work directory is always removed.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { checkStagedDatabase, firstFailure, observed } from '../archive/restore/prepare-restore.ts';
import { readArchive, type ArchiveProgress, type ReadArchiveResult } from '../archive/read/read-archive.ts';
import { stageMember } from '../archive/read/stage-member.ts';
import { startStagedFileDigest } from '../archive/read/staged-file-digest.ts';
import { isDatabaseFileName, WORK_PREFIX } from '../data-dir-layout.ts';
import { LockerError, errnoCode, isLockerError } from '../errors.ts';
import { isBackupFileName } from './is-backup-file-name.ts';
import type { OpenKey } from '../seal/seal-key.ts';
import { sealExpectationOf } from '../seal/sealed-input.ts';

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
  /** The key that opens a sealed backup (`….tar.gz.age`); without it one fails with SEAL_KEY_REQUIRED. */
  key?: OpenKey | undefined;
}

/** SQLite's integrity check of one unpacked database, its failure naming the backup. */
async function checkBackupDatabase(fileName: string, name: string, path: string): Promise<void> {
  await checkStagedDatabase(name, path).catch((error: unknown) => {
    if (!isLockerError(error, 'DATABASE_CORRUPT')) throw error;
    throw new LockerError('DATABASE_CORRUPT', `Backup ${fileName}: ${name} failed SQLite's integrity check`, {
      cause: error,
      details: { fileName, name, ...error.details },
    });
  });
}

/** Verifies `backupDir/fileName` in full. Only a backup file name is accepted. */
export async function verifyBackup(backupDir: string, fileName: string, options: VerifyBackupOptions = {}): Promise<VerifyBackupResult> {
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
    const unpacked: string[] = [];
    // Each database is checked as soon as it is unpacked, while the rest of the archive is read.
    const checks: Promise<void>[] = [];
    try {
      const result = await readArchive(
        createReadStream(archivePath),
        async (member, content) => {
          if (!isDatabaseFileName(member.name)) {
            const hash = createHash('sha256');
            for await (const chunk of content) hash.update(chunk as Buffer);
            return { sha256: Promise.resolve(hash.digest('hex')) };
          }
          // A scratch copy, removed below: no fsync. Hashed by reading it back, as a restore does.
          const { path: target, synced } = await stageMember(workDir, member.name, content, () => undefined, { durable: false });
          unpacked.push(member.name);
          const digest = await startStagedFileDigest(target);
          checks.push(synced, observed(digest.sha256.then(() => undefined)), observed(checkBackupDatabase(fileName, member.name, target)));
          return digest;
        },
        {
          bytesTotal: archiveStat.size,
          ...(options.onProgress ? { onProgress: options.onProgress } : {}),
          ...(options.signal ? { signal: options.signal } : {}),
          seal: { key: options.key, expect: sealExpectationOf(fileName) },
          sinkDigests: true,
        },
      );
      await firstFailure(checks);
      const digests = result.meta.members;
      return {
        ...result,
        fileName,
        size: archiveStat.size,
        databasesChecked: unpacked,
        checksumsVerified: digests !== undefined && result.members.every((member) => digests[member.name] !== undefined),
      };
    } finally {
      await Promise.allSettled(checks);
    }
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

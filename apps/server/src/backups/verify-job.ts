/**
 * The `verify` job: a full check of one stored backup (core's verifyBackup: gzip, tar, member rules,
 * checksums, SQLite's integrity check of each database), recorded in {@link BackupVerifications}
 * for the backup list. A backup that fails the check fails the job with the engine's code and
 * message (e.g. DATABASE_CORRUPT) and is recorded as `ok: false`; a job that could not judge the
 * archive (not found, cancelled, unreadable directory) records nothing.
 */
import { lstat } from 'node:fs/promises';
import path from 'node:path';
import { formatLocalIso, isLockerError, verifyBackup, type LockerErrorCode, type OpenKey } from '@evidence-locker/core';
import { z } from 'zod';
import { clientDetails } from '../errors/error-mapping.ts';
import type { JobError } from '../jobs/job-snapshot.ts';
import type { JobSpec } from '../jobs/job-runner.ts';
import type { BackupFileVersion, BackupVerifications } from './backup-verifications.ts';

export const VerifyJobResultSchema = z.object({
  fileName: z.string(),
  size: z.number().int().nonnegative(),
  /** Databases that passed SQLite's integrity check. */
  databasesChecked: z.array(z.string()),
  /** True when the meta carried checksums and every member matched (false for DOCSight's archives, which have none). */
  checksumsVerified: z.boolean(),
  /** Member names in archive order, backup_meta.json included. */
  files: z.array(z.string()),
});
export type VerifyJobResult = z.infer<typeof VerifyJobResultSchema>;

/** Options of {@link verifyJobSpec}. */
export interface VerifyJobOptions {
  backupDir: string;
  fileName: string;
  /** The key that opens a sealed backup (seal/open-key.ts); undefined for a plain one. */
  key?: OpenKey | undefined;
  verifications: BackupVerifications;
  onSuccess?: (result: VerifyJobResult) => void;
  onFailure?: (error: JobError, cause: unknown) => void;
}

/** Errors that are a verdict on the archive's content rather than a failure to read it. */
function isVerdict(code: LockerErrorCode): boolean {
  return (
    /^(ARCHIVE|MEMBER|META)_/.test(code) ||
    code === 'MAGIC_MISMATCH' ||
    code === 'FORMAT_VERSION_INVALID' ||
    code === 'DATABASE_CORRUPT' ||
    code === 'DATABASE_MISSING' ||
    // A sealed file cut short, changed, or not sealed at all under a sealed name; a key that does
    // not fit (SEAL_WRONG_*, SEAL_KEY_REQUIRED) says nothing about the file and is not recorded.
    code === 'SEAL_TRUNCATED' ||
    code === 'SEAL_DAMAGED' ||
    code === 'SEAL_NOT_SEALED' ||
    code === 'SEAL_ARMORED'
  );
}

/** A job that verifies `backupDir/fileName` in full and records the outcome. */
export function verifyJobSpec(options: VerifyJobOptions): JobSpec<'verify'> {
  const { backupDir, fileName, verifications } = options;
  return {
    kind: 'verify',
    label: `Verify ${fileName}`,
    writesDataDir: false,
    async run({ signal, report }) {
      // The version is taken before reading, so the result belongs to the bytes that were checked.
      const version = await fileVersion(backupDir, fileName);
      try {
        const result = await verifyBackup(backupDir, fileName, { signal, onProgress: (progress) => report(progress), key: options.key });
        if (version) await verifications.record(backupDir, version, { ok: true, at: formatLocalIso(new Date()) });
        return {
          fileName,
          size: result.size,
          databasesChecked: result.databasesChecked,
          checksumsVerified: result.checksumsVerified,
          files: result.files,
        };
      } catch (error) {
        if (version && isLockerError(error) && isVerdict(error.code)) {
          await verifications.record(backupDir, version, {
            ok: false,
            at: formatLocalIso(new Date()),
            message: error.message,
            code: error.code,
            details: clientDetails(error.details),
          });
        }
        throw error;
      }
    },
    ...(options.onSuccess ? { onSuccess: options.onSuccess } : {}),
    ...(options.onFailure ? { onFailure: options.onFailure } : {}),
  };
}

async function fileVersion(backupDir: string, fileName: string): Promise<BackupFileVersion | undefined> {
  try {
    const stats = await lstat(path.join(backupDir, fileName));
    return stats.isFile() ? { fileName, size: stats.size, modified: formatLocalIso(stats.mtime) } : undefined;
  } catch {
    // verifyBackup reports the missing file with the right code.
    return undefined;
  }
}

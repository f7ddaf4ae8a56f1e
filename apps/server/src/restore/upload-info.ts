/**
 * What the server tells a client about a staged upload: the answer of `POST /api/uploads`
 * (upload-route.ts) and of `restore.uploaded`, one shape for both.
 */
import { ArchiveValidationSchema, RestoredConfigSchema } from '@evidence-locker/core';
import { z } from 'zod';
import type { StagedUpload } from './upload-store.ts';

export const UploadInfoSchema = z.object({
  uploadId: z.string(),
  /** Compressed bytes received. */
  size: z.number().int().nonnegative(),
  /** When the upload is deleted unless restored (ISO time). */
  expiresAt: z.string(),
  /** What the archive holds, as validated while it arrived. */
  validation: ArchiveValidationSchema,
  /**
   * What restoring it makes of its config.json, by the rule the restore applies (core's
   * restored-config.ts): a demo instance's backup without a modem restores unconfigured. Null when
   * the archive carries no config.json.
   */
  restoredConfig: RestoredConfigSchema.nullable(),
  /** How the uploaded file was sealed (age): `identity`, `passphrase`, or null for a plain archive. */
  sealed: z.enum(['identity', 'passphrase']).nullable(),
});
export type UploadInfo = z.infer<typeof UploadInfoSchema>;

/** What the client is told about the staged `upload`. */
export function uploadInfoOf(upload: StagedUpload): UploadInfo {
  return UploadInfoSchema.parse({
    uploadId: upload.uploadId,
    size: upload.size,
    expiresAt: upload.expiresAt,
    validation: upload.validation,
    restoredConfig: upload.prepared.restoredConfig,
    sealed: upload.sealed,
  });
}

/**
 * What the server tells a client about a staged upload: the answer of `POST /api/uploads`
 * (upload-route.ts) and of `restore.uploaded`, one shape for both.
 */
import { ArchiveValidationSchema } from '@evidence-locker/core';
import { z } from 'zod';

export const UploadInfoSchema = z.object({
  uploadId: z.string(),
  /** Compressed bytes received. */
  size: z.number().int().nonnegative(),
  /** When the upload is deleted unless restored (ISO time). */
  expiresAt: z.string(),
  /** What the archive holds, as validated while it arrived. */
  validation: ArchiveValidationSchema,
});
export type UploadInfo = z.infer<typeof UploadInfoSchema>;

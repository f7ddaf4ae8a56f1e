/**
 * "Test connection": write a small probe file to a target, read it back, compare, delete it. Each
 * step's failure keeps its own TARGET_ code (the target modules map them), so the user is told
 * whether the target is unreachable, refused the login, lacks the bucket or directory, or does not
 * let this account write.
 */
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { TARGET_TEMP_PREFIX, type BackupTarget } from './backup-target.ts';
import { targetError } from './target-error.ts';

export interface ProbeResult {
  /** Milliseconds for the whole write, read back and delete. */
  elapsedMs: number;
  /** Backups (and other files) the target's directory or prefix holds. */
  entries: number;
}

/** Writes, reads back and deletes a probe file at `target`; throws the step's TARGET_ error. */
export async function probeTarget(target: BackupTarget, options: { signal?: AbortSignal } = {}): Promise<ProbeResult> {
  const started = Date.now();
  const name = `${TARGET_TEMP_PREFIX}probe-${randomBytes(6).toString('hex')}`;
  const bytes = randomBytes(1024);
  const entries = (await target.list(options)).length;
  await target.upload(name, Readable.from([bytes]), { size: bytes.length, ...options });
  try {
    const { stream } = await target.download(name, options);
    const parts: Buffer[] = [];
    for await (const part of stream) parts.push(part as Buffer);
    if (!Buffer.concat(parts).equals(bytes)) {
      throw targetError('TARGET_UPLOAD_MISMATCH', target.location, {
        specifics: 'The probe file read back differs from what was written.',
      });
    }
  } finally {
    await target.delete(name, options);
  }
  return { elapsedMs: Date.now() - started, entries };
}

/**
 * fsyncs a directory so that creates, renames and unlinks in it survive a power cut. Filesystems
 * and platforms that cannot sync a directory (EINVAL, EISDIR, EPERM, EACCES, EBADF) are skipped:
 * there is nothing more to do on them.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { errnoCode } from '../errors.ts';

const UNSUPPORTED = new Set(['EINVAL', 'EISDIR', 'EPERM', 'EACCES', 'EBADF']);

export async function syncDirectory(dir: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch (error) {
    if (!UNSUPPORTED.has(errnoCode(error) ?? '')) throw error;
  } finally {
    await handle?.close();
  }
}

/**
 * Writes one archive member to a private staging file in the data dir, on the same file system as
 * its final name so publishing is a rename.
 */
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { LockerError, errnoCode } from '../errors.ts';
import { stagedFileName } from './restore-work-files.ts';

/**
 * Streams `content` into a new staging file for member `name` (mode 0600, created exclusively) and
 * fsyncs it. `onCreated` gets the path as soon as the file exists, so a caller can remove it even
 * when writing fails halfway. A full disk becomes DISK_FULL.
 */
export async function stageMember(
  dataDir: string,
  name: string,
  content: Readable,
  onCreated: (path: string) => void,
): Promise<string> {
  const path = join(dataDir, stagedFileName(name));
  try {
    const handle = await open(path, 'wx', 0o600);
    onCreated(path);
    try {
      for await (const chunk of content as AsyncIterable<Buffer>) await handle.write(chunk);
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch (error) {
    if (errnoCode(error) === 'ENOSPC') {
      throw new LockerError('DISK_FULL', `Not enough space in the data directory to stage ${name}`, {
        cause: error,
        details: { dataDir, name },
      });
    }
    throw error;
  }
  return path;
}

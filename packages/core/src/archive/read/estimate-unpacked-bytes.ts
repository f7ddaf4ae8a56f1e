/**
 * How many bytes a restore of an archive file will stage in the data directory, known before it
 * starts (the free-space preflight):
 * - our archives list every data member's size in `backup_meta.json` (`members`), checked again as
 *   each member is read, so a meta that lies fails the restore anyway;
 * - DOCSight's archives are one gzip member, whose trailer's ISIZE is the tar's size modulo 4 GiB:
 *   exact for every archive DOCSight can make (its restore refuses anything over 500 MB packed).
 * - a sealed archive tells nothing before it is opened: 0 (its ciphertext's last bytes are no
 *   trailer).
 * An estimate only: the restore also checks the space before staging each member.
 */
import fs from 'node:fs/promises';
import { isDataFileName } from '../../data-dir-layout.ts';
import { peekArchiveMeta } from '../../backup-dir/peek-archive-meta.ts';
import { isSealedHeader, SEALED_HEADER_PROBE_BYTES } from '../../seal/sealed-header.ts';

const GZIP_TRAILER_BYTES = 8;

/** Bytes the data members of the archive at `archivePath` inflate to (0 when it cannot tell). */
export async function estimateUnpackedBytes(archivePath: string): Promise<number> {
  const meta = await peekArchiveMeta(archivePath);
  const fromMeta = memberSizes(meta?.['members']);
  if (fromMeta !== undefined) return fromMeta;
  return gzipTrailerSize(archivePath);
}

function memberSizes(members: unknown): number | undefined {
  if (typeof members !== 'object' || members === null || Array.isArray(members)) return undefined;
  let total = 0;
  for (const [name, digest] of Object.entries(members)) {
    const size = (digest as { size?: unknown } | null)?.size;
    if (!isDataFileName(name) || typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) return undefined;
    total += size;
  }
  return total;
}

async function gzipTrailerSize(archivePath: string): Promise<number> {
  const handle = await fs.open(archivePath, 'r');
  try {
    const { size } = await handle.stat();
    if (size < 18 + GZIP_TRAILER_BYTES) return 0;
    const head = Buffer.alloc(SEALED_HEADER_PROBE_BYTES);
    await handle.read(head, 0, head.length, 0);
    if (isSealedHeader(head)) return 0;
    const trailer = Buffer.alloc(4);
    await handle.read(trailer, 0, 4, size - 4);
    return trailer.readUInt32LE(0);
  } finally {
    await handle.close();
  }
}

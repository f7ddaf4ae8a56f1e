/**
 * Finds the `gzip_members` index of an archive in the output of its first gzip member, before the
 * tar reader has seen anything. Our writer gzips the tar entry of `backup_meta.json` (header,
 * JSON, padding) as a member of its own; the index is looked for only in exactly that shape.
 */
import { META_FILE } from '../../data-dir-layout.ts';
import { GzipMemberIndexSchema } from '../format/backup-meta.ts';
import { TAR_BLOCK_SIZE } from '../format/ustar-header.ts';

const NAME_END = 100;
const SIZE_FIELD = [124, 136] as const;
const TYPEFLAG = 156;
const MAGIC_FIELD = [257, 262] as const;
const PREFIX = 345;

/**
 * The index when `entryBytes` is one whole ustar entry named `backup_meta.json` whose JSON carries
 * a well-formed `gzip_members`; otherwise undefined. This is only a hint for the inflater: the tar
 * reader parses and checks the same bytes again, and a malformed meta fails there.
 */
export function peekGzipMemberIndex(entryBytes: Buffer): number[] | undefined {
  if (entryBytes.length < TAR_BLOCK_SIZE) return undefined;
  const nameEnd = entryBytes.indexOf(0);
  const name = entryBytes.toString('latin1', 0, nameEnd === -1 || nameEnd > NAME_END ? NAME_END : nameEnd);
  const type = entryBytes[TYPEFLAG];
  if (name !== META_FILE || (type !== 0x30 && type !== 0) || entryBytes[PREFIX] !== 0) return undefined;
  if (entryBytes.toString('latin1', ...MAGIC_FIELD) !== 'ustar') return undefined;
  const sizeText = entryBytes
    .toString('latin1', ...SIZE_FIELD)
    .replace(/[\0 ]+$/, '')
    .trim();
  if (!/^[0-7]{1,11}$/.test(sizeText)) return undefined;
  const size = Number.parseInt(sizeText, 8);
  if (entryBytes.length !== TAR_BLOCK_SIZE + Math.ceil(size / TAR_BLOCK_SIZE) * TAR_BLOCK_SIZE) return undefined;
  let meta: unknown;
  try {
    meta = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(entryBytes.subarray(TAR_BLOCK_SIZE, TAR_BLOCK_SIZE + size)));
  } catch {
    return undefined;
  }
  if (typeof meta !== 'object' || meta === null || !('gzip_members' in meta)) return undefined;
  const index = GzipMemberIndexSchema.safeParse(meta.gzip_members);
  return index.success ? index.data : undefined;
}

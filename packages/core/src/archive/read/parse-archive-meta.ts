/**
 * Parses the bytes of `backup_meta.json` with DOCSight's checks in DOCSight's order, and turns
 * each failure DOCSight lets escape as a crash (non-object meta → AttributeError, string
 * `format_version` → TypeError) into a coded error.
 */
import { LockerError } from '../../errors.ts';
import { ArchiveMetaSchema, BACKUP_MAGIC, type ArchiveMeta } from '../format/backup-meta.ts';

/**
 * Decodes `bytes` as UTF-8 JSON and returns the meta.
 * - invalid UTF-8 or JSON → META_UNREADABLE (with the parser's message);
 * - not a JSON object → META_INVALID;
 * - `magic` missing or wrong → MAGIC_MISMATCH (`Invalid backup: wrong magic value`);
 * - `format_version` missing or not an integer → FORMAT_VERSION_INVALID (DOCSight treats a missing
 *   one as 0, but every archive it writes carries 1, so a missing one means "not from DOCSight");
 * - any other key with the wrong shape (`members`, `tables`, …) → META_INVALID.
 */
export function parseArchiveMeta(bytes: Uint8Array): ArchiveMeta {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new LockerError('META_UNREADABLE', `Cannot read backup_meta.json: ${reason}`, { cause: error });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new LockerError('META_INVALID', 'Invalid backup: backup_meta.json is not a JSON object');
  }
  const record = parsed as Record<string, unknown>;
  if (record['magic'] !== BACKUP_MAGIC) {
    throw new LockerError('MAGIC_MISMATCH', 'Invalid backup: wrong magic value');
  }
  const version = record['format_version'];
  if (typeof version !== 'number' || !Number.isSafeInteger(version)) {
    throw new LockerError(
      'FORMAT_VERSION_INVALID',
      `Invalid backup: format_version must be an integer, got ${JSON.stringify(version) ?? 'nothing'}`,
    );
  }
  const result = ArchiveMetaSchema.safeParse(parsed);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue === undefined ? '' : ` at ${issue.path.join('.') || '(root)'}: ${issue.message}`;
    throw new LockerError('META_INVALID', `Invalid backup: backup_meta.json has the wrong shape${where}`, {
      cause: result.error,
    });
  }
  return result.data;
}

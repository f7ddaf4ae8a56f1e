/** The human-readable summary of an archive shared by validate, verify and restore. */
import type { ArchiveValidation, SealedWith } from '@evidence-locker/core';
import type { CommandOutput } from '../cli-output.ts';
import { formatBytes } from '../progress-bar.ts';
import { describeSeal } from '../seal-keys.ts';

/** `sealedWith`: how the file is sealed (peekSealedWith), null for a plain archive. */
export function printArchiveSummary(
  out: CommandOutput,
  archive: Pick<ArchiveValidation, 'meta' | 'members' | 'warnings'>,
  sealedWith: SealedWith | null,
): void {
  const { meta } = archive;
  out.table([
    ['Sealed', describeSeal(sealedWith)],
    ['Created', meta.timestamp ?? 'unknown'],
    ['App version', meta.app_version ?? 'unknown'],
    ['Format', String(meta.format_version)],
    ['Made by', meta.trigger ?? 'unknown'],
    ['Checksums', meta.members ? 'present, all match' : 'none in this archive'],
  ]);
  out.line('Members');
  out.table(
    archive.members.map((member) => [member.name, formatBytes(member.size)]),
    4,
  );
  if (meta.tables && Object.keys(meta.tables).length > 0) {
    out.line('Rows (docsis_history.db)');
    out.table(
      Object.entries(meta.tables).map(([table, rows]) => [table, String(rows)]),
      4,
    );
  }
  for (const warning of archive.warnings) out.line(`warning: ${warning.message}`);
}

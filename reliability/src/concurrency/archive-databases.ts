/**
 * Unpacks the databases of one archive with core's reader (gzip, tar, member rules and the meta's
 * SHA-256 of every member are checked on the way) into a scratch directory, runs checkDatabase on
 * each, and removes the unpacked files again.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { readArchive, type ArchiveMeta } from '@evidence-locker/core';
import { checkDatabase, type DatabaseCheck } from './database-check.ts';
import type { WriterBaseline } from './writer-process.ts';

export interface ArchiveInspection {
  meta: ArchiveMeta;
  /** Member names in archive order (`backup_meta.json` first). */
  files: string[];
  databases: Record<string, DatabaseCheck>;
}

/** Reads `archivePath` in full and checks each database in it; `scratchDir` must exist. */
export async function inspectArchive(archivePath: string, scratchDir: string, baseline?: WriterBaseline): Promise<ArchiveInspection> {
  const workDir = await mkdtemp(path.join(scratchDir, 'unpacked-'));
  try {
    const unpacked: Array<{ name: string; file: string }> = [];
    const result = await readArchive(createReadStream(archivePath), async (member, content) => {
      if (!member.name.endsWith('.db')) {
        for await (const _chunk of content) {
          // not a database: the reader still checks its digest
        }
        return;
      }
      const file = path.join(workDir, member.name);
      await pipeline(content, createWriteStream(file));
      unpacked.push({ name: member.name, file });
    });
    const databases: Record<string, DatabaseCheck> = {};
    for (const { name, file } of unpacked) databases[name] = checkDatabase(name, file, baseline);
    return { meta: result.meta, files: result.files, databases };
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

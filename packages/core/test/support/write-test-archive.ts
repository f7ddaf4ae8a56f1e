/**
 * Test support: writes a small backup archive the way both programs lay it out (a gzip stream of a
 * tar whose first member is `backup_meta.json`), so listing and pruning tests read real archives.
 */
import { utimes, writeFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';

export interface TestArchiveOptions {
  /** The meta object, serialised with 2-space indent; default: a DOCSight meta without trigger. */
  meta?: Record<string, unknown>;
  /** Raw meta text instead of `meta` (for broken-JSON cases). */
  metaText?: string;
  /** Precede each member with a PAX header (`mtime` record), as DOCSight's Python tarfile does. */
  pax?: boolean;
  /** Members after the meta; default one 200 KB member of zeros, like a database page run. */
  members?: Array<{ name: string; content: Buffer }>;
  /** Name of the first member; default `backup_meta.json`. */
  firstMemberName?: string;
  /** Modification time to set on the file. */
  mtime?: Date;
}

/** Writes the archive to `path` and returns its size in bytes. */
export async function writeTestArchive(path: string, options: TestArchiveOptions = {}): Promise<number> {
  const metaText = options.metaText ?? JSON.stringify(options.meta ?? { magic: 'docsight-backup', format_version: 1 }, null, 2);
  const members = [
    { name: options.firstMemberName ?? 'backup_meta.json', content: Buffer.from(metaText, 'utf8') },
    ...(options.members ?? [{ name: 'docsis_history.db', content: Buffer.alloc(200 * 1024) }]),
  ];
  const tar = pack();
  for (const member of members) {
    tar.entry(
      {
        name: member.name,
        size: member.content.length,
        mode: 0o644,
        mtime: new Date(1_764_140_833_000),
        ...(options.pax ? { pax: { mtime: '1764140833.713745' } } : {}),
      },
      member.content,
    );
  }
  tar.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of tar as AsyncIterable<Buffer>) chunks.push(chunk);
  const archive = gzipSync(Buffer.concat(chunks), { level: 9 });
  await writeFile(path, archive);
  if (options.mtime) await utimes(path, options.mtime, options.mtime);
  return archive.length;
}

/**
 * Archives the journeys upload: the real DOCSight fixtures, a hostile archive (a valid meta, then
 * a member escaping the data directory) and a file that is not gzip at all.
 */
import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { docsightFixture } from '@evidence-locker/core/testing';

/** (a) real data, modem configured (fritzbox, http://192.168.178.1), no admin password. */
export const REAL_ARCHIVE = docsightFixture('a-real-1m').archive;
/** (b) a demo-mode instance's backup: no modem, `demo_mode: true`, 5 user snapshots. */
export const DEMO_ARCHIVE = docsightFixture('b-demo-1m').archive;

/** One ustar header block for a regular file. */
function tarHeader(name: string, size: number): Buffer {
  const header = Buffer.alloc(512, 0);
  const field = (value: string, offset: number, length: number) => header.write(value, offset, length, 'ascii');
  field(name, 0, 100);
  field('0000644\0', 100, 8);
  field('0000000\0', 108, 8);
  field('0000000\0', 116, 8);
  field(`${size.toString(8).padStart(11, '0')}\0`, 124, 12);
  field(
    `${Math.floor(Date.now() / 1000)
      .toString(8)
      .padStart(11, '0')}\0`,
    136,
    12,
  );
  field('        ', 148, 8);
  field('0', 156, 1);
  field('ustar\0', 257, 6);
  field('00', 263, 2);
  let sum = 0;
  for (const byte of header) sum += byte;
  field(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8);
  return header;
}

function tarGz(members: { name: string; content: string }[]): Buffer {
  const blocks: Buffer[] = [];
  for (const member of members) {
    const content = Buffer.from(member.content);
    blocks.push(tarHeader(member.name, content.length), content, Buffer.alloc((512 - (content.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(blocks));
}

/** A gzip'd tar whose second member is `../escaped.txt` (path traversal). */
export function hostileArchive(): Buffer {
  const meta = JSON.stringify({
    magic: 'docsight-backup',
    format_version: 1,
    timestamp: '2026-11-26T07:07:13+00:00',
    app_version: 'x',
    tables: {},
  });
  return tarGz([
    { name: 'backup_meta.json', content: meta },
    { name: '../escaped.txt', content: 'outside the data directory' },
  ]);
}

/** A plain text file with a .tar.gz name. */
export function notGzip(): Buffer {
  return Buffer.from('This is not a backup archive, just text with the wrong file name.\n');
}

/** Names, sizes and modification times of every file below `dir` (to prove nothing changed). */
export function snapshotTree(dir: string): Record<string, string> {
  const result: Record<string, string> = {};
  const walk = (current: string) => {
    for (const entry of fs.readdirSync(current, { withFileTypes: true })) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) walk(full);
      else {
        const stats = fs.statSync(full);
        result[path.relative(dir, full)] = `${stats.size}:${stats.mtimeMs}`;
      }
    }
  };
  if (fs.existsSync(dir)) walk(dir);
  return result;
}

/**
 * A valid backup that a restore warns about twice: its format_version is 2 (newer than this version
 * reads) and it carries `notes.txt`, which is not part of a DOCSight backup.
 */
export function archiveWithWarnings(): Buffer {
  const meta = JSON.stringify({
    magic: 'docsight-backup',
    format_version: 2,
    timestamp: '2026-11-26T07:07:13+00:00',
    app_version: 'x',
    tables: {},
  });
  return tarGz([
    { name: 'backup_meta.json', content: meta },
    { name: 'config.json', content: '{}' },
    { name: 'notes.txt', content: 'a note the user kept beside the backup' },
  ]);
}
